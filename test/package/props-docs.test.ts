/**
 * The package's configuration surface documents its defaults: every optional property of an
 * interface the entry point (lib/index.ts) exports says what happens without it (`@default`),
 * as the declarations in dist/ show it in the consumer's editor. The event's own shape is output,
 * not configuration: its optional fields are absent when unknown.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

const ROOT = path.join(__dirname, '..', '..');
const INDEX = path.join(ROOT, 'lib', 'index.ts');
const OUTPUT_SHAPES = new Set(['InvalidationEvent', 'InvalidationEventDetail']);

/** Read syntactically (no type checking, so no aws-cdk-lib declarations to load): what each exported interface declares itself. */
function optionalPropertiesWithoutDefault(): { interfaces: string[]; missing: string[] } {
  const parse = (file: string) => ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const interfaces: string[] = [];
  const missing: string[] = [];
  for (const statement of parse(INDEX).statements) {
    if (!ts.isExportDeclaration(statement) || !statement.moduleSpecifier || !statement.exportClause) continue;
    if (!ts.isNamedExports(statement.exportClause)) continue;
    const names = new Set(statement.exportClause.elements.map((element) => element.name.text));
    const file = path.resolve(path.dirname(INDEX), `${(statement.moduleSpecifier as ts.StringLiteral).text}.ts`);
    for (const declaration of parse(file).statements) {
      if (!ts.isInterfaceDeclaration(declaration) || !names.has(declaration.name.text) || OUTPUT_SHAPES.has(declaration.name.text))
        continue;
      interfaces.push(declaration.name.text);
      for (const member of declaration.members) {
        if (!ts.isPropertySignature(member) || !member.questionToken) continue;
        if (!ts.getJSDocTags(member).some((tag) => tag.tagName.text === 'default')) {
          missing.push(`${declaration.name.text}.${member.name.getText()} (${path.relative(ROOT, file)})`);
        }
      }
    }
  }
  return { interfaces, missing };
}

describe("the package's props", () => {
  it('document every optional property with @default', () => {
    // Act
    const { interfaces, missing } = optionalPropertiesWithoutDefault();

    // Assert
    expect(interfaces).toEqual(
      expect.arrayContaining([
        'InvalidationNotifierProps',
        'EventForwarderProps',
        'ForwarderStackProps',
        'CloudTrailTrailProps',
        'MemberAccountProps',
        'MemberAccountStackProps',
        'OrganizationBusProps',
        'RouteMatch',
      ]),
    );
    expect(missing).toEqual([]);
  });
});

/**
 * The package's configuration surface documents its defaults: every optional property of an
 * interface the entry point (lib/index.ts) exports says what happens without it (`@default`),
 * as the declarations in dist/ show it in the consumer's editor. The event's own shape is output,
 * not configuration: its optional fields are absent when unknown.
 */
import { existsSync, readFileSync } from 'node:fs';
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
    const module = path.resolve(path.dirname(INDEX), (statement.moduleSpecifier as ts.StringLiteral).text);
    const file = existsSync(`${module}.ts`) ? `${module}.ts` : path.join(module, 'index.ts');
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

/**
 * The routing configuration is declared as a schema (lib/config/routing.ts), its types inferred:
 * its optional entries (`key: v.optional(...)`) carry the JSDoc the inferred types show.
 */
function optionalSchemaEntriesWithoutDefault(): { entries: string[]; missing: string[] } {
  const file = path.join(ROOT, 'lib', 'config', 'routing.ts');
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const entries: string[] = [];
  const missing: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAssignment(node) && node.initializer.getText().startsWith('v.optional(')) {
      const name = node.name.getText();
      entries.push(name);
      if (!ts.getJSDocTags(node).some((tag) => tag.tagName.text === 'default')) missing.push(name);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { entries, missing };
}

describe("the package's props", () => {
  it('document every optional entry of the routing configuration with @default', () => {
    const { entries, missing } = optionalSchemaEntriesWithoutDefault();

    expect(entries).toEqual(
      expect.arrayContaining(['topicArn', 'bus', 'distributionIds', 'tags', 'createdBy', 'name', 'routes', 'defaultDestinations']),
    );
    expect(missing).toEqual([]);
  });

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
      ]),
    );
    expect(missing).toEqual([]);
  });
});

import { FUNCTION_DIR_METADATA } from '../../lib/notifier-function';
import { resourcesOfType, type CfnTemplate } from '../../local/template';

export type PolicyStatement = { Action: string | string[]; Resource: unknown; Effect: string; Condition?: unknown };

/** Every IAM statement attached to the role of the function in lambda/<functionDir>. */
export function statementsOfFunction(json: CfnTemplate, functionDir: string): PolicyStatement[] {
  const [, fn] = resourcesOfType(json, 'AWS::Lambda::Function').find(
    ([, resource]) => resource.Metadata?.[FUNCTION_DIR_METADATA] === functionDir,
  )!;
  const roleId = (fn.Properties!.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return resourcesOfType(json, 'AWS::IAM::Policy')
    .filter(([, policy]) => (policy.Properties!.Roles as { Ref: string }[]).some((role) => role.Ref === roleId))
    .flatMap(([, policy]) => (policy.Properties!.PolicyDocument as { Statement: PolicyStatement[] }).Statement);
}

export const actionsOf = (statements: PolicyStatement[]): string[] =>
  statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])).sort();

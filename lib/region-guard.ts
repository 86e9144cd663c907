import { Aws, CfnRule, Fn, Stack, Token } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { CLOUDFRONT_EVENTS_REGION } from './config';

/** ID of the template rule that refuses deployment outside us-east-1 (one per stack). */
export const US_EAST_1_ONLY_RULE_ID = 'DeployInUsEast1Only';

/**
 * Checks that `scope`'s stack is in us-east-1, where CloudFront's CloudTrail events are.
 * A known other region is a synth-time problem (returned, for the caller's ConfigError). An
 * unknown region (an environment-agnostic stack, e.g. a StackSet template) cannot be checked at
 * synth, so the template itself refuses to deploy elsewhere: a CloudFormation rule fails the
 * stack (instance) with `assertDescription` instead of creating a rule that never fires.
 *
 * @param what names the construct in the messages, e.g. `EventForwarder "Forwarder/Forwarder"`.
 */
export function usEast1Problems(scope: Construct, what: string): string[] {
  const stack = Stack.of(scope);
  if (Token.isUnresolved(stack.region)) {
    if (!stack.node.tryFindChild(US_EAST_1_ONLY_RULE_ID)) {
      new CfnRule(stack, US_EAST_1_ONLY_RULE_ID, {
        assertions: [
          {
            assert: Fn.conditionEquals(Aws.REGION, CLOUDFRONT_EVENTS_REGION),
            assertDescription: `Deploy this stack in ${CLOUDFRONT_EVENTS_REGION} only: CloudFront records its CloudTrail events there and nowhere else.`,
          },
        ],
      });
    }
    return [];
  }
  if (stack.region === CLOUDFRONT_EVENTS_REGION) return [];
  return [
    `${what} must be in ${CLOUDFRONT_EVENTS_REGION}, but stack "${stack.stackName}" is in ${stack.region}: ` +
      `CloudFront records its CloudTrail events in ${CLOUDFRONT_EVENTS_REGION} only. Give that stack env: { region: '${CLOUDFRONT_EVENTS_REGION}' }.`,
  ];
}

/**
 * Defect 8, in the template: a failing destination has its own alarm on the alarm topic, the
 * dashboard graphs deliveries by destination, and the state machine counts a failure only once
 * it gave up on the destination (after its Catch), itself: a PutMetricData Task, not Notify, allowed
 * to write the notifier's namespace only.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { DELIVERY_METRICS } from '../../lambda/shared/metrics';
import { DeliveryStateNames, PUT_METRIC_DATA } from '../../lib/delivery';
import { LOCAL_SLACK_SECRET_NAME, synthTemplate } from '../../local/pipeline';
import { allStates, resourcesOfType, watcherDefinition, type CfnTemplate } from '../../local/template';

const json: CfnTemplate = synthTemplate({ slackWebhookSecretName: LOCAL_SLACK_SECRET_NAME }, false);
const template = Template.fromJSON(json);
const states = allStates(watcherDefinition(json).definition);

describe('the "a destination is failing" alarm', () => {
  it('fires on any failed delivery, on the alarm topic, and says what to check', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: DELIVERY_METRICS.namespace,
      MetricName: DELIVERY_METRICS.names.failed,
      Dimensions: [{ Name: 'service', Value: DELIVERY_METRICS.service }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('AlarmTopic') }],
      AlarmDescription: Match.stringLikeRegexp('^A destination is failing.*Deliveries by destination.*webhook'),
    });
  });
});

describe('the dashboard', () => {
  it('has a "Deliveries by destination" widget: delivered and failed, for every destination', () => {
    const [, dashboard] = resourcesOfType(json, 'AWS::CloudWatch::Dashboard')[0]!;
    const body = JSON.stringify(dashboard.Properties!.DashboardBody);

    expect(body).toContain('Deliveries by destination');
    for (const name of Object.values(DELIVERY_METRICS.names))
      expect(body).toContain(
        `SEARCH('{${DELIVERY_METRICS.namespace},${DELIVERY_METRICS.dimensions.destination},service} MetricName=\\\\\\"${name}\\\\\\"'`,
      );
  });
});

describe('the state machine', () => {
  it('counts a failed delivery after the Catch, itself (no Lambda), and goes on whether or not counting works', () => {
    const deliver = states[DeliveryStateNames.notifyDestination]!;
    const notDelivered = states[DeliveryStateNames.notDelivered]!;
    const count = states[DeliveryStateNames.countFailedDelivery]!;

    // (Before it, a token not answered in time asks Notify again: not a failure.)
    expect(deliver.Catch?.at(-1)).toEqual({
      ErrorEquals: ['States.ALL'],
      ResultPath: '$.deliveryError',
      Next: DeliveryStateNames.notDelivered,
    });
    expect(notDelivered).toMatchObject({ ResultPath: '$.result', Next: DeliveryStateNames.countFailedDelivery });
    expect(count).toMatchObject({
      Type: 'Task',
      Resource: PUT_METRIC_DATA,
      // The series the alarm watches (service only) and the dashboard's (by destination).
      Parameters: {
        Namespace: DELIVERY_METRICS.namespace,
        MetricData: [
          {
            MetricName: DELIVERY_METRICS.names.failed,
            Dimensions: [
              { Name: 'service', Value: DELIVERY_METRICS.service },
              { Name: DELIVERY_METRICS.dimensions.destination, 'Value.$': '$.destination' },
            ],
            Value: 1,
            Unit: 'Count',
          },
          {
            MetricName: DELIVERY_METRICS.names.failed,
            Dimensions: [{ Name: 'service', Value: DELIVERY_METRICS.service }],
            Value: 1,
            Unit: 'Count',
          },
        ],
      },
      ResultPath: null,
      OutputPath: '$.result',
      End: true,
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: DeliveryStateNames.failureNotCounted }],
    });
    expect(states[DeliveryStateNames.failureNotCounted]).toMatchObject({ Type: 'Pass', OutputPath: '$.result', End: true });
    expect(deliver.Resource).not.toBe(count.Resource);
  });

  it("may put metric data into the notifier's namespace only", () => {
    const [machineId] = resourcesOfType(json, 'AWS::StepFunctions::StateMachine').find(([, resource]) =>
      JSON.stringify(resource).includes(PUT_METRIC_DATA),
    )!;
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp(machineId.replace(/StateMachine[0-9A-F]+$/, 'StateMachineRole')) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Effect: 'Allow',
            Action: 'cloudwatch:PutMetricData',
            Resource: '*',
            Condition: { StringEquals: { 'cloudwatch:namespace': DELIVERY_METRICS.namespace } },
          },
        ]),
      },
    });
    const statements = resourcesOfType(json, 'AWS::IAM::Policy').flatMap(
      ([, policy]) => (policy.Properties!.PolicyDocument as { Statement: { Action: unknown; Condition?: unknown }[] }).Statement,
    );
    for (const statement of statements.filter((each) => JSON.stringify(each.Action).includes('PutMetricData'))) {
      expect(statement.Condition).toEqual({ StringEquals: { 'cloudwatch:namespace': DELIVERY_METRICS.namespace } });
    }
  });
});

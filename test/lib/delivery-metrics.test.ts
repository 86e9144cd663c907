/**
 * Defect 8, in the template: a failing destination has its own alarm on the alarm topic, the
 * dashboard graphs deliveries by destination, and the state machine counts a failure only once
 * it gave up on the destination (after its Catch), through Notify.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { DELIVERY_METRICS } from '../../lambda/shared/metrics';
import { DeliveryStateNames } from '../../lib/delivery';
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
  it('counts a failed delivery after the Catch, through Notify, and goes on whether or not counting works', () => {
    const deliver = states[DeliveryStateNames.notifyDestination]!;
    const notDelivered = states[DeliveryStateNames.notDelivered]!;
    const count = states[DeliveryStateNames.countFailedDelivery]!;

    expect(deliver.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.deliveryError', Next: DeliveryStateNames.notDelivered }]);
    expect(notDelivered).toMatchObject({ ResultPath: '$.result', Next: DeliveryStateNames.countFailedDelivery });
    expect(count).toMatchObject({
      Type: 'Task',
      Resource: deliver.Resource,
      Parameters: { 'destination.$': '$.destination', 'deliveryFailed.$': '$.deliveryError', 'watch.$': '$.watch' },
      ResultPath: null,
      OutputPath: '$.result',
      End: true,
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: DeliveryStateNames.failureNotCounted }],
    });
    expect(states[DeliveryStateNames.failureNotCounted]).toMatchObject({ Type: 'Pass', OutputPath: '$.result', End: true });
  });
});

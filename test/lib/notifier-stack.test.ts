import { Match, Template } from 'aws-cdk-lib/assertions';
import { ErrorNames } from '../../lambda/shared/errors';
import { DEFAULT_POLL_SCHEDULE } from '../../lambda/shared/schedule';
import { StateNames } from '../../lib/watcher';
import { LOCAL_SLACK_SECRET_NAME, synthTemplate } from '../../local/pipeline';
import { actionsOf, statementsOfFunction as statementsOf, type PolicyStatement } from '../support/function-policies';
import { FUNCTION_DIR_METADATA } from '../../lib/notifier-function';
import {
  allStates,
  localFunctions,
  resourcesOfType,
  watcherDefinition,
  type CfnTemplate,
  type StateMachineDefinition,
} from '../../local/template';

// Built once for the file: the app as `cdk synth -c slackWebhookSecretName=...` produces it.
const json: CfnTemplate = synthTemplate({ slackWebhookSecretName: LOCAL_SLACK_SECRET_NAME }, false);
const template = Template.fromJSON(json);
const definition: StateMachineDefinition = watcherDefinition(json).definition;
const states = allStates(definition);

const statementsOfFunction = (functionDir: string) => statementsOf(json, functionDir);

describe('trigger', () => {
  it('matches successful CreateInvalidation and CreateInvalidationForDistributionTenant CloudTrail calls only', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.cloudfront'],
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['cloudfront.amazonaws.com'],
          eventName: ['CreateInvalidation', 'CreateInvalidationForDistributionTenant'],
          errorCode: [{ exists: false }],
        },
      },
    });
  });

  it('targets Start watch with a dead-letter queue and a retry policy', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [
        Match.objectLike({
          DeadLetterConfig: { Arn: Match.anyValue() },
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 7200 },
        }),
      ],
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });

  it('encrypts the dead-letter queue and refuses plain HTTP', () => {
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
  });
});

describe('watcher state machine', () => {
  it('is a STANDARD state machine logging to a vended-logs log group', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: false }),
      TracingConfiguration: { Enabled: true },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: Match.stringLikeRegexp('^/aws/vendedlogs/states/') });
  });

  it('loops Check -> Completed? -> Wait -> Check', () => {
    expect(definition.StartAt).toBe(StateNames.eventReadable);
    expect(states[StateNames.check]).toMatchObject({ Type: 'Task', Next: StateNames.completed });
    const completed = states[StateNames.completed] as unknown as {
      Choices: { Variable: string; StringEquals?: string; Next: string }[];
      Default: string;
    };
    expect(completed.Choices).toEqual(
      expect.arrayContaining([expect.objectContaining({ Variable: '$.status.status', StringEquals: 'Completed', Next: 'Mark completed' })]),
    );
    expect(completed.Default).toBe(StateNames.wait);
    expect(states[StateNames.wait]).toMatchObject({ Type: 'Wait', SecondsPath: '$.status.nextCheckInSeconds', Next: StateNames.check });
  });

  it('checks again through the Task Retry on the configured schedule', () => {
    expect(states[StateNames.check]!.Retry).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          ErrorEquals: [ErrorNames.InvalidationInProgress],
          IntervalSeconds: DEFAULT_POLL_SCHEDULE.firstIntervalSeconds,
          BackoffRate: DEFAULT_POLL_SCHEDULE.backoffRate,
          MaxDelaySeconds: DEFAULT_POLL_SCHEDULE.maxIntervalSeconds,
          JitterStrategy: 'NONE',
        }),
      ]),
    );
  });

  it('retries Lambda service errors with exponential backoff and full jitter', () => {
    const retrier = states[StateNames.check]!.Retry!.find((r) => r.ErrorEquals.includes('Lambda.ServiceException'))!;
    expect(retrier).toMatchObject({ BackoffRate: 2, JitterStrategy: 'FULL' });
    expect(retrier.ErrorEquals).toEqual(expect.arrayContaining(['Lambda.TooManyRequestsException', 'Lambda.SdkClientException']));
  });

  it('leaves CloudFront throttling to the function, which slows the loop down, so no Retry hammers the API', () => {
    const retried = states[StateNames.check]!.Retry!.flatMap((r) => r.ErrorEquals);
    expect(retried).not.toContain(ErrorNames.CloudFrontThrottled);
    expect(retried).not.toContain(ErrorNames.CloudFrontUnavailable);
    expect(states[StateNames.check]).toMatchObject({ Parameters: { 'pace.$': '$.status.pace' } });
  });

  it('never retries a permanent error: not found and access denied go straight to "could not track"', () => {
    const retried = states[StateNames.check]!.Retry!.flatMap((r) => r.ErrorEquals);
    expect(retried).not.toContain(ErrorNames.InvalidationNotTrackable);
    expect(retried).not.toContain('States.ALL');
    expect(states[StateNames.check]!.Catch).toEqual(
      expect.arrayContaining([expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: 'Mark could not track' })]),
    );
  });

  it("notifies each of the watch's destinations in its own Map iteration, each retried and caught on its own", () => {
    const map = states[StateNames.notifyDestinations]! as (typeof states)[string] & {
      ItemsPath?: string;
      ItemProcessor?: { StartAt: string };
    };
    expect(map.Type).toBe('Map');
    expect(map.ItemsPath).toBe('$.audience.destinations');
    expect(map.ItemProcessor?.StartAt).toBe(StateNames.notifyDestination);
    const deliver = states[StateNames.notifyDestination]!;
    expect(deliver.Catch).toEqual([expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: StateNames.notDelivered })]);
    expect(deliver.Retry?.[0]?.ErrorEquals).toEqual(
      expect.arrayContaining(['WebhookUnavailable', 'TopicUnavailable', 'EventBusUnavailable']),
    );
  });

  it('is bounded by a state machine timeout beyond the maximum wait', () => {
    expect((definition as unknown as { TimeoutSeconds: number }).TimeoutSeconds).toBe(DEFAULT_POLL_SCHEDULE.maxWaitSeconds + 7200);
  });
});

describe('least privilege', () => {
  it('lets Check status call only the two CloudFront Get APIs, on the account distributions and tenants', () => {
    const statements = statementsOfFunction('check-status').filter((s) => actionsOf([s]).some((a) => a.startsWith('cloudfront:')));
    expect(actionsOf(statements)).toEqual(['cloudfront:GetInvalidation', 'cloudfront:GetInvalidationForDistributionTenant']);
    const resources = JSON.stringify(statements.map((s) => s.Resource));
    expect(resources).toContain(':distribution/*');
    expect(resources).toContain(':distribution-tenant/*');
    expect(resources).not.toContain('"*"');
  });

  it('lets Notify publish only to its topic and read only the Slack secret', () => {
    const statements = statementsOfFunction('notify');
    const publish = statements.find((s) => actionsOf([s]).includes('sns:Publish'))!;
    expect(publish.Resource).toEqual({ Ref: expect.stringMatching(/Topic/) });
    const read = statements.find((s) => actionsOf([s]).includes('secretsmanager:GetSecretValue'))!;
    expect(JSON.stringify(read.Resource)).toContain(`:secret:${LOCAL_SLACK_SECRET_NAME}-??????`);
  });

  it('lets Start watch only start the watcher', () => {
    const statements = statementsOfFunction('start-watch').filter((s) => actionsOf([s]).some((a) => a.startsWith('states:')));
    expect(actionsOf(statements)).toEqual(['states:StartExecution']);
    expect(statements[0]!.Resource).toEqual({ Ref: expect.stringMatching(/StateMachine/) });
  });

  it('grants no wildcard action anywhere', () => {
    const actions = resourcesOfType(json, 'AWS::IAM::Policy').flatMap(([, policy]) =>
      actionsOf((policy.Properties!.PolicyDocument as { Statement: PolicyStatement[] }).Statement),
    );
    expect(actions.filter((action) => action === '*' || action.endsWith(':*'))).toEqual([]);
  });

  it('keeps the webhook out of the template: only the secret name is in the environment', () => {
    const text = JSON.stringify(json);
    expect(text).not.toMatch(/hooks\.slack\.com/);
    const notify = localFunctions(json, FUNCTION_DIR_METADATA).find((fn) => fn.functionDir === 'notify')!;
    expect(JSON.parse(notify.environment.DESTINATIONS!)).toMatchObject({ slack: { type: 'slack', secretId: LOCAL_SLACK_SECRET_NAME } });
  });

  it('encrypts the topics with a rotating customer managed key and enforces TLS', () => {
    template.resourceCountIs('AWS::SNS::Topic', 2);
    template.allResourcesProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
  });
});

describe('functions', () => {
  it('run Node.js 22 on arm64 with a log group of limited retention', () => {
    template.allResourcesProperties('AWS::Lambda::Function', { Runtime: 'nodejs22.x', Architectures: ['arm64'] });
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });
});

describe('operational alarms', () => {
  it('alarm on failed, timed-out and throttled executions and on dead letters, to the operator topic', () => {
    for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionThrottled']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/States',
        MetricName: metric,
        AlarmActions: [{ Ref: Match.stringLikeRegexp('AlarmTopic') }],
      });
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 1,
    });
  });
});

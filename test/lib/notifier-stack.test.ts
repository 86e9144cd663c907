import { Match, Template } from 'aws-cdk-lib/assertions';
import { ErrorNames } from '../../lambda/shared/errors';
import { WATCH_METRICS } from '../../lambda/shared/metrics';
import { DEFAULT_POLL_SCHEDULE } from '../../lambda/shared/schedule';
import { CheckLoopStateNames } from '../../lib/check-loop';
import { StateNames } from '../../lib/watcher';
import { LOCAL_SLACK_SECRET_NAME, synthTemplate } from '../../local/pipeline';
import { actionsOf, statementsOfFunction as statementsOf, type PolicyStatement } from '../support/function-policies';
import { FUNCTION_DIR_METADATA } from '../../lib/notifier-function';
import {
  allStates,
  checkLoopDefinition,
  localFunctions,
  resourcesOfType,
  watcherDefinition,
  type CfnTemplate,
  type StateMachineDefinition,
} from '../../local/template';
import { SYNTHESIZED_INVALIDATION_PATTERN } from '../support/invalidation-pattern';

// Built once for the file: the app as `cdk synth -c slackWebhookSecretName=...` produces it.
const json: CfnTemplate = synthTemplate({ slackWebhookSecretName: LOCAL_SLACK_SECRET_NAME }, false);
const template = Template.fromJSON(json);
const definition: StateMachineDefinition = watcherDefinition(json).definition;
const states = allStates(definition);
const checkLoop = checkLoopDefinition(json)!;
const loopStates = allStates(checkLoop.definition);

const statementsOfFunction = (functionDir: string) => statementsOf(json, functionDir);

describe('trigger', () => {
  it('matches successful CreateInvalidation and CreateInvalidationForDistributionTenant CloudTrail calls only', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: SYNTHESIZED_INVALIDATION_PATTERN,
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

  it('runs the Express check loop until the watch is over: Watch until completed -> Watch over? -> next run or an outcome', () => {
    expect(definition.StartAt).toBe(StateNames.eventReadable);
    expect(states[StateNames.watch]).toMatchObject({
      Type: 'Task',
      Resource: 'arn:aws:states:::states:startExecution.sync:2',
      Parameters: { StateMachineArn: checkLoop.arn, Input: { 'watch.$': '$', 'startedAt.$': '$$.Execution.StartTime' } },
      OutputPath: '$.Output',
      Next: StateNames.watchOver,
    });
    expect(states[StateNames.watch]).not.toHaveProperty('ResultPath');
    const watchOver = states[StateNames.watchOver] as unknown as { Choices: { Variable: string; Next: string }[]; Default: string };
    expect(watchOver.Choices.map((choice) => [choice.Variable, choice.Next])).toEqual([
      ['$.error', 'Mark could not track'],
      ['$.status.status', 'Mark completed'],
      ['$.loop.deadlinePassed', 'Mark still in progress'],
    ]);
    expect(watchOver.Default).toBe(StateNames.watch);
    // No check in the Standard workflow: every check is in the Express loop.
    expect(states[StateNames.check]).toBeUndefined();
  });

  it('retries a failed run a few times with jitter (the Express run failed or could not start), then "could not track"', () => {
    expect(states[StateNames.watch]!.Retry).toEqual([
      expect.objectContaining({ ErrorEquals: ['States.ALL'], MaxAttempts: 3, JitterStrategy: 'FULL' }),
    ]);
    expect(states[StateNames.watch]!.Catch).toEqual([
      expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: 'Mark could not track' }),
    ]);
  });

  it('is bounded by a state machine timeout beyond the maximum wait', () => {
    expect((definition as unknown as { TimeoutSeconds: number }).TimeoutSeconds).toBe(DEFAULT_POLL_SCHEDULE.maxWaitSeconds + 7200);
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
    expect(deliver.Retry?.map((retrier) => retrier.ErrorEquals)).toEqual([
      ['WebhookRateLimited'],
      expect.arrayContaining([
        'WebhookUnavailable',
        'SecretUnavailable',
        'TopicUnavailable',
        'EventBusUnavailable',
        'Lambda.ServiceException',
      ]),
      expect.arrayContaining(['FunctionTimedOut', 'Sandbox.Timedout']),
    ]);
    // A rate limit is waited out no sooner than 30 s, then longer: not with the quick general Retry.
    expect(deliver.Retry?.[0]).toMatchObject({ IntervalSeconds: 30, MaxAttempts: 5 });
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

describe('check loop (Express)', () => {
  it('is an EXPRESS state machine logging errors only, without data, with tracing and a 5-minute timeout', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'EXPRESS',
      LoggingConfiguration: Match.objectLike({ Level: 'ERROR', IncludeExecutionData: false }),
      TracingConfiguration: { Enabled: true },
    });
    expect((checkLoop.definition as unknown as { TimeoutSeconds: number }).TimeoutSeconds).toBe(300);
  });

  it('resumes with the carried wait, then loops Check -> Keep checking? -> Wait -> Check, handing the watch back at the end', () => {
    expect(checkLoop.definition.StartAt).toBe(CheckLoopStateNames.resume);
    expect(loopStates[CheckLoopStateNames.carriedWait]).toMatchObject({
      Type: 'Wait',
      SecondsPath: '$.watch.loop.nextCheckInSeconds',
      Next: CheckLoopStateNames.check,
    });
    expect(loopStates[CheckLoopStateNames.check]).toMatchObject({
      Type: 'Task',
      Parameters: { 'watch.$': '$.watch', 'startedAt.$': '$.startedAt', 'runStartedAt.$': '$$.Execution.StartTime' },
      ResultPath: '$.watch',
      Next: CheckLoopStateNames.keepChecking,
    });
    const keepChecking = loopStates[CheckLoopStateNames.keepChecking] as unknown as { Choices: { Next: string }[]; Default: string };
    expect(keepChecking.Choices.map((choice) => choice.Next)).toEqual([CheckLoopStateNames.handBack]);
    expect(keepChecking.Default).toBe(CheckLoopStateNames.wait);
    expect(loopStates[CheckLoopStateNames.wait]).toMatchObject({ Type: 'Wait', SecondsPath: '$.watch.loop.nextCheckInSeconds' });
    expect(loopStates[CheckLoopStateNames.handBack]).toMatchObject({ Type: 'Pass', OutputPath: '$.watch', End: true });
  });

  it('retries Lambda service errors and timeouts a few times, quickly, with full jitter (a run has 5 minutes)', () => {
    const retriers = loopStates[CheckLoopStateNames.check]!.Retry!;
    expect(retriers.find((r) => r.ErrorEquals.includes('Lambda.ServiceException'))).toMatchObject({
      BackoffRate: 2,
      JitterStrategy: 'FULL',
    });
    expect(retriers.find((r) => r.ErrorEquals.includes('Sandbox.Timedout'))).toMatchObject({ JitterStrategy: 'FULL' });
    for (const retrier of retriers) expect((retrier.MaxAttempts ?? 3) * (retrier.MaxDelaySeconds ?? 60)).toBeLessThanOrEqual(30);
  });

  it('leaves CloudFront throttling to the function, which slows the loop down, so no Retry hammers the API', () => {
    const retried = loopStates[CheckLoopStateNames.check]!.Retry!.flatMap((r) => r.ErrorEquals);
    expect(retried).not.toContain(ErrorNames.CloudFrontThrottled);
    expect(retried).not.toContain(ErrorNames.CloudFrontUnavailable);
  });

  it('never retries a permanent error: not found and access denied hand the watch back at once, with the error', () => {
    const retried = loopStates[CheckLoopStateNames.check]!.Retry!.flatMap((r) => r.ErrorEquals);
    expect(retried).not.toContain(ErrorNames.InvalidationNotTrackable);
    expect(retried).not.toContain('States.ALL');
    expect(loopStates[CheckLoopStateNames.check]!.Catch).toEqual([
      expect.objectContaining({
        ErrorEquals: [ErrorNames.InvalidationNotTrackable, ErrorNames.InvalidWatcherInput],
        Next: CheckLoopStateNames.handBack,
      }),
    ]);
  });

  it('is started by the watcher only: its role may start and describe the check loop, not invoke Check status', () => {
    const watcherId = resourcesOfType(json, 'AWS::StepFunctions::StateMachine').find(
      ([, r]) => r.Properties?.StateMachineType === 'STANDARD',
    )![0];
    const roleId = (json.Resources[watcherId]!.Properties!.RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const statements = resourcesOfType(json, 'AWS::IAM::Policy')
      .filter(([, policy]) => (policy.Properties!.Roles as { Ref: string }[]).some((role) => role.Ref === roleId))
      .flatMap(([, policy]) => (policy.Properties!.PolicyDocument as { Statement: PolicyStatement[] }).Statement);
    const start = statements.find((s) => actionsOf([s]).includes('states:StartExecution'))!;
    expect(start.Resource).toEqual({ Ref: checkLoop.logicalId });
    const describe = statements.find((s) => actionsOf([s]).includes('states:DescribeExecution'))!;
    expect(JSON.stringify(describe.Resource)).toContain(checkLoop.logicalId);
    const invoked = JSON.stringify(statements.filter((s) => actionsOf([s]).includes('lambda:InvokeFunction')).map((s) => s.Resource));
    expect(invoked).not.toMatch(/CheckStatus/);
  });
});

describe('dashboard', () => {
  const body = () => {
    const [, dashboard] = resourcesOfType(json, 'AWS::CloudWatch::Dashboard')[0]!;
    return JSON.stringify(dashboard.Properties!.DashboardBody);
  };

  it("graphs the watches' metrics from the namespace the check function writes", () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    for (const name of Object.values(WATCH_METRICS.names)) expect(body()).toContain(`\\"${name}\\"`);
    expect(body()).toContain(WATCH_METRICS.namespace);
    expect(body()).toContain('TargetKind');
  });

  it("graphs both state machines' executions and the functions' errors, throttles and durations", () => {
    for (const metric of [
      'ExecutionsStarted',
      'ExecutionsFailed',
      'ExecutionsTimedOut',
      'ExecutionThrottled',
      'Errors',
      'Throttles',
      'Duration',
    ]) {
      expect(body()).toContain(metric);
    }
    expect(body()).toContain(checkLoop.logicalId);
  });
});

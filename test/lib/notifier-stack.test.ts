import { ErrorNames } from '../../lambda/shared/errors';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { WATCH_METRICS } from '../../lambda/shared/metrics';
import { DEFAULT_POLL_SCHEDULE } from '../../lambda/shared/schedule';
import { TOKEN_GRACE, StateNames } from '../../lib/watcher';
import { TELL_AGAIN_SECONDS } from '../../lib/delivery';
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
import { SYNTHESIZED_INVALIDATION_PATTERN } from '../support/invalidation-pattern';

// Built once for the file: the app as `cdk synth -c slackWebhookSecretName=...` produces it.
const json: CfnTemplate = synthTemplate({ slackWebhookSecretName: LOCAL_SLACK_SECRET_NAME }, false);
const template = Template.fromJSON(json);
const definition: StateMachineDefinition = watcherDefinition(json).definition;
const states = allStates(definition);

const statementsOfFunction = (functionDir: string) => statementsOf(json, functionDir);

describe('trigger', () => {
  it('matches the successful CloudTrail calls that start an invalidation or a deployment, and no others', () => {
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

  it('hands the watch to the checker and waits on its token: Watch until completed -> Watch over? -> an outcome', () => {
    expect(definition.StartAt).toBe(StateNames.eventReadable);
    expect(states[StateNames.watch]).toMatchObject({
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: {
        FunctionName: expect.stringMatching(/RegisterFunction/),
        Payload: {
          'taskToken.$': '$$.Task.Token',
          'request.$': '$.request',
          'startedAt.$': '$$.Execution.StartTime',
          'execution.$': '$$.Execution.Name',
          'audience.$': '$.audience',
        },
      },
      ResultPath: '$.status',
      TimeoutSeconds: DEFAULT_POLL_SCHEDULE.maxWaitSeconds + TOKEN_GRACE.toSeconds(),
      Next: StateNames.watchOver,
    });
    const watchOver = states[StateNames.watchOver] as unknown as {
      Choices: { Variable?: string; Or?: { Variable: string; StringEquals: string }[]; Next: string }[];
      Default: string;
    };
    // Completed ends an invalidation, Deployed a deployment.
    expect(watchOver.Choices.map((choice) => [choice.Or ?? choice.Variable, choice.Next])).toEqual([
      [
        [
          { Variable: '$.status.status', StringEquals: 'Completed' },
          { Variable: '$.status.status', StringEquals: 'Deployed' },
        ],
        'Mark completed',
      ],
      ['$.status.announce', StateNames.announce],
    ]);
    expect(watchOver.Default).toBe('Mark still in progress');
    // No check and no Wait in the watcher: checking is the checker's.
    expect(Object.values(states).filter((state) => state.Type === 'Wait')).toEqual([]);
  });

  it('announces a live message best effort: a channel whose pace is taken is tried again for seconds, any other failure goes back to watching', () => {
    const announce = states[StateNames.announce] as unknown as {
      Retry: { ErrorEquals: string[]; MaxAttempts: number; MaxDelaySeconds?: number }[];
      Catch: { ErrorEquals: string[]; Next: string }[];
      Next: string;
    };
    expect(announce.Retry[0]).toMatchObject({ ErrorEquals: [ErrorNames.TellLater], MaxAttempts: 5, MaxDelaySeconds: 4 });
    expect(announce.Catch).toEqual([expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: StateNames.watch })]);
    expect(announce.Next).toBe(StateNames.watch);
  });

  it('makes one final check when the token times out, and ends "could not track" on a refusal or any other failure', () => {
    expect(states[StateNames.watch]!.Catch).toEqual([
      expect.objectContaining({ ErrorEquals: ['States.Timeout'], Next: StateNames.finalCheck }),
      expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: 'Mark could not track', ResultPath: '$.error' }),
    ]);
    expect(states[StateNames.finalCheck]).toMatchObject({
      Type: 'Task',
      Resource: expect.stringMatching(/CheckerFunction/),
      Parameters: { finalCheck: { 'request.$': '$.request', 'startedAt.$': '$$.Execution.StartTime' } },
      ResultPath: '$.status',
      Next: StateNames.watchOver,
    });
    // Register watch failing is retried (a new token replaces the old); the token's own timeout is not.
    const retried = states[StateNames.watch]!.Retry!.flatMap((r) => r.ErrorEquals);
    expect(retried).toEqual(expect.arrayContaining(['Lambda.ServiceException', 'Sandbox.Timedout']));
    expect(retried).not.toContain('States.Timeout');
    expect(retried).not.toContain('States.ALL');
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
    // Notify answers the task's token, now or when another watch's message tells this one.
    expect(deliver).toMatchObject({ Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', TimeoutSeconds: TELL_AGAIN_SECONDS });
    // Not told within the time: Notify is asked again (it sends what is due by then).
    expect(deliver.Catch).toEqual([
      expect.objectContaining({ ErrorEquals: ['States.Timeout'], Next: StateNames.notifyDestination }),
      expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: StateNames.notDelivered }),
    ]);
    expect(deliver.Retry?.map((retrier) => retrier.ErrorEquals)).toEqual([
      ['TellLater'],
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
    expect(deliver.Retry?.[1]).toMatchObject({ IntervalSeconds: 30, MaxAttempts: 5 });
  });
});

describe('least privilege', () => {
  it("lets the checker call only CloudFront's Get APIs of the work watched: invalidations' and deployments' on distributions, the tenant ones on tenants", () => {
    const statements = statementsOfFunction('checker').filter((s) => actionsOf([s]).some((a) => a.startsWith('cloudfront:')));
    const on = (resource: string) =>
      statements
        .filter((s) => JSON.stringify(s.Resource).includes(resource))
        .flatMap((s) => actionsOf([s]))
        .sort();
    expect(on(':distribution/*')).toEqual(['cloudfront:GetDistribution', 'cloudfront:GetInvalidation']);
    expect(on(':distribution-tenant/*')).toEqual(['cloudfront:GetDistributionTenant', 'cloudfront:GetInvalidationForDistributionTenant']);
    expect(JSON.stringify(statements.map((s) => s.Resource))).not.toContain('"*"');
  });

  it("lets the checker and Register watch do only what they use, each on the notifier's own table, queue and watcher", () => {
    /** Every action but CloudFront's (above) and its own log group's, as `action on resource`. */
    const grants = (functionDir: string) =>
      statementsOfFunction(functionDir)
        .flatMap((s) => actionsOf([s]).map((action) => `${action} on ${JSON.stringify(s.Resource)}`))
        .filter((grant) => !grant.startsWith('cloudfront:') && !grant.startsWith('logs:'))
        .sort();
    const idOf = (type: string, pattern: RegExp) => Object.keys(template.findResources(type)).find((id) => pattern.test(id))!;
    const tableArn = { 'Fn::GetAtt': [idOf('AWS::DynamoDB::Table', /CheckerWatches/), 'Arn'] };
    const table = JSON.stringify(tableArn);
    const tableAndIndex = JSON.stringify([tableArn, { 'Fn::Join': ['', [tableArn, '/index/byRegistration']] }]);
    const queue = JSON.stringify({ 'Fn::GetAtt': [idOf('AWS::SQS::Queue', /CheckerTicks(?!DeadLetter)/), 'Arn'] });
    const watcher = JSON.stringify({ Ref: idOf('AWS::StepFunctions::StateMachine', /Watcher/) });
    const each = (actions: string[], resource: string) => actions.map((action) => `${action} on ${resource}`);

    // What lambda/checker/ calls, and the tick queue's event source: no Scan, no PutItem, no
    // SendTaskHeartbeat (it never sends one), Query on the one index it reads and no other.
    expect(grants('checker')).toEqual(
      [
        ...each(['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem'], table),
        ...each(['dynamodb:Query'], tableAndIndex),
        ...each(
          ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'],
          queue,
        ),
        ...each(['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'], queue),
        ...each(['states:SendTaskFailure', 'states:SendTaskSuccess'], watcher),
      ].sort(),
    );
    // GetItem: a watch's membership in its destinations' bursts.
    expect(grants('register-watch')).toEqual(
      [
        ...each(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], table),
        ...each(['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'], queue),
      ].sort(),
    );
    // Notify keeps bursts, live messages and paces in the table (never deletes: TTL does) and
    // answers only the watcher's tokens; its destinations' grants are tested below.
    const notify = grants('notify').filter((grant) => /^(dynamodb|states):/.test(grant));
    expect(notify).toEqual(
      [
        ...each(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'], table),
        ...each(['states:SendTaskFailure', 'states:SendTaskSuccess'], watcher),
      ].sort(),
    );
    // ... and only telling's items: never a watch, a token or the checker's clock.
    const telling = statementsOfFunction('notify').find((statement) => actionsOf([statement]).includes('dynamodb:PutItem'))!;
    expect(telling.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['burst-open', 'tell', 'pace', 'burst#*'] } });
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

describe('dashboard', () => {
  const body = () => {
    const [, dashboard] = resourcesOfType(json, 'AWS::CloudWatch::Dashboard')[0]!;
    return JSON.stringify(dashboard.Properties!.DashboardBody);
  };

  it("graphs the watches' and the checker's metrics from the namespace the checker writes", () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    for (const name of Object.values(WATCH_METRICS.names)) expect(body()).toContain(`\\"${name}\\"`);
    expect(body()).toContain(WATCH_METRICS.namespace);
    expect(body()).toContain('TargetKind');
  });

  it("graphs the watcher's executions and the functions' errors, throttles and durations", () => {
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
  });
});

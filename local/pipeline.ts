import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { loadConfig, type ContextKey } from '../lib/config';
import { LAMBDA_TIMEOUT_ERRORS } from '../lambda/shared/errors';
import { PUT_METRIC_DATA } from '../lib/delivery';
import type { PollSchedule } from '../lambda/shared/schedule';
import { FUNCTION_DIR_METADATA } from '../lib/notifier-function';
import { NotifierStack } from '../lib/notifier-stack';
import { AwsEmulator } from './aws-emulator';
import { CloudFrontEmulator, type RateLimit } from './cloudfront-emulator';
import { LocalWatcher, type TaskHandler } from './local-watcher';
import { SlackEmulator } from './slack-emulator';
import { LOCAL_BOT_TOKEN, SlackApiEmulator, type SlackApiEmulatorOptions } from './slack-api-emulator';
import { SLACK_API_URL_ENV } from '../lambda/notify/slack-api';
import { WebhookEmulator } from './webhook-emulator';
import { Simulation } from './simulation';
import { QueueEmulator } from './queue-emulator';
import { startDynamoDb, type LocalDynamoDb } from './dynamodb-emulator';
import { WATCHDOG_EVENT } from '../lib/checker';
import {
  LOCAL_ACCOUNT,
  LOCAL_REGION,
  checkLoopDefinition,
  localFunctions,
  watcherDefinition,
  type CfnTemplate,
  type LocalFunction,
} from './template';

export const LOCAL_SLACK_SECRET_NAME = 'local/slack-webhook';

/** What each platform's webhook URL looks like after the host, so that the secret holds a realistic URL. */
const WEBHOOK_PATHS = {
  slack: '/services/T000/B000/local',
  teams: '/workflows/local/triggers/manual/paths/invoke',
  'google-chat': '/v1/spaces/local/messages',
} as const;

export interface LocalPipelineOptions {
  /** CDK context for the synth, as `cdk deploy -c key=value` or cdk.json would give it. */
  readonly context?: Partial<Record<ContextKey, unknown>>;
  /**
   * A template synthesized elsewhere (an app using the package's construct) to run instead of
   * synthesizing this repository's app; `context` then only sets up the emulators (Slack's secret
   * name, the destinations' webhooks). @default the app synthesized with `context`
   */
  readonly template?: CfnTemplate;
  /**
   * Schedule fields laid over the one the context gives, as a stack using the construct would
   * pass them. @default none
   */
  readonly schedule?: Partial<PollSchedule>;
  /** Task handlers by resource beside the template's functions (the benchmark's comparison designs). @default none */
  readonly taskHandlers?: Readonly<Record<string, TaskHandler>>;
  /** Configure the simple case's Slack (secret name in context, secret value = the Slack emulator's URL). @default true unless the context has destinations */
  readonly slack?: boolean;
  /** Override the Slack secret's value; `null` leaves the secret missing. @default the Slack emulator's URL */
  readonly slackSecretValue?: string | null;
  /** Run esbuild bundling during synth, as `cdk synth` does. @default false */
  readonly bundle?: boolean;
  /** In calls per (virtual) second. */
  readonly cloudFrontRateLimit?: RateLimit;
  readonly random?: () => number;
  /** Show the handlers' JSON log lines. @default false */
  readonly logs?: boolean;
  /**
   * Function timeouts in real ms by function folder (e.g. `{ checker: 3000 }`), enforced
   * as Lambda does: the context tells the time left, and an invocation still running at the
   * end fails with `Sandbox.Timedout`. @default each function's Timeout in the template
   */
  readonly functionTimeoutsMs?: Readonly<Record<string, number>>;
  /** The loopback Slack Web API's tokens, channels and limits. @default the bot token in every slack-app secret, in every slack-app channel, no limits */
  readonly slackApi?: SlackApiEmulatorOptions;
  /** Hears of each invalidation the loopback CloudFront's CreateInvalidation makes (see its `onCreate`): a test plays CloudTrail here. @default none */
  readonly onCreateInvalidation?: NonNullable<ConstructorParameters<typeof CloudFrontEmulator>[0]>['onCreate'];
  /** Runs at the start of every invocation, inside its timeout: a test can make a function stall or fail. */
  readonly beforeInvoke?: (functionDir: string, input: unknown) => Promise<void> | void;
}

/** One Notify invocation: for which destination and invalidation, and how it ended (once it has). */
export interface NotifyCall {
  readonly destination: string;
  readonly invalidationId?: string;
  /** `returned`, or the name of the error it threw (`TellLater`: it waited for its channel's pace and sent nothing). */
  readonly result?: string;
}

export interface LocalPipeline {
  readonly template: CfnTemplate;
  readonly cloudFront: CloudFrontEmulator;
  readonly slack: SlackEmulator;
  /** One loopback webhook per chat destination of the configuration (Slack, Teams, Google Chat), by destination name; its URL is in the destination's secret. */
  readonly webhooks: Readonly<Record<string, WebhookEmulator>>;
  /** The Slack Web API every slack-app destination posts through (its secret holds the emulator's bot token). */
  readonly slackApi: SlackApiEmulator;
  readonly aws: AwsEmulator;
  readonly watcher: LocalWatcher;
  /** The one virtual clock (local/simulation.ts): `Date` reads it while the pipeline runs. */
  readonly sim: Simulation;
  /** The checker's tick queue (and its dead-letter queue), with the event source mapping that feeds the checker. */
  readonly queues: QueueEmulator;
  /** The table of watches in flight (dynalite), with the capacity each request consumed. */
  readonly dynamoDb: LocalDynamoDb;
  /** Every Notify invocation (retries included): which destination, for which invalidation. */
  readonly notifyCalls: NotifyCall[];
  /** Every PutMetricData the state machine made itself (the failed-delivery count), in order: CloudWatch's side, which writes no log line. */
  readonly putMetricData: PutMetricDataInput[];
  /** The function folder of every invocation that ended out of time (an error of LAMBDA_TIMEOUT_ERRORS), in order. */
  readonly functionTimeouts: string[];
  /** Delivers an EventBridge event to Start watch, as the rule's target would. */
  deliver(event: unknown): Promise<unknown>;
  /** Waits until every execution has ended. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/** Synthesizes the app in-process, as `cdk synth` would, and returns the stack's template. */
export function synthTemplate(context: Record<string, unknown>, bundle: boolean, schedule: Partial<PollSchedule> = {}): CfnTemplate {
  const app = new App({ context: { ...context, ...(bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) } });
  const config = loadConfig(app.node.getAllContext());
  const stack = new NotifierStack(app, 'CloudFrontInvalidationNotifier', {
    env: { account: LOCAL_ACCOUNT, region: config.region },
    config: { ...config, schedule: { ...config.schedule, ...schedule } },
  });
  return Template.fromStack(stack).toJSON() as CfnTemplate;
}

const notifyCallOf = (input: unknown) => {
  const { destination, watch } = input as {
    destination?: string;
    watch?: { request?: { invalidationId?: string }; rejected?: { invalidationId?: string } };
  };
  const invalidationId = watch?.request?.invalidationId ?? watch?.rejected?.invalidationId;
  return { destination: String(destination), ...(invalidationId ? { invalidationId } : {}) } as {
    -readonly [K in keyof NotifyCall]: NotifyCall[K];
  };
};

/** Real time (timers are never compressed, see virtual-time.ts), like Lambda's deadline. */
const fakeLambdaContext = (functionName: string, deadlineMs: number) => ({
  functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${functionName}`,
  memoryLimitInMB: '256',
  awsRequestId: randomUUID(),
  logGroupName: `/aws/lambda/${functionName}`,
  logStreamName: 'local',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => Math.max(0, Math.round(deadlineMs - performance.now())),
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

/**
 * One invocation under Lambda's timeout. Past it, Step Functions sees `Sandbox.Timedout` and the
 * handler is left to finish unseen, as in a sandbox that is frozen and discarded (a handler not
 * yet started when the time ran out never starts: see the `beforeInvoke` stall). `onTimeout`
 * hears of every invocation that ended out of time, whether the runtime or the handler's own
 * early timeout noticed it.
 */
async function invokeWithTimeout(
  functionName: string,
  timeoutMs: number,
  run: (context: ReturnType<typeof fakeLambdaContext>) => Promise<unknown>,
  onTimeout: () => void,
): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error(`Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`), { name: 'Sandbox.Timedout' })),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([run(fakeLambdaContext(functionName, performance.now() + timeoutMs)), timedOut]);
  } catch (error) {
    if ((LAMBDA_TIMEOUT_ERRORS as readonly string[]).includes((error as Error).name)) onTimeout();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** What the CloudFront emulator's clock and `isWatched` read of a watch execution's request (invalidation or deployment). */
interface WatchedRequest {
  readonly target?: { readonly kind?: string; readonly id?: string };
  readonly invalidationId?: string;
  readonly change?: { readonly eTag?: string };
}

/**
 * The whole notifier, offline: the synthesized definition run by aws-local-stepfunctions,
 * the real handlers, and loopback emulators for CloudFront, Slack, SNS, Secrets Manager and
 * Step Functions' StartExecution, reached through AWS_ENDPOINT_URL_<SERVICE> as in AWS.
 */
export async function startLocalPipeline(options: LocalPipelineOptions = {}): Promise<LocalPipeline> {
  // The simple case's Slack webhook, unless the context names its own destinations.
  const withSlack = options.slack ?? options.context?.destinations === undefined;
  const context = { ...(withSlack ? { slackWebhookSecretName: LOCAL_SLACK_SECRET_NAME } : {}), ...options.context };
  const template = options.template ?? synthTemplate(context, options.bundle ?? false, options.schedule);
  const routing = loadConfig(context).routing;
  const { arn: stateMachineArn, definition } = watcherDefinition(template);
  const checkLoop = checkLoopDefinition(template);
  const functions = localFunctions(template, FUNCTION_DIR_METADATA);

  const sim = new Simulation();
  // The emulators need the watcher (the watches' ages, StartExecution) before it can be built.
  const late: { watcher?: LocalWatcher } = {};
  const cloudFront = new CloudFrontEmulator({
    rateLimit: options.cloudFrontRateLimit,
    ...(options.onCreateInvalidation ? { onCreate: options.onCreateInvalidation } : {}),
    clock: (workId) => {
      for (const execution of late.watcher?.executions.values() ?? []) {
        const request = (execution.input as { request?: WatchedRequest }).request;
        if (request?.invalidationId === workId || request?.change?.eTag === workId) return late.watcher!.elapsedSeconds(execution);
      }
      return 0;
    },
    isWatched: (kind, id) =>
      [...(late.watcher?.executions.values() ?? [])].some((execution) => {
        const target = (execution.input as { request?: WatchedRequest }).request?.target;
        return execution.status === 'RUNNING' && target?.kind === kind && target.id === id;
      }),
  });
  const slack = new SlackEmulator();
  const slackAppChannels = Object.values(routing?.destinations ?? {}).flatMap((destination) =>
    destination.type === 'slack-app' ? [destination.channel] : [],
  );
  const slackApi = new SlackApiEmulator({ joined: slackAppChannels, ...options.slackApi });
  const queues = new QueueEmulator(sim);
  queues.createQueuesOf(template);
  const aws = new AwsEmulator(
    (arn, name, input) => {
      if (arn !== stateMachineArn) throw new Error(`StartExecution for unknown state machine ${arn}`);
      return late.watcher!.start(name, input);
    },
    {
      queues,
      executions: { stateMachineArn, all: () => late.watcher!.executions.values() },
      taskTokens: {
        success: (token, output) => late.watcher!.sendTaskSuccess(token, output),
        failure: (token, error, cause) => late.watcher!.sendTaskFailure(token, error, cause),
        heartbeat: (token) => late.watcher!.sendTaskHeartbeat(token),
      },
    },
  );
  const [cloudFrontUrl, slackUrl, awsUrl, dynamoDb, slackApiUrl] = await Promise.all([
    cloudFront.start(),
    slack.start(),
    aws.start(),
    startDynamoDb(template),
    slackApi.start(),
  ]);
  const webhooks: Record<string, WebhookEmulator> = {};
  for (const [name, destination] of Object.entries(routing?.destinations ?? {})) {
    if (!('secretName' in destination)) continue;
    // A slack-app destination's secret is a bot token, for the Slack Web API emulator, not a webhook.
    if (destination.type === 'slack-app') {
      aws.secrets.set(destination.secretName, LOCAL_BOT_TOKEN);
      continue;
    }
    webhooks[name] = new WebhookEmulator(WEBHOOK_PATHS[destination.type]);
    aws.secrets.set(destination.secretName, await webhooks[name].start());
  }
  const restoreTime = sim.installDate();
  const slackSecretValue = options.slackSecretValue === undefined ? slackUrl : options.slackSecretValue;
  if (withSlack && slackSecretValue !== null)
    aws.secrets.set(String(context.slackWebhookSecretName ?? LOCAL_SLACK_SECRET_NAME), slackSecretValue);

  Object.assign(process.env, {
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_CLOUDFRONT: cloudFrontUrl,
    AWS_ENDPOINT_URL_SNS: awsUrl,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: awsUrl,
    AWS_ENDPOINT_URL_SFN: awsUrl,
    AWS_ENDPOINT_URL_EVENTBRIDGE: awsUrl,
    AWS_ENDPOINT_URL_STS: awsUrl,
    AWS_ENDPOINT_URL_IAM: awsUrl,
    AWS_ENDPOINT_URL_SQS: awsUrl,
    AWS_ENDPOINT_URL_DYNAMODB: dynamoDb.url,
    [SLACK_API_URL_ENV]: slackApiUrl,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: options.logs ? 'INFO' : 'SILENT',
    // The metrics' EMF lines go to stdout like the logs: shown only when the logs are.
    POWERTOOLS_METRICS_DISABLED: options.logs ? 'false' : 'true',
    ...Object.assign({}, ...functions.map((fn) => fn.environment)),
  });

  const handlers: Record<string, TaskHandler> = { ...options.taskHandlers };
  const handlersByLogicalId: Record<string, TaskHandler> = {};
  const functionTimeouts: string[] = [];
  const notifyCalls: LocalPipeline['notifyCalls'] = [];
  let startWatch: TaskHandler | undefined;
  for (const fn of functions) {
    // Loaded after the environment is set: handlers read it at module load, as in Lambda.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const module = require(path.join(__dirname, '..', 'lambda', fn.functionDir, 'handler')) as {
      handler: (event: unknown, context: unknown) => Promise<unknown>;
    };
    const timeoutMs =
      options.functionTimeoutsMs?.[fn.functionDir] ?? Number(template.Resources[fn.logicalId]?.Properties?.Timeout ?? 3) * 1000;
    const invoke: TaskHandler = (input) =>
      invokeWithTimeout(
        fn.logicalId,
        timeoutMs,
        async (context) => {
          const call = fn.functionDir === 'notify' ? notifyCallOf(input) : undefined;
          if (call) notifyCalls.push(call);
          await options.beforeInvoke?.(fn.functionDir, input);
          // Out of time already (a stall): Lambda froze and discarded this sandbox, so its handler
          // never runs on unseen with an input whose invocation Step Functions or SQS counted as failed.
          if (context.getRemainingTimeInMillis() <= 0) return new Promise<never>(() => undefined);
          try {
            const output = await module.handler(input, context);
            if (call) call.result = 'returned';
            return output;
          } catch (error) {
            if (call) call.result = (error as Error).name;
            throw error;
          }
        },
        () => functionTimeouts.push(fn.functionDir),
      );
    handlers[fn.arn] = invoke;
    handlersByLogicalId[fn.logicalId] = invoke;
    if (fn.functionDir === 'start-watch') startWatch = invoke;
  }
  if (!startWatch) throw new Error('The template has no start-watch function');
  // The state machine's own PutMetricData (the failed-delivery count): kept, as CloudWatch would.
  const putMetricData: PutMetricDataInput[] = [];
  handlers[PUT_METRIC_DATA] ??= async (input) => {
    putMetricData.push(input as PutMetricDataInput);
    return {};
  };

  const watcher = new LocalWatcher(sim, stateMachineArn, definition, handlers, {
    random: options.random,
    nested: checkLoop ? { [checkLoop.arn]: checkLoop.definition } : {},
  });
  late.watcher = watcher;
  // The event source mapping: the checker takes its ticks from the queue.
  queues.subscribeMappingsOf(template, (logicalId) => {
    const handler = handlersByLogicalId[logicalId];
    if (!handler) throw new Error(`An event source mapping feeds ${logicalId}, which is not a function of the template`);
    return handler;
  });
  // The watchdog's schedule (once a minute), kept only while executions run: a clock that never
  // runs out of timers would never let the simulation be idle.
  const watchdog = checkerFunction(functions);
  let watchdogArmed = false;
  const armWatchdog = () => {
    if (watchdogArmed || !watchdog) return;
    watchdogArmed = true;
    sim.at(sim.now() + 60_000, () => {
      watchdogArmed = false;
      if (![...watcher.executions.values()].some((execution) => execution.status === 'RUNNING')) return;
      void sim.track(() => handlersByLogicalId[watchdog.logicalId]!({ ...WATCHDOG_EVENT }).catch(() => undefined));
      armWatchdog();
    });
  };
  return {
    template,
    cloudFront,
    slack,
    webhooks,
    slackApi,
    aws,
    watcher,
    sim,
    queues,
    dynamoDb,
    functionTimeouts,
    notifyCalls,
    putMetricData,
    deliver: (event) => {
      armWatchdog();
      return sim.track(() => startWatch!(event));
    },
    idle: async () => {
      await sim.idle();
      await watcher.idle();
    },
    stop: async () => {
      restoreTime();
      await Promise.all([
        cloudFront.stop(),
        slack.stop(),
        slackApi.stop(),
        aws.stop(),
        dynamoDb.stop(),
        ...Object.values(webhooks).map((webhook) => webhook.stop()),
      ]);
    },
  };
}

/** The checker, which the watchdog calls, if the template has one. */
function checkerFunction(functions: readonly LocalFunction[]): LocalFunction | undefined {
  return functions.find((fn) => fn.functionDir === 'checker');
}

/** What the state machine's PutMetricData Task sends (CloudWatch's own parameter names). */
export interface PutMetricDataInput {
  readonly Namespace: string;
  readonly MetricData: readonly {
    readonly MetricName: string;
    readonly Dimensions?: readonly { readonly Name: string; readonly Value: string }[];
    readonly Value: number;
    readonly Unit?: string;
  }[];
}

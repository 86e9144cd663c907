import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { loadConfig, type ContextKey } from '../lib/config';
import { FUNCTION_DIR_METADATA } from '../lib/notifier-function';
import { NotifierStack } from '../lib/notifier-stack';
import { AwsEmulator } from './aws-emulator';
import { CloudFrontEmulator, type RateLimit } from './cloudfront-emulator';
import { LocalWatcher, type TaskHandler } from './local-watcher';
import { SlackEmulator } from './slack-emulator';
import { compressTime } from './virtual-time';
import { LOCAL_ACCOUNT, LOCAL_REGION, localFunctions, watcherDefinition, type CfnTemplate } from './template';

export const LOCAL_SLACK_SECRET_NAME = 'local/slack-webhook';

export interface LocalPipelineOptions {
  /** CDK context for the synth, as `cdk deploy -c key=value` would give it. */
  readonly context?: Partial<Record<ContextKey, string>>;
  /** Configure Slack (secret name in context, secret value = the Slack emulator's URL). @default true */
  readonly slack?: boolean;
  /** Override the Slack secret's value; `null` leaves the secret missing. @default the Slack emulator's URL */
  readonly slackSecretValue?: string | null;
  /** Run esbuild bundling during synth, as `cdk synth` does. @default false */
  readonly bundle?: boolean;
  /** Compress time for the whole process: real ms per virtual second (see virtual-time.ts). @default 0, per-execution virtual clocks */
  readonly msPerVirtualSecond?: number;
  /** In calls per (virtual) second. */
  readonly cloudFrontRateLimit?: RateLimit;
  readonly random?: () => number;
  /** Show the handlers' JSON log lines. @default false */
  readonly logs?: boolean;
}

export interface LocalPipeline {
  readonly template: CfnTemplate;
  readonly cloudFront: CloudFrontEmulator;
  readonly slack: SlackEmulator;
  readonly aws: AwsEmulator;
  readonly watcher: LocalWatcher;
  /** Delivers an EventBridge event to Start watch, as the rule's target would. */
  deliver(event: unknown): Promise<unknown>;
  /** Waits until every execution has ended. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/** Synthesizes the app in-process, as `cdk synth` would, and returns the stack's template. */
export function synthTemplate(context: Record<string, string>, bundle: boolean): CfnTemplate {
  const app = new App({ context: { ...context, ...(bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) } });
  const config = loadConfig((key) => app.node.tryGetContext(key));
  const stack = new NotifierStack(app, 'CloudFrontInvalidationNotifier', {
    env: { account: LOCAL_ACCOUNT, region: config.region },
    config,
  });
  return Template.fromStack(stack).toJSON() as CfnTemplate;
}

const fakeLambdaContext = (functionName: string) => ({
  functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${functionName}`,
  memoryLimitInMB: '256',
  awsRequestId: randomUUID(),
  logGroupName: `/aws/lambda/${functionName}`,
  logStreamName: 'local',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

/**
 * The whole notifier, offline: the synthesized definition run by aws-local-stepfunctions,
 * the real handlers, and loopback emulators for CloudFront, Slack, SNS, Secrets Manager and
 * Step Functions' StartExecution, reached through AWS_ENDPOINT_URL_<SERVICE> as in AWS.
 */
export async function startLocalPipeline(options: LocalPipelineOptions = {}): Promise<LocalPipeline> {
  const withSlack = options.slack ?? true;
  const context = { ...(withSlack ? { slackWebhookSecretName: LOCAL_SLACK_SECRET_NAME } : {}), ...options.context };
  const template = synthTemplate(context, options.bundle ?? false);
  const { arn: stateMachineArn, definition } = watcherDefinition(template);
  const functions = localFunctions(template, FUNCTION_DIR_METADATA);

  // The emulators need the watcher (virtual clocks, StartExecution) before it can be built.
  const late: { watcher?: LocalWatcher } = {};
  const cloudFront = new CloudFrontEmulator({
    rateLimit: options.cloudFrontRateLimit,
    clock: (invalidationId) => {
      for (const execution of late.watcher?.executions.values() ?? []) {
        if ((execution.input as { request?: { invalidationId?: string } }).request?.invalidationId === invalidationId)
          return execution.virtualSeconds;
      }
      return 0;
    },
  });
  const slack = new SlackEmulator();
  const aws = new AwsEmulator((arn, name, input) => {
    if (arn !== stateMachineArn) throw new Error(`StartExecution for unknown state machine ${arn}`);
    return late.watcher!.start(name, input);
  });
  const [cloudFrontUrl, slackUrl, awsUrl] = await Promise.all([cloudFront.start(), slack.start(), aws.start()]);
  const restoreTime = options.msPerVirtualSecond ? compressTime(options.msPerVirtualSecond) : () => undefined;
  const slackSecretValue = options.slackSecretValue === undefined ? slackUrl : options.slackSecretValue;
  if (withSlack && slackSecretValue !== null) aws.secrets.set(context.slackWebhookSecretName ?? LOCAL_SLACK_SECRET_NAME, slackSecretValue);

  Object.assign(process.env, {
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_CLOUDFRONT: cloudFrontUrl,
    AWS_ENDPOINT_URL_SNS: awsUrl,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: awsUrl,
    AWS_ENDPOINT_URL_SFN: awsUrl,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: options.logs ? 'INFO' : 'SILENT',
    ...Object.assign({}, ...functions.map((fn) => fn.environment)),
  });

  const handlers: Record<string, TaskHandler> = {};
  let startWatch: TaskHandler | undefined;
  for (const fn of functions) {
    // Loaded after the environment is set: handlers read it at module load, as in Lambda.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const module = require(path.join(__dirname, '..', 'lambda', fn.functionDir, 'handler')) as {
      handler: (event: unknown, context: unknown) => Promise<unknown>;
    };
    const invoke: TaskHandler = (input) => module.handler(input, fakeLambdaContext(fn.logicalId));
    handlers[fn.arn] = invoke;
    if (fn.functionDir === 'start-watch') startWatch = invoke;
  }
  if (!startWatch) throw new Error('The template has no start-watch function');

  const watcher = new LocalWatcher(stateMachineArn, definition, handlers, {
    msPerVirtualSecond: options.msPerVirtualSecond,
    random: options.random,
  });
  late.watcher = watcher;
  return {
    template,
    cloudFront,
    slack,
    aws,
    watcher,
    deliver: (event) => startWatch!(event),
    idle: () => watcher.idle(),
    stop: async () => {
      restoreTime();
      await Promise.all([cloudFront.stop(), slack.stop(), aws.stop()]);
    },
  };
}

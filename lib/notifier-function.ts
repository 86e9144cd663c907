import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Runtime, type CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type BundlingOptions, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

export interface NotifierFunctionProps extends Omit<NodejsFunctionProps, 'entry' | 'bundling' | 'code' | 'handler'> {
  /** The function's folder under `lambda/`, e.g. `checker`; its `handler.ts` is the entry. */
  readonly functionDir: string;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
}

export const LAMBDA_ROOT = path.join(__dirname, '..', 'lambda');

/**
 * Template metadata key naming the function's folder under `lambda/`: lets the local runner
 * (`local/`) pair each synthesized function with its handler source.
 */
export const FUNCTION_DIR_METADATA = 'cloudfront-invalidation-notifier:function-dir';

/**
 * How every handler is bundled, the one place for it: by NodejsFunction at synth in this
 * repository, and by `npm run build` (scripts/build.ts) into the package's prebuilt bundles.
 * A minified ESM bundle that includes the AWS SDK (the tenant API is there whatever the runtime
 * ships; about 0.3x the size of an unminified CommonJS bundle and 0.7x its load time, see
 * `npm run bench:cold-start`). No source maps: `--enable-source-maps` costs 15-30 ms of cold
 * start, and every error the handlers raise is named and carries its own message.
 */
export const NOTIFIER_BUNDLING: BundlingOptions = {
  minify: true,
  sourceMap: false,
  target: 'node22',
  format: OutputFormat.ESM,
  mainFields: ['module', 'main'],
  // Some dependencies still call require(); give the ESM bundle one.
  banner: "import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);",
  externalModules: [],
};

/** What NodejsFunction names an ESM bundle, and so the name of each prebuilt bundle. */
export const BUNDLE_FILE = 'index.mjs';

/**
 * The function's code: the bundle `npm run build` put beside this file's compiled copy
 * (`dist/lambda/<dir>/index.mjs`, so an app using the package needs neither esbuild nor the
 * sources), else the handler's source, bundled at synth (this repository).
 */
function codeOf(functionDir: string): Pick<NodejsFunctionProps, 'code' | 'entry' | 'bundling' | 'handler'> {
  const dir = path.join(LAMBDA_ROOT, functionDir);
  if (existsSync(path.join(dir, BUNDLE_FILE))) {
    return { code: Code.fromAsset(dir), handler: 'index.handler' };
  }
  return { entry: path.join(dir, 'handler.ts'), bundling: NOTIFIER_BUNDLING, handler: 'handler' };
}

/** Lambda's limit on a function's environment: every key and value, counted in UTF-8 bytes. */
export const MAX_ENVIRONMENT_BYTES = 4096;
/**
 * What a reference to a resource (a Ref or GetAtt: a created topic's or state machine's ARN) takes
 * once deployed, about: an ARN of a name CloudFormation generates from the stack and logical ID.
 */
const REFERENCE_BYTES = 128;
const PSEUDO_PARAMETER_BYTES: Readonly<Record<string, number>> = {
  'AWS::AccountId': 12,
  'AWS::Partition': 3,
  'AWS::Region': 14,
  'AWS::URLSuffix': 13,
};

/** A deployed value's size in UTF-8 bytes, from its CloudFormation form (references estimated). */
function deployedBytes(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number' || typeof value === 'boolean') return String(value).length;
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + deployedBytes(item), 0);
  if (typeof value === 'object' && value !== null) {
    const join = (value as Record<string, unknown>)['Fn::Join'];
    if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
      const parts = join[1] as unknown[];
      return parts.reduce(
        (sum: number, part) => sum + deployedBytes(part),
        Math.max(0, parts.length - 1) * Buffer.byteLength(join[0], 'utf8'),
      );
    }
    const ref = (value as Record<string, unknown>).Ref;
    if (typeof ref === 'string' && Object.hasOwn(PSEUDO_PARAMETER_BYTES, ref)) return PSEUDO_PARAMETER_BYTES[ref]!;
  }
  return REFERENCE_BYTES;
}

/** Says, for one environment variable that takes too much, what to shrink and by how much it is over. */
export type EnvironmentAdvice = (variableBytes: number, bytesOver: number) => string;

/**
 * The project's Lambda defaults, set once: Node.js 22 on arm64 (about 20% cheaper per
 * GB-second than x86) with 256 MB, the bundle of {@link NOTIFIER_BUNDLING}, and a log group
 * with a retention.
 */
export class NotifierFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: NotifierFunctionProps) {
    const { functionDir, logRetention, environment, ...rest } = props;
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Its own role, allowed to write to its own log group only (rather than the AWS managed
    // AWSLambdaBasicExecutionRole, which allows any log group).
    const role = new Role(scope, `${id}Role`, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    logGroup.grantWrite(role);
    super(scope, id, {
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(30),
      logGroup,
      role,
      ...rest,
      ...codeOf(functionDir),
      environment,
    });
    (this.node.defaultChild as CfnFunction).addMetadata(FUNCTION_DIR_METADATA, functionDir);
    this.node.addValidation({ validate: () => this.environmentProblems() });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions::AwsSolutions-L1',
      reason:
        'Node.js 22 on purpose: the bundle targets node22 and is tested on Node 20/22; move to a newer runtime together with the esbuild target.',
    });
  }

  private readonly advice = new Map<string, EnvironmentAdvice>();

  /** What to tell the user when `variable` makes the environment too big (e.g. how many destinations fit). */
  public adviseOnEnvironment(variable: string, advice: EnvironmentAdvice): void {
    this.advice.set(variable, advice);
  }

  /**
   * The environment as Lambda will count it at deploy: keys and values in UTF-8 bytes, references
   * (ARNs of created resources) estimated. Checked at synth for every function, so that a
   * configuration too big fails here, saying what to shrink, rather than at deploy.
   */
  public environmentProblems(): string[] {
    const resolved = Stack.of(this).resolve((this.node.defaultChild as CfnFunction).environment) as
      { variables?: Record<string, unknown> } | undefined;
    const sizes = Object.entries(resolved?.variables ?? {}).map(([name, value]) => ({
      name,
      bytes: Buffer.byteLength(name, 'utf8') + deployedBytes(value),
    }));
    const total = sizes.reduce((sum, { bytes }) => sum + bytes, 0);
    if (total <= MAX_ENVIRONMENT_BYTES) return [];
    const over = total - MAX_ENVIRONMENT_BYTES;
    const largest = sizes.sort((a, b) => b.bytes - a.bytes)[0]!;
    const advice = this.advice.get(largest.name);
    return [
      `function ${this.node.path}: its environment takes about ${total} bytes (keys and values in UTF-8, created resources' ARNs estimated at ${REFERENCE_BYTES}), ` +
        `more than the ${MAX_ENVIRONMENT_BYTES} Lambda allows; the largest is ${largest.name} (${largest.bytes} bytes)` +
        (advice ? `: ${advice(largest.bytes, over)}` : `: shrink it by ${over} bytes`),
    ];
  }
}

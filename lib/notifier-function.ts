import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Runtime, type CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type BundlingOptions, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

export interface NotifierFunctionProps extends Omit<NodejsFunctionProps, 'entry' | 'bundling' | 'code' | 'handler'> {
  /** The function's folder under `lambda/`, e.g. `check-status`; its `handler.ts` is the entry. */
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
    Validations.of(this).acknowledge({
      id: 'AwsSolutions::AwsSolutions-L1',
      reason:
        'Node.js 22 on purpose: the bundle targets node22 and is tested on Node 20/22; move to a newer runtime together with the esbuild target.',
    });
  }
}

import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, type CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import * as path from 'node:path';

export interface NotifierFunctionProps extends Omit<NodejsFunctionProps, 'entry'> {
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
 * The project's Lambda defaults, set once: Node.js 22 on arm64 (about 20% cheaper per
 * GB-second than x86) with 256 MB, a minified ESM bundle that includes the AWS SDK (the tenant
 * API is there whatever the runtime ships; about 0.3x the size of an unminified CommonJS bundle
 * and 0.7x its load time, see `npm run bench:cold-start`), and a log group with a retention.
 * No source maps: `--enable-source-maps` costs 15-30 ms of cold start, and every error the
 * handlers raise is named and carries its own message.
 */
export class NotifierFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: NotifierFunctionProps) {
    const { functionDir, logRetention, environment, bundling, ...rest } = props;
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
      entry: path.join(LAMBDA_ROOT, functionDir, 'handler.ts'),
      handler: 'handler',
      environment,
      bundling: {
        minify: true,
        sourceMap: false,
        target: 'node22',
        format: OutputFormat.ESM,
        mainFields: ['module', 'main'],
        // Some dependencies still call require(); give the ESM bundle one.
        banner: "import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);",
        externalModules: [],
        ...bundling,
      },
    });
    (this.node.defaultChild as CfnFunction).addMetadata(FUNCTION_DIR_METADATA, functionDir);
    Validations.of(this).acknowledge({
      id: 'AwsSolutions::AwsSolutions-L1',
      reason:
        'Node.js 22 on purpose: the bundle targets node22 and is tested on Node 20/22; move to a newer runtime together with the esbuild target.',
    });
  }
}

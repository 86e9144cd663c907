// Handlers read these at module load; unit tests import handler modules only through the
// local pipeline, which sets the real values first.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.AWS_REGION = 'us-east-1';
// cdk-nag's own rules read properties CDK has deprecated (CfnEventBusPolicy#principal): not ours to fix.
process.env.JSII_DEPRECATED = 'quiet';

// Handlers read these at module load; unit tests import handler modules only through the
// local pipeline, which sets the real values first.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.AWS_REGION = 'us-east-1';
// cdk-nag's own rules read properties CDK has deprecated (CfnEventBusPolicy#principal): not ours to fix.
process.env.JSII_DEPRECATED = 'quiet';
// aws-cdk-lib validates every synthesized template with its built-in CloudFormation rules, a WASM
// module that takes about 2 s to load in each test file. The suite checks the templates with
// cfn-lint and cdk-nag instead (and `cdk synth`, in CI and for users, keeps the built-in check).
process.env.CDK_VALIDATION = 'false';

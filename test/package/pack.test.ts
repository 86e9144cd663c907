/**
 * The package as another team gets it: `npm pack` (whose prepack is `npm run build`), installed
 * into a fresh CDK app outside this repository with aws-cdk-lib and constructs only, synthesized
 * by plain Node, and its template run through the same end-to-end pipeline as this repository's
 * own app.
 */
import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { execFile, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { FUNCTION_DIR_METADATA, NotifierFunction } from '../../lib/notifier-function';
import { SAMPLE_DISTRIBUTION, SAMPLE_TENANT, cloudTrailEvent, emulatedInvalidation } from '../../local/events';
import { LOCAL_SLACK_SECRET_NAME, startLocalPipeline, synthTemplate, type LocalPipeline } from '../../local/pipeline';
import { localFunctions, resourcesOfType, type CfnTemplate } from '../../local/template';

const ROOT = path.join(__dirname, '..', '..');
const PACKAGE = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
const FUNCTION_DIRS = ['checker', 'notify', 'register-watch', 'start-watch'];
const STACK = 'CloudFrontInvalidationNotifier';

/**
 * This process's environment without what `npm test` and the CDK CLI say about this repository
 * (its package, its prefix, its cloud assembly); npm's own settings (registry, cache) stay.
 */
const cleanEnv = (): NodeJS.ProcessEnv =>
  Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !/^(npm_package_|npm_lifecycle_|CDK_)|^(npm_config_local_prefix|npm_config_prefix|npm_command|INIT_CWD)$/.test(key),
    ),
  );

/** Node quotes the line an error is on: in a minified bundle, one line of half a megabyte. */
const readable = (output: string) => output.replace(/^.{500,}$/gm, (line) => `${line.slice(0, 200)}...`).slice(-6000);

function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = cleanEnv()): string {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} exited ${result.status ?? result.signal}:\n${readable(`${result.stdout}\n${result.stderr}`)}`,
    );
  }
  return result.stderr;
}

/** The consumer's app, in plain JavaScript: the repository's app's simple case (SNS topic, Slack secret). */
const CONSUMER_APP = `
const { App, Stack } = require('aws-cdk-lib');
const { Secret } = require('aws-cdk-lib/aws-secretsmanager');
const { InvalidationNotifier } = require(${JSON.stringify(PACKAGE.name)});

const app = new App({ outdir: 'cdk.out' });
const stack = new Stack(app, ${JSON.stringify(STACK)}, { env: { account: '123456789012', region: 'us-east-1' } });
new InvalidationNotifier(stack, 'Notifier', {
  slackWebhookSecret: Secret.fromSecretNameV2(stack, 'SlackWebhookSecret', ${JSON.stringify(LOCAL_SLACK_SECRET_NAME)}),
});
app.synth();
`;

let work: string;
let tarball: string;
let appDir: string;
let installed: string;
let synthStderr: string;
let template: CfnTemplate;

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'notifier-pack-'));
  run('npm', ['pack', '--pack-destination', work], ROOT);
  tarball = path.join(work, `${PACKAGE.name}-${PACKAGE.version}.tgz`);

  appDir = path.join(work, 'app');
  mkdirSync(appDir);
  writeFileSync(
    path.join(appDir, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, dependencies: { [PACKAGE.name]: `file:${tarball}` } }),
  );
  // No registry: npm installs the tarball and whatever it depends on from its cache only (the
  // package depends on nothing, so any dependency fails the install here or shows in
  // node_modules), leaving the peer dependencies to the app. The app's aws-cdk-lib and
  // constructs are this repository's installed copies, linked in, as a consumer's would be
  // installed beside the package.
  run('npm', ['install', '--offline', '--legacy-peer-deps', '--no-audit', '--no-fund'], appDir);
  for (const peer of ['aws-cdk-lib', 'constructs']) {
    symlinkSync(path.dirname(require.resolve(`${peer}/package.json`)), path.join(appDir, 'node_modules', peer), 'dir');
  }
  installed = path.join(appDir, 'node_modules', PACKAGE.name);

  writeFileSync(path.join(appDir, 'app.js'), CONSUMER_APP);
  synthStderr = run(process.execPath, ['app.js'], appDir);
  template = JSON.parse(readFileSync(path.join(appDir, 'cdk.out', `${STACK}.template.json`), 'utf8')) as CfnTemplate;
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const functionsOf = (t: CfnTemplate) =>
  Object.fromEntries(
    resourcesOfType(t, 'AWS::Lambda::Function')
      .filter(([, resource]) => resource.Metadata?.[FUNCTION_DIR_METADATA])
      .map(([logicalId, resource]) => [resource.Metadata![FUNCTION_DIR_METADATA] as string, { logicalId, ...resource }]),
  );

describe('the packed package', () => {
  it('holds compiled constructs, their declarations and one bundle per function: no TypeScript sources', () => {
    // Act
    const files = spawnSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).stdout.trim().split('\n');
    const manifest = JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8'));

    // Assert
    expect(files).toEqual(expect.arrayContaining(['package/dist/lib/index.js', 'package/dist/lib/index.d.ts', 'package/package.json']));
    for (const dir of FUNCTION_DIRS) expect(files).toContain(`package/dist/lambda/${dir}/index.mjs`);
    expect(files.filter((file) => /\.tsx?$/.test(file) && !file.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter((file) => !file.startsWith('package/dist/') && !/^package\/[^/]+$/.test(file))).toEqual([]);
    // What the handlers use is in their bundles: devDependencies, never something every consumer installs.
    // The one exception is what the constructs validate configuration with at synth (valibot: no dependencies of its own).
    expect(Object.keys(manifest.dependencies ?? {})).toEqual(['valibot']);
    expect(Object.keys(manifest.peerDependencies).sort()).toEqual(['aws-cdk-lib', 'constructs']);
  });

  it('installs the command line as a bin that runs in plain Node with nothing else installed', () => {
    // Act: what `npx cloudfront-invalidation-notifier` runs in the consumer's folder
    const bin = path.join(appDir, 'node_modules', '.bin', PACKAGE.name);
    const cwd = mkdtempSync(path.join(work, 'cli-'));
    const version = spawnSync(bin, ['--version'], { cwd, env: cleanEnv(), encoding: 'utf8' });
    const usage = spawnSync(bin, ['wait', '--distribution-id', 'E1'], { cwd, env: cleanEnv(), encoding: 'utf8' });

    // Assert
    expect(version.stdout.trim()).toBe(PACKAGE.version);
    expect(version.status).toBe(0);
    expect(usage.stderr).toContain('give the invalidation (--invalidation-id I...) or --deployment');
    expect(usage.status).toBe(64);
    // Only the command ran: no script bundled with it (the preview's) ran too and wrote files.
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('installs with aws-cdk-lib and constructs only: no esbuild, TypeScript, AWS SDK, middy or Powertools', () => {
    const modules = path.join(appDir, 'node_modules');
    for (const name of ['esbuild', 'typescript', 'tsx', '@aws-sdk', '@middy', '@aws-lambda-powertools', '.bin/esbuild']) {
      expect([name, existsSync(path.join(modules, name))]).toEqual([name, false]);
    }
  });

  it('synthesizes in plain Node with each function running its prebuilt bundle: nothing is bundled at synth', () => {
    // Arrange
    const functions = functionsOf(template);

    // Assert
    expect(Object.keys(functions).sort()).toEqual(FUNCTION_DIRS);
    expect(synthStderr).not.toContain('Bundling asset');
    for (const dir of FUNCTION_DIRS) {
      const { Properties } = functions[dir]!;
      const code = Properties!.Code as { S3Key: string };
      const asset = path.join(appDir, 'cdk.out', `asset.${code.S3Key.replace(/\.zip$/, '')}`);
      expect(Properties!.Handler).toBe('index.handler');
      expect(readdirSync(asset)).toEqual(['index.mjs']);
      expect(
        readFileSync(path.join(asset, 'index.mjs')).equals(readFileSync(path.join(installed, 'dist', 'lambda', dir, 'index.mjs'))),
      ).toBe(true);
    }
  });

  it("configures each function as this repository's app does (runtime, architecture, handler, environment, role, log group)", () => {
    // Arrange
    const own = functionsOf(synthTemplate({ slackWebhookSecretName: LOCAL_SLACK_SECRET_NAME }, false));
    const withoutCode = ({ logicalId, Properties, Metadata }: ReturnType<typeof functionsOf>[string]) => {
      const { Code: _code, ...properties } = Properties!;
      return { logicalId, properties, functionDir: Metadata![FUNCTION_DIR_METADATA] };
    };
    const packaged = functionsOf(template);

    // Assert
    for (const dir of FUNCTION_DIRS) expect(withoutCode(packaged[dir]!)).toEqual(withoutCode(own[dir]!));
  });

  it('bundles each handler exactly as NodejsFunction bundles it at synth in this repository', () => {
    // Arrange
    const outdir = path.join(work, 'repo-synth');
    const stack = new Stack(new App({ outdir }), 'Bundled');
    const functions = FUNCTION_DIRS.map((dir) => new NotifierFunction(stack, dir.replace(/-/g, ''), { functionDir: dir }));

    // Act
    const json = Template.fromStack(stack).toJSON() as CfnTemplate;

    // Assert
    for (const [index, dir] of FUNCTION_DIRS.entries()) {
      const code = json.Resources[stack.getLogicalId(functions[index]!.node.defaultChild as CfnElement)]!.Properties!.Code as {
        S3Key: string;
      };
      const bundled = readFileSync(path.join(outdir, `asset.${code.S3Key.replace(/\.zip$/, '')}`, 'index.mjs'));
      expect([dir, bundled.equals(readFileSync(path.join(installed, 'dist', 'lambda', dir, 'index.mjs')))]).toEqual([dir, true]);
    }
  });

  it('synthesizes the example app (examples/) against it', () => {
    // Arrange
    const example = path.join(appDir, 'example');
    cpSync(path.join(ROOT, 'examples', 'bin'), path.join(example, 'bin'), { recursive: true });
    const { context } = JSON.parse(readFileSync(path.join(ROOT, 'examples', 'cdk.json'), 'utf8'));
    const examplePackage = JSON.parse(readFileSync(path.join(ROOT, 'examples', 'package.json'), 'utf8'));

    // Act
    run(process.execPath, ['bin/app.js'], example, {
      ...cleanEnv(),
      CDK_OUTDIR: path.join(example, 'cdk.out'),
      CDK_CONTEXT_JSON: JSON.stringify(context),
    });
    const json = JSON.parse(readFileSync(path.join(example, 'cdk.out', 'InvalidationNotifierExample.template.json'), 'utf8'));

    // Assert
    expect(examplePackage.dependencies[PACKAGE.name]).toBe(`file:${path.basename(tarball)}`);
    const resources = Object.values(json.Resources) as { Type: string }[];
    expect(resources.filter((resource) => resource.Type === 'AWS::Lambda::Function')).toHaveLength(FUNCTION_DIRS.length);
    expect(resources.filter((resource) => resource.Type === 'AWS::SNS::Topic').length).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(json)).toContain('team/slack-webhook');
  });
});

describe("the packed package's template, run end to end", () => {
  let pipeline: LocalPipeline;
  beforeAll(async () => {
    pipeline = await startLocalPipeline({ template });
  });
  afterAll(() => pipeline?.stop());

  const executionOf = (invalidationId: string) =>
    [...pipeline.watcher.executions.values()].find(
      (execution) => (execution.input as { request?: { invalidationId?: string } }).request?.invalidationId === invalidationId,
    );
  const slackFor = (invalidationId: string) => pipeline.slack.messages.filter((message) => message.text.includes(invalidationId));
  const snsFor = (invalidationId: string) =>
    pipeline.aws.published.filter((published) => published.attributes.outcome && published.message.includes(invalidationId));

  it('watches an invalidation until it completes, then tells Slack and SNS once each', async () => {
    // Arrange
    pipeline.cloudFront.add(emulatedInvalidation(SAMPLE_DISTRIBUTION, { inProgressChecks: 3 }));

    // Act
    await pipeline.deliver(cloudTrailEvent(SAMPLE_DISTRIBUTION));
    await pipeline.idle();

    // Assert
    const execution = executionOf(SAMPLE_DISTRIBUTION.invalidationId);
    expect(execution?.status).toBe('SUCCEEDED');
    expect(execution?.output).toMatchObject({ outcome: 'completed', status: { status: 'Completed' } });
    expect(pipeline.cloudFront.callsFor(SAMPLE_DISTRIBUTION.invalidationId).map((call) => call.answer)).toEqual([
      'InProgress',
      'InProgress',
      'InProgress',
      'Completed',
    ]);
    expect(slackFor(SAMPLE_DISTRIBUTION.invalidationId)).toHaveLength(1);
    expect(JSON.stringify(slackFor(SAMPLE_DISTRIBUTION.invalidationId)[0]!.blocks)).toContain('CloudFront invalidation completed');
    expect(snsFor(SAMPLE_DISTRIBUTION.invalidationId)).toHaveLength(1);
  });

  /**
   * Runs `script` in a child Node process with the package's bundle of `functionDir` imported as
   * `bundle` and that function's environment from the template: the bundle runs as in Lambda, on
   * Node's own ESM loader rather than Jest's module system, and reaches the emulators through
   * the AWS_ENDPOINT_URL_* variables the pipeline set. Asynchronous: the emulators answer from
   * this process meanwhile.
   */
  const withBundle = (functionDir: string, script: string, env: NodeJS.ProcessEnv = {}) => {
    const fn = localFunctions(template, FUNCTION_DIR_METADATA).find((candidate) => candidate.functionDir === functionDir)!;
    const url = pathToFileURL(path.join(installed, 'dist', 'lambda', functionDir, 'index.mjs')).href;
    return new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ['-e', `import(${JSON.stringify(url)}).then((bundle) => ${script})`],
        { env: { ...cleanEnv(), ...fn.environment, ...env } },
        (error, stdout, stderr) => (error ? reject(new Error(`${functionDir}: ${error.code}\n${readable(stderr)}`)) : resolve(stdout)),
      ),
    );
  };

  it("starts a watch through the package's own Start watch bundle", async () => {
    // Arrange
    pipeline.cloudFront.add(emulatedInvalidation(SAMPLE_TENANT, { inProgressChecks: 1 }));
    const context = "{ functionName: 'StartWatch', awsRequestId: 'local', getRemainingTimeInMillis: () => 30000 }";

    // Act
    const output = await withBundle(
      'start-watch',
      `bundle.handler(JSON.parse(process.env.EVENT), ${context}).then((r) => console.log(JSON.stringify(r)))`,
      {
        EVENT: JSON.stringify(cloudTrailEvent(SAMPLE_TENANT)),
      },
    );
    await pipeline.idle();

    // Assert
    expect(JSON.parse(output)).toMatchObject({ outcome: 'started', invalidationId: SAMPLE_TENANT.invalidationId });
    expect(executionOf(SAMPLE_TENANT.invalidationId)?.status).toBe('SUCCEEDED');
    expect(slackFor(SAMPLE_TENANT.invalidationId)).toHaveLength(1);
    expect(snsFor(SAMPLE_TENANT.invalidationId)).toHaveLength(1);
  });

  it.each(['checker', 'register-watch', 'notify'])(
    "loads the package's %s bundle with its template environment and finds its handler",
    async (functionDir) => {
      expect(await withBundle(functionDir, 'console.log(typeof bundle.handler)')).toBe('function\n');
    },
  );
});

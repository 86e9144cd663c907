/**
 * `npm run bench:cold-start`: what the bundling settings in lib/notifier-function.ts buy at
 * cold start. Each function (lambda/<dir>/handler.ts) is bundled with esbuild twice:
 * - shipped: the NotifierFunction settings (minified ESM, `mainFields: module,main` so that
 *   packages' ES module builds are picked and tree-shaken, everything bundled);
 * - unminified CJS: what bundling without care gives (CommonJS, `mainFields: main,module`,
 *   so packages' CommonJS builds, which esbuild cannot tree-shake).
 * For each bundle: its size, and the time a fresh Node process takes to load it (the module's
 * top-level code, which is what a cold start runs before the first invocation).
 */
import { build, version as esbuildVersion, type BuildOptions } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { EnvNames } from '../lambda/shared/env';
import { fixed, median, table, treeState, writeResult } from './support';

const LAMBDA_ROOT = path.join(__dirname, '..', 'lambda');
const RUNS = 7;

type Variant = 'shipped' | 'unminified-cjs';

/** Copied from lib/notifier-function.ts (which passes them to NodejsFunction, not to code we can import). */
const SHIPPED: BuildOptions = {
  minify: true,
  target: 'node22',
  format: 'esm',
  mainFields: ['module', 'main'],
  banner: { js: "import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);" },
};

const UNMINIFIED_CJS: BuildOptions = { minify: false, target: 'node22', format: 'cjs', mainFields: ['main', 'module'] };

/**
 * The environment the handlers require at load (they fail at cold start without it), and no
 * more: in particular not this process's NODE_OPTIONS.
 */
const HANDLER_ENV = {
  PATH: process.env.PATH ?? '',
  [EnvNames.stateMachineArn]: 'arn:aws:states:us-east-1:123456789012:stateMachine:Watcher',
  [EnvNames.pollSchedule]: '{}',
  [EnvNames.destinations]: JSON.stringify({ sns: { type: 'sns', topicArn: 'arn:aws:sns:us-east-1:123456789012:Notifications' } }),
  [EnvNames.routing]: JSON.stringify({ routes: [], defaultDestinations: ['sns'] }),
  [EnvNames.watchTable]: 'Watches',
  [EnvNames.tickQueueUrl]: 'https://sqs.us-east-1.amazonaws.com/123456789012/Ticks',
  AWS_REGION: 'us-east-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/** Milliseconds from just before the import/require to just after it, in a fresh process. */
function loadMs(file: string, variant: Variant): number {
  const load =
    variant === 'shipped' ? `import(${JSON.stringify(pathToFileURL(file).href)})` : `Promise.resolve(require(${JSON.stringify(file)}))`;
  const script = `const t = process.hrtime.bigint(); ${load}.then(() => console.log(Number(process.hrtime.bigint() - t) / 1e6));`;
  const output = execFileSync(process.execPath, ['-e', script], {
    env: HANDLER_ENV,
    encoding: 'utf8',
  });
  const ms = Number(output.trim().split('\n').at(-1));
  if (!Number.isFinite(ms)) throw new Error(`Loading ${file} printed no time:\n${output}`);
  return ms;
}

const kb = (bytes: number) => bytes / 1024;

async function main() {
  const functionDirs = readdirSync(LAMBDA_ROOT).filter((dir) =>
    statSync(path.join(LAMBDA_ROOT, dir, 'handler.ts'), { throwIfNoEntry: false }),
  );
  const outDir = mkdtempSync(path.join(tmpdir(), 'notifier-cold-start-'));
  try {
    const bundles = [];
    for (const functionDir of functionDirs) {
      for (const [variant, options] of [
        ['shipped', SHIPPED],
        ['unminified-cjs', UNMINIFIED_CJS],
      ] as const) {
        const outfile = path.join(outDir, functionDir, variant === 'shipped' ? 'index.mjs' : 'index.cjs');
        await build({
          ...options,
          entryPoints: [path.join(LAMBDA_ROOT, functionDir, 'handler.ts')],
          bundle: true,
          platform: 'node',
          outfile,
          logLevel: 'error',
        });
        bundles.push({
          functionDir,
          variant,
          file: outfile,
          bundleKB: kb(statSync(outfile).size),
          samples: [] as number[],
        });
      }
    }
    // Interleaved rounds, so that drift in machine load spreads over every bundle alike.
    for (let run = 0; run < RUNS; run++) {
      for (const bundle of bundles) {
        bundle.samples.push(loadMs(bundle.file, bundle.variant));
      }
    }

    const results = bundles.map(({ file: _file, ...bundle }) => ({
      ...bundle,
      loadMsMedian: median(bundle.samples),
    }));
    // Per function, and over all three (sums of sizes and of median load times).
    const sum = (functions: readonly string[], variant: Variant, value: (result: (typeof results)[number]) => number) =>
      results
        .filter((result) => functions.includes(result.functionDir) && result.variant === variant)
        .reduce((total, result) => total + value(result), 0);
    const ratios = [...functionDirs.map((functionDir) => [functionDir]), functionDirs].map((functions) => ({
      functions: functions.length === 1 ? functions[0]! : 'all functions',
      sizeRatio: sum(functions, 'shipped', (r) => r.bundleKB) / sum(functions, 'unminified-cjs', (r) => r.bundleKB),
      loadRatio: sum(functions, 'shipped', (r) => r.loadMsMedian) / sum(functions, 'unminified-cjs', (r) => r.loadMsMedian),
    }));

    console.log(
      `Cold start: esbuild ${esbuildVersion} bundles of lambda/<function>/handler.ts, loaded in fresh Node ${process.version} processes.`,
    );
    console.log(
      `Load time = median of ${RUNS} runs of \`node -e\` timing import() (ESM) or require() (CJS) of the bundle with process.hrtime.\n`,
    );
    console.log(
      table(
        ['function', 'bundle', 'size KB', 'load ms'],
        results.map((result) => [
          result.functionDir,
          result.variant === 'shipped' ? 'shipped (minified ESM)' : 'unminified CJS',
          fixed(result.bundleKB),
          fixed(result.loadMsMedian),
        ]),
        2,
      ),
    );
    console.log('\nShipped / unminified CJS (< 1 means the shipped bundle is smaller or loads faster):');
    console.log(
      table(
        ['function', 'size', 'load time'],
        ratios.map((ratio) => [ratio.functions, fixed(ratio.sizeRatio, 2), fixed(ratio.loadRatio, 2)]),
      ),
    );
    console.log(
      `\nNotes: measured on this machine with Node ${process.versions.node} (Lambda runs Node 22 on arm64); module load only, not the Lambda ` +
        "runtime's own start or the download of the package. The shipped functions have no source maps: " +
        '--enable-source-maps added 15-30 ms to the load.',
    );
    const file = writeResult('cold-start', {
      generatedAt: new Date().toISOString(),
      node: process.version,
      tree: treeState(),
      runs: RUNS,
      bundles: results,
      ratios,
    });
    console.log(`Wrote ${file}.`);
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

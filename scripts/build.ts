/**
 * `npm run build`: the installable package in dist/.
 * - dist/lib/: the constructs as JavaScript and declarations (tsconfig.build.json), with the
 *   lambda/shared/ modules they import at synth time (dist/lambda/shared/);
 * - dist/lambda/<function>/index.mjs: each handler bundled as NodejsFunction bundles it at synth
 *   (NOTIFIER_BUNDLING), so that NotifierFunction finds it beside its compiled copy and an app
 *   using the package needs neither esbuild nor TypeScript nor this repository;
 * - dist/cli/bin.js: the command line (package.json `bin`), one file with the SDK clients and
 *   commander in it, so that `npx cloudfront-invalidation-notifier` installs nothing more.
 *   playwright-core stays outside (preview --png asks for it when it is missing).
 */
import { buildSync, type BuildOptions } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { BUNDLE_FILE, LAMBDA_ROOT, NOTIFIER_BUNDLING } from '../lib/notifier-function';
import { PUBLISHED_EVENTS } from './event-schema';

const ROOT = path.join(__dirname, '..');
const DIST = path.join(ROOT, 'dist');
/** The command line's bundle: package.json's `bin`. */
export const CLI_BUNDLE = path.join(DIST, 'cli', 'bin.js');

/**
 * NodejsFunction's bundling options as the esbuild call it makes (aws-lambda-nodejs
 * `Bundling.buildEsbuildArgs`). An option this does not translate is an error, not a silent
 * difference between the repository's bundles and the package's.
 */
export function esbuildOptions(bundling: BundlingOptions, entry: string, outfile: string): BuildOptions {
  const { minify, sourceMap, target, format, mainFields, banner, externalModules, ...others } = bundling;
  const unknown = Object.keys(others);
  if (unknown.length > 0) throw new Error(`scripts/build.ts does not pass ${unknown.join(', ')} to esbuild yet: add it to esbuildOptions`);
  if (externalModules === undefined) throw new Error('NOTIFIER_BUNDLING must set externalModules: NodejsFunction defaults them by runtime');
  return {
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    outfile,
    target,
    format,
    minify,
    sourcemap: sourceMap,
    mainFields,
    external: externalModules,
    ...(banner ? { banner: { js: banner } } : {}),
    logLevel: 'warning',
  };
}

/** The folders under lambda/ that hold a function (a handler.ts). */
function functionDirs(): string[] {
  return readdirSync(LAMBDA_ROOT).filter((dir) => existsSync(path.join(LAMBDA_ROOT, dir, 'handler.ts')));
}

export function build(): void {
  rmSync(DIST, { recursive: true, force: true });
  // The same TypeScript the tests use, run by the Node running this script.
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.build.json')], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  for (const dir of functionDirs()) {
    const outfile = path.join(DIST, 'lambda', dir, BUNDLE_FILE);
    buildSync(esbuildOptions(NOTIFIER_BUNDLING, path.join(LAMBDA_ROOT, dir, 'handler.ts'), outfile));
  }
  buildSync({
    entryPoints: [path.join(ROOT, 'cli', 'bin.ts')],
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    outfile: CLI_BUNDLE,
    external: ['playwright-core'],
    // Bundled together, every module shares the bundle's `module`: a script's `require.main ===
    // module` guard (local/preview.ts, local/pictures/write.ts) would run that script inside the
    // command line. cli/bin.ts runs it without a guard.
    define: { 'require.main': 'undefined' },
    // The source's own shebang line is kept by esbuild; the bundle is run by npm's bin link.
    logLevel: 'warning',
  });
  // The events' public contracts, beside the modules that describe them.
  for (const { file } of Object.values(PUBLISHED_EVENTS)) {
    copyFileSync(path.join(LAMBDA_ROOT, 'shared', file), path.join(DIST, 'lambda', 'shared', file));
  }
}

if (require.main === module) build();

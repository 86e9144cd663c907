/**
 * Helpers shared by the benchmark scripts: worker processes, a seeded PRNG, small statistics, table printing and result files.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..');

/** The line prefix under which a worker prints its JSON result on stdout (anything else there is ignored). */
const RESULT_MARKER = 'BENCH_RESULT ';

/** Called by a worker: hands its result to the parent; `then` runs once it is written (before exiting: a pipe may still hold it). */
export function reportToParent(result: unknown, then?: () => void): void {
  process.stdout.write(`${RESULT_MARKER}${JSON.stringify(result)}\n`, then);
}

/**
 * Runs `tsx bench/<script> <args>` in a fresh process and resolves with the result it
 * reported. A fresh process per run because the handlers read their environment (the poll
 * schedule) at module load and keep state for the life of their "container" (SDK clients,
 * what the check function has seen of throttling): one process is one configuration.
 */
export function runWorker<T>(script: string, args: readonly string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'node_modules', '.bin', 'tsx'), path.join('bench', script), ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = stdout.split('\n').find((candidate) => candidate.startsWith(RESULT_MARKER));
      if (code !== 0 || !line) return reject(new Error(`bench/${script} ${args.join(' ')} exited with ${code} and no result:\n${stdout}`));
      resolve(JSON.parse(line.slice(RESULT_MARKER.length)) as T);
    });
  });
}

/** Mulberry32: a tiny seeded PRNG, so that a benchmark's random choices repeat run after run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** NaN for an empty list, so that "no data" never prints as 0. */
export const mean = (values: readonly number[]): number =>
  values.length === 0 ? NaN : values.reduce((sum, value) => sum + value, 0) / values.length;

export const max = (values: readonly number[]): number => (values.length === 0 ? NaN : Math.max(...values));

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Fixed decimals, or "n/a" where there was nothing to measure. */
export const fixed = (value: number, digits = 1): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

/** A plain-text table: the first `leftColumns` columns (labels) left-aligned, the others (numbers) right-aligned. */
export function table(header: readonly string[], rows: readonly (readonly string[])[], leftColumns = 1): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, column) => (column < leftColumns ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

/**
 * The commit measured, and how many files differed from it (results excepted): results name
 * what they measured. Read-only: --no-optional-locks keeps `git status` from refreshing the
 * index, so it never takes the index lock from under a concurrent git command.
 */
export function treeState(): { commit: string; uncommittedChanges: number } {
  const git = (...args: string[]) => execFileSync('git', ['--no-optional-locks', ...args], { cwd: ROOT, encoding: 'utf8' }).trim();
  try {
    const changed = git('status', '--porcelain', '--', '.', ':!bench/results');
    return { commit: git('rev-parse', 'HEAD'), uncommittedChanges: changed.split('\n').filter(Boolean).length };
  } catch {
    return { commit: 'unknown (no git)', uncommittedChanges: -1 };
  }
}

/** Writes bench/results/<name>.json, which the README quotes. */
export function writeResult(name: string, result: unknown): string {
  const directory = path.join(__dirname, 'results');
  mkdirSync(directory, { recursive: true });
  const file = path.join(directory, `${name}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return path.relative(process.cwd(), file);
}

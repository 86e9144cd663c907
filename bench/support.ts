/**
 * Helpers shared by the benchmark scripts: CloudTrail events built from the local fixtures,
 * the prices the cost columns use, small statistics, table printing and result files.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import distributionFixture from '../local/fixtures/create-invalidation.json';
import tenantFixture from '../local/fixtures/create-invalidation-for-tenant.json';

/** AWS list prices (us-east-1) from ../shared/reference/aws-facts.md. */
export const PRICES = {
  /** Step Functions Standard: $0.025 per 1,000 state transitions. */
  perTransition: 0.025 / 1000,
  /** Lambda: $0.20 per million requests. */
  perLambdaRequest: 0.2 / 1_000_000,
  /** Lambda arm64: about $0.0000000017 per ms at 128 MB; the functions have 256 MB (lib/notifier-function.ts). */
  perLambdaMs256: 0.0000000017 * 2,
} as const;

export const DISTRIBUTION_ID = distributionFixture.detail.requestParameters.distributionId;
export const DISTRIBUTION_PATHS: readonly string[] = distributionFixture.detail.requestParameters.invalidationBatch.paths.items;

/**
 * A CloudTrail CreateInvalidation event for another invalidation of the fixture's distribution.
 * The invalidation ID is what names the watcher execution, so each must be distinct.
 */
export function distributionEvent(invalidationId: string): unknown {
  const event = structuredClone(distributionFixture);
  event.id = `bench-${invalidationId}`;
  event.detail.eventID = `bench-${invalidationId}`;
  event.detail.responseElements.invalidation.id = invalidationId;
  event.detail.responseElements.location = `https://cloudfront.amazonaws.com/2020-05-31/distribution/${DISTRIBUTION_ID}/invalidation/${invalidationId}`;
  return event;
}

/** A CloudTrail CreateInvalidationForDistributionTenant event for one tenant and one path. */
export function tenantEvent(tenantId: string, invalidationId: string, invalidationPath: string): unknown {
  const event = structuredClone(tenantFixture);
  event.id = `bench-${invalidationId}`;
  event.detail.eventID = `bench-${invalidationId}`;
  event.detail.requestParameters.id = tenantId;
  event.detail.requestParameters.invalidationBatch = { paths: { quantity: 1, items: [invalidationPath] }, callerReference: `bench-${invalidationId}` };
  event.detail.responseElements.invalidation.id = invalidationId;
  event.detail.responseElements.invalidation.invalidationBatch = event.detail.requestParameters.invalidationBatch;
  event.detail.responseElements.location = `https://cloudfront.amazonaws.com/2020-05-31/distribution-tenant/${tenantId}/invalidation/${invalidationId}`;
  return event;
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
export const mean = (values: readonly number[]): number => (values.length === 0 ? NaN : values.reduce((sum, value) => sum + value, 0) / values.length);

export const max = (values: readonly number[]): number => (values.length === 0 ? NaN : Math.max(...values));

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Fixed decimals, or "n/a" where there was nothing to measure. */
export const fixed = (value: number, digits = 1): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

/** A plain-text table: first column left-aligned, the others right-aligned. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

/** Writes bench/results/<name>.json, which the README quotes. */
export function writeResult(name: string, result: unknown): string {
  const directory = path.join(__dirname, 'results');
  mkdirSync(directory, { recursive: true });
  const file = path.join(directory, `${name}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return path.relative(process.cwd(), file);
}

/**
 * What a watch costs, from what it used, at bench/prices.ts: the one place the bench
 * (`npm run bench`) and the scale run (`npm run scale`) price usage. Every charge is itemized
 * with the price it used, so a table can name it.
 */
import { PRICES, PRICE_SOURCES } from './prices';

/** What one watch (or one crowd, summed) used, as AWS bills it. */
export interface Usage {
  /** Step Functions Standard state transitions (states entered plus retries). */
  readonly standardTransitions: number;
  /** Each Express run: its duration in seconds and the Lambda checks it made (their time counts in its duration). */
  readonly expressRuns: readonly { readonly seconds: number; readonly checks: number }[];
  /** Lambda invocations by function folder. */
  readonly lambdaCalls: Readonly<Record<string, number>>;
  /** Tasks that called an AWS API through Step Functions' SDK integration. */
  readonly sdkIntegrationCalls: number;
  /** SQS requests as billed (64 KB chunks). */
  readonly sqsRequests: number;
  /** DynamoDB on-demand read and write request units consumed. */
  readonly dynamoDbReadUnits: number;
  readonly dynamoDbWriteUnits: number;
}

export const NO_USAGE: Usage = {
  standardTransitions: 0,
  expressRuns: [],
  lambdaCalls: {},
  sdkIntegrationCalls: 0,
  sqsRequests: 0,
  dynamoDbReadUnits: 0,
  dynamoDbWriteUnits: 0,
};

/** One line of a bill: what is charged, at which price, and how much. */
export interface Charge {
  readonly item: string;
  readonly price: string;
  readonly usd: number;
}

/** Express GB-seconds of the runs: each run's duration plus its checks' billed time, rounded up per run as Express bills. */
export function expressGbSeconds(runs: Usage['expressRuns']): number {
  return runs.reduce((sum, run) => {
    const seconds = run.seconds + (run.checks * PRICES.lambdaBilledMsPerCall) / 1000;
    return sum + Math.ceil(seconds / PRICES.expressRoundingSeconds - 1e-9) * PRICES.expressRoundingSeconds * PRICES.expressGb;
  }, 0);
}

/**
 * The bill, itemized: Standard transitions; Express requests and duration; Lambda requests and
 * duration per function at its memory ({@link PRICES.lambdaBilledMsPerCall} ms billed per call);
 * SDK-integration calls; SQS requests; DynamoDB read and write request units. Items that cost
 * nothing in this usage are left out, except the transitions.
 */
export function chargesOf(usage: Usage, memoryMb: Readonly<Record<string, number>>): Charge[] {
  const charges: Charge[] = [
    {
      item: 'Step Functions Standard transitions',
      price: `$${PRICES.standardTransition * 1000} per 1,000 transitions`,
      usd: usage.standardTransitions * PRICES.standardTransition,
    },
  ];
  if (usage.expressRuns.length > 0) {
    charges.push(
      {
        item: 'Express requests',
        price: `$${PRICES.expressRequest * 1e6} per million runs`,
        usd: usage.expressRuns.length * PRICES.expressRequest,
      },
      {
        item: 'Express duration',
        price:
          `$${PRICES.expressGbSecond} per GB-second at ${PRICES.expressGb * 1024} MB, ${PRICES.expressRoundingSeconds * 1000} ms steps ` +
          `per run (its checks' ${PRICES.lambdaBilledMsPerCall} ms each included)`,
        usd: expressGbSeconds(usage.expressRuns) * PRICES.expressGbSecond,
      },
    );
  }
  for (const [dir, calls] of Object.entries(usage.lambdaCalls).sort(([a], [b]) => a.localeCompare(b))) {
    if (calls === 0) continue;
    const mb = memoryMb[dir];
    if (mb === undefined) throw new Error(`No memory size for the function folder ${dir}: pass it in memoryMb`);
    charges.push(
      { item: `Lambda requests, ${dir}`, price: `$${PRICES.lambdaRequest * 1e6} per million`, usd: calls * PRICES.lambdaRequest },
      {
        item: `Lambda duration, ${dir} (${mb} MB)`,
        price: `arm64 $${PRICES.lambdaMsAt128Mb} per ms at 128 MB, ${PRICES.lambdaBilledMsPerCall} ms billed per call`,
        usd: calls * PRICES.lambdaBilledMsPerCall * PRICES.lambdaMsAt128Mb * (mb / 128),
      },
    );
  }
  if (usage.sdkIntegrationCalls > 0)
    charges.push({
      item: 'SDK-integration calls (CloudFront Get calls)',
      price: `$${PRICES.sdkIntegrationCall} beyond their transitions; CloudFront's Get calls are free`,
      usd: usage.sdkIntegrationCalls * PRICES.sdkIntegrationCall,
    });
  if (usage.sqsRequests > 0)
    charges.push({
      item: 'SQS requests',
      price: `$${PRICES.sqsRequest * 1e6} per million (64 KB chunks)`,
      usd: usage.sqsRequests * PRICES.sqsRequest,
    });
  if (usage.dynamoDbReadUnits > 0)
    charges.push({
      item: 'DynamoDB read request units',
      price: `$${PRICES.dynamoDbReadUnit * 1e6} per million (on demand)`,
      usd: usage.dynamoDbReadUnits * PRICES.dynamoDbReadUnit,
    });
  if (usage.dynamoDbWriteUnits > 0)
    charges.push({
      item: 'DynamoDB write request units',
      price: `$${PRICES.dynamoDbWriteUnit * 1e6} per million (on demand)`,
      usd: usage.dynamoDbWriteUnits * PRICES.dynamoDbWriteUnit,
    });
  return charges;
}

export const totalOf = (charges: readonly Charge[]): number => charges.reduce((sum, charge) => sum + charge.usd, 0);

/** $ per 1,000 watches like these, itemized: each charge of their summed usage as if 1,000 such watches ran. */
export function chargesPer1000(usages: readonly Usage[], memoryMb: Readonly<Record<string, number>>): Charge[] {
  const usage = usages.reduce(addUsage, NO_USAGE);
  return chargesOf(usage, memoryMb).map((charge) => ({ ...charge, usd: (1000 * charge.usd) / Math.max(1, usages.length) }));
}

/** Sums usages (a crowd's watches, a mix's). */
export function addUsage(a: Usage, b: Usage): Usage {
  const lambdaCalls: Record<string, number> = { ...a.lambdaCalls };
  for (const [dir, calls] of Object.entries(b.lambdaCalls)) lambdaCalls[dir] = (lambdaCalls[dir] ?? 0) + calls;
  return {
    standardTransitions: a.standardTransitions + b.standardTransitions,
    expressRuns: [...a.expressRuns, ...b.expressRuns],
    lambdaCalls,
    sdkIntegrationCalls: a.sdkIntegrationCalls + b.sdkIntegrationCalls,
    sqsRequests: a.sqsRequests + b.sqsRequests,
    dynamoDbReadUnits: a.dynamoDbReadUnits + b.dynamoDbReadUnits,
    dynamoDbWriteUnits: a.dynamoDbWriteUnits + b.dynamoDbWriteUnits,
  };
}

/** Seconds in the month the fixed costs are given for (30 days). */
export const MONTH_SECONDS = 30 * 86_400;

/**
 * What the checker costs whether or not anything is watched, per month: the watchdog (an
 * EventBridge schedule calling the checker once a minute, each call priced from one measured
 * `watchdogCall`) and the event source mapping's idle long polls of the tick queue
 * (`idlePollRequests` for a month, from local/queue-emulator.ts). Not per watch: an account
 * pays it once.
 */
export function checkerFixedMonthly(
  watchdogCall: Usage,
  idlePollRequestsPerMonth: number,
  memoryMb: Readonly<Record<string, number>>,
): { readonly charges: readonly Charge[]; readonly total: number } {
  const callsPerMonth = MONTH_SECONDS / 60;
  const watchdog = chargesOf(watchdogCall, memoryMb)
    .filter((charge) => charge.usd > 0)
    .map((charge) => ({ ...charge, item: `watchdog: ${charge.item}`, usd: charge.usd * callsPerMonth }));
  const charges: Charge[] = [
    ...watchdog,
    {
      item: 'watchdog: EventBridge schedule, once a minute',
      price: `$${PRICES.scheduledRuleInvocation} (scheduled rules on the default bus are free, ${PRICE_SOURCES.eventBridgeScheduler})`,
      usd: callsPerMonth * PRICES.scheduledRuleInvocation,
    },
    {
      item: 'idle SQS long polls of the tick queue',
      price: `$${PRICES.sqsRequest * 1e6} per million, ${idlePollRequestsPerMonth.toLocaleString('en-US')} requests a month`,
      usd: idlePollRequestsPerMonth * PRICES.sqsRequest,
    },
  ];
  return { charges, total: totalOf(charges) };
}

/** The price sources, for the output's footnote. */
export const priceSourcesLine = (): string =>
  Object.entries(PRICE_SOURCES)
    .map(([name, url]) => `${name} ${url}`)
    .join('; ');

/** A design's summary as the charges table reads it. */
export interface ChargedDesign {
  readonly label: string;
  readonly chargesPer1000: readonly Charge[];
  readonly costPer1000Usd: number;
}

/** "$0.596". */
export const usd = (value: number): string => (Number.isFinite(value) ? `$${value.toFixed(3)}` : 'n/a');

/**
 * Every charge, one row each with its price, the union of the designs' items, then the totals
 * and each design's ratio to the baseline: as both benchmarks print it.
 */
export function chargesTableRows(designs: readonly ChargedDesign[], ratio: (design: ChargedDesign) => number): string[][] {
  const items = new Map<string, string>();
  for (const design of designs)
    for (const charge of design.chargesPer1000) if (!items.has(charge.item)) items.set(charge.item, charge.price);
  return [
    ...[...items].map(([item, price]) => [
      item,
      ...designs.map((design) => {
        const charge = design.chargesPer1000.find((c) => c.item === item);
        return charge ? usd(charge.usd) : '-';
      }),
      price,
    ]),
    ['total', ...designs.map((design) => usd(design.costPer1000Usd)), ''],
    ['ratio to the waiter', ...designs.map((design) => `${ratio(design).toFixed(2)}x`), ''],
  ];
}

/**
 * `smoke`: proves a deployed notifier end to end. Creates an invalidation of one harmless path,
 * waits for the notifier's execution for it (CloudTrail takes minutes to deliver the event),
 * follows the execution to its end and reads its history: per destination, delivered or not and
 * why, and whether the event reached a bus. Plain logic over injected clients and clock.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
  type ExecutionStatus,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import * as v from 'valibot';
import { PRICES, PRICE_SOURCES } from '../bench/prices';
import { DeliveryStateNames, WatcherFailures } from '../lambda/shared/delivery-names';
import { ErrorNames } from '../lambda/shared/errors';
import { oneLine } from '../lambda/shared/text';
import { executionNameFor, type WatchTarget } from '../lambda/shared/watch-request';
import { AudienceSchema } from '../lambda/shared/watcher-input';
import { createInvalidation } from './commands/invalidate';

/** The stack `bin/app.ts` deploys, and its output naming the watcher. */
export const DEFAULT_STACK_NAME = 'CloudFrontInvalidationNotifier';
export const WATCHER_OUTPUT = 'WatcherStateMachineArn';
/** A path nobody serves: invalidating it removes nothing anyone reads. */
export const DEFAULT_SMOKE_PATH = '/cloudfront-invalidation-notifier-smoke-test';
/** What the caller reference says, before the time: whoever lists the distribution's invalidations sees what this one was. */
export const CALLER_REFERENCE_PREFIX = 'cloudfront-invalidation-notifier smoke test';

export interface SmokeSettings {
  readonly target: WatchTarget;
  readonly path: string;
  /** The watcher's ARN, or the stack whose output names it. */
  readonly stateMachineArn?: string;
  readonly stackName: string;
  /** For the whole smoke, from the invalidation to the execution's end. */
  readonly timeoutMs: number;
  /** Between ListExecutions while waiting for the execution to appear. @default 15 s */
  readonly findEveryMs?: number;
  /** Between DescribeExecution while it runs. @default 5 s */
  readonly followEveryMs?: number;
}

export interface SmokeDeps {
  readonly cloudFront: CloudFrontClient;
  readonly sfn: SFNClient;
  readonly cloudFormation: CloudFormationClient;
  readonly now: () => number;
  /** Resolves after `ms`, rejects when `signal` aborts. */
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** A line for people (stderr). */
  readonly log: (line: string) => void;
  /** Ctrl-C. */
  readonly signal?: AbortSignal;
}

/** One destination the watch was routed to, as its execution's history tells it. */
export interface DestinationOutcome {
  readonly name: string;
  /** Its type, when the history shows it (Notify's result; an event bus's own errors). */
  readonly type?: string;
  /** `not-reached`: the execution ended (or is still running) before this destination's message was sent. */
  readonly status: 'delivered' | 'not-delivered' | 'not-reached';
  /** Notify invocations for it (a wait for the destination's pace counts too). */
  readonly notifyCalls: number;
  /** How Notify told it (`separate`, in a digest, in a live message). */
  readonly told?: string;
  /** Why it was not delivered: the error Notify failed with for good, or the last one it failed with. */
  readonly error?: string;
  readonly cause?: string;
}

/** What an execution's history says. */
export interface HistoryReading {
  /** The destinations Start watch routed the watch to. */
  readonly routed: readonly string[];
  readonly destinations: readonly DestinationOutcome[];
  /** State transitions as Step Functions bills them (states entered plus Task retries). */
  readonly transitions: number;
  /** Lambda invocations by this execution's Tasks (the account's checker's calls are shared, not here). */
  readonly lambdaInvocations: number;
}

export interface BusReport {
  /** Event bus destinations routed (by type, as far as the history shows it). */
  readonly destinations: readonly string[];
  readonly reached: boolean;
  readonly text: string;
}

export interface SmokeCost {
  readonly invalidationPaths: 1;
  readonly invalidationPathUsd: number;
  readonly freeInvalidationPathsPerMonth: number;
  readonly transitions: number;
  readonly transitionsUsd: number;
  readonly lambdaInvocations: number;
  readonly lambdaRequestsUsd: number;
  /** Per 128 MB of function memory, at {@link PRICES.lambdaBilledMsPerCall} ms billed per invocation (an assumption). */
  readonly lambdaDurationUsdPer128Mb: number;
  readonly text: string;
}

export type SmokeOutcome = 'passed' | 'failed' | 'timed-out' | 'interrupted';

export interface SmokeReport {
  readonly outcome: SmokeOutcome;
  /** What went wrong and what to do, when it did not pass. */
  readonly problem?: string;
  readonly stateMachineArn?: string;
  readonly invalidation?: { readonly target: WatchTarget; readonly id: string; readonly path: string; readonly callerReference: string };
  readonly execution?: {
    readonly arn: string;
    readonly name: string;
    readonly status: ExecutionStatus | string;
    readonly error?: string;
    readonly cause?: string;
  };
  readonly destinations: readonly DestinationOutcome[];
  readonly eventBus?: BusReport;
  readonly cost?: SmokeCost;
}

/** Refused input, said as a usage error naming the option. */
export class SmokeUsageError extends Error {
  override readonly name = 'SmokeUsageError';
}

/** The path checked before anything is created: one exact path (a wildcard would purge cached objects). */
export function checkSmokePath(path: string): string {
  if (!path.startsWith('/')) throw new SmokeUsageError(`--path must start with "/" (got ${JSON.stringify(path)})`);
  if (path.includes('*')) {
    throw new SmokeUsageError(
      `--path must be one exact path, not a wildcard (${JSON.stringify(path)} would remove cached objects people read)`,
    );
  }
  if (/[\s\p{Cc}]/u.test(path))
    throw new SmokeUsageError(`--path must not contain spaces or control characters (got ${JSON.stringify(path)})`);
  return path;
}

class Interrupted extends Error {}

/** Runs the smoke test: never throws for an AWS failure, it reports it. */
export async function runSmoke(settings: SmokeSettings, deps: SmokeDeps): Promise<SmokeReport> {
  const deadline = deps.now() + settings.timeoutMs;
  const report: { -readonly [K in keyof SmokeReport]: SmokeReport[K] } = { outcome: 'failed', destinations: [] };
  const pause = async (ms: number) => {
    if (deps.signal?.aborted) throw new Interrupted();
    try {
      await deps.sleep(Math.max(0, Math.min(ms, deadline - deps.now())), deps.signal);
    } catch (error) {
      if (!deps.signal?.aborted) throw error;
    }
    if (deps.signal?.aborted) throw new Interrupted();
  };
  try {
    const stateMachineArn = settings.stateMachineArn ?? (await watcherOfStack(deps.cloudFormation, settings.stackName));
    report.stateMachineArn = stateMachineArn;
    const callerReference = `${CALLER_REFERENCE_PREFIX} ${new Date(deps.now()).toISOString()}`;
    const id = await createInvalidation(deps.cloudFront, settings.target, [settings.path], callerReference);
    const invalidation = { target: settings.target, id, path: settings.path, callerReference };
    report.invalidation = invalidation;
    const { target } = invalidation;
    deps.log(
      `Created invalidation ${invalidation.id} of ${invalidation.path} on ${target.kind === 'tenant' ? 'tenant' : 'distribution'} ${target.id} ` +
        `(caller reference "${invalidation.callerReference}").`,
    );
    report.cost = costOf({ transitions: 0, lambdaInvocations: 0 });

    deps.log(`Waiting for the notifier's execution: CloudTrail delivers the event in about 5 minutes, sometimes 15.`);
    const expectedName = executionNameFor({ target, invalidationId: invalidation.id });
    let found: { arn: string; name: string } | undefined;
    let lastNote = deps.now();
    for (;;) {
      found = await findExecution(deps.sfn, stateMachineArn, expectedName);
      if (found || deps.now() >= deadline) break;
      if (deps.now() - lastNote >= 60_000) {
        lastNote = deps.now();
        deps.log(`Still no execution ${expectedName} after ${Math.round((deps.now() - (deadline - settings.timeoutMs)) / 60_000)} min...`);
      }
      await pause(settings.findEveryMs ?? 15_000);
    }
    if (!found) {
      report.problem = notFoundProblem(stateMachineArn, expectedName, settings.timeoutMs);
      return report;
    }
    deps.log(`Found execution ${found.name}: following it to its end.`);
    let described = await deps.sfn.send(new DescribeExecutionCommand({ executionArn: found.arn }));
    while (described.status === 'RUNNING' && deps.now() < deadline) {
      await pause(settings.followEveryMs ?? 5_000);
      described = await deps.sfn.send(new DescribeExecutionCommand({ executionArn: found.arn }));
    }
    report.execution = {
      arn: found.arn,
      name: found.name,
      status: described.status ?? 'UNKNOWN',
      ...(described.error ? { error: described.error } : {}),
      ...(described.cause ? { cause: described.cause } : {}),
    };
    const reading = readHistory(await wholeHistory(deps.sfn, found.arn));
    report.destinations = reading.destinations;
    report.eventBus = busReport(reading.destinations);
    report.cost = costOf(reading);
    if (described.status === 'RUNNING') {
      report.outcome = 'timed-out';
      report.problem = `The execution was still running when the ${Math.round(settings.timeoutMs / 60_000)}-minute --timeout ran out: follow it in the Step Functions console (${found.arn}), or run smoke again with a longer --timeout.`;
      return report;
    }
    const notDelivered = reading.destinations.filter((destination) => destination.status !== 'delivered');
    if (described.status === 'SUCCEEDED' && notDelivered.length === 0) {
      report.outcome = 'passed';
      return report;
    }
    report.problem = executionProblem(described.status, described.error, notDelivered);
    return report;
  } catch (error) {
    if (error instanceof Interrupted) {
      report.outcome = 'interrupted';
      report.problem = report.invalidation
        ? `Interrupted: invalidation ${report.invalidation.id} was created; its execution (if any) goes on.`
        : 'Interrupted before anything was created.';
      return report;
    }
    report.problem = awsProblem(error);
    return report;
  }
}

async function watcherOfStack(cloudFormation: CloudFormationClient, stackName: string): Promise<string> {
  let stacks;
  try {
    stacks = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
  } catch (error) {
    if ((error as Error).name === 'ValidationError' && /does not exist/.test((error as Error).message)) {
      throw new SmokeProblem(
        `Stack ${stackName} does not exist in this region (${await regionOf(cloudFormation)}): pass --stack-name, set the region (AWS_REGION, --region of your profile), or give --state-machine-arn.`,
      );
    }
    throw error;
  }
  const output = stacks.Stacks?.[0]?.Outputs?.find((each) => each.OutputKey === WATCHER_OUTPUT)?.OutputValue;
  if (!output) {
    throw new SmokeProblem(
      `Stack ${stackName} has no output ${WATCHER_OUTPUT}: is it the notifier's stack? Pass --stack-name, or give --state-machine-arn.`,
    );
  }
  return output;
}

async function regionOf(client: { config: { region: unknown } }): Promise<string> {
  const region = client.config.region;
  return typeof region === 'function' ? String(await (region as () => Promise<string>)()) : String(region);
}

/** The execution Start watch started for the invalidation: its plain name, or with an account first (organization mode). */
async function findExecution(sfn: SFNClient, stateMachineArn: string, name: string): Promise<{ arn: string; name: string } | undefined> {
  const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 100 }));
  const found = listed.executions?.find((execution) => execution.name === name || execution.name?.endsWith(`-${name}`));
  return found?.executionArn && found.name ? { arn: found.executionArn, name: found.name } : undefined;
}

async function wholeHistory(sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

/** Where an event belongs: the destination whose iteration it is in, and the state it is in. */
interface Place {
  readonly destination?: string;
  readonly state?: string;
}

const ITERATION_ENDS = new Set(['MapIterationSucceeded', 'MapIterationFailed', 'MapIterationAborted']);
const EVENT_BUS_ERRORS: readonly string[] = [ErrorNames.EventBusUnavailable, ErrorNames.EventBusRejected];

/**
 * Reads an execution's history: which destinations Start watch routed the watch to (the
 * execution's input), and per destination how its Notify task ended. An event belongs to the
 * destination of the event it follows (`previousEventId`), from the iteration's "Notify
 * destination" entry (its input names the destination) to the iteration's end.
 */
export function readHistory(events: readonly HistoryEvent[]): HistoryReading {
  const places = new Map<number, Place>();
  const types = new Map<number, string>();
  const found = new Map<
    string,
    { type?: string; notifyCalls: number; delivered?: boolean; told?: string; error?: string; cause?: string }
  >();
  let routed: readonly string[] = [];
  let transitions = 0;
  let lambdaInvocations = 0;
  const sorted = [...events].sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
  for (const event of sorted) {
    const id = event.id ?? 0;
    const type = event.type ?? '';
    types.set(id, type);
    const previous = event.previousEventId ?? 0;
    const inherited = ITERATION_ENDS.has(types.get(previous) ?? '') ? {} : (places.get(previous) ?? {});
    let place: Place = inherited;
    if (type === 'ExecutionStarted') routed = audienceOf(event.executionStartedEventDetails?.input)?.destinations ?? [];
    if (type.endsWith('StateEntered')) {
      transitions += 1;
      const name = event.stateEnteredEventDetails?.name;
      const destination = name === DeliveryStateNames.notifyDestination ? destinationOf(event.stateEnteredEventDetails?.input) : undefined;
      place = { destination: destination ?? inherited.destination, state: name };
    }
    places.set(id, place);
    if (type === 'TaskScheduled') {
      if (event.taskScheduledEventDetails?.resourceType === 'lambda') lambdaInvocations += 1;
      // A Task attempt after the first is a retry: one transition more.
      if (types.get(previous) !== 'TaskStateEntered') transitions += 1;
    }
    if (!place.destination) continue;
    const outcome = found.get(place.destination) ?? { notifyCalls: 0 };
    found.set(place.destination, outcome);
    if (place.state === DeliveryStateNames.notifyDestination) {
      if (type === 'TaskScheduled') outcome.notifyCalls += 1;
      if (type === 'TaskSucceeded') {
        const result = parsed(event.taskSucceededEventDetails?.output) as
          { delivered?: unknown; type?: unknown; told?: unknown } | undefined;
        if (result?.delivered === true) {
          outcome.delivered = true;
          if (typeof result.type === 'string') outcome.type = result.type;
          if (typeof result.told === 'string') outcome.told = result.told;
        }
      }
      const failure = event.taskFailedEventDetails ?? event.taskTimedOutEventDetails;
      if (failure && outcome.delivered === undefined) {
        outcome.error = failure.error;
        outcome.cause = failure.cause;
      }
    }
    if (place.state === DeliveryStateNames.notDelivered && type === 'PassStateExited') {
      const { result } = (parsed(event.stateExitedEventDetails?.output) ?? {}) as {
        result?: { error?: { Error?: unknown; Cause?: unknown } };
      };
      outcome.delivered = false;
      if (typeof result?.error?.Error === 'string') outcome.error = result.error.Error;
      if (typeof result?.error?.Cause === 'string') outcome.cause = result.error.Cause;
    }
  }
  const names = [...routed, ...[...found.keys()].filter((name) => !routed.includes(name))];
  const destinations = names.map((name): DestinationOutcome => {
    const outcome = found.get(name) ?? { notifyCalls: 0 };
    const type = outcome.type ?? (outcome.error && EVENT_BUS_ERRORS.includes(outcome.error) ? 'eventbridge' : undefined);
    const status = outcome.delivered === true ? 'delivered' : outcome.delivered === false ? 'not-delivered' : 'not-reached';
    return {
      name,
      ...(type ? { type } : {}),
      status,
      notifyCalls: outcome.notifyCalls,
      ...(outcome.told ? { told: outcome.told } : {}),
      ...(status !== 'delivered' && outcome.error ? { error: outcome.error } : {}),
      ...(status !== 'delivered' && outcome.cause !== undefined ? { cause: readableCause(outcome.cause) } : {}),
    };
  });
  return { routed, destinations, transitions, lambdaInvocations };
}

function audienceOf(input: string | undefined) {
  const result = v.safeParse(v.object({ audience: AudienceSchema }), parsed(input));
  return result.success ? result.output.audience : undefined;
}

function destinationOf(input: string | undefined): string | undefined {
  const destination = (parsed(input) as { destination?: unknown } | undefined)?.destination;
  return typeof destination === 'string' ? destination : undefined;
}

function parsed(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A Lambda error's cause as Step Functions records it is JSON (`errorMessage`, `trace`): its message is what people read. */
function readableCause(cause: string): string {
  const message = (parsed(cause) as { errorMessage?: unknown } | undefined)?.errorMessage;
  return typeof message === 'string' ? message : cause;
}

export function busReport(destinations: readonly DestinationOutcome[]): BusReport {
  const buses = destinations.filter((destination) => destination.type === 'eventbridge');
  if (buses.length === 0) {
    return {
      destinations: [],
      reached: false,
      text: 'No eventbridge destination routed (or none the history names as one): no event was expected on a bus.',
    };
  }
  const reached = buses.filter((bus) => bus.status === 'delivered');
  const missed = buses.filter((bus) => bus.status !== 'delivered');
  const text =
    missed.length === 0
      ? `The event reached the bus (${reached.map((bus) => bus.name).join(', ')}).`
      : `The event did not reach ${missed.map((bus) => bus.name).join(', ')}${reached.length > 0 ? ` (it reached ${reached.map((bus) => bus.name).join(', ')})` : ''}.`;
  return { destinations: buses.map((bus) => bus.name), reached: missed.length === 0, text };
}

/** What this smoke test costs: its one path, and its watch's transitions and Lambda invocations. */
export function costOf(usage: Pick<HistoryReading, 'transitions' | 'lambdaInvocations'>): SmokeCost {
  const transitionsUsd = usage.transitions * PRICES.standardTransition;
  const lambdaRequestsUsd = usage.lambdaInvocations * PRICES.lambdaRequest;
  const lambdaDurationUsdPer128Mb = usage.lambdaInvocations * PRICES.lambdaBilledMsPerCall * PRICES.lambdaMsAt128Mb;
  const free = PRICES.freeInvalidationPathsPerMonth.toLocaleString('en-US');
  return {
    invalidationPaths: 1,
    invalidationPathUsd: PRICES.invalidationPath,
    freeInvalidationPathsPerMonth: PRICES.freeInvalidationPathsPerMonth,
    transitions: usage.transitions,
    transitionsUsd,
    lambdaInvocations: usage.lambdaInvocations,
    lambdaRequestsUsd,
    lambdaDurationUsdPer128Mb,
    text:
      `Cost: one invalidation path (free within the account's first ${free} paths a month, then $${PRICES.invalidationPath}); ` +
      `the watch: ${usage.transitions} state transitions ($${round(transitionsUsd)}) and ${usage.lambdaInvocations} Lambda invocations ` +
      `($${round(lambdaRequestsUsd)} in requests, $${round(lambdaDurationUsdPer128Mb)} in duration per 128 MB of memory at ${PRICES.lambdaBilledMsPerCall} ms each), ` +
      `plus a share of the account's checker. List prices, us-east-1: ${PRICE_SOURCES.cloudFront}, ${PRICE_SOURCES.stepFunctions}, ${PRICE_SOURCES.lambda}.`,
  };
}

/** Two significant digits, never in exponent notation ($0.00000085, not $8.5e-7). */
const round = (usd: number): string => {
  const twoDigits = Number(usd.toPrecision(2));
  if (twoDigits === 0) return '0';
  const fixed = twoDigits.toFixed(Math.max(0, 1 - Math.floor(Math.log10(Math.abs(twoDigits)))));
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
};

/** Thrown inside {@link runSmoke} for a failure it has the words for. */
class SmokeProblem extends Error {}

function awsProblem(error: unknown): string {
  if (error instanceof SmokeProblem) return error.message;
  const { name, message } = error as Error;
  if (/AccessDenied|UnauthorizedOperation|NotAuthorized/.test(name)) {
    return `Access denied (${name}: ${message}): smoke needs cloudfront:CreateInvalidation (or CreateInvalidationForDistributionTenant), states:ListExecutions, states:DescribeExecution, states:GetExecutionHistory and, without --state-machine-arn, cloudformation:DescribeStacks.`;
  }
  if (name === 'NoSuchDistribution' || name === 'EntityNotFound' || name === 'NoSuchResource') {
    return `CloudFront has no such distribution or tenant (${name}: ${message}): check --distribution-id / --tenant-id and the account your credentials belong to.`;
  }
  if (name === 'StateMachineDoesNotExist' || name === 'InvalidArn') {
    return `No such state machine (${name}: ${message}): check --state-machine-arn, or the region (the notifier's).`;
  }
  if (name === 'CredentialsProviderError')
    return `No AWS credentials (${message}): sign in (aws sso login, a profile, environment variables).`;
  return `${name}: ${message}`;
}

function notFoundProblem(stateMachineArn: string, name: string, timeoutMs: number): string {
  return (
    `No execution ${name} of ${stateMachineArn} appeared within ${Math.round(timeoutMs / 60_000)} minutes. ` +
    `The notifier starts one when CloudTrail delivers the CreateInvalidation call to EventBridge in us-east-1, which takes about 5 minutes, sometimes 15. ` +
    'Check: a trail records management events in this account (the stack creates one unless createTrail is false: aws cloudtrail get-trail-status); ' +
    "the notifier's EventBridge rule is enabled; the region: CloudFront's events exist in us-east-1 only, so a notifier in another region needs its forwarding stack there; " +
    'in organization mode, the execution runs in the central account (pass its --state-machine-arn, with credentials that can read it); ' +
    "the Start watch function's logs say whether it received the event. A longer --timeout helps when CloudTrail is slow."
  );
}

function executionProblem(status: string | undefined, error: string | undefined, notDelivered: readonly DestinationOutcome[]): string {
  const refused = notDelivered.filter((destination) => destination.status === 'not-delivered');
  if (refused.length > 0 || error === WatcherFailures.notDelivered) {
    return `Not delivered to ${refused.map((destination) => `${destination.name} (${destination.error ?? 'unknown error'}: ${destination.cause ?? 'no cause'})`).join(', ') || 'a destination'}.`;
  }
  if (error === WatcherFailures.couldNotTrack)
    return 'The execution could not track the invalidation (its destinations were told why): see its history.';
  if (error === WatcherFailures.stillInProgress) return 'The invalidation was still in progress at the maximum wait: see the execution.';
  return `The execution ended ${status}${error ? ` (${error})` : ''} before every destination was told.`;
}

/** The report for people, one line each (stderr). */
export function describeReport(report: SmokeReport): string[] {
  const lines: string[] = [];
  if (report.execution) {
    lines.push(
      `Execution ${oneLine(report.execution.name, 100)}: ${report.execution.status}${report.execution.error ? ` (${oneLine(report.execution.error, 100)})` : ''}`,
    );
  }
  for (const destination of report.destinations) {
    const kind = destination.type ? ` (${oneLine(destination.type, 40)})` : '';
    const name = oneLine(destination.name, 100);
    const why = `${oneLine(destination.error ?? 'unknown error', 100)}: ${oneLine(destination.cause ?? 'no cause', 500)}`;
    const told = destination.told && destination.told !== 'separate' ? ` (${oneLine(destination.told, 40)})` : '';
    if (destination.status === 'delivered') lines.push(`  ${name}${kind}: delivered${told}`);
    else if (destination.status === 'not-delivered') lines.push(`  ${name}${kind}: NOT delivered: ${why}`);
    else lines.push(`  ${name}${kind}: not reached`);
  }
  if (report.eventBus) lines.push(report.eventBus.text);
  if (report.cost) lines.push(report.cost.text);
  const verdict = {
    passed: 'Smoke test passed: every destination was delivered.',
    failed: 'Smoke test FAILED',
    'timed-out': 'Smoke test TIMED OUT',
    interrupted: 'Smoke test interrupted',
  }[report.outcome];
  lines.push(report.problem ? `${verdict}: ${report.problem}` : verdict);
  return lines;
}

import { StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { WatcherInput } from '../shared/watcher-input';
import type { AudienceOf, WatchSubject } from './audience';
import { clip } from '../shared/text';
import {
  MalformedEventError,
  executionNameFor,
  workIdOf,
  parseWatchRequest,
  rejectedExecutionNameFor,
  type CutEvent,
} from '../shared/watch-request';
import type { RecoverCutEvent } from './recover-cut-event';

export interface StartWatchResult {
  /**
   * `started`; `duplicate` when an execution of this name already exists (a redelivered
   * event); `dropped` when no route matches and the configuration drops unmatched invalidations.
   */
  readonly outcome: 'started' | 'duplicate' | 'dropped';
  readonly executionName: string;
  readonly executionArn?: string;
  /** The destinations the watch was routed to. */
  readonly destinations: readonly string[];
  /** Why routing may not be what the routes say (see Audience.routingNote). */
  readonly routingNote?: string;
  readonly invalidationId?: string;
  /** A deployment's change, as its execution names it (its ETag). */
  readonly deployment?: string;
  readonly rejectedReason?: string;
  /** The CloudTrail event was cut and the invalidation found by listing: how (see WatchRequest.foundBy). */
  readonly foundBy?: string;
}

export interface StartWatchOptions {
  /** Organization mode: the account is part of the execution name. */
  readonly withAccount?: boolean;
  /** Finds the invalidation of an event CloudTrail cut for size; without it, such an event is rejected. */
  readonly recover?: RecoverCutEvent;
}

/** A rejection reason with what the search for a cut event's invalidation found, bounded. */
const MAX_REASON_CHARS = 2000;

/**
 * Turns a CloudTrail event into a watcher execution named after the invalidation. Any JSON
 * event gives a valid name and a bounded input: a malformed one becomes a rejected event that
 * ends in a "could not track" message. Only a defect of ours throws, so that the event waits in
 * the dead-letter queue for a redrive instead of being reported as untrackable.
 */
export function watcherExecutionFor(
  event: unknown,
  naming: { readonly withAccount?: boolean } = {},
): { name: string; subject: WatchSubject; cut?: CutEvent } {
  try {
    const request = parseWatchRequest(event);
    return { name: executionNameFor(request, naming), subject: { request } };
  } catch (error) {
    if (!(error instanceof MalformedEventError)) throw error;
    return {
      name: rejectedExecutionNameFor(error.rejected, event),
      subject: { rejected: error.rejected },
      ...(error.cut ? { cut: error.cut } : {}),
    };
  }
}

/**
 * The execution for an event, a cut one's invalidation looked for first: found, it is watched
 * under its own name (a redelivered event finds the same one); not found, the event is rejected
 * with the reason the search gives.
 */
async function watcherExecutionWithRecovery(event: unknown, options: StartWatchOptions): Promise<{ name: string; subject: WatchSubject }> {
  const { name, subject, cut } = watcherExecutionFor(event, options);
  if (!cut || !options.recover || !('rejected' in subject)) return { name, subject };
  const recovery = await options.recover(cut);
  if ('request' in recovery) return { name: executionNameFor(recovery.request, options), subject: { request: recovery.request } };
  return {
    name,
    subject: { rejected: { ...subject.rejected, reason: clip(`${subject.rejected.reason}; ${recovery.reason}`, MAX_REASON_CHARS) } },
  };
}

/**
 * Starts the watcher. Step Functions keeps execution names unique for 90 days, so the same
 * event delivered twice starts one execution: the second call is either accepted as
 * idempotent (same name and input, still running) or refused with ExecutionAlreadyExists.
 */
export async function startWatch(
  sfn: SFNClient,
  stateMachineArn: string,
  event: unknown,
  audienceOf: AudienceOf,
  options: StartWatchOptions = {},
): Promise<StartWatchResult> {
  const { name, subject } = await watcherExecutionWithRecovery(event, options);
  const audience = await audienceOf(subject);
  const input: WatcherInput = { ...subject, audience };
  const summary = {
    executionName: name,
    destinations: audience.destinations,
    ...(audience.routingNote ? { routingNote: audience.routingNote } : {}),
    ...('request' in subject
      ? subject.request.work === 'deployment'
        ? { deployment: workIdOf(subject.request) }
        : { invalidationId: subject.request.invalidationId, ...(subject.request.foundBy ? { foundBy: subject.request.foundBy } : {}) }
      : { rejectedReason: subject.rejected.reason }),
  };
  // Nobody would hear of it: the configuration drops invalidations that no route matches.
  if (audience.destinations.length === 0) return { outcome: 'dropped', ...summary };
  try {
    const output = await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
    return { outcome: 'started', executionArn: output.executionArn ?? '', ...summary };
  } catch (error) {
    if ((error as Error).name !== 'ExecutionAlreadyExists') throw error;
    return { outcome: 'duplicate', executionArn: executionArnFor(stateMachineArn, name), ...summary };
  }
}

/** arn:aws:states:REGION:ACCOUNT:stateMachine:NAME -> arn:aws:states:REGION:ACCOUNT:execution:NAME:EXECUTION */
export function executionArnFor(stateMachineArn: string, executionName: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName}`;
}

import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { ErrorNames, NamedError } from '../shared/errors';
import type { WatchEvent } from '../shared/watch-event';
import { describeAwsFault, faultLabel } from '../shared/aws-faults';
import type { TimeBudget } from './time-budget';

/** PutEvents reports per-entry failures in a 200 answer; these codes are worth trying again. */
const TRANSIENT_ENTRY_CODES = new Set(['InternalFailure', 'InternalException', 'ThrottlingException', 'ServiceUnavailable']);

/**
 * Puts the watch's event on one bus. A fault that may pass (throttling, internal failure, no
 * answer, out of time) is EventBusUnavailable, retried by the state machine; a refusal (no
 * permission, no such bus, malformed) is EventBusRejected and names the bus.
 */
export async function putWatchEvent(client: EventBridgeClient, busName: string, event: WatchEvent, budget: TimeBudget): Promise<string> {
  const command = new PutEventsCommand({
    Entries: [
      {
        EventBusName: busName,
        Source: event.Source,
        DetailType: event.DetailType,
        Resources: [...event.Resources],
        Detail: JSON.stringify(event.Detail),
      },
    ],
  });
  let entry: { EventId?: string; ErrorCode?: string; ErrorMessage?: string } | undefined;
  try {
    const output = await client.send(command, { abortSignal: budget.signal });
    entry = output.Entries?.[0];
  } catch (error) {
    const fault = describeAwsFault(error);
    if (fault.transient) {
      throw new NamedError(
        ErrorNames.EventBusUnavailable,
        `EventBridge could not take the event on ${busName} now (${faultLabel(fault)}): retried`,
        {
          cause: error,
        },
      );
    }
    throw new NamedError(
      ErrorNames.EventBusRejected,
      `EventBridge refused the event for ${busName} (${faultLabel(fault)}: ${fault.message}): check that the bus exists and that the Notify function may put events on it`,
      { cause: error },
    );
  }
  if (entry?.EventId && !entry.ErrorCode) return entry.EventId;
  const code = entry?.ErrorCode ?? 'NoEntryResult';
  const message = `EventBridge did not accept the event on ${busName} (${code}: ${entry?.ErrorMessage ?? 'no message'})`;
  if (TRANSIENT_ENTRY_CODES.has(code) || entry === undefined) throw new NamedError(ErrorNames.EventBusUnavailable, `${message}: retried`);
  throw new NamedError(ErrorNames.EventBusRejected, message);
}

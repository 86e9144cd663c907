/**
 * Contract: what the state machine passes to Notify, declared once. The type is inferred from
 * the schema, and the handler parses every event with it, so a malformed input fails at the edge
 * with a message naming the field, never deep in a renderer.
 *
 * A delivery (`Notify destination`): the destination and the whole watch state.
 */
import * as v from 'valibot';
import { ErrorNames, NamedError } from '../shared/errors';
import { OUTCOMES, type WatchState } from '../shared/notification';

const destination = v.pipe(v.string('must be a destination name'), v.nonEmpty('must be a destination name'));

/** Step Functions' `{Error, Cause}`, as a Catch records it. */
const CaughtError = v.object({ Error: v.optional(v.string()), Cause: v.optional(v.string()) });

/**
 * The watch state as far as Notify relies on it before rendering: its outcome. Its parts
 * (request, status, audience) are the watch's own contracts, declared with them and carried
 * as they are; the watch state holds more keys than Notify reads, which pass untouched.
 */
const WatchStateSchema = v.pipe(
  v.looseObject({
    outcome: v.picklist(OUTCOMES, `must be one of ${OUTCOMES.join(', ')}`),
    error: v.optional(CaughtError),
  }),
  v.transform((watch) => watch as WatchState),
);

export const DeliveryInputSchema = v.object({ destination, watch: WatchStateSchema }, 'must be an object with "destination" and "watch"');

export type DeliveryInput = v.InferOutput<typeof DeliveryInputSchema>;
export type NotifyInput = DeliveryInput;

/** `watch.outcome: must be one of ... (got "done")`: every problem, by its path in the input. */
function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  return issues
    .map((issue) => {
      const path = v.getDotPath(issue) ?? 'input';
      const got = issue.input === undefined ? 'missing' : `got ${JSON.stringify(issue.input)?.slice(0, 80) ?? String(issue.input)}`;
      return `${path}: ${issue.message} (${got})`;
    })
    .join('; ');
}

/** The input, checked; a malformed one throws InvalidWatcherInput naming each bad field. */
export function parseNotifyInput(event: unknown): NotifyInput {
  const result = v.safeParse(DeliveryInputSchema, event);
  if (!result.success) {
    throw new NamedError(ErrorNames.InvalidWatcherInput, `Notify input: ${describeIssues(result.issues)}`);
  }
  return result.output;
}

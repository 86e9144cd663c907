/**
 * Contract: what the state machine passes to Notify, declared once. The type is inferred from
 * the schema, and the handler parses every event with it, so a malformed input fails at the edge
 * with a message naming the field, never deep in a renderer.
 *
 * A delivery (`Notify destination`, `lambda:invoke.waitForTaskToken`): the task's token, the
 * destination, the whole watch state and the execution (its name is the watch's identity in its
 * destinations' bursts). An announcement (`Announce in progress`): a watch still in progress at
 * its first check, for the destinations that keep a live message.
 */
import * as v from 'valibot';
import { ErrorNames, NamedError } from '../shared/errors';
import { describeIssues } from '../shared/schema-issues';
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

const nonEmpty = (what: string) => v.pipe(v.string(`must be ${what}`), v.nonEmpty(`must be ${what}`));
const isoTime = v.pipe(
  v.string('must be an ISO 8601 time'),
  v.check((text) => !Number.isNaN(Date.parse(text)), 'must be an ISO 8601 time'),
);

export const DeliveryInputSchema = v.object(
  {
    taskToken: nonEmpty('the task token'),
    destination,
    watch: WatchStateSchema,
    execution: nonEmpty("the execution's name"),
    startedAt: isoTime,
  },
  // valibot reports a missing key with the object's message: say which is missing.
  (issue) =>
    issue.path?.length ? 'is missing' : 'must be an object with "taskToken", "destination", "watch", "execution" and "startedAt"',
);
export type DeliveryInput = v.InferOutput<typeof DeliveryInputSchema>;

/** The state of a watch still running: its request and audience, as Start watch wrote them. */
const RunningWatchSchema = v.pipe(
  v.looseObject({ request: v.looseObject({}) }),
  v.transform((watch) => watch as Omit<WatchState, 'outcome' | 'error'>),
);

export const AnnounceInputSchema = v.object({
  announce: v.object({ watch: RunningWatchSchema, execution: nonEmpty("the execution's name"), startedAt: isoTime }),
});
export type AnnounceInput = v.InferOutput<typeof AnnounceInputSchema>;

export type NotifyInput = DeliveryInput | AnnounceInput;

/** The input, checked; a malformed one throws InvalidWatcherInput naming each bad field. */
export function parseNotifyInput(event: unknown): NotifyInput {
  const announcing = typeof event === 'object' && event !== null && 'announce' in event;
  const result = v.safeParse(announcing ? AnnounceInputSchema : DeliveryInputSchema, event);
  if (!result.success) {
    throw new NamedError(ErrorNames.InvalidWatcherInput, `Notify input: ${describeIssues(result.issues)}`);
  }
  return result.output;
}

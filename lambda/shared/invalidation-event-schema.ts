/**
 * The event's declaration (see `invalidation-event.ts`): the schema its JSON Schema is generated
 * from (scripts/event-schema.ts) and its exported type is inferred from. Functions and constructs
 * import only that type, so no schema library is in a bundle for it.
 */
import * as v from 'valibot';
import { OUTCOMES } from './notification';
import { boundedText, count, deliveredEventSchema, id, time } from './event-schema-parts';
import { EVENT_DETAIL_TYPES, EVENT_LIMITS, INVALIDATION_EVENT_STATUSES } from './invalidation-event';

/** The `detail` of every event: closed (a field added here is added to the JSON Schema too, or its test fails). */
export const InvalidationEventDetailSchema = v.strictObject({
  version: v.pipe(v.literal(1), v.description("Version of the detail's shape.")),
  outcome: v.picklist(OUTCOMES),
  targetKind: v.optional(v.picklist(['distribution', 'tenant'])),
  targetId: v.optional(id),
  targetName: v.optional(
    boundedText(512, "First alternate domain name of the distribution (else its domain name), or the tenant's name and first domain."),
  ),
  invalidationId: v.optional(id),
  status: v.pipe(v.picklist(INVALIDATION_EVENT_STATUSES), v.description("CloudFront's last known status.")),
  createTime: v.optional(time()),
  detectedAt: v.optional(time('Time of the check that saw the outcome.')),
  durationSeconds: v.optional(count('From createTime to detectedAt (completed only).')),
  pathCount: count('How many paths or cache tags the invalidation has.'),
  paths: v.pipe(
    v.array(v.string()),
    v.maxLength(EVENT_LIMITS.maxSamplePaths),
    v.description('The first paths; a path longer than 1,024 bytes is cut and ends with an ellipsis.'),
  ),
  callerReference: v.optional(boundedText(512)),
  createdBy: v.optional(boundedText(512, 'IAM principal that created the invalidation.')),
  cloudTrailEventId: v.optional(boundedText(512)),
  account: v.optional(v.pipe(v.string(), v.description('Account that owns the distribution or tenant.'))),
  accountName: v.optional(boundedText(512, 'Organization mode: the account with its alias, e.g. "acme-prod (222222222222)".')),
  reason: v.optional(boundedText(512, 'Why it could not be tracked or is still in progress.')),
  routes: v.pipe(v.array(v.string()), v.description('Routes that matched; empty when the default destinations applied.')),
  consoleUrl: v.optional(v.pipe(v.string(), v.url())),
});

/** The event as a rule's target receives it: EventBridge's envelope around our entry. */
export const DeliveredInvalidationEventSchema = deliveredEventSchema(
  OUTCOMES.map((outcome) => EVENT_DETAIL_TYPES[outcome]) as [string, ...string[]],
  InvalidationEventDetailSchema,
);

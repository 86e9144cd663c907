/**
 * The event's declaration (see `invalidation-event.ts`): the schema its JSON Schema is generated
 * from (scripts/event-schema.ts) and its exported type is inferred from. Functions and constructs
 * import only that type, so no schema library is in a bundle for it.
 */
import * as v from 'valibot';
import { OUTCOMES } from './notification';
import { EVENT_DETAIL_TYPES, EVENT_LIMITS, EVENT_SOURCE } from './invalidation-event';

const boundedText = (max: number, description?: string) =>
  description ? v.pipe(v.string(), v.maxLength(max), v.description(description)) : v.pipe(v.string(), v.maxLength(max));
const id = v.pipe(v.string(), v.minLength(1), v.maxLength(512));
const time = (description?: string) =>
  description ? v.pipe(v.string(), v.isoTimestamp(), v.description(description)) : v.pipe(v.string(), v.isoTimestamp());
const count = (description: string) => v.pipe(v.number(), v.integer(), v.minValue(0), v.description(description));

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
  status: v.pipe(v.picklist(['InProgress', 'Completed', 'Unknown']), v.description("CloudFront's last known status.")),
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

// A RegExp from a string: the JSON Schema's pattern is its source, with no `\/` escapes.
const TARGET_ARN = new RegExp('^arn:aws[a-z-]*:cloudfront::[0-9]{12}:(distribution|distribution-tenant)/.+$');

/**
 * The event as a rule's target receives it: EventBridge's envelope around our entry. The
 * envelope is EventBridge's, so it stays open to fields EventBridge may add.
 */
export const DeliveredInvalidationEventSchema = v.looseObject({
  version: v.string(),
  id: v.string(),
  'detail-type': v.picklist(OUTCOMES.map((outcome) => EVENT_DETAIL_TYPES[outcome])),
  source: v.literal(EVENT_SOURCE),
  account: v.pipe(v.string(), v.regex(/^[0-9]{12}$/)),
  time: v.pipe(v.string(), v.isoTimestamp()),
  region: v.string(),
  resources: v.pipe(
    v.array(v.pipe(v.string(), v.regex(TARGET_ARN))),
    v.maxLength(1),
    v.description('The distribution or distribution tenant ARN (empty when the CloudTrail event did not name one).'),
  ),
  detail: InvalidationEventDetailSchema,
});

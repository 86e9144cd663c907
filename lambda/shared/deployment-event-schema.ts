/**
 * The deployment event's declaration (see `deployment-event.ts`): the schema its JSON Schema is
 * generated from (scripts/event-schema.ts) and its exported type is inferred from. Functions and
 * constructs import only that type, so no schema library is in a bundle for it.
 */
import * as v from 'valibot';
import { DEPLOYMENT_CALL_NAMES } from './cloudtrail-calls';
import { DEPLOYMENT_DETAIL_TYPE_LIST, DEPLOYMENT_EVENT_STATUSES } from './deployment-event';
import { boundedText, count, deliveredEventSchema, id, time } from './event-schema-parts';
import { EVENT_LIMITS } from './invalidation-event';
import { OUTCOMES } from './notification';
import { MAX_CHANGE_LINES } from './watch-request';

const text = (description: string) => boundedText(EVENT_LIMITS.maxTextChars, description);

/** What the call that started the deployment changed, as far as its CloudTrail record tells. */
const ChangeSchema = v.strictObject({
  call: v.pipe(
    boundedText(EVENT_LIMITS.maxTextChars),
    v.description(`The CloudTrail event name of the call: ${DEPLOYMENT_CALL_NAMES.join(', ')}.`),
  ),
  eTag: v.optional(v.pipe(id, v.description("The version the call made (its answer's ETag)."))),
  changes: v.pipe(
    v.array(boundedText(EVENT_LIMITS.maxTextChars)),
    v.maxLength(MAX_CHANGE_LINES),
    v.description(
      'What the request changed, one line each (e.g. "configuration updated; now:", "aliases: www.example.com", "web ACL associated: arn:..."); for an update, what the configuration is now, never what it was. Empty when the request tells nothing more.',
    ),
  ),
});

/** The `detail` of a deployment event: closed (a field added here is added to the JSON Schema too, or its test fails). */
export const DeploymentEventDetailSchema = v.strictObject({
  version: v.pipe(v.literal(1), v.description("Version of the detail's shape.")),
  outcome: v.picklist(OUTCOMES),
  work: v.pipe(v.literal('deployment'), v.description('What the watch was about: a distribution or tenant deployment.')),
  targetKind: v.optional(
    v.pipe(v.picklist(['distribution', 'tenant']), v.description('Missing only when the CloudTrail event was rejected.')),
  ),
  targetId: v.optional(id),
  targetName: v.optional(
    boundedText(512, "First alternate domain name of the distribution (else its domain name), or the tenant's name and first domain."),
  ),
  change: v.optional(ChangeSchema),
  laterChanges: v.optional(
    v.pipe(
      v.number(),
      v.integer(),
      v.minValue(1),
      v.description(
        'Completed only: the target was deployed together with at least this many later changes (CloudFront reports status per distribution or tenant, not per change).',
      ),
    ),
  ),
  status: v.pipe(v.picklist(DEPLOYMENT_EVENT_STATUSES), v.description("CloudFront's last known status of the distribution or tenant.")),
  changedAt: v.optional(time('Time of the call that made the change.')),
  detectedAt: v.optional(time('Time of the check that saw the outcome.')),
  durationSeconds: v.optional(count('From changedAt to detectedAt (completed only).')),
  createdBy: v.optional(text('IAM principal that made the change.')),
  cloudTrailEventId: v.optional(boundedText(EVENT_LIMITS.maxTextChars)),
  account: v.optional(boundedText(64, 'Account that owns the distribution or tenant.')),
  accountName: v.optional(text('Organization mode: the account with its alias, e.g. "acme-prod (222222222222)".')),
  reason: v.optional(text('Why it could not be tracked or is still in progress.')),
  routes: v.pipe(v.array(v.string()), v.description('Routes that matched; empty when the default destinations applied.')),
  consoleUrl: v.optional(v.pipe(v.string(), v.url(), v.description("The distribution's or tenant's page in the CloudFront console."))),
});

/** The deployment event as a rule's target receives it: EventBridge's envelope around our entry. */
export const DeliveredDeploymentEventSchema = deliveredEventSchema(DEPLOYMENT_DETAIL_TYPE_LIST, DeploymentEventDetailSchema);

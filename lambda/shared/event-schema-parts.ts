/**
 * The pieces both published events are declared with (`invalidation-event-schema.ts`,
 * `deployment-event-schema.ts`): one bound for each kind of field, and EventBridge's envelope,
 * so that the two JSON Schemas say the same thing the same way.
 */
import * as v from 'valibot';
import { EVENT_SOURCE } from './invalidation-event';

export const boundedText = (max: number, description?: string) =>
  description ? v.pipe(v.string(), v.maxLength(max), v.description(description)) : v.pipe(v.string(), v.maxLength(max));
export const id = v.pipe(v.string(), v.minLength(1), v.maxLength(512));
export const time = (description?: string) =>
  description ? v.pipe(v.string(), v.isoTimestamp(), v.description(description)) : v.pipe(v.string(), v.isoTimestamp());
export const count = (description: string) => v.pipe(v.number(), v.integer(), v.minValue(0), v.description(description));

// A RegExp from a string: the JSON Schema's pattern is its source, with no `\/` escapes.
const TARGET_ARN = new RegExp('^arn:aws[a-z-]*:cloudfront::[0-9]{12}:(distribution|distribution-tenant)/.+$');

/**
 * An event as a rule's target receives it: EventBridge's envelope around our entry. The
 * envelope is EventBridge's, so it stays open to fields EventBridge may add.
 */
export function deliveredEventSchema<const DetailTypes extends readonly [string, ...string[]], Detail extends v.GenericSchema>(
  detailTypes: DetailTypes,
  detail: Detail,
) {
  return v.looseObject({
    version: v.string(),
    id: v.string(),
    'detail-type': v.picklist(detailTypes),
    source: v.literal(EVENT_SOURCE),
    account: v.pipe(v.string(), v.regex(/^[0-9]{12}$/)),
    time: v.pipe(v.string(), v.isoTimestamp()),
    region: v.string(),
    resources: v.pipe(
      v.array(v.pipe(v.string(), v.regex(TARGET_ARN))),
      v.maxLength(1),
      v.description('The distribution or distribution tenant ARN (empty when the CloudTrail event did not name one).'),
    ),
    detail,
  });
}

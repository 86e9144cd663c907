/**
 * The event's JSON Schema is generated from its declaration and committed: the two must not
 * differ, every event the code emits must pass both, and the detail is closed, so a field the
 * code emits that the schema does not declare (or the reverse) fails.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import * as v from 'valibot';
import { buildInvalidationEvent } from '../../../lambda/shared/invalidation-event';
import { DeliveredInvalidationEventSchema, InvalidationEventDetailSchema } from '../../../lambda/shared/invalidation-event-schema';
import { buildNotification, OUTCOMES, type WatchState } from '../../../lambda/shared/notification';
import { samplePaths } from '../../../lambda/shared/status-result';
import { eventJsonSchema, eventSchemaPath } from '../../../scripts/event-schema';
import { asDelivered, eventSchemaProblems } from '../../support/event-schema';
import { completedStatus, distributionRequest, hostile } from '../notify/fixtures';

const delivered = (watch: WatchState) => {
  const event = buildInvalidationEvent(watch, buildNotification(watch));
  return asDelivered({ source: event.Source, detailType: event.DetailType, resources: event.Resources, detail: event.Detail });
};

const watches: fc.Arbitrary<WatchState> = fc
  .record({
    outcome: fc.constantFrom(...OUTCOMES),
    text: fc.nat(2_000).map((length) => hostile(length)),
    paths: fc.array(fc.string({ unit: 'binary', maxLength: 1_500 }), { maxLength: 120 }),
    rejected: fc.boolean(),
    withAudience: fc.boolean(),
  })
  .map(({ outcome, text, paths, rejected, withAudience }) => {
    const audience = withAudience
      ? { audience: { destinations: ['bus'], routes: [text, 'web'], targetName: text, accountName: text, routingNote: text } }
      : {};
    if (rejected) return { outcome: 'could-not-track', rejected: { reason: text, eventId: text, createdBy: text }, ...audience };
    return {
      outcome,
      request: { ...distributionRequest, callerReference: text, createdBy: text },
      status: completedStatus(samplePaths(paths, paths.length)),
      ...(outcome === 'could-not-track' ? { error: { Error: 'Boom', Cause: text } } : {}),
      ...audience,
    };
  });

describe('the event JSON Schema', () => {
  it('is the one generated from the declaration (run `npm run schemas` after changing it)', () => {
    expect(JSON.parse(readFileSync(eventSchemaPath('invalidation'), 'utf8'))).toEqual(eventJsonSchema());
  });

  it('closes the detail: no field but the declared ones', () => {
    const schema = eventJsonSchema() as { definitions: { detail: { additionalProperties: boolean; properties: object } } };
    expect(schema.definitions.detail.additionalProperties).toBe(false);
    expect(Object.keys(schema.definitions.detail.properties)).toEqual(Object.keys(InvalidationEventDetailSchema.entries));
  });

  it('accepts every event the code emits, whatever callers wrote (and so does the declaration)', () => {
    fc.assert(
      fc.property(watches, (watch) => {
        const event = delivered(watch);
        expect(eventSchemaProblems(event)).toEqual([]);
        expect(v.safeParse(DeliveredInvalidationEventSchema, event).issues).toBeUndefined();
      }),
      { numRuns: 100 },
    );
  });

  it('refuses a detail field it does not declare: a field added to the code alone fails', () => {
    const event = delivered({ outcome: 'completed', request: distributionRequest });
    const withExtra = { ...event, detail: { ...(event.detail as object), addedWithoutTheSchema: 'x' } };

    expect(eventSchemaProblems(withExtra).join('\n')).toContain('must NOT have additional properties');
    expect(v.safeParse(DeliveredInvalidationEventSchema, withExtra).success).toBe(false);
  });

  it('refuses an event without a field it requires: a field removed from the code fails', () => {
    const event = delivered({ outcome: 'completed', request: distributionRequest });
    const { routes: _routes, ...detail } = event.detail as Record<string, unknown>;

    expect(eventSchemaProblems({ ...event, detail }).join('\n')).toContain("must have required property 'routes'");
  });
});

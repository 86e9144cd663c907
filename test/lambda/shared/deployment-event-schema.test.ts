/**
 * The deployment event's JSON Schema is generated from its declaration and committed beside the
 * invalidation event's: the two must not differ, every event the code emits must pass both, and
 * the detail is closed, so a field the code emits that the schema does not declare (or the
 * reverse) fails.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import * as v from 'valibot';
import { DEPLOYMENT_DETAIL_TYPE_LIST } from '../../../lambda/shared/deployment-event';
import { DeliveredDeploymentEventSchema, DeploymentEventDetailSchema } from '../../../lambda/shared/deployment-event-schema';
import { EVENT_DETAIL_TYPES } from '../../../lambda/shared/invalidation-event';
import { buildNotification, OUTCOMES, type WatchState } from '../../../lambda/shared/notification';
import { buildWatchEvent } from '../../../lambda/shared/watch-event';
import { eventJsonSchema, eventSchemaPath, PUBLISHED_EVENTS, type PublishedEventName } from '../../../scripts/event-schema';
import { asDelivered, deploymentEventSchemaProblems } from '../../support/event-schema';
import { hostile } from '../notify/fixtures';
import {
  createTenantEvent,
  deploymentRequestOf,
  deploymentStatus,
  rejectedDeployment,
  updateDistributionEvent,
} from './deployment-event-fixtures';

const delivered = (watch: WatchState) => {
  const event = buildWatchEvent(watch, buildNotification(watch));
  return asDelivered({ source: event.Source, detailType: event.DetailType, resources: event.Resources, detail: event.Detail });
};

const watches: fc.Arbitrary<WatchState> = fc
  .record({
    outcome: fc.constantFrom(...OUTCOMES),
    tenant: fc.boolean(),
    text: fc.nat(2_000).map((length) => hostile(length)),
    aliases: fc.array(fc.string({ unit: 'binary', maxLength: 2_000 }), { maxLength: 20 }),
    laterChanges: fc.option(fc.integer({ min: 1, max: 50 }), { nil: undefined }),
    rejected: fc.boolean(),
    withAudience: fc.boolean(),
  })
  .map(({ outcome, tenant, text, aliases, laterChanges, rejected, withAudience }) => {
    const audience = withAudience
      ? { audience: { destinations: ['bus'], routes: [text, 'web'], targetName: text, accountName: text, routingNote: text } }
      : {};
    if (rejected) return { outcome: 'could-not-track', rejected: { ...rejectedDeployment(), reason: text, createdBy: text }, ...audience };
    const request = deploymentRequestOf(tenant ? createTenantEvent(text) : updateDistributionEvent(aliases, text));
    return {
      outcome,
      request: { ...request, createdBy: text },
      status: deploymentStatus(outcome === 'completed' ? 'Deployed' : 'InProgress', laterChanges ? { laterChanges } : {}),
      ...(outcome === 'could-not-track' ? { error: { Error: 'Boom', Cause: text } } : {}),
      ...audience,
    };
  });

describe('the deployment event JSON Schema', () => {
  it.each(Object.keys(PUBLISHED_EVENTS) as PublishedEventName[])(
    "the %s event's is the one generated from its declaration (run `npm run schemas` after changing it)",
    (name) => {
      expect(JSON.parse(readFileSync(eventSchemaPath(name), 'utf8'))).toEqual(eventJsonSchema(name));
    },
  );

  it('closes the detail: no field but the declared ones', () => {
    const schema = eventJsonSchema('deployment') as { definitions: { detail: { additionalProperties: boolean; properties: object } } };
    expect(schema.definitions.detail.additionalProperties).toBe(false);
    expect(Object.keys(schema.definitions.detail.properties)).toEqual(Object.keys(DeploymentEventDetailSchema.entries));
  });

  it("shares no detail-type with the invalidation event: a rule for one never receives the other's", () => {
    const invalidationTypes: string[] = Object.values(EVENT_DETAIL_TYPES);
    expect(DEPLOYMENT_DETAIL_TYPE_LIST.filter((type) => invalidationTypes.includes(type))).toEqual([]);
  });

  it('accepts every event the code emits, whatever callers wrote (and so does the declaration)', () => {
    fc.assert(
      fc.property(watches, (watch) => {
        const event = delivered(watch);
        expect(deploymentEventSchemaProblems(event)).toEqual([]);
        expect(v.safeParse(DeliveredDeploymentEventSchema, event).issues).toBeUndefined();
      }),
      { numRuns: 100 },
    );
  });

  it('refuses a detail field it does not declare: a field added to the code alone fails', () => {
    const event = delivered({ outcome: 'completed', request: deploymentRequestOf(updateDistributionEvent()) });
    const withExtra = { ...event, detail: { ...(event.detail as object), addedWithoutTheSchema: 'x' } };

    expect(deploymentEventSchemaProblems(withExtra).join('\n')).toContain('must NOT have additional properties');
    expect(v.safeParse(DeliveredDeploymentEventSchema, withExtra).success).toBe(false);
  });

  it('refuses an event without a field it requires, or with an invalidation status: a field removed or mixed up in the code fails', () => {
    const event = delivered({ outcome: 'completed', request: deploymentRequestOf(updateDistributionEvent()) });
    const { work: _work, ...detail } = event.detail as Record<string, unknown>;

    expect(deploymentEventSchemaProblems({ ...event, detail }).join('\n')).toContain("must have required property 'work'");
    expect(deploymentEventSchemaProblems({ ...event, detail: { ...(event.detail as object), status: 'Completed' } }).join('\n')).toContain(
      'must be equal to one of the allowed values',
    );
  });
});

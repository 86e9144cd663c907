/**
 * Writes the published events' JSON Schemas from their declarations: `npm run schemas`.
 * lambda/shared/invalidation-event.schema.json from lambda/shared/invalidation-event-schema.ts,
 * lambda/shared/deployment-event.schema.json from lambda/shared/deployment-event-schema.ts. The
 * files are committed (users read them and validate against them); the schema tests
 * (test/lambda/shared/*-event-schema.test.ts) fail when a file and its declaration differ.
 */
import { toJsonSchema } from '@valibot/to-json-schema';
import type * as v from 'valibot';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { DeliveredDeploymentEventSchema, DeploymentEventDetailSchema } from '../lambda/shared/deployment-event-schema';
import { DeliveredInvalidationEventSchema, InvalidationEventDetailSchema } from '../lambda/shared/invalidation-event-schema';

/** One published event: its declaration (envelope and detail) and where and how its JSON Schema is published. */
interface PublishedEvent {
  readonly file: string;
  readonly title: string;
  readonly description: string;
  readonly delivered: v.GenericSchema;
  readonly detail: v.GenericSchema;
}

const COMPATIBLE = 'Compatible changes only: fields are added, never renamed or removed.';

export const PUBLISHED_EVENTS = {
  invalidation: {
    file: 'invalidation-event.schema.json',
    title: 'CloudFront invalidation notifier event',
    description: `What the notifier puts on an EventBridge bus when a watch ends, as a rule's target receives it. ${COMPATIBLE}`,
    delivered: DeliveredInvalidationEventSchema,
    detail: InvalidationEventDetailSchema,
  },
  deployment: {
    file: 'deployment-event.schema.json',
    title: 'CloudFront invalidation notifier deployment event',
    description: `What the notifier puts on an EventBridge bus when the watch of a distribution's or tenant's deployment ends, as a rule's target receives it. ${COMPATIBLE}`,
    delivered: DeliveredDeploymentEventSchema,
    detail: DeploymentEventDetailSchema,
  },
} as const satisfies Record<string, PublishedEvent>;
export type PublishedEventName = keyof typeof PUBLISHED_EVENTS;

/** Where the committed JSON Schema of an event is. */
export const eventSchemaPath = (name: PublishedEventName): string =>
  path.join(__dirname, '..', 'lambda', 'shared', PUBLISHED_EVENTS[name].file);

/** The JSON Schema of the event as a rule's target receives it, `detail` kept at `#/definitions/detail` as published. */
export function eventJsonSchema(name: PublishedEventName = 'invalidation'): Record<string, unknown> {
  const published: PublishedEvent = PUBLISHED_EVENTS[name];
  const { $schema, ...envelope } = toJsonSchema(published.delivered) as Record<string, unknown> & {
    properties: Record<string, unknown>;
  };
  const { $schema: _detailSchema, ...detail } = toJsonSchema(published.detail) as Record<string, unknown>;
  return {
    $schema,
    $id: `https://github.com/cloudfront-invalidation-notifier/schema/${published.file}`,
    title: published.title,
    description: published.description,
    ...envelope,
    properties: { ...envelope.properties, detail: { $ref: '#/definitions/detail' } },
    definitions: { detail },
  };
}

/** A file's text (`npm run schemas` then formats it as prettier formats JSON in this repository). */
export const eventSchemaText = (name: PublishedEventName): string => `${JSON.stringify(eventJsonSchema(name), null, 2)}\n`;

if (require.main === module) {
  for (const name of Object.keys(PUBLISHED_EVENTS) as PublishedEventName[]) {
    writeFileSync(eventSchemaPath(name), eventSchemaText(name));
    console.log(`Wrote ${path.relative(process.cwd(), eventSchemaPath(name))}`);
  }
}

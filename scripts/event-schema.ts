/**
 * Writes lambda/shared/invalidation-event.schema.json from the event's declaration
 * (lambda/shared/invalidation-event-schema.ts): `npm run schemas`. The file is committed (users read it
 * and validate against it); test/lambda/shared/invalidation-event-schema.test.ts fails when it
 * and the declaration differ.
 */
import { toJsonSchema } from '@valibot/to-json-schema';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { DeliveredInvalidationEventSchema, InvalidationEventDetailSchema } from '../lambda/shared/invalidation-event-schema';

export const EVENT_SCHEMA_PATH = path.join(__dirname, '..', 'lambda', 'shared', 'invalidation-event.schema.json');

/** The JSON Schema of the event as a rule's target receives it, `detail` kept at `#/definitions/detail` as published. */
export function eventJsonSchema(): Record<string, unknown> {
  const { $schema, ...envelope } = toJsonSchema(DeliveredInvalidationEventSchema) as Record<string, unknown> & {
    properties: Record<string, unknown>;
  };
  const { $schema: _detailSchema, ...detail } = toJsonSchema(InvalidationEventDetailSchema) as Record<string, unknown>;
  return {
    $schema,
    $id: 'https://github.com/cloudfront-invalidation-notifier/schema/invalidation-event.schema.json',
    title: 'CloudFront invalidation notifier event',
    description:
      "What the notifier puts on an EventBridge bus when a watch ends, as a rule's target receives it. Compatible changes only: fields are added, never renamed or removed.",
    ...envelope,
    properties: { ...envelope.properties, detail: { $ref: '#/definitions/detail' } },
    definitions: { detail },
  };
}

/** The file's text, formatted as prettier formats JSON in this repository. */
export const eventSchemaText = (): string => `${JSON.stringify(eventJsonSchema(), null, 2)}\n`;

if (require.main === module) {
  writeFileSync(EVENT_SCHEMA_PATH, eventSchemaText());
  console.log(`Wrote ${path.relative(process.cwd(), EVENT_SCHEMA_PATH)}`);
}

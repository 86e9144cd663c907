import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import deploymentSchema from '../../lambda/shared/deployment-event.schema.json';
import invalidationSchema from '../../lambda/shared/invalidation-event.schema.json';

const ajv = new Ajv({ allErrors: true, strict: true });
addFormats(ajv);
const validateInvalidation = ajv.compile(invalidationSchema);
const validateDeployment = ajv.compile(deploymentSchema);

const problemsOf = (validate: ValidateFunction, event: unknown): string[] =>
  validate(event) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? 'invalid'}`);

/** Problems of an invalidation event as a rule's target would receive it, against the repo's JSON Schema; empty when valid. */
export function eventSchemaProblems(event: unknown): string[] {
  return problemsOf(validateInvalidation, event);
}

/** Problems of a deployment event as a rule's target would receive it, against the repo's JSON Schema; empty when valid. */
export function deploymentEventSchemaProblems(event: unknown): string[] {
  return problemsOf(validateDeployment, event);
}

/** The envelope EventBridge adds around a PutEvents entry. */
export function asDelivered(entry: {
  source: string;
  detailType: string;
  resources: readonly string[];
  detail: unknown;
}): Record<string, unknown> {
  return {
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': entry.detailType,
    source: entry.source,
    account: '123456789012',
    time: '2026-11-21T18:05:39Z',
    region: 'us-east-1',
    resources: entry.resources,
    detail: entry.detail,
  };
}

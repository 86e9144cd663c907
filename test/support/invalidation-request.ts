import { parseWatchRequest, type InvalidationRequest } from '../../lambda/shared/watch-request';

/** parseWatchRequest for an event that must be an invalidation's: its request typed as one. */
export function parseInvalidationRequest(event: unknown): InvalidationRequest {
  const request = parseWatchRequest(event);
  if (request.work === 'deployment') throw new Error(`expected an invalidation's event, got a deployment's (${request.change.call})`);
  return request;
}

/**
 * Probe: a CloudTrail event cut in both fields (no distribution ID left) is found only in an
 * account with at most 19 distributions (or tenants): the search lists every target and then
 * spends one call per target, all under a bound of 20 calls, and does not stop when it has its
 * one candidate. An account with 25 distributions, one invalidation created at the event's time:
 * the biggest deploy goes unwatched again ("could not track: the search stopped at its bound").
 * A SaaS account with hundreds of tenants (README, "1,000 concurrent invalidations") never recovers.
 */
import { CloudFrontClient, ListDistributionsCommand, ListInvalidationsCommand } from '@aws-sdk/client-cloudfront';
import { mockClient } from 'aws-sdk-client-mock';
import cutDistributionEvent from '../../local/fixtures/create-invalidation-cut.json';
import { CloudFrontAccess } from '../../lambda/shared/cloudfront-access';
import { MalformedEventError, parseWatchRequest, type CutEvent } from '../../lambda/shared/watch-request';
import { cutEventRecovery } from '../../lambda/start-watch/recover-cut-event';

const cloudFrontMock = mockClient(CloudFrontClient);
afterEach(() => cloudFrontMock.reset());

function cutOf(event: unknown): CutEvent {
  try {
    parseWatchRequest(structuredClone(event));
  } catch (error) {
    if (error instanceof MalformedEventError && error.cut) return error.cut;
  }
  throw new Error('not a cut event');
}

const at = (seconds: number) => new Date(Date.parse(cutDistributionEvent.detail.eventTime) + seconds * 1000);
const list = (...items: [string, number][]) => ({
  InvalidationList: {
    Items: items.map(([Id, s]) => ({ Id, CreateTime: at(s), Status: 'InProgress' })),
    IsTruncated: false,
    Marker: '',
    MaxItems: 100,
    Quantity: items.length,
  },
});

it('finds the one invalidation created at the event time in an account of 25 distributions', async () => {
  const ids = Array.from({ length: 25 }, (_, i) => `EDIST${String(i).padStart(2, '0')}`);
  cloudFrontMock.on(ListDistributionsCommand).resolves({
    DistributionList: { Items: ids.map((Id) => ({ Id }) as never), IsTruncated: false, Marker: '', MaxItems: 100, Quantity: ids.length },
  });
  cloudFrontMock.on(ListInvalidationsCommand).resolves(list(['IOLD', -86_400]));
  cloudFrontMock.on(ListInvalidationsCommand, { DistributionId: 'EDIST03' }).resolves(list(['IBIG', -2], ['IOLD', -86_400]));

  const recovery = await cutEventRecovery(new CloudFrontAccess({ clientConfig: {} }))(cutOf(cutDistributionEvent));

  expect(recovery).toMatchObject({ request: { target: { id: 'EDIST03' }, invalidationId: 'IBIG' } });
});

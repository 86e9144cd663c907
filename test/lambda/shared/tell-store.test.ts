/**
 * The tell store's bursts against a real table (dynalite): what makes a burst end, whatever
 * rhythm the invalidations arrive in.
 */
import { MAX_BURST_SPAN_MS } from '../../../lambda/shared/tell-store';
import { T0, useTellTable } from '../../support/tell-table';

const table = useTellTable();

describe('a burst', () => {
  it('stops taking joiners MAX_BURST_SPAN_MS after its first, so a steady trickle (one every 5 s, window 10 s) never makes one endless burst', async () => {
    const windowMs = 10_000;
    const bursts = new Map<string, number[]>();
    // An hour of one invalidation every 5 s: each joins within the window of the one before.
    for (let atMs = T0; atMs < T0 + 3600_000; atMs += 5_000) {
      const { burstId } = await table.store().join('hook', 'creator:alice', `exec-${atMs}`, atMs, windowMs, atMs);
      bursts.set(burstId, [...(bursts.get(burstId) ?? []), atMs]);
    }
    expect(MAX_BURST_SPAN_MS).toBeLessThanOrEqual(30 * 60_000);
    for (const starts of bursts.values()) expect(starts.at(-1)! - starts[0]!).toBeLessThanOrEqual(MAX_BURST_SPAN_MS);
    expect(bursts.size).toBeGreaterThanOrEqual(Math.ceil(3600_000 / MAX_BURST_SPAN_MS));
  }, 60_000);

  it('still takes a joiner that started late (registered after later ones) within the window', async () => {
    const a = await table.store().join('hook', 'creator:alice', 'exec-a', T0, 10_000, T0);
    const b = await table.store().join('hook', 'creator:alice', 'exec-b', T0 + 8_000, 10_000, T0 + 8_000);
    const late = await table.store().join('hook', 'creator:alice', 'exec-late', T0 + 2_000, 10_000, T0 + 9_000);
    expect(new Set([a.burstId, b.burstId, late.burstId]).size).toBe(1);
  });
});

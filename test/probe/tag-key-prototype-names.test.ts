/**
 * Probe: a tag condition whose key is a name every JavaScript object has ("constructor",
 * "prototype", "__proto__") is dropped by valibot's record without a word, so the route matches
 * more than configured (the wrong team hears). "constructor" is a legal AWS tag key.
 */
import { loadConfig } from '../../lib/config';

const withTags = (tags: string) => ({
  destinations: { payments: { type: 'sns' } },
  routes: [{ match: { tags: JSON.parse(tags) as object }, destinations: ['payments'] }],
  defaultDestinations: [],
});

describe('tag keys that are prototype names', () => {
  it.each(['constructor', 'prototype', '__proto__'])('keeps the condition on tag %s, or refuses it by name', (key) => {
    let match: unknown;
    try {
      match = loadConfig(withTags(`{"${key}": "x", "team": "payments"}`)).routing!.routes[0]!.match;
    } catch (error) {
      expect((error as Error).message).toContain(key);
      return;
    }
    expect(match).toEqual({ tags: { [key]: 'x', team: 'payments' } });
  });
});

/**
 * The generators themselves: generated events carry keys such as `__proto__`; a helper that read
 * or wrote them as `node[key]` reached Object.prototype of the realm structuredClone makes objects
 * in, and every schema of the rest of the run failed ("valueSchema.~run is not a function").
 */
import { withValue } from './arbitraries';

it('never writes through __proto__, not even where the key is not the event’s own', () => {
  // Act
  const copy = withValue(JSON.parse('{"detail": {}}'), ['detail', '__proto__', 'polluted'], 1) as { detail: Record<string, unknown> };

  // Assert
  const realmPrototype = Object.getPrototypeOf(structuredClone({})) as Record<string, unknown>;
  const polluted = realmPrototype.polluted;
  delete realmPrototype.polluted;
  expect(polluted).toBeUndefined();
  expect(Object.hasOwn(copy.detail, '__proto__')).toBe(true);
});

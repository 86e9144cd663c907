import * as fc from 'fast-check';
import {
  compileGlob,
  globMatches,
  parseRouteTable,
  parseRuntimeDestinations,
  route,
  routeMatches,
  type GlobWork,
  type RouteTable,
} from '../../../lambda/shared/routing';

const TABLE: RouteTable = {
  routes: [
    { name: 'website', match: { distributionIds: ['E2QWRUHAPOMQZL'] }, destinations: ['web-teams', 'automation'] },
    { name: 'payments', match: { tags: { team: 'payments' } }, destinations: ['payments-slack', 'automation'] },
    { name: 'payments CI', match: { createdBy: ['payments-ci-*'] }, destinations: ['payments-slack'] },
  ],
  defaultDestinations: ['ops-chat', 'email'],
};

describe('route', () => {
  const config = parseRouteTable(JSON.stringify(TABLE));

  it('sends an invalidation once to every destination any matching route names, in order of first mention', () => {
    const decision = route(config, {
      targetKind: 'distribution',
      targetId: 'E2QWRUHAPOMQZL',
      tags: { team: 'payments' },
      creators: ['alice'],
    });
    expect(decision).toEqual({ destinations: ['web-teams', 'automation', 'payments-slack'], routes: ['website', 'payments'] });
  });

  it('sends an unmatched invalidation to the default destinations only', () => {
    expect(route(config, { targetKind: 'distribution', targetId: 'EOTHER12345', tags: { team: 'web' }, creators: ['alice'] })).toEqual({
      destinations: ['ops-chat', 'email'],
      routes: [],
    });
  });

  it('matches a creator glob against any of the principal name or ARN', () => {
    const decision = route(config, {
      targetKind: 'tenant',
      targetId: 'dt_1',
      creators: ['payments-ci-role/run-7', 'arn:aws:sts::123456789012:assumed-role/payments-ci-role/run-7'],
    });
    expect(decision.destinations).toEqual(['payments-slack']);
  });

  it('never matches a tag route when the tags could not be read', () => {
    expect(routeMatches({ tags: { team: 'payments' } }, { targetKind: 'distribution', targetId: 'E1', creators: [] })).toBe(false);
  });

  it('does not match a distribution ID route for a tenant with the same ID, nor the reverse', () => {
    expect(routeMatches({ distributionIds: ['E2QWRUHAPOMQZL'] }, { targetKind: 'tenant', targetId: 'E2QWRUHAPOMQZL', creators: [] })).toBe(
      false,
    );
    expect(routeMatches({ tenantIds: ['dt_abc'] }, { targetKind: 'distribution', targetId: 'dt_abc', creators: [] })).toBe(false);
  });

  it('requires every key of a match, and treats glob metacharacters other than * literally', () => {
    const match = { distributionIds: ['E2QWRUHAPOMQZL'], createdBy: ['deploy.role'] };
    expect(routeMatches(match, { targetKind: 'distribution', targetId: 'E2QWRUHAPOMQZL', creators: ['deploy.role'] })).toBe(true);
    expect(routeMatches(match, { targetKind: 'distribution', targetId: 'E2QWRUHAPOMQZL', creators: ['deployXrole'] })).toBe(false);
    expect(routeMatches(match, { targetKind: 'distribution', targetId: 'EOTHER12345', creators: ['deploy.role'] })).toBe(false);
  });

  it('matches a route on kinds of work: deployments to one channel, invalidations (the default work) to another', () => {
    const byKind = parseRouteTable(
      JSON.stringify({
        routes: [
          { name: 'deploys', match: { kinds: ['deployment'] }, destinations: ['deploys-slack'] },
          { name: 'caches', match: { kinds: ['invalidation'], distributionIds: ['E2QWRUHAPOMQZL'] }, destinations: ['web-teams'] },
        ],
        defaultDestinations: ['email'],
      }),
    );
    const facts = { targetKind: 'distribution' as const, targetId: 'E2QWRUHAPOMQZL', creators: ['alice'] };

    expect(route(byKind, { ...facts, work: 'deployment' })).toEqual({ destinations: ['deploys-slack'], routes: ['deploys'] });
    expect(route(byKind, { ...facts, work: 'invalidation' })).toEqual({ destinations: ['web-teams'], routes: ['caches'] });
    expect(route(byKind, facts)).toEqual({ destinations: ['web-teams'], routes: ['caches'] });
    expect(() =>
      parseRouteTable(JSON.stringify({ routes: [{ match: { kinds: ['deploys'] }, destinations: [] }], defaultDestinations: [] })),
    ).toThrow();
  });

  it('drops unmatched invalidations when defaultDestinations is empty', () => {
    const minimal = { routes: [{ match: { distributionIds: ['E2QWRUHAPOMQZL'] }, destinations: ['web-teams'] }], defaultDestinations: [] };
    expect(route(minimal, { targetKind: 'distribution', targetId: 'EOTHER12345', creators: [] }).destinations).toEqual([]);
  });
});

describe('the runtime contracts', () => {
  it('refuse an environment the construct did not write', () => {
    expect(() => parseRouteTable('{"routes": {}}')).toThrow();
    expect(() => parseRuntimeDestinations('{"a": {"type": "sns"}}')).toThrow();
    expect(parseRuntimeDestinations('{"a": {"type": "sns", "topicArn": "arn"}}')).toEqual({ a: { type: 'sns', topicArn: 'arn' } });
  });
});

/** The definition: `*` is any run of characters, everything else itself (exhaustive, quadratic). */
function reference(glob: string, text: string): boolean {
  const fits = (g: number, t: number): boolean => {
    if (g === glob.length) return t === text.length;
    if (glob[g] === '*') return fits(g + 1, t) || (t < text.length && fits(g, t + 1));
    return t < text.length && glob[g] === text[t] && fits(g + 1, t + 1);
  };
  return fits(0, 0);
}

describe('createdBy globs', () => {
  it('agree with the definition of a glob', () => {
    const letters = fc.constantFrom('a', 'b', '*', '.');
    fc.assert(
      fc.property(
        fc.string({ unit: letters, maxLength: 8 }),
        fc.string({ unit: fc.constantFrom('a', 'b', '.'), maxLength: 10 }),
        (glob, text) => {
          expect(globMatches(compileGlob(glob), text)).toBe(reference(glob, text));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('match in work linear in the creator: a 10-star glob costs about what a plain prefix glob does', () => {
    // Prepare: what makes a backtracking matcher try every split (n^k steps).
    const creator = 'a'.repeat(1_000);
    const adversarial = compileGlob('*a*a*a*a*a*a*a*a*a*a');
    const adversarialMiss = compileGlob('*a*a*a*a*a*a*a*a*a*ab');
    const trivial = compileGlob('a*');
    const work = (glob: readonly string[], text: string): number => {
      const counted: GlobWork = { comparisons: 0 };
      globMatches(glob, text, counted);
      return counted.comparisons;
    };

    // Act
    const matched = globMatches(adversarial, creator);
    const missed = globMatches(adversarialMiss, `${creator}c`);

    // Assert
    expect(matched).toBe(true);
    expect(missed).toBe(false);
    expect(work(adversarial, creator)).toBeLessThanOrEqual(2 * creator.length);
    expect(work(compileGlob('*ab*ab*ab*ab*ab*ab*ab*ab*ab*abc'), 'ab'.repeat(500))).toBeLessThanOrEqual(4 * creator.length);
    expect(work(adversarialMiss, `${creator}c`)).toBeLessThanOrEqual(10 * Math.max(1, work(trivial, creator)));
  });
});

describe('tag keys named like prototype members (the route table in the environment)', () => {
  const table = (key: string) =>
    parseRouteTable(`{"routes": [{"match": {"tags": {"${key}": "x"}}, "destinations": ["a"]}], "defaultDestinations": []}`);

  it.each(['constructor', 'prototype', '__proto__', 'toString', 'hasOwnProperty'])(
    'keeps the condition on tag %s and matches it by own keys only',
    (key) => {
      const { match } = table(key).routes[0]!;
      expect(Object.keys(match.tags!)).toEqual([key]);
      expect(routeMatches(match, { creators: [], tags: {} })).toBe(false);
      expect(routeMatches(match, { creators: [], tags: { team: 'payments' } })).toBe(false);
      expect(routeMatches(match, { creators: [], tags: JSON.parse(`{"${key}": "y"}`) as Record<string, string> })).toBe(false);
      expect(routeMatches(match, { creators: [], tags: JSON.parse(`{"${key}": "x"}`) as Record<string, string> })).toBe(true);
    },
  );

  it('still refuses a tag value that is not a string, at its place', () => {
    expect(() =>
      parseRouteTable('{"routes": [{"match": {"tags": {"team": 1}}, "destinations": ["a"]}], "defaultDestinations": []}'),
    ).toThrow();
  });
});

import fc from 'fast-check';
import { fitMembers } from '../../../lambda/notify/burst-list';
import {
  BURST_LIMITS,
  LIST_ORDER,
  buildBurstNotification,
  burstMemberOf,
  memberLabel,
  memberStatus,
  phaseOf,
  type BurstMember,
  type BurstNotification,
  type PhaseCounts,
} from '../../../lambda/shared/burst-notification';
import {
  IN_PROGRESS,
  OUTCOMES,
  buildNotification,
  buildProgressNotification,
  type MessagePhase,
} from '../../../lambda/shared/notification';
import { burstFactsOf, burstKeyFor, burstKeyOf } from '../../../lambda/shared/bursts';
import type { RuntimeDestination } from '../../../lambda/shared/routing';
import { utf8Bytes } from '../../../lambda/shared/text';
import {
  burstMembers,
  completedStatus,
  deploymentStates,
  distributionRequest,
  hostileBurstMembers,
  tenantRequest,
  updateRequest,
} from '../notify/fixtures';
import { samplePaths } from '../../../lambda/shared/status-result';

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const STARTED = '2026-11-21T18:02:27.000Z';
const sum = (counts: PhaseCounts) => Object.values(counts).reduce((total, n) => total + n, 0);

describe('buildProgressNotification', () => {
  const status = { ...completedStatus(samplePaths(['/index.html', '/app.js'], 2)), status: 'InProgress' as const };

  it('says the invalidation is in progress, with the facts, paths and console link its outcome will have', () => {
    // Act
    const progress = buildProgressNotification({ request: distributionRequest, status });
    const completed = buildNotification({ outcome: 'completed', request: distributionRequest, status });

    // Assert
    expect(progress.outcome).toBe(IN_PROGRESS);
    expect(progress.title).toBe('CloudFront invalidation in progress');
    expect(progress.summary).toBe('CloudFront invalidation I2J0I21PCUYOIK on distribution E2QWRUHAPOMQZL is in progress.');
    expect(progress.facts).toEqual(completed.facts.filter((fact) => fact.label !== 'Took'));
    expect(progress.paths).toEqual(completed.paths);
    expect(progress.consoleUrl).toBe(completed.consoleUrl);
    expect(progress).not.toHaveProperty('durationSeconds');
  });

  it('is no outcome: the public list of outcomes does not name it', () => {
    // Assert
    expect(OUTCOMES).not.toContain(IN_PROGRESS);
  });
});

describe('burstMemberOf', () => {
  it('keeps what a list needs of a completed watch: IDs, name, creator, duration, console link and path count', () => {
    // Act
    const member = burstMemberOf(
      {
        outcome: 'completed',
        request: distributionRequest,
        status: completedStatus(samplePaths(['/a', '/b'], 2)),
        audience: { destinations: ['team'], routes: [], targetName: 'www.example.com' },
      },
      STARTED,
    );

    // Assert
    expect(member).toEqual({
      invalidationId: 'I2J0I21PCUYOIK',
      targetId: 'E2QWRUHAPOMQZL',
      targetKind: 'distribution',
      targetName: 'www.example.com',
      createdBy: 'github-actions-deploy/deploy-web-1342',
      startedAt: STARTED,
      outcome: 'completed',
      durationSeconds: 192,
      consoleUrl: buildNotification({ outcome: 'completed', request: distributionRequest }).consoleUrl,
      pathCount: 2,
    });
  });

  it('has no outcome while the watch runs, and the reason when it could not be tracked', () => {
    // Act
    const running = burstMemberOf({ request: distributionRequest }, STARTED);
    const failed = burstMemberOf(
      { outcome: 'could-not-track', request: distributionRequest, error: { Error: 'CloudFrontAccessDenied', Cause: 'denied' } },
      STARTED,
    );

    // Assert
    expect(running).not.toHaveProperty('outcome');
    expect(phaseOf(running)).toBe(IN_PROGRESS);
    expect(failed.reason).toBe('CloudFrontAccessDenied: denied');
  });

  it('holds no undefined value (DynamoDB refuses them)', () => {
    // Act
    const member = burstMemberOf({ outcome: 'could-not-track', rejected: { reason: 'bad', eventId: 'e-1' } }, STARTED);

    // Assert
    expect(Object.values(member)).not.toContain(undefined);
    expect(member).toEqual({
      startedAt: STARTED,
      outcome: 'could-not-track',
      reason: 'the CloudTrail event was rejected: bad',
      pathCount: 0,
    });
  });

  it('stays under 1 KB as the store keeps it, on one line, with hostile text in every field', () => {
    // Act
    const members = hostileBurstMembers(8);

    // Assert
    for (const member of members) {
      expect(utf8Bytes(JSON.stringify(member))).toBeLessThan(1024);
      for (const value of Object.values(member))
        if (typeof value === 'string') {
          expect(value).not.toMatch(CONTROL);
          expect(value).not.toMatch(LONE_SURROGATE);
        }
    }
    expect(members.map(phaseOf)).toEqual([
      'completed',
      'still-in-progress',
      'could-not-track',
      IN_PROGRESS,
      ...Array(4).fill(expect.anything()),
    ]);
  });
});

describe('buildBurstNotification', () => {
  it('sums up a live burst in one sentence that stands alone: "27 of 40 completed", failures and running', () => {
    // Prepare
    const completed = Array.from({ length: 27 }, () =>
      burstMemberOf({ outcome: 'completed', request: distributionRequest, status: completedStatus(samplePaths([], 0)) }, STARTED),
    );
    const failed = Array.from({ length: 2 }, () => burstMemberOf({ outcome: 'could-not-track', request: distributionRequest }, STARTED));
    const running = Array.from({ length: 11 }, () => burstMemberOf({ request: distributionRequest }, STARTED));

    // Act
    const burst = buildBurstNotification({ kind: 'live', members: [...completed, ...failed, ...running], total: 40, by: 'alice' });

    // Assert
    expect(burst.summary).toBe('27 of 40 CloudFront invalidations by alice completed; 2 could not be tracked; 11 running.');
    expect(burst.listed.map(phaseOf).slice(0, 3)).toEqual(['could-not-track', 'could-not-track', IN_PROGRESS]);
  });

  it('is done when every member has ended, and says so in its title', () => {
    // Act
    const allCompleted = buildBurstNotification({ kind: 'live', members: burstMembers(5).slice(0, 5), total: 5 });
    const withFailures = buildBurstNotification({ kind: 'live', members: burstMembers(10), total: 10 });

    // Assert
    expect(allCompleted).toMatchObject({ done: true, title: 'CloudFront invalidations completed' });
    expect(withFailures).toMatchObject({ done: true, title: 'CloudFront invalidations ended' });
  });

  it('sums up a digest: how many of the burst it reports, how many were told on their own, whether more follow', () => {
    // Act
    const digest = buildBurstNotification({
      kind: 'digest',
      members: burstMembers(37),
      total: 300,
      separately: 3,
      digestNumber: 2,
      by: 'alice',
    });
    const last = buildBurstNotification({
      kind: 'digest',
      members: burstMembers(1),
      total: 300,
      separately: 1,
      digestNumber: 9,
      final: true,
    });

    // Assert
    expect(digest.title).toBe('CloudFront invalidations: digest 2');
    expect(digest.summary).toBe(
      '37 of 300 CloudFront invalidations by alice ended: 3 could not be tracked, 1 still in progress when the watch stopped, 33 completed. 3 were told on their own. More will follow.',
    );
    expect(last.title).toBe('CloudFront invalidations: digest 9 (last)');
    expect(last.summary).toMatch(/1 was told on its own\. The burst has ended\.$/);
  });

  it('names the slowest completed member', () => {
    // Act
    const burst = buildBurstNotification({ kind: 'digest', members: burstMembers(60), total: 60 });

    // Assert: each completed member took a second more than the one before; the 60th is completed.
    expect(burst.slowest?.invalidationId).toBe('I1059');
    expect(burst.slowest?.durationSeconds).toBe(Math.max(...burstMembers(60).map((member) => member.durationSeconds ?? 0)));
  });

  it('lists at most its bound, failures first, and counts the rest by state', () => {
    // Act
    const burst = buildBurstNotification({ kind: 'digest', members: burstMembers(1000), total: 1000 });

    // Assert
    expect(burst.listed).toHaveLength(BURST_LIMITS.listedMembers);
    expect(burst.listed.slice(0, 100).every((member) => member.outcome === 'could-not-track')).toBe(true);
    expect(burst.omitted['could-not-track']).toBe(0);
    expect(burst.omitted.completed + burst.omitted['still-in-progress']).toBe(900);
  });

  it('bounds by and keeps it on one line', () => {
    // Act
    const burst = buildBurstNotification({ kind: 'live', members: [], total: 0, by: `evil\n${'x'.repeat(500)}` });

    // Assert
    expect(burst.summary).not.toMatch(CONTROL);
    expect(burst.summary.length).toBeLessThan(200);
  });
});

const phaseArbitrary: fc.Arbitrary<MessagePhase> = fc.constantFrom(...OUTCOMES, IN_PROGRESS);
const memberArbitrary: fc.Arbitrary<BurstMember> = fc
  .record({ phase: phaseArbitrary, duration: fc.option(fc.nat({ max: 100_000 }), { nil: undefined }), id: fc.string({ maxLength: 20 }) })
  .map(({ phase, duration, id }) => ({
    invalidationId: `I${id}`,
    startedAt: STARTED,
    pathCount: 1,
    ...(phase === IN_PROGRESS ? {} : { outcome: phase }),
    ...(phase === 'completed' && duration !== undefined ? { durationSeconds: duration } : {}),
  }));
const inputArbitrary = fc.record({
  kind: fc.constantFrom('live' as const, 'digest' as const),
  // Up to two and a half times the list's bound, so the cut is exercised as often as not.
  members: fc.array(memberArbitrary, { maxLength: 250, size: 'max' }),
  extra: fc.nat({ max: 50 }),
});

/**
 * Every member given is in exactly one place: listed once, or counted once among the omitted of
 * its phase. Plain checks rather than matchers: fast-check runs it thousands of times to shrink.
 */
function expectAccounted(members: readonly BurstMember[], burst: BurstNotification, listed: readonly BurstMember[], omitted: PhaseCounts) {
  const given = new Set(members);
  const problems: string[] = [];
  if (new Set(listed).size !== listed.length) problems.push('a member is listed twice');
  if (!listed.every((member) => given.has(member))) problems.push('a member listed was not given');
  if (listed.length + sum(omitted) !== members.length)
    problems.push(`${listed.length} listed + ${sum(omitted)} omitted != ${members.length} given`);
  for (const phase of LIST_ORDER) {
    const inPhase = members.filter((member) => phaseOf(member) === phase).length;
    const listedInPhase = listed.filter((member) => phaseOf(member) === phase).length;
    if (listedInPhase + omitted[phase] !== inPhase)
      problems.push(`${phase}: ${listedInPhase} listed + ${omitted[phase]} omitted != ${inPhase}`);
    if (burst.counts[phase] !== inPhase) problems.push(`${phase}: counted ${burst.counts[phase]}, given ${inPhase}`);
  }
  if (problems.length > 0) throw new Error(problems.join('; '));
}

describe('buildBurstNotification: every member accounted for exactly once (property)', () => {
  it('lists or counts each member given, in the list order, and names the slowest', () => {
    fc.assert(
      fc.property(inputArbitrary, ({ kind, members, extra }) => {
        // Act
        const burst = buildBurstNotification({ kind, members, total: members.length + extra });

        // Assert
        expectAccounted(members, burst, burst.listed, burst.omitted);
        expect(burst.listed.length).toBeLessThanOrEqual(BURST_LIMITS.listedMembers);
        const ranks = burst.listed.map((member) => LIST_ORDER.indexOf(phaseOf(member)));
        expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
        const durations = members.filter((member) => member.outcome === 'completed' && member.durationSeconds !== undefined);
        expect(burst.slowest?.durationSeconds).toBe(
          durations.length > 0 ? Math.max(...durations.map((m) => m.durationSeconds!)) : undefined,
        );
      }),
      { numRuns: 200 },
    );
  });

  it('still accounts for each once when a renderer cuts the list further to fit its budget', () => {
    fc.assert(
      fc.property(inputArbitrary, fc.nat({ max: 5_000 }), ({ kind, members }, room) => {
        // Prepare
        const burst = buildBurstNotification({ kind, members, total: members.length });

        // Act
        const list = fitMembers(burst, { line: (member) => `${phaseOf(member)} ${member.invalidationId}`, maxChars: 200 + room });

        // Assert
        expectAccounted(members, burst, burst.listed.slice(0, list.shown), list.omitted);
        expect(list.lines.join('\n').length).toBeLessThanOrEqual(200 + room);
        const more = /^… and (\d+) more: /.exec(list.lines.at(-1) ?? '');
        expect(more ? Number(more[1]) : 0).toBe(sum(list.omitted));
      }),
      { numRuns: 200 },
    );
  });
});

describe('a deployment in a burst', () => {
  it('is stored as a member with its kind, change and later changes, and no paths', () => {
    // Act
    const member = burstMemberOf(deploymentStates().withLater, '2026-11-21T18:02:27.000Z');

    // Assert
    expect(member).toMatchObject({
      work: 'deployment',
      targetId: 'EDFDVBD6EXAMPLE',
      change: 'UpdateDistribution',
      laterChanges: 1,
      pathCount: 0,
    });
    expect(member.invalidationId).toBeUndefined();
    expect(`${memberLabel(member)} · ${memberStatus(member)}`).toBe(
      'www.example.com (EDFDVBD6EXAMPLE) UpdateDistribution · deployed in about 4 min, together with 1 later change',
    );
  });

  it.each([
    ['running', 'deploying since 2026-11-21 18:02:27 UTC'],
    ['stillInProgress', 'still deploying after 1 h 0 min; no longer watched'],
    ['couldNotTrack', 'could not be tracked: DeploymentNotTrackable: NoSuchDistribution: '],
  ] as const)('says what became of a deployment %s in its own words', (phase, status) => {
    // Act
    const member = burstMemberOf(deploymentStates()[phase], '2026-11-21T18:02:27.000Z');

    // Assert
    expect(memberStatus(member).startsWith(status)).toBe(true);
  });

  it('keeps an invalidation member as it was: no kind, no change', () => {
    // Act
    const member = burstMembers(1)[0]!;

    // Assert
    expect(member).not.toHaveProperty('work');
    expect(member.change).toBeUndefined();
    expect(memberStatus(member)).toMatch(/^completed in about /);
  });
});

describe('burstKeyFor', () => {
  const slack: RuntimeDestination = {
    type: 'slack',
    secretId: 'hook',
    burst: { windowSeconds: 10, maxSeparate: 3, digestEverySeconds: 60, by: 'creator' },
  };
  const by = (key: 'creator' | 'caller-reference-prefix' | 'destination'): RuntimeDestination => ({
    ...slack,
    burst: { ...slack.burst!, by: key },
  });

  it.each(['creator', 'caller-reference-prefix', 'destination'] as const)(
    'puts the deployments and the invalidations of one creator in different bursts (by %s)',
    (key) => {
      // Act
      const deployment = burstKeyFor(by(key), burstFactsOf({ ...updateRequest, createdBy: 'alice' }), 'w1');
      const invalidation = burstKeyFor(
        by(key),
        burstFactsOf({ ...distributionRequest, createdBy: 'alice', createdByArn: updateRequest.createdByArn }),
        'w2',
      );

      // Assert
      expect(deployment).not.toBe(invalidation);
      expect(deployment).toBe(`deployment:${invalidation.replace(/^reference:.*/, `creator:${updateRequest.createdByArn}`)}`);
    },
  );

  it('keys two deployments of one creator together, and an invalidation as before deployments were watched', () => {
    // Act
    const first = burstKeyFor(slack, burstFactsOf(updateRequest), 'w1');
    const second = burstKeyFor(slack, burstFactsOf(tenantRequest), 'w2');
    const invalidation = burstKeyFor(slack, burstFactsOf({ ...distributionRequest }), 'w3');

    // Assert
    expect(first).toBe(second);
    expect(first).toBe('deployment:creator:arn:aws:sts::123456789012:assumed-role/platform-deploy/alice');
    expect(invalidation).toBe(`creator:${distributionRequest.createdByArn}`);
  });

  it('keys a rejected deployment event with the deployments', () => {
    // Act
    const key = burstKeyOf('creator', burstFactsOf({ reason: 'no distribution ID', eventId: 'e', work: 'deployment', createdBy: 'alice' }));

    // Assert
    expect(key).toBe('deployment:creator:alice');
  });
});

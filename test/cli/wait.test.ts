/**
 * `wait` and `invalidate` as a pipeline runs them: child processes against the loopback
 * CloudFront, in compressed time (NOTIFIER_CLI_TIME_SCALE), their exit status, stderr and
 * `--json` read as a script would.
 */
import { CloudFrontEmulator, type EmulatedInvalidation, type RateLimit } from '../../local/cloudfront-emulator';
import { EXIT } from '../../cli/exit-codes';
import { FAILURE_BACKOFF } from '../../cli/follow';
import type { FollowReport } from '../../cli/watch';
import { DEFAULT_POLL_SCHEDULE } from '../../lambda/shared/schedule';
import { cliEnv, runCli, startCli } from './run-cli';

const DISTRIBUTION = 'E2QWRUHAPOMQZL';
const TENANT = 'dt_2abcTenant01';
const INVALIDATION = 'I2J0I21PCUYOIK';

let emulator: CloudFrontEmulator;
let url: string;
/** The emulator's watch clock: seconds since the first check, in the command's compressed time. */
let scale: number;
let firstCheckAt: number | undefined;

async function startEmulator(options: { rateLimit?: RateLimit } = {}) {
  emulator = new CloudFrontEmulator({
    ...options,
    clock: () => {
      firstCheckAt ??= Date.now();
      return ((Date.now() - firstCheckAt) * scale) / 1000;
    },
  });
  url = await emulator.start();
}

beforeEach(async () => {
  scale = 100;
  firstCheckAt = undefined;
  await startEmulator();
});

afterEach(async () => {
  await emulator.stop();
});

const invalidation = (overrides: Partial<EmulatedInvalidation> = {}): EmulatedInvalidation => ({
  kind: 'distribution',
  targetId: DISTRIBUTION,
  invalidationId: INVALIDATION,
  paths: ['/index.html', '/assets/*'],
  ...overrides,
});

const env = (extra: { noCredentials?: boolean } = {}) => cliEnv({ endpoints: { CLOUDFRONT: url }, timeScale: scale, ...extra });
const waitArgs = ['wait', '--distribution-id', DISTRIBUTION, '--invalidation-id', INVALIDATION];

describe('wait for an invalidation', () => {
  it('exits 0 once CloudFront answers Completed, after as many checks as it took', async () => {
    // Arrange
    emulator.add(invalidation({ inProgressChecks: 3 }));

    // Act
    const run = await runCli(waitArgs, env());

    // Assert
    expect(run.stderr).toContain(`Completed: invalidation ${INVALIDATION} of distribution ${DISTRIBUTION}`);
    expect(run.stderr).toContain('4 checks, 0 throttled; 2 paths');
    expect(run.code).toBe(EXIT.completed);
    expect(emulator.callsFor(INVALIDATION).map((call) => call.answer)).toEqual(['InProgress', 'InProgress', 'InProgress', 'Completed']);
    expect(run.stdout).toBe('');
  });

  it('checks on the schedule: one check per interval, not more', async () => {
    // Arrange: completes 60 s into the watch (in the command's time)
    emulator.add(invalidation({ completesAtSecond: 60 }));

    // Act
    const run = await runCli(waitArgs, env());

    // Assert: about 60 / 4 checks (a round trip adds to each interval in compressed time, never removes)
    expect(run.code).toBe(EXIT.completed);
    const checks = emulator.callsFor(INVALIDATION).length;
    expect(checks).toBeGreaterThanOrEqual(5);
    expect(checks).toBeLessThanOrEqual(60 / DEFAULT_POLL_SCHEDULE.firstIntervalSeconds + 2);
  });

  it('gives up at --timeout with exit 2 on a 40-minute invalidation, saying it goes on', async () => {
    // Arrange
    emulator.add(invalidation({ completesAtSecond: 40 * 60 }));

    // Act
    const run = await runCli([...waitArgs, '--timeout', '5m', '--json'], env());

    // Assert
    expect(run.stderr).toMatch(
      new RegExp(`Timed out: invalidation ${INVALIDATION} of distribution ${DISTRIBUTION} was still InProgress after 5 min`),
    );
    expect(run.stderr).toContain('run the same command again to keep waiting');
    expect(run.code).toBe(EXIT.timedOut);
    const report = JSON.parse(run.stdout) as FollowReport;
    expect(report).toMatchObject({ outcome: 'timed-out', exitCode: EXIT.timedOut, status: { status: 'InProgress' } });
    expect(report.elapsedSeconds).toBeGreaterThanOrEqual(300);
    expect(report.elapsedSeconds).toBeLessThan(330);
    expect(emulator.callsFor(INVALIDATION).every((call) => call.answer === 'InProgress')).toBe(true);
  });

  it('does not give up without --timeout: the same 40-minute invalidation completes (the CLI waiter stops at 10)', async () => {
    // Arrange: 40 minutes in 4 real seconds
    scale = 600;
    emulator.add(invalidation({ completesAtSecond: 40 * 60 }));

    // Act
    const run = await runCli([...waitArgs, '--json'], env());

    // Assert
    expect(run.code).toBe(EXIT.completed);
    const report = JSON.parse(run.stdout) as FollowReport;
    expect(report.outcome).toBe('completed');
    expect(report.elapsedSeconds).toBeGreaterThanOrEqual(40 * 60);
  });

  it('exits 1 when the invalidation does not exist, saying which and what to check', async () => {
    // Arrange: the distribution has another invalidation, not this one
    emulator.add(invalidation({ invalidationId: 'IOTHER' }));

    // Act
    const run = await runCli([...waitArgs, '--json'], env());

    // Assert
    expect(run.stderr).toContain(`Could not track invalidation ${INVALIDATION} of distribution ${DISTRIBUTION}: NoSuchInvalidation`);
    expect(run.stderr).toContain(`aws cloudfront list-invalidations --distribution-id ${DISTRIBUTION}`);
    expect(run.code).toBe(EXIT.couldNotTrack);
    expect(JSON.parse(run.stdout)).toMatchObject({
      outcome: 'could-not-track',
      exitCode: 1,
      status: null,
      error: { code: 'NoSuchInvalidation' },
    });
    expect(emulator.callsFor(INVALIDATION)).toHaveLength(1);
  });

  it('exits 1 when the distribution does not exist, and when access is denied, each with its advice', async () => {
    // Arrange / Act
    const missing = await runCli(waitArgs, env());
    emulator.add(invalidation());
    emulator.forceNext({ status: 403, code: 'AccessDenied', message: 'User is not authorized to perform: cloudfront:GetInvalidation' });
    const denied = await runCli(waitArgs, env());

    // Assert
    expect(missing.code).toBe(EXIT.couldNotTrack);
    expect(missing.stderr).toContain('NoSuchDistribution');
    expect(missing.stderr).toContain(`No distribution ${DISTRIBUTION} in the account of these credentials`);
    expect(denied.code).toBe(EXIT.couldNotTrack);
    expect(denied.stderr).toContain('may not call cloudfront:GetInvalidation on the distribution');
  });

  it('exits 1 without credentials, saying how to give them, without asking CloudFront', async () => {
    // Arrange
    emulator.add(invalidation());

    // Act
    const run = await runCli(waitArgs, env({ noCredentials: true }));

    // Assert
    expect(run.code).toBe(EXIT.couldNotTrack);
    expect(run.stderr).toContain('No AWS credentials were found');
    expect(emulator.calls).toHaveLength(0);
  });

  it('slows down while CloudFront throttles, and still completes', async () => {
    // Arrange: three throttled answers in a row, then the invalidation is answered
    emulator.add(invalidation({ inProgressChecks: 1 }));
    emulator.forceNext(...Array.from({ length: 3 }, () => ({ status: 400, code: 'Throttling', message: 'Rate exceeded' })));

    // Act
    const run = await runCli([...waitArgs, '--json'], env());

    // Assert
    expect(run.code).toBe(EXIT.completed);
    const report = JSON.parse(run.stdout) as FollowReport;
    expect(report).toMatchObject({ outcome: 'completed', throttled: 3, checks: 5 });
    // The waits after failures grow: the third is at least the doubled backoff's fixed half, far above the schedule's interval.
    const at = emulator.callsFor(INVALIDATION).map((call) => call.at);
    const gapsSeconds = at.slice(1).map((time, i) => ((time - at[i]!) * scale) / 1000);
    const interval = DEFAULT_POLL_SCHEDULE.firstIntervalSeconds;
    expect(gapsSeconds[2]).toBeGreaterThanOrEqual(Math.min(FAILURE_BACKOFF.maxSeconds, interval * FAILURE_BACKOFF.rate ** 3) / 2);
    expect(gapsSeconds[2]).toBeGreaterThan(2 * interval);
    expect(gapsSeconds[3]!).toBeLessThan(gapsSeconds[2]!);
  });

  it('rides out answers that never arrive (reset, cut, 503) like the functions do', async () => {
    // Arrange
    emulator.add(invalidation({ inProgressChecks: 1 }));
    emulator.forceNext({ blip: 'reset' }, { blip: 'truncated-xml' }, { status: 503, code: 'ServiceUnavailable' });

    // Act
    const run = await runCli([...waitArgs, '--json'], env());

    // Assert
    expect(run.code).toBe(EXIT.completed);
    expect(JSON.parse(run.stdout)).toMatchObject({ outcome: 'completed', checks: 5, throttled: 0 });
  });

  it("follows a distribution tenant's invalidation with GetInvalidationForDistributionTenant", async () => {
    // Arrange
    emulator.add(invalidation({ kind: 'tenant', targetId: TENANT, inProgressChecks: 1 }));

    // Act
    const run = await runCli(['wait', '--tenant-id', TENANT, '--invalidation-id', INVALIDATION], env());

    // Assert
    expect(run.stderr).toContain(`Completed: invalidation ${INVALIDATION} of distribution tenant ${TENANT}`);
    expect(run.code).toBe(EXIT.completed);
    expect(emulator.callsFor(INVALIDATION).map((call) => call.operation)).toEqual([
      'GetInvalidationForDistributionTenant',
      'GetInvalidationForDistributionTenant',
    ]);
  });

  it('prints the final status as JSON on stdout with --json, and nothing else there', async () => {
    // Arrange
    emulator.add(invalidation({ paths: ['/a <b>.html', '/c'] }));

    // Act
    const run = await runCli([...waitArgs, '--json'], env());

    // Assert
    const report = JSON.parse(run.stdout) as FollowReport;
    expect(report).toEqual({
      outcome: 'completed',
      exitCode: 0,
      work: 'invalidation',
      target: { kind: 'distribution', id: DISTRIBUTION },
      invalidationId: INVALIDATION,
      status: expect.objectContaining({ status: 'Completed', paths: { total: 2, sample: ['/a <b>.html', '/c'] } }),
      elapsedSeconds: expect.any(Number),
      checks: 1,
      throttled: 0,
    });
  });

  it('stops at Ctrl-C with exit 130, saying the invalidation goes on', async () => {
    // Arrange
    scale = 1;
    emulator.add(invalidation({ inProgressChecks: 1_000 }));
    const cli = startCli(waitArgs, env());
    await until(() => emulator.callsFor(INVALIDATION).length >= 1);

    // Act
    cli.child.kill('SIGINT');
    const run = await cli.done;

    // Assert
    expect(run.stderr).toContain(`Stopped following invalidation ${INVALIDATION} of distribution ${DISTRIBUTION} after`);
    expect(run.stderr).toContain('It goes on in CloudFront.');
    expect(run.code).toBe(EXIT.interrupted);
  });
});

describe('wait for a deployment', () => {
  it('exits 0 when the distribution reads Deployed', async () => {
    // Arrange
    emulator.describe({ kind: 'distribution', id: DISTRIBUTION, deployment: { eTag: 'E3VERSION0001', inProgressChecks: 2 } });

    // Act
    const run = await runCli(['wait', '--distribution-id', DISTRIBUTION, '--deployment', '--json'], env());

    // Assert
    expect(run.stderr).toContain(`Deployed: deployment of distribution ${DISTRIBUTION}`);
    expect(run.code).toBe(EXIT.completed);
    expect(JSON.parse(run.stdout)).toMatchObject({ work: 'deployment', outcome: 'completed', status: { status: 'Deployed' }, checks: 3 });
    expect(emulator.deploymentChecksFor('distribution', DISTRIBUTION).map((call) => call.answer)).toEqual([
      'InProgress',
      'InProgress',
      'Deployed',
    ]);
  });

  it('says a version given with --etag deployed together with a later change', async () => {
    // Arrange: the tenant is at a later version than the one waited for
    emulator.describe({ kind: 'tenant', id: TENANT, deployment: { eTag: 'E3VERSION0002', inProgressChecks: 1 } });

    // Act
    const run = await runCli(['wait', '--tenant-id', TENANT, '--deployment', '--etag', 'E3VERSION0001'], env());

    // Assert
    expect(run.code).toBe(EXIT.completed);
    expect(run.stderr).toContain(
      `Deployed: deployment of distribution tenant ${TENANT} (version E3VERSION0001), together with 1 later change`,
    );
  });

  it('exits 1 when the distribution does not exist', async () => {
    // Arrange
    emulator.describe({ kind: 'distribution', id: 'EOTHER', deployment: { eTag: 'E3VERSION0001' } });

    // Act
    const run = await runCli(['wait', '--distribution-id', DISTRIBUTION, '--deployment'], env());

    // Assert
    expect(run.code).toBe(EXIT.couldNotTrack);
    expect(run.stderr).toContain('NoSuchDistribution');
  });
});

describe('invalidate', () => {
  beforeEach(() => {
    emulator.describe({ kind: 'distribution', id: DISTRIBUTION });
    emulator.describe({ kind: 'tenant', id: TENANT });
  });

  it('creates the invalidation and prints its ID on stdout, for a script to capture', async () => {
    // Act
    const run = await runCli(['invalidate', '--distribution-id', DISTRIBUTION, '--paths', '/index.html', '/assets/*'], env());

    // Assert
    expect(run.code).toBe(EXIT.completed);
    const id = run.stdout.trim();
    expect(id).toMatch(/^I[0-9A-Z]+$/);
    expect(run.stderr).toContain(`Created invalidation ${id} of 2 paths (caller reference cloudfront-invalidation-notifier-`);
  });

  it("with --wait, follows it to Completed; a tenant's with the tenant API", async () => {
    // Act
    const run = await runCli(
      ['invalidate', '--tenant-id', TENANT, '--paths', '/*', '--caller-reference', 'deploy-42', '--wait', '--json'],
      env(),
    );

    // Assert
    expect(run.code).toBe(EXIT.completed);
    const report = JSON.parse(run.stdout) as FollowReport;
    expect(report).toMatchObject({
      outcome: 'completed',
      target: { kind: 'tenant', id: TENANT },
      status: { status: 'Completed', paths: { total: 1 } },
    });
    expect(emulator.callsFor(report.invalidationId!)[0]!.operation).toBe('GetInvalidationForDistributionTenant');
  });

  it('with --wait, prints the ID on stdout too (as without it), before following, so a script has it whatever the wait says', async () => {
    // Act
    const run = await runCli(['invalidate', '--distribution-id', DISTRIBUTION, '--paths', '/index.html', '--wait'], env());

    // Assert
    expect(run.code).toBe(EXIT.completed);
    expect(run.stdout).toMatch(/^I[0-9A-Z]+\n$/);
    expect(run.stderr).toContain(`Completed: invalidation ${run.stdout.trim()} of distribution ${DISTRIBUTION}`);
  });

  it('exits 1 when CloudFront refuses to create it, naming the distribution', async () => {
    // Act
    const run = await runCli(['invalidate', '--distribution-id', 'EUNKNOWN', '--paths', '/x'], env());

    // Assert
    expect(run.code).toBe(EXIT.couldNotTrack);
    expect(run.stderr).toContain('Could not create the invalidation on distribution EUNKNOWN');
    expect(run.stderr).toContain('NoSuchDistribution');
    expect(run.stdout).toBe('');
  });
});

describe('bad arguments', () => {
  it.each([
    [
      ['wait', '--invalidation-id', INVALIDATION],
      'give the distribution (--distribution-id E...) or the distribution tenant (--tenant-id dt_...)',
    ],
    [['wait', '--distribution-id', DISTRIBUTION], 'give the invalidation (--invalidation-id I...) or --deployment'],
    [[...waitArgs, '--timeout', '5x'], "option '--timeout <duration>' argument '5x' is invalid"],
    [[...waitArgs, '--timeout', '0'], "option '--timeout <duration>' argument '0' is invalid"],
    [[...waitArgs, '--tenant-id', TENANT], "option '--distribution-id <id>' cannot be used with option '--tenant-id <id>'"],
    [
      ['wait', '--distribution-id', 'E1 2', '--invalidation-id', INVALIDATION],
      "option '--distribution-id <id>' argument 'E1 2' is invalid",
    ],
    [[...waitArgs, '--deployment'], "option '--invalidation-id <id>' cannot be used with option '--deployment'"],
    [[...waitArgs, '--etag', 'E1'], '--etag goes with --deployment'],
    [[...waitArgs, '--verbose'], "unknown option '--verbose'"],
    [
      ['invalidate', '--distribution-id', DISTRIBUTION, '--paths', 'index.html'],
      'argument \'index.html\' is invalid. "index.html" does not start with "/"',
    ],
    [['invalidate', '--distribution-id', DISTRIBUTION], "required option '--paths <paths...>' not specified"],
    [['invalidate', '--distribution-id', DISTRIBUTION, '--paths', '/a', '--timeout', '5m'], '--timeout goes with --wait'],
    [['watch'], "unknown command 'watch'"],
    // An ID is one word of letters, digits, _ and - (as the help says), so no path, query or option slips through.
    [
      ['wait', '--distribution-id', '../E1', '--invalidation-id', INVALIDATION],
      "option '--distribution-id <id>' argument '../E1' is invalid",
    ],
    [['wait', '--distribution-id', 'E1%2F..', '--invalidation-id', INVALIDATION], "argument 'E1%2F..' is invalid"],
    [
      ['wait', '--distribution-id', DISTRIBUTION, '--invalidation-id', 'I1?x=1'],
      "option '--invalidation-id <id>' argument 'I1?x=1' is invalid",
    ],
    [['wait', '--tenant-id', 'dt_é', '--invalidation-id', INVALIDATION], "option '--tenant-id <id>' argument 'dt_é' is invalid"],
    [
      ['wait', '--distribution-id', '--invalidation-id', INVALIDATION],
      "option '--distribution-id <id>' argument '--invalidation-id' is invalid",
    ],
    [
      ['wait', '--distribution-id', DISTRIBUTION, '--deployment', '--etag', 'E1/../x'],
      "option '--etag <version>' argument 'E1/../x' is invalid",
    ],
    [
      ['invalidate', '--distribution-id', DISTRIBUTION, '--paths', '/a', '--caller-reference', ''],
      "option '--caller-reference <text>' argument '' is invalid",
    ],
    [['invalidate', '--distribution-id', DISTRIBUTION, '--paths', '/a\nb'], 'argument \'/a b\' is invalid. "/a b" has a control character'],
  ])('%j is a usage error (exit 64) naming the argument, and asks nothing of AWS', async (args, message) => {
    // Act
    const run = await runCli(args, env());

    // Assert
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain('(add --help for usage)');
    expect(run.code).toBe(EXIT.usage);
    expect(emulator.calls).toHaveLength(0);
  });

  it('never echoes a control character or a whole 10 KB value from the command line in its usage error', async () => {
    // Arrange: values that would recolour the terminal, set its title, clear it, or flood it
    const hostile = [
      ['wait', '--distribution-id', 'E1\x1b[2J\x1b]0;pwned\x07', '--invalidation-id', INVALIDATION],
      [...waitArgs, '--timeout', '\x1b[31m5x'],
      [...waitArgs, '--\x1b[31mverbose'],
      ['\x1b[31mwatch'],
      ['invalidate', '--distribution-id', DISTRIBUTION, '--paths', 'x\x1b[31m\u202e'],
      ['wait', '--distribution-id', 'E'.repeat(10_000), '--invalidation-id', INVALIDATION],
    ];

    for (const args of hostile) {
      // Act
      const run = await runCli(args, env());

      // Assert
      expect(run.code).toBe(EXIT.usage);
      expect(run.stderr).toContain('(add --help for usage)');
      // eslint-disable-next-line no-control-regex -- matching control characters is the point
      expect(run.stderr).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/u);
      expect(run.stderr.length).toBeLessThan(1_000);
    }
    expect(emulator.calls).toHaveLength(0);
  });

  it('--help of each command shows its options, an example and the exit statuses', async () => {
    for (const command of ['wait', 'invalidate']) {
      // Act
      const run = await runCli([command, '--help'], env());

      // Assert
      expect(run.code).toBe(EXIT.completed);
      expect(run.stdout).toContain(`Usage: cloudfront-invalidation-notifier ${command} [options]`);
      expect(run.stdout).toContain('--timeout <duration>');
      expect(run.stdout).toContain(`$ npx cloudfront-invalidation-notifier ${command}`);
      expect(run.stdout).toContain('130  interrupted (Ctrl-C)');
    }
  });
});

async function until(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('the condition did not hold in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

import * as v from 'valibot';
import { LoopStateSchema, MAX_PACE } from '../../../bench/express-loop/express-loop-state';
import { LAST_ERROR_MAX_CHARS, PATH_SAMPLE_LIMITS, StatusResultSchema, samplePaths } from '../../../lambda/shared/status-result';

const pathsOf = (count: number, make: (i: number) => string): string[] => Array.from({ length: count }, (_, i) => make(i));
const utf8Bytes = (paths: readonly string[]) => paths.reduce((sum, path) => sum + Buffer.byteLength(path, 'utf8'), 0);

describe('samplePaths', () => {
  it('keeps every path of a small invalidation, in order', () => {
    // Prepare
    const items = ['/index.html', '/assets/app-*.js', '#product-123'];

    // Act
    const result = samplePaths(items, 3);

    // Assert
    expect(result).toEqual({ total: 3, sample: items });
  });

  it('keeps at most maxPaths paths and still counts them all', () => {
    // Prepare
    const items = pathsOf(3000, (i) => `/p/${i}`);

    // Act
    const result = samplePaths(items, 3000);

    // Assert
    expect(result.sample).toHaveLength(PATH_SAMPLE_LIMITS.maxPaths);
    expect(result.sample).toEqual(items.slice(0, PATH_SAMPLE_LIMITS.maxPaths));
    expect(result.total).toBe(3000);
  });

  it('keeps the sample within maxBytes of UTF-8, counting multi-byte characters as bytes', () => {
    // Prepare: 150 paths of 502 characters but 1,000 bytes each (é is two bytes in UTF-8).
    const items = pathsOf(150, (i) => `/${String(i).padStart(3, '0')}${'é'.repeat(498)}`);
    expect(Buffer.byteLength(items[0]!, 'utf8')).toBe(1000);

    // Act
    const result = samplePaths(items);

    // Assert
    expect(utf8Bytes(result.sample)).toBeLessThanOrEqual(PATH_SAMPLE_LIMITS.maxBytes);
    expect(result.sample).toHaveLength(Math.floor(PATH_SAMPLE_LIMITS.maxBytes / 1000));
    expect(result.total).toBe(150);
  });

  it('cuts a path longer than maxPathLength and marks the cut with …', () => {
    // Prepare
    const long = `/${'a'.repeat(5000)}`;

    // Act
    const result = samplePaths([long, '/short']);

    // Assert
    expect(result.sample[0]).toHaveLength(PATH_SAMPLE_LIMITS.maxPathLength);
    expect(result.sample[0]!.endsWith('…')).toBe(true);
    expect(long.startsWith(result.sample[0]!.slice(0, -1))).toBe(true);
    expect(result.sample[1]).toBe('/short');
  });

  it('leaves a path of exactly maxPathLength characters whole', () => {
    // Prepare
    const exact = `/${'b'.repeat(PATH_SAMPLE_LIMITS.maxPathLength - 1)}`;

    // Act
    const result = samplePaths([exact]);

    // Assert
    expect(result.sample).toEqual([exact]);
  });

  it('never cuts a long path between the halves of a surrogate pair', () => {
    const [path] = samplePaths(['/a' + '😀'.repeat(1100)]).sample;
    expect(path!.endsWith('😀…')).toBe(true);
    expect(path).not.toMatch(/[\ud800-\udbff]…$/);
  });

  it('leaves a path of at most maxPathLength code points whole, even when its UTF-16 length is larger', () => {
    // Prepare: 600 emoji are 1,200 UTF-16 units but 600 characters.
    const emoji = `/${'😀'.repeat(600)}`;

    // Act
    const result = samplePaths([emoji]);

    // Assert
    expect(result.sample).toEqual([emoji]);
  });

  it('counts the Quantity CloudFront reports when it is larger than the items it returned', () => {
    // Act
    const result = samplePaths(['/a', '/b'], 3000);

    // Assert
    expect(result).toEqual({ total: 3000, sample: ['/a', '/b'] });
  });

  it('counts the items when Quantity is missing or smaller', () => {
    // Act
    const missing = samplePaths(['/a', '/b', '/c']);
    const smaller = samplePaths(['/a', '/b', '/c'], 1);

    // Assert
    expect(missing.total).toBe(3);
    expect(smaller.total).toBe(3);
  });

  it('returns an empty sample when CloudFront returned no items', () => {
    // Act
    const none = samplePaths(undefined);
    const countOnly = samplePaths(undefined, 12);

    // Assert
    expect(none).toEqual({ total: 0, sample: [] });
    expect(countOnly).toEqual({ total: 12, sample: [] });
  });
});

describe('the watch state schemas', () => {
  const worstStatus = {
    status: 'Unknown',
    // Characters JSON writes as six bytes each (\u0001), at every bound.
    lastError: '\u0001'.repeat(LAST_ERROR_MAX_CHARS),
    createTime: '2026-11-21T18:02:27.000Z',
    checkedAt: '2026-11-21T19:02:27.000Z',
    elapsedSeconds: 3600,
    paths: samplePaths(
      pathsOf(3000, () => '\u0001'.repeat(PATH_SAMPLE_LIMITS.maxPathLength)),
      3000,
    ),
    detectionBoundSeconds: 4,
  };
  const loop = {
    pace: MAX_PACE,
    checks: 900,
    throttledChecks: 900,
    nextCheckInSeconds: 270,
    deadlinePassed: false,
    runOver: true,
    deferredSeconds: 270,
  };

  it('keeps the largest state they accept well inside the 262,144-byte limit of a state', () => {
    // Act
    const parsed = { loop: v.parse(LoopStateSchema, loop), status: v.parse(StatusResultSchema, worstStatus) };

    // Assert: room left for the request and the audience.
    expect(Buffer.byteLength(JSON.stringify(parsed), 'utf8')).toBeLessThan(262_144 / 2);
  });

  it('keeps the loop state apart from the answer: neither declares the other’s fields', () => {
    // Act
    const loopKeys = Object.keys(LoopStateSchema.entries);
    const statusKeys = Object.keys(StatusResultSchema.entries);

    // Assert
    expect(loopKeys.filter((key) => statusKeys.includes(key))).toEqual([]);
    expect(statusKeys).not.toContain('pace');
    expect(loopKeys).not.toContain('paths');
  });

  it.each<[string, object]>([
    ['a lastError over its bound', { ...worstStatus, lastError: 'x'.repeat(LAST_ERROR_MAX_CHARS + 1) }],
    ['a checkedAt that is not a time', { ...worstStatus, checkedAt: 'soon' }],
    [
      'a sample of more than maxPaths paths',
      { ...worstStatus, paths: { total: 9999, sample: pathsOf(PATH_SAMPLE_LIMITS.maxPaths + 1, () => '/a') } },
    ],
  ])('refuses %s', (_name, status) => {
    expect(v.safeParse(StatusResultSchema, status).success).toBe(false);
  });
});

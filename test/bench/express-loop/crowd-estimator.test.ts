import { CrowdEstimator } from '../../../bench/express-loop/crowd-estimator';

const at = (seconds: number) => seconds * 1000;

describe('CrowdEstimator', () => {
  it('gives no estimate while CloudFront has not throttled: nothing to share', () => {
    const crowd = new CrowdEstimator();
    for (let i = 0; i < 100; i++) crowd.record(`inv-${i}`, 'accepted', at(i * 0.1));

    expect(crowd.estimate(at(10))).toBeUndefined();
  });

  it('estimates the fair interval as watches / accepted calls per second', () => {
    // Prepare: 300 watches checked within 60 s, 5 calls per second accepted, the rest throttled.
    const crowd = new CrowdEstimator(60);
    for (let second = 0; second < 60; second++) {
      for (let i = 0; i < 5; i++) crowd.record(`inv-${(second * 5 + i) % 300}`, 'accepted', at(second));
      crowd.record(`inv-${second}`, 'throttled', at(second));
    }

    // Act
    const estimate = crowd.estimate(at(60))!;

    // Assert
    expect(estimate.watches).toBe(300);
    expect(estimate.acceptedPerSecond).toBeCloseTo(5, 1);
    expect(estimate.fairIntervalSeconds).toBeCloseTo(60, 0);
  });

  it('does not depend on the share of the crowd a container sees', () => {
    const whole = new CrowdEstimator();
    const tenth = new CrowdEstimator();
    for (let second = 0; second < 30; second++) {
      for (let i = 0; i < 10; i++) {
        const key = `inv-${(second * 10 + i) % 200}`;
        whole.record(key, i % 2 === 0 ? 'throttled' : 'accepted', at(second));
        if (Number(key.slice(4)) % 10 === 0) tenth.record(key, i % 2 === 0 ? 'throttled' : 'accepted', at(second));
      }
    }
    const ratio = tenth.estimate(at(30))!.fairIntervalSeconds / whole.estimate(at(30))!.fairIntervalSeconds;

    expect(ratio).toBeGreaterThan(0.7);
    expect(ratio).toBeLessThan(1.3);
  });

  it('does not mistake a burst for an infinite rate, nor a blocked API for a zero one', () => {
    const burst = new CrowdEstimator(60, 10);
    for (let i = 0; i < 1000; i++) burst.record(`inv-${i}`, i >= 10 ? 'throttled' : 'accepted', at(0));

    const estimate = burst.estimate(at(0))!;

    // 10 accepted over the minimum span of 10 s: 1 per second, so 1,000 watches -> 1,000 s.
    expect(estimate.acceptedPerSecond).toBe(1);
    expect(estimate.fairIntervalSeconds).toBe(1000);
    const blocked = new CrowdEstimator();
    blocked.record('inv-1', 'throttled', at(0));
    expect(blocked.estimate(at(1))!.acceptedPerSecond).toBe(0.5);
  });

  it('forgets what is older than its window', () => {
    const crowd = new CrowdEstimator(60);
    crowd.record('inv-1', 'throttled', at(0));

    expect(crowd.estimate(at(59))).toBeDefined();
    expect(crowd.estimate(at(61))).toBeUndefined();
  });

  it('counts a deferred first check in the crowd but not in the rate CloudFront accepted', () => {
    const crowd = new CrowdEstimator(60, 10);
    for (let i = 0; i < 10; i++) crowd.record(`inv-${i}`, i === 0 ? 'throttled' : 'accepted', at(0));
    const before = crowd.estimate(at(0))!;

    for (let i = 10; i < 20; i++) crowd.record(`inv-${i}`, 'deferred', at(0));
    const after = crowd.estimate(at(0))!;

    expect(after.watches).toBe(before.watches + 10);
    expect(after.acceptedPerSecond).toBe(before.acceptedPerSecond);
  });

  it('leaves finished watches out of the crowd, and the rate they were accepted at in', () => {
    const crowd = new CrowdEstimator(60, 10);
    for (let i = 0; i < 10; i++) crowd.record(`inv-${i}`, i === 0 ? 'throttled' : 'accepted', at(0));

    for (let i = 0; i < 5; i++) crowd.finish(`inv-${i}`);

    expect(crowd.estimate(at(1))).toMatchObject({ watches: 5, acceptedPerSecond: 0.9 });
  });
});

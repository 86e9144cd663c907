import { NO_USAGE, addUsage, chargesOf, chargesPer1000, checkerFixedMonthly, expressGbSeconds, totalOf } from '../../bench/costs';
import { PRICES } from '../../bench/prices';

const memory = { checker: 256, notify: 128 };

it('prices every charge of a usage at its price, Lambda at each function memory with 100 ms billed per call', () => {
  const usage = {
    ...NO_USAGE,
    standardTransitions: 10,
    lambdaCalls: { checker: 4, notify: 2 },
    sqsRequests: 12,
    dynamoDbReadUnits: 8,
    dynamoDbWriteUnits: 3,
  };
  const charges = Object.fromEntries(chargesOf(usage, memory).map((charge) => [charge.item, charge.usd]));
  expect(charges['Step Functions Standard transitions']).toBeCloseTo(10 * 0.000025, 12);
  expect(charges['Lambda requests, checker']).toBeCloseTo(4 * 0.2e-6, 12);
  // 256 MB costs twice 128 MB per billed ms.
  expect(charges['Lambda duration, checker (256 MB)']).toBeCloseTo(4 * 100 * 0.0000000017 * 2, 12);
  expect(charges['Lambda duration, notify (128 MB)']).toBeCloseTo(2 * 100 * 0.0000000017, 12);
  expect(charges['SQS requests']).toBeCloseTo(12 * 0.4e-6, 12);
  expect(charges['DynamoDB read request units']).toBeCloseTo(8 * 0.125e-6, 12);
  expect(charges['DynamoDB write request units']).toBeCloseTo(3 * 0.625e-6, 12);
  expect(totalOf(chargesOf(usage, memory))).toBeCloseTo(
    Object.values(charges).reduce((sum, usd) => sum + usd, 0),
    12,
  );
});

it('bills each Express run its duration plus its checks, rounded up to 100 ms, at 64 MB', () => {
  // 10 s + 3 checks x 100 ms = 10.3 s; 0.05 s + 0 checks rounds up to 0.1 s.
  expect(
    expressGbSeconds([
      { seconds: 10, checks: 3 },
      { seconds: 0.05, checks: 0 },
    ]),
  ).toBeCloseTo((10.3 + 0.1) * (64 / 1024), 9);
  const charges = chargesOf({ ...NO_USAGE, expressRuns: [{ seconds: 10, checks: 3 }] }, memory);
  expect(charges.find((charge) => charge.item === 'Express requests')!.usd).toBeCloseTo(PRICES.expressRequest, 12);
});

it('refuses a function it has no memory size for, rather than pricing it at a guess', () => {
  expect(() => chargesOf({ ...NO_USAGE, lambdaCalls: { mystery: 1 } }, memory)).toThrow(/mystery/);
});

it('sums usages, Express runs kept apart (each is rounded on its own)', () => {
  const a = { ...NO_USAGE, lambdaCalls: { checker: 1 }, expressRuns: [{ seconds: 1, checks: 0 }], sqsRequests: 2 };
  const b = { ...NO_USAGE, lambdaCalls: { checker: 2, notify: 1 }, expressRuns: [{ seconds: 2, checks: 1 }], sqsRequests: 3 };
  expect(addUsage(a, b)).toEqual({
    ...NO_USAGE,
    lambdaCalls: { checker: 3, notify: 1 },
    expressRuns: [...a.expressRuns, ...b.expressRuns],
    sqsRequests: 5,
  });
});

it("prices the checker's fixed cost per month: a watchdog call a minute and the idle polls", () => {
  const { charges, total } = checkerFixedMonthly({ ...NO_USAGE, lambdaCalls: { checker: 1 }, dynamoDbReadUnits: 1 }, 648_000, memory);
  const perCall = 0.2e-6 + 100 * 0.0000000017 * 2 + 0.125e-6;
  expect(total).toBeCloseTo(43_200 * perCall + 648_000 * 0.4e-6, 9);
  expect(charges.map((charge) => charge.item)).toContain('idle SQS long polls of the tick queue');
});

it('prices 1,000 watches like the given ones: each charge of their summed usage, per watch, times 1,000', () => {
  const one = { ...NO_USAGE, standardTransitions: 10, sqsRequests: 3 };
  const other = { ...NO_USAGE, standardTransitions: 20, sqsRequests: 9 };
  const charges = Object.fromEntries(chargesPer1000([one, other], memory).map((charge) => [charge.item, charge.usd]));
  expect(charges['Step Functions Standard transitions']).toBeCloseTo(1000 * 15 * 0.000025, 12);
  expect(charges['SQS requests']).toBeCloseTo(1000 * 6 * 0.4e-6, 12);
  expect(totalOf(chargesPer1000([], memory))).toBe(0);
});

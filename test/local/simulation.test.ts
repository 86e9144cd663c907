/**
 * The offline notifier's one clock (local/simulation.ts): it stands still while tracked work
 * runs, jumps to the next timer when nothing does, and reads like the real clock.
 */
import { Simulation } from '../../local/simulation';

it('reads in whole milliseconds, as Date.now() does, whatever fraction a wait had', async () => {
  // Arrange
  const sim = new Simulation({ startMs: 1_750_000_000_000.25 });
  const restore = sim.installDate();
  try {
    // Act: waits of fractional seconds, as jittered retries draw them.
    await sim.sleep(1.3717);
    const afterOne = Date.now();
    await sim.sleep(0.0004);
    const afterTwo = Date.now();

    // Assert
    expect(Number.isInteger(afterOne)).toBe(true);
    expect(Number.isInteger(afterTwo)).toBe(true);
    expect(afterOne).toBe(1_750_000_000_000 + 1372);
    expect(afterTwo).toBeGreaterThan(afterOne);
    expect(Number.isInteger(new Date().getTime())).toBe(true);
  } finally {
    restore();
  }
});

it('stands still while tracked work runs, then jumps to the next timer', async () => {
  // Arrange
  const sim = new Simulation({ startMs: 0 });
  const seen: number[] = [];

  // Act
  const work = sim.track(async () => {
    await new Promise((resolve) => setTimeout(resolve, 20));
    seen.push(sim.now());
  });
  const timer = sim.sleep(60).then(() => seen.push(sim.now()));
  await Promise.all([work, timer]);

  // Assert: the work saw the clock at 0 however long it took; the timer fired at 60 s.
  expect(seen).toEqual([0, 60_000]);
});

it('fires timers at one instant in the order they were set, and is idle when none is left', async () => {
  // Arrange
  const sim = new Simulation({ startMs: 0 });
  const order: string[] = [];

  // Act
  sim.at(5_000, () => order.push('b'));
  sim.at(1_000, () => order.push('a'));
  sim.at(5_000, () => order.push('c'));
  await sim.idle();

  // Assert
  expect(order).toEqual(['a', 'b', 'c']);
  expect(sim.now()).toBe(5_000);
  expect(sim.pendingTimers).toBe(0);
});

/**
 * One virtual clock for everything the offline notifier runs: executions, their Wait states and
 * task tokens, the queue's delayed messages, the handlers' `Date`, the emulators' rate limits.
 *
 * Discrete-event time: the clock stands still while anything runs (a handler, an emulator's
 * answer) and jumps to the next timer when nothing does. A watch that waits an hour takes no
 * real time, and what happens "at once" (a thousand watches registering in the same second)
 * happens at one virtual instant, whatever the CPU's speed: runs are repeatable and their
 * delays exact. Work that time must not pass during is marked with {@link Simulation.track};
 * timers are {@link Simulation.sleep} and {@link Simulation.at}. The clock advances by itself
 * (a driver starts with the first timer), so callers simply await what they started.
 *
 * "Nothing runs" is decided by the count of tracked work and a few turns of the event loop
 * with that count at zero: the interpreter moves from state to state in promise callbacks,
 * which all run before the next turn.
 */
export interface SimulationOptions {
  /** Virtual ms since the epoch at the start. @default the real clock's now */
  readonly startMs?: number;
}

interface Timer {
  readonly atMs: number;
  readonly seq: number;
  readonly fire: () => void;
}

/** Event-loop turns with no tracked work before the clock may jump. */
const SETTLE_TURNS = 3;

export class Simulation {
  private nowMs: number;
  private timers: Timer[] = [];
  private seq = 0;
  private running = 0;
  private driving = false;
  private readonly idleWaiters: (() => void)[] = [];
  private restoreDate?: () => void;

  constructor(options: SimulationOptions = {}) {
    this.nowMs = Math.floor(options.startMs ?? Date.now());
  }

  /** Virtual ms since the epoch. */
  now(): number {
    return this.nowMs;
  }

  /** Work in progress: the clock stands still until it settles. */
  async track<T>(work: () => Promise<T>): Promise<T> {
    this.running++;
    try {
      return await work();
    } finally {
      this.running--;
    }
  }

  /** Resolves when the clock has advanced `seconds` (0: at the next jump, after everything now running). */
  sleep(seconds: number): Promise<void> {
    return new Promise((resolve) => this.at(this.nowMs + Math.max(0, seconds) * 1000, resolve));
  }

  /**
   * Calls `fire` when the clock reaches `atMs` (at once when it is past: at the next jump).
   * Returns the cancel. Times are whole milliseconds, as the real clock's are: a jittered wait
   * of 1.37 s fires at the next whole millisecond, so `Date.now()` stays an integer.
   */
  at(atMs: number, fire: () => void): () => void {
    const timer: Timer = { atMs: Math.max(Math.ceil(atMs), this.nowMs), seq: this.seq++, fire };
    // Sorted by time, then by order of arrival: timers at one instant fire in the order they were set.
    let index = this.timers.length;
    while (
      index > 0 &&
      (this.timers[index - 1]!.atMs > timer.atMs ||
        (this.timers[index - 1]!.atMs === timer.atMs && this.timers[index - 1]!.seq > timer.seq))
    )
      index--;
    this.timers.splice(index, 0, timer);
    this.drive();
    return () => {
      const at = this.timers.indexOf(timer);
      if (at >= 0) this.timers.splice(at, 1);
    };
  }

  /** Timers still set. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Resolves when nothing runs and no timer is left. */
  idle(): Promise<void> {
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.drive();
    });
  }

  /** Makes `Date` (and `Date.now`) read this clock, for handlers, the SDK and the emulators. Returns the undo. */
  installDate(): () => void {
    if (this.restoreDate) return this.restoreDate;
    const RealDate = Date;
    const clock = () => this.nowMs;
    class VirtualDate extends RealDate {
      constructor(...args: unknown[]) {
        if (args.length === 0) super(clock());
        else super(...(args as [string | number | Date]));
      }
      static override now(): number {
        return clock();
      }
    }
    globalThis.Date = VirtualDate as DateConstructor;
    this.restoreDate = () => {
      globalThis.Date = RealDate;
      this.restoreDate = undefined;
    };
    return this.restoreDate;
  }

  private drive(): void {
    if (this.driving) return;
    this.driving = true;
    void this.loop();
  }

  private async loop(): Promise<void> {
    try {
      for (;;) {
        await this.settle();
        const next = this.timers.shift();
        if (!next) break;
        this.nowMs = Math.max(this.nowMs, next.atMs);
        next.fire();
      }
    } finally {
      this.driving = false;
    }
    for (const resolve of this.idleWaiters.splice(0)) resolve();
    // Something may have been set while the waiters were told.
    if (this.timers.length > 0) this.drive();
  }

  /** Until no tracked work has run for SETTLE_TURNS turns in a row. */
  private async settle(): Promise<void> {
    let quiet = 0;
    while (quiet < SETTLE_TURNS) {
      await new Promise((resolve) => setImmediate(resolve));
      quiet = this.running === 0 ? quiet + 1 : 0;
      if (this.running > 0) await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }
}

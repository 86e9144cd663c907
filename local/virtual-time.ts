/**
 * Compressed time for the whole process: after `compressTime(20)`, `Date.now()` and
 * `new Date()` advance one virtual second per 20 real milliseconds. Handlers, the SDK and the
 * emulators then all share one clock, so a rate "per second" means the same to each (a real
 * Lambda's clock runs at the speed of the rate limit it is subject to). Timers are not
 * affected: whoever sleeps `n` virtual seconds sleeps `n * msPerVirtualSecond` real ms.
 * Returns the function that restores the real Date.
 */
export function compressTime(msPerVirtualSecond: number): () => void {
  const RealDate = Date;
  const origin = RealDate.now();
  const virtualNow = () => origin + (RealDate.now() - origin) * (1000 / msPerVirtualSecond);
  class VirtualDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(virtualNow());
      else super(...(args as [string | number | Date]));
    }
    static override now(): number {
      return virtualNow();
    }
  }
  globalThis.Date = VirtualDate as DateConstructor;
  return () => {
    globalThis.Date = RealDate;
  };
}

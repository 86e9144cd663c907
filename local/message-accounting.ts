/**
 * What a destination's messages say about a crowd of invalidations: how many each reports (a
 * digest says "N of T CloudFront invalidations ... ended" and lists some of them; a message of
 * its own names one), and which were listed in more than one message. For the tests and the
 * scale run: every invalidation must be reported exactly once per destination.
 */
export interface Accounting {
  readonly messages: number;
  /** Invalidations the messages report: listed, or counted in a cut list. */
  readonly reported: number;
  /** Invalidation IDs named by two messages or more: told twice. */
  readonly listedTwice: readonly string[];
}

const DIGEST = /(\d+) of (\d+) CloudFront invalidations[^"]*? ended/;

/** `idPattern` matches the crowd's invalidation IDs (global flag). */
export function accountFor(messages: readonly unknown[], idPattern: RegExp): Accounting {
  const seen = new Map<string, number>();
  let reported = 0;
  for (const message of messages) {
    const text = typeof message === 'string' ? message : JSON.stringify(message);
    const listed = new Set(text.match(idPattern) ?? []);
    for (const id of listed) seen.set(id, (seen.get(id) ?? 0) + 1);
    const digest = DIGEST.exec(text);
    reported += digest ? Number(digest[1]) : listed.size;
  }
  return { messages: messages.length, reported, listedTwice: [...seen].filter(([, times]) => times > 1).map(([id]) => id) };
}

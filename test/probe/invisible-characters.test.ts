/**
 * Probe: invisible characters outside \p{Cf} survive every one-line field: variation selectors
 * (U+FE00-FE0F, U+E0100-E01EF: 256 of them encode any bytes invisibly), a run of tag characters
 * after a black flag with no cancel tag (any ASCII, hidden), Hangul fillers, the braille blank and
 * the combining grapheme joiner. Two caller references that look the same can differ; text can hide.
 */
import { oneLine } from '../../lambda/shared/text';

describe('oneLine leaves nothing invisible', () => {
  it.each([
    ['variation selectors', 'deploy\uFE00\uFE0E-1342\u{E0100}\u{E01EF}'],
    ['tag characters hiding ASCII after a black flag', 'deploy-1342\u{1F3F4}\u{E0069}\u{E0067}\u{E006E}\u{E006F}\u{E0072}\u{E0065}'],
    ['Hangul fillers', 'deploy\u3164-1342\u115F\u1160\uFFA0'],
    ['braille blank and combining grapheme joiner', 'deploy\u2800-\u034F1342'],
  ])('%s', (_, text) => {
    const invisible = (point: number) =>
      (point >= 0xfe00 && point <= 0xfe0f) ||
      (point >= 0xe0000 && point <= 0xe01ef) ||
      [0x3164, 0x115f, 0x1160, 0xffa0, 0x2800, 0x034f].includes(point);
    const kept = [...oneLine(text, 1000)].map((c) => c.codePointAt(0)!).filter(invisible);
    expect(kept.map((point) => `U+${point.toString(16).toUpperCase()}`)).toEqual([]);
  });
});

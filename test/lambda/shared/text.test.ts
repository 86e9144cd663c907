import fc from 'fast-check';
import {
  ELLIPSIS,
  REPLACEMENT,
  clip,
  clipEscaped,
  clipUtf8,
  codePointLength,
  jsonUnits,
  jsonUtf8Bytes,
  oneLine,
  toAscii,
  utf8Bytes,
  inertMarkup,
  withoutControls,
  withoutInvisibles,
} from '../../../lambda/shared/text';

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const slackEscape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

describe('clip', () => {
  it('keeps text of at most max code points whole, even when its UTF-16 length is larger', () => {
    // Act
    const kept = clip('😀'.repeat(10), 10);

    // Assert
    expect(kept).toBe('😀'.repeat(10));
  });

  it('cuts to max code points, the last being an ellipsis, never between the halves of an emoji', () => {
    // Act
    const cut = clip('😀'.repeat(20), 10);

    // Assert
    expect(codePointLength(cut)).toBe(10);
    expect(cut).toBe(`${'😀'.repeat(9)}${ELLIPSIS}`);
    expect(cut).not.toMatch(LONE_SURROGATE);
  });

  it('gives the empty string for a budget below one', () => {
    expect(clip('abc', 0)).toBe('');
  });
});

describe('clipUtf8', () => {
  it.each([1, 3, 4, 5, 7, 100])('stays within %i bytes and never splits a code point', (maxBytes) => {
    // Act
    const cut = clipUtf8('😀é日a'.repeat(40), maxBytes);

    // Assert
    expect(utf8Bytes(cut)).toBeLessThanOrEqual(maxBytes);
    expect(cut).not.toMatch(LONE_SURROGATE);
  });
});

describe('withoutControls', () => {
  it('replaces every control character, line break and lone surrogate, keeping everything else', () => {
    // Prepare
    const text = `a\nb\r\tc\u0000d\u007fe\u0085f\u2028g\u2029h\ud83di 😀 ü`;

    // Act
    const clean = withoutControls(text, REPLACEMENT);

    // Assert
    expect(clean).toBe(
      `a${REPLACEMENT}b${REPLACEMENT}${REPLACEMENT}c${REPLACEMENT}d${REPLACEMENT}e${REPLACEMENT}f${REPLACEMENT}g${REPLACEMENT}h${REPLACEMENT}i 😀 ü`,
    );
  });
});

describe('oneLine', () => {
  it('turns line breaks and control characters into single spaces and trims', () => {
    // Act
    const line = oneLine('\n deploy-1\r\nConsole: http://evil.example\u0000\t end \n', 100);

    // Assert
    expect(line).toBe('deploy-1 Console: http://evil.example end');
    expect(line).not.toMatch(CONTROL);
  });

  it('replaces a lone surrogate left by an earlier bad cut', () => {
    // Act
    const line = oneLine('half \ud83d', 100);

    // Assert
    expect(line).not.toMatch(LONE_SURROGATE);
    expect(line).toBe(`half ${REPLACEMENT}`);
  });

  it('bounds the result on code points', () => {
    // Act
    const line = oneLine(`${'😀\n'.repeat(5000)}`, 50);

    // Assert
    expect(codePointLength(line)).toBeLessThanOrEqual(50);
    expect(line).not.toMatch(LONE_SURROGATE);
    expect(line).not.toMatch(CONTROL);
  });
});

describe('clipEscaped', () => {
  it('returns the escaped text whole when it fits', () => {
    // Act
    const text = clipEscaped('a & <b>', 100, { escape: slackEscape });

    // Assert
    expect(text).toBe('a &amp; &lt;b&gt;');
  });

  it('never splits an escape sequence, whatever the budget', () => {
    for (let max = 0; max < 40; max++) {
      // Act
      const text = clipEscaped('&<'.repeat(50), max, { escape: slackEscape });

      // Assert
      expect(text.length).toBeLessThanOrEqual(max);
      expect(text).toMatch(/^((&amp;|&lt;)*…)?$/);
    }
  });

  it('never splits a surrogate pair, whatever the budget', () => {
    for (let max = 0; max < 40; max++) {
      // Act
      const text = clipEscaped('😀&'.repeat(50), max, { escape: slackEscape });

      // Assert
      expect(text.length).toBeLessThanOrEqual(max);
      expect(text).not.toMatch(LONE_SURROGATE);
    }
  });

  it('measures with the given measure, e.g. UTF-8 bytes inside a JSON string', () => {
    // Prepare
    const text = '"\\😀日'.repeat(1000);

    // Act
    const cut = clipEscaped(text, 1000, { measure: jsonUtf8Bytes });

    // Assert
    expect(Buffer.byteLength(JSON.stringify(cut), 'utf8') - 2).toBeLessThanOrEqual(1000);
    expect(cut.endsWith(ELLIPSIS)).toBe(true);
  });
});

describe('measures', () => {
  it('count what a JSON string literal carries', () => {
    expect(jsonUnits('a"b\\c')).toBe(7);
    expect(jsonUnits('😀')).toBe(2);
    expect(jsonUtf8Bytes('a"😀日')).toBe(1 + 2 + 4 + 3);
    expect(utf8Bytes('é')).toBe(2);
  });
});

describe('toAscii', () => {
  it('keeps printable ASCII and turns every other code point into one "?"', () => {
    // Act
    const ascii = toAscii('dt_ünï\ncødé 😀 ok');

    // Assert
    expect(ascii).toBe('dt_?n??c?d? ? ok');
  });
});

describe('withoutInvisibles (every one-line field)', () => {
  it.each([
    ['a right-to-left override', 'deploy-\u202e4321', 'deploy-4321'],
    ['isolates and embeddings', '\u2066a\u2069\u202ab\u202c\u061c', 'ab'],
    ['zero-width characters, the word joiner and the BOM', '\ufeffshop\u200b\u200c\u200e\u200f\u2060', 'shop'],
    ['a soft hyphen and a tag character outside a flag', 'sh\u00adop\u{E0041}', 'shop'],
    ['variation selectors after a letter', 'deploy\uFE00\uFE0E-1342\u{E0100}\u{E01EF}', 'deploy-1342'],
    [
      'tag characters hiding ASCII after a black flag, with no cancel tag',
      'deploy-1342\u{1F3F4}\u{E0069}\u{E0067}\u{E006E}\u{E006F}\u{E0072}\u{E0065}',
      'deploy-1342\u{1F3F4}',
    ],
    ['a cancel tag with no tags before it', 'a\u{1F3F4}\u{E007F}b\u{E007F}', 'a\u{1F3F4}b'],
    ['Hangul fillers', 'deploy\u3164-1342\u115F\u1160\uFFA0', 'deploy-1342'],
    ['the braille blank and the combining grapheme joiner', 'deploy\u2800-\u034F1342', 'deploy-1342'],
    ['a second presentation selector after an emoji', '\u2764\uFE0F\uFE0F\uFE0E', '\u2764\uFE0F'],
  ])('removes %s', (_, text, expected) => {
    expect(withoutInvisibles(text)).toBe(expected);
    expect(oneLine(text, 100)).toBe(expected);
  });

  it('keeps emoji sequences whole: a joiner between pictographs, a presentation selector, the tags of a subdivision flag', () => {
    const emoji = '👩\u200d💻 👍🏽\u200d 🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}';
    expect(withoutInvisibles(emoji)).toBe('👩\u200d💻 👍🏽 🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}');
    const selected = '\u2764\uFE0F \u263A\uFE0E 1\uFE0F\u20E3 🏳\uFE0F\u200D🌈 👁\uFE0F\u200D🗨\uFE0F';
    expect(withoutInvisibles(selected)).toBe(selected);
    expect(oneLine(selected, 100)).toBe(selected);
  });

  it('leaves nothing invisible in a line, whatever the mix (property)', () => {
    const invisible = (point: number) =>
      (point >= 0xfe00 && point <= 0xfe0f) ||
      (point >= 0xe0000 && point <= 0xe01ef) ||
      [0x3164, 0x115f, 0x1160, 0xffa0, 0x2800, 0x034f].includes(point);
    const pieces = fc.constantFrom(
      'a',
      '-',
      ' ',
      '\uFE00',
      '\uFE0E',
      '\uFE0F',
      '\u{E0100}',
      '\u{E0041}',
      '\u{E007F}',
      '\u3164',
      '\u115F',
      '\u1160',
      '\uFFA0',
      '\u2800',
      '\u034F',
    );
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 30 }), (parts) => {
        // No emoji and no flag among the pieces: nothing may be kept.
        const kept = [...oneLine(parts.join(''), 1_000)].map((c) => c.codePointAt(0)!).filter(invisible);
        expect(kept).toEqual([]);
      }),
    );
  });

  it('marks them in a path, one for one, where every character counts', () => {
    expect(withoutControls('/a\u202eb\u200b', '?')).toBe('/a?b?');
    expect(withoutControls('/a\uFE00b\u3164\u2800\u034F/\u2764\uFE0F', '?')).toBe('/a?b???/\u2764\uFE0F');
  });
});

describe('inertMarkup', () => {
  it('turns emphasis and code characters into look-alikes and breaks links, leaving the words readable', () => {
    expect(inertMarkup('*b* _it_ ~x~ `c` [t](https://x) <https://x|t>')).toBe(
      '\u2217b\u2217 \u02cdit\u02cd \u223cx\u223c \u02cbc\u02cb [t]\u2060(https://x) <\u2060https://x|t>',
    );
  });

  it('opens no HTML tag or comment, and no block quote where the text starts a line', () => {
    expect(inertMarkup('<a href="https://x">Open</a> <!-- c --> a > b')).toBe(
      '<\u2060a href="https://x">Open<\u2060/a> <\u2060!-- c --> a > b',
    );
    expect(inertMarkup('  > quoted')).toBe('  \u2060> quoted');
  });

  it('leaves an underscore inside a word as written: no markup reads it as emphasis', () => {
    expect(inertMarkup('github_actions_deploy-web_1342')).toBe('github_actions_deploy-web_1342');
  });
});

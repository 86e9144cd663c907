import { fitPaths } from '../../../lambda/notify/path-list';
import { escapeSlack } from '../../../lambda/notify/render-slack';
import type { PathSample } from '../../../lambda/shared/status-result';
import { REPLACEMENT, jsonUnits } from '../../../lambda/shared/text';
import { awkwardPaths, moreCount } from './fixtures';

const sampleOf = (sample: string[], total = sample.length): PathSample => ({ total, sample });

describe('fitPaths', () => {
  it('shows every path, one per line, when they fit', () => {
    // Prepare
    const paths = sampleOf(['/index.html', '/assets/app-*.js', '#product-123']);

    // Act
    const text = fitPaths(paths, { maxChars: 1000 });

    // Assert
    expect(text).toBe('/index.html\n/assets/app-*.js\n#product-123');
    expect(moreCount(text)).toBeUndefined();
  });

  it('shows all 200 awkward paths of a sample when the budget is large enough for them', () => {
    // Prepare
    const items = awkwardPaths(200);
    const joined = items.join('\n');

    // Act
    const text = fitPaths(sampleOf(items), { maxChars: joined.length + 100 });

    // Assert
    expect(text).toBe(joined);
  });

  it.each([100, 500, 1000, 2970, 10_000])('respects a budget of %i characters, the "and N more" line included', (maxChars) => {
    // Prepare
    const items = awkwardPaths(200);

    // Act
    const text = fitPaths(sampleOf(items, 3000), { maxChars });

    // Assert
    expect(text.length).toBeLessThanOrEqual(maxChars);
    const lines = text.split('\n');
    expect(moreCount(lines.at(-1)!)).toBe(3000 - (lines.length - 1));
    // Whole paths, except a first path longer than the budget, which shows its beginning.
    const shown = lines.slice(0, -1);
    if (shown.length === 1 && items[0]!.length > maxChars) {
      expect(shown[0]!.endsWith('…')).toBe(true);
      expect(items[0]!.startsWith(shown[0]!.slice(0, -1))).toBe(true);
    } else {
      expect(shown).toEqual(items.slice(0, shown.length));
    }
  });

  it('measures the escaped paths against the budget', () => {
    // Prepare: 10 paths of 100 "&", 500 characters each once escaped.
    const items = Array.from({ length: 10 }, () => '&'.repeat(100));

    // Act
    const text = fitPaths(sampleOf(items), { maxChars: 1200, escape: escapeSlack });

    // Assert
    expect(text.length).toBeLessThanOrEqual(1200);
    const lines = text.split('\n');
    expect(lines.slice(0, -1)).toEqual([escapeSlack(items[0]!), escapeSlack(items[1]!)]);
    expect(lines.at(-1)).toBe('… and 8 more');
  });

  it('counts the paths the sample left out in "and N more" even when every sampled path fits', () => {
    // Act
    const text = fitPaths(sampleOf(['/a', '/b'], 3000), { maxChars: 1000 });

    // Assert
    expect(text).toBe('/a\n/b\n… and 2998 more');
  });

  it('returns an empty list for an invalidation without paths', () => {
    // Act
    const text = fitPaths(sampleOf([]), { maxChars: 100 });

    // Assert
    expect(text).toBe('');
  });

  it('shows every path when the joined list is exactly maxChars long', () => {
    expect(fitPaths({ total: 3, sample: ['a', 'b', 'c'] }, { maxChars: 5 })).toBe('a\nb\nc');
  });
  it('never exceeds maxChars, even when no path fits', () => {
    const list = fitPaths({ total: 3, sample: ['abcdef', 'b', 'c'] }, { maxChars: 5 });
    expect(list.length).toBeLessThanOrEqual(5);
    expect(fitPaths({ total: 4, sample: ['abcdef', 'b', 'c'] }, { maxChars: 12 })).toBe('… and 4 more');
  });

  describe('a path longer than the whole budget', () => {
    const DANGLING_AMPERSAND = /&(?!amp;|lt;|gt;)/;
    const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

    it('is cut to the budget rather than hidden behind "and 1 more"', () => {
      // Prepare: 1,024 "&" are 5,120 characters once escaped.
      const path = '&'.repeat(1024);

      // Act
      const text = fitPaths(sampleOf([path]), { maxChars: 2970, escape: escapeSlack });

      // Assert
      expect(text.length).toBeLessThanOrEqual(2970);
      expect(text).toMatch(/^(&amp;)+…$/);
      expect(moreCount(text)).toBeUndefined();
    });

    it('is cut after shorter paths too, keeping room for "and N more"', () => {
      // Prepare
      const items = ['/short', `/${'<'.repeat(1023)}`, '/after'];

      // Act
      const text = fitPaths(sampleOf(items, 10), { maxChars: 1000, escape: escapeSlack });

      // Assert
      expect(text.length).toBeLessThanOrEqual(1000);
      const lines = text.split('\n');
      expect(lines[0]).toBe('/short');
      expect(lines[1]).toMatch(/^\/(&lt;)+…$/);
      expect(lines.at(-1)).toBe('… and 8 more');
      lines.forEach((line) => expect(line).not.toMatch(DANGLING_AMPERSAND));
    });

    it('is never cut between the halves of an emoji or inside an entity', () => {
      for (const maxChars of [20, 21, 22, 23, 99, 100, 101]) {
        // Act
        const text = fitPaths(sampleOf(['😀&'.repeat(512)]), { maxChars, escape: escapeSlack });

        // Assert
        expect(text.length).toBeLessThanOrEqual(maxChars);
        expect(text).not.toMatch(LONE_SURROGATE);
        expect(text).not.toMatch(DANGLING_AMPERSAND);
        expect(text.endsWith('…')).toBe(true);
      }
    });
  });

  it('never lets a control character or line break in a path start another line', () => {
    // Prepare
    const items = ['/a\nConsole: http://evil.example', '/b\r\u2028\u0000c'];

    // Act
    const text = fitPaths(sampleOf(items), { maxChars: 1000 });

    // Assert
    expect(text.split('\n')).toEqual([`/a${REPLACEMENT}Console: http://evil.example`, `/b${REPLACEMENT}${REPLACEMENT}${REPLACEMENT}c`]);
  });

  it('measures with the given measure, so a list can be bounded as JSON text', () => {
    // Prepare: quotes and backslashes take two characters each in JSON.
    const items = Array.from({ length: 50 }, () => '"\\'.repeat(20));

    // Act
    const text = fitPaths(sampleOf(items, 3000), { maxChars: 500, measure: jsonUnits });

    // Assert
    expect(jsonUnits(text)).toBeLessThanOrEqual(500);
    expect(moreCount(text)).toBe(3000 - (text.split('\n').length - 1));
  });
});

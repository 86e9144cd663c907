import { fitPaths } from '../../../lambda/notify/path-list';
import { escapeSlack } from '../../../lambda/notify/render-slack';
import type { PathSample } from '../../../lambda/shared/status-result';
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
    expect(lines.slice(0, -1)).toEqual(items.slice(0, lines.length - 1));
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
});

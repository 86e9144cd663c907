/** Notifications and path lists shared by the notify tests (not a test file itself). */
import distributionEvent from '../../../local/fixtures/create-invalidation.json';
import { buildNotification, type Notification, type WatchState } from '../../../lambda/shared/notification';
import { samplePaths, type PathSample, type StatusResult } from '../../../lambda/shared/status-result';
import { parseWatchRequest } from '../../../lambda/shared/watch-request';

export const distributionRequest = parseWatchRequest(structuredClone(distributionEvent));

/**
 * `count` paths of about 200 characters mixing what Slack and JSON must survive: `<`, `>`,
 * `&`, `*`, spaces, non-ASCII text, emoji, and cache tags (`#...`).
 */
export function awkwardPaths(count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const head = i % 7 === 0 ? `#tag-${i}-product & <sale>` : `/static/${i}/hero <new> & *bold* _it_ ünïcødé 日本語 😀 ~v2~ `;
    return `${head}${'-segment'.repeat(40)}`.slice(0, 200);
  });
}

export function completedStatus(paths: PathSample): StatusResult {
  return {
    status: 'Completed',
    pace: 0,
    createTime: '2026-11-21T18:02:27.000Z',
    checkedAt: '2026-11-21T18:05:39.000Z',
    elapsedSeconds: 190,
    paths,
    deadlinePassed: false,
    nextCheckInSeconds: 0,
  };
}

/** A completed notification for an invalidation of `count` awkward paths, sampled as Check status does. */
export function completedWithPaths(count: number): Notification {
  const items = awkwardPaths(count);
  const state: WatchState = {
    outcome: 'completed',
    request: distributionRequest,
    status: completedStatus(samplePaths(items, items.length)),
  };
  return buildNotification(state);
}

/** A completed notification with exactly these paths. */
export function completedWith(items: readonly string[]): Notification {
  return buildNotification({
    outcome: 'completed',
    request: distributionRequest,
    status: completedStatus(samplePaths(items, items.length)),
  });
}

/** "… and N more" → N, or undefined when the text has no such line. */
export function moreCount(text: string): number | undefined {
  const match = /… and (\d+) more$/.exec(text);
  return match ? Number(match[1]) : undefined;
}

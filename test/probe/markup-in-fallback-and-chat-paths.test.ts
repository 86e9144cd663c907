/**
 * Probe: two renderings where caller text keeps markup the README says it never keeps.
 * - Teams `fallbackText` ("may be read as markdown": CommonMark passes raw HTML through) carries a
 *   tenant name's `<a href="https://phish.example">Open the console</a>` as written; the README lists
 *   `<a href>` among the disguised links that never form. Google Chat's text escapes `<`; Teams' does not.
 * - Google Chat's card shows the paths with `&<>` escaped only: a path `[Open the console](https://phish.example/t)`
 *   stays a Markdown link, though render-google-chat.ts makes every other card field inert because
 *   "a card may be read as Markdown" (Slack and Amazon Q keep paths in code blocks; Teams in TextRuns).
 */
import { buildNotification } from '../../lambda/shared/notification';
import { renderGoogleChat } from '../../lambda/notify/render-google-chat';
import { renderTeams } from '../../lambda/notify/render-teams';

const state = (text: string) => ({
  outcome: 'completed' as const,
  request: {
    target: { kind: 'tenant' as const, id: 'dt_abc' },
    invalidationId: 'I2J0I21PCUYOIK',
    createdBy: 'ci',
    eventTime: '2026-11-21T18:02:27Z',
    eventId: 'e1',
    account: '123456789012',
    region: 'us-east-1',
  },
  status: {
    status: 'Completed',
    checkedAt: '2026-11-21T18:05:39Z',
    createTime: '2026-11-21T18:02:27Z',
    paths: { total: 1, sample: [text] },
  },
  audience: { destinations: ['a'], routes: [], targetName: text },
});

it('Teams fallbackText: no HTML link from a tenant name', () => {
  const card = renderTeams(buildNotification(state('Shop <a href="https://phish.example">Open the console</a>') as never));
  expect(card.attachments[0].content.fallbackText).not.toMatch(/<a href/);
});

it('Google Chat card: no Markdown link from a path', () => {
  const message = renderGoogleChat(buildNotification(state('/[Open the console](https://phish.example/t)') as never));
  expect(JSON.stringify(message.cardsV2)).not.toMatch(/\]\(https:\/\/phish/);
});

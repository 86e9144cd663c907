/**
 * The messages of issue 14 on every platform: a Slack app's in-progress message, a burst (live
 * for a Slack app, digests for webhooks and SNS) and a Slack thread reply for failures. Each
 * stays within its platform's limits with 1,000 members, and every member given is accounted
 * for exactly once in what is sent: a line of its own, or counted in "… and N more".
 */
import { GOOGLE_CHAT_LIMITS, renderGoogleChatBurst } from '../../../lambda/notify/render-google-chat';
import {
  SLACK_LIMITS,
  renderSlack,
  renderSlackBurst,
  renderSlackFailureReply,
  type SlackMessage,
} from '../../../lambda/notify/render-slack';
import { SNS_LIMITS, renderBurstSubject, renderSnsBurstMessage } from '../../../lambda/notify/render-sns';
import { TEAMS_LIMITS, renderTeamsBurst } from '../../../lambda/notify/render-teams';
import { buildBurstNotification, burstMemberOf, type BurstMember } from '../../../lambda/shared/burst-notification';
import { buildNotification, buildProgressNotification } from '../../../lambda/shared/notification';
import { samplePaths } from '../../../lambda/shared/status-result';
import { adaptiveCardProblems } from './adaptive-card-check';
import { burstMembers, completedStatus, deploymentBurstMembers, deploymentNotifications, distributionRequest } from './fixtures';

type Block = Record<string, unknown> & { type: string };
type Text = { type: string; text: string };

const sectionTexts = (message: SlackMessage) =>
  (message.blocks as readonly Block[]).filter((block) => block.type === 'section' && block.text).map((block) => (block.text as Text).text);

/** "… and N more: ..." → N (0 when the list is whole). */
const moreOf = (lines: readonly string[]) => Number(/^… and (\d+) more: /.exec(lines.at(-1) ?? '')?.[1] ?? 0);

/** Lines for members (those starting with one of the phase marks) and the count in the last line. */
function accounted(lines: readonly string[], marks: readonly string[]): { shown: number; more: number } {
  return { shown: lines.filter((line) => marks.some((mark) => line.startsWith(mark))).length, more: moreOf(lines) };
}

const SLACK_MARKS = [':white_check_mark:', ':warning:', ':hourglass_flowing_sand:', ':arrows_counterclockwise:'];
const ICONS = ['✅', '⚠️', '⏳', '🔄'];

describe('renderSlack: the Slack app in-progress message', () => {
  const status = { ...completedStatus(samplePaths(['/index.html', '/img/<new>.png'], 2)), status: 'InProgress' as const };

  it('says "in progress" with the facts, paths and console link, and becomes the outcome message on update', () => {
    // Act
    const progress = renderSlack(buildProgressNotification({ request: distributionRequest, status }));
    const completed = renderSlack(buildNotification({ outcome: 'completed', request: distributionRequest, status }));

    // Assert
    const blocks = progress.blocks as readonly Block[];
    expect((blocks[0]!.text as Text).text).toBe('CloudFront invalidation in progress');
    expect(sectionTexts(progress)[0]).toMatch(/^:arrows_counterclockwise: CloudFront invalidation I2J0I21PCUYOIK .* is in progress\.$/);
    expect(sectionTexts(progress)).toContainEqual(expect.stringContaining('/img/&lt;new&gt;.png'));
    expect(blocks.map((block) => block.type)).toEqual((completed.blocks as readonly Block[]).map((block) => block.type));
    expect(JSON.stringify(blocks.at(-1))).toEqual(JSON.stringify((completed.blocks as readonly Block[]).at(-1)));
  });
});

describe('renderSlackBurst', () => {
  it('shows a live burst: header, summary, counts, failures first with reasons and links, the slowest named', () => {
    // Prepare
    const members = burstMembers(40, { running: true });
    const burst = buildBurstNotification({ kind: 'live', members, total: 40, by: 'alice' });

    // Act
    const message = renderSlackBurst(burst);

    // Assert
    const blocks = message.blocks as readonly Block[];
    expect((blocks[0]!.text as Text).text).toBe('CloudFront invalidations in progress');
    expect(sectionTexts(message)[0]).toBe(`:warning: ${burst.summary}`);
    expect(JSON.stringify(blocks[2])).toContain(`:warning: ${burst.counts['could-not-track']} could not be tracked`);
    const lines = sectionTexts(message).slice(1, -1).join('\n').split('\n');
    expect(lines[0]).toMatch(
      /^:warning: E1007 · could not be tracked: CloudFrontAccessDenied: no access to E1007 · <https:\/\/[^|>]+\|console>$/,
    );
    expect(lines).toHaveLength(40);
    expect(lines.at(-1)).toMatch(/^:white_check_mark: [^<>]+ · completed in about [^<>]+$/);
    expect(sectionTexts(message).at(-1)).toMatch(/^\*Slowest:\* :white_check_mark: site-39\.example\.com \(E1039\) · completed in about /);
    expect(message.text).toBe(burst.summary);
  });

  it('stays within every Block Kit limit with 1,000 members and accounts for each once', () => {
    // Prepare
    const members = burstMembers(1000, { running: true });
    const burst = buildBurstNotification({ kind: 'live', members, total: 1000 });

    // Act
    const message = renderSlackBurst(burst);

    // Assert
    const blocks = message.blocks as readonly Block[];
    expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    expect(JSON.stringify(blocks).length).toBeLessThanOrEqual(SLACK_LIMITS.totalChars);
    sectionTexts(message).forEach((text) => expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionChars));
    const lines = sectionTexts(message).slice(1, -1).join('\n').split('\n');
    const { shown, more } = accounted(lines, SLACK_MARKS);
    expect(shown).toBeGreaterThan(5);
    expect(shown + more).toBe(1000);
  });
});

describe('renderSlackFailureReply', () => {
  it('lists each failure on its own line with its reason, and nothing when all completed', () => {
    // Prepare
    const members = burstMembers(30);

    // Act
    const reply = renderSlackFailureReply(members)!;

    // Assert
    const lines = sectionTexts(reply).join('\n').split('\n');
    expect(lines[0]).toBe(
      ':warning: *4 CloudFront invalidations did not complete: 3 could not be tracked, 1 still in progress when the watch stopped.*',
    );
    expect(lines.slice(1).map((line) => line.split(' · ').slice(0, 2).join(' · '))).toEqual([
      ':warning: E1007 · could not be tracked: CloudFrontAccessDenied: no access to E1007',
      ':warning: E1017 · could not be tracked: CloudFrontAccessDenied: no access to E1017',
      ':warning: site-27.example.com (E1027) · could not be tracked: CloudFrontAccessDenied: no access to E1027',
      ':hourglass_flowing_sand: site-24.example.com (E1024) · still in progress after 1 h 0 min; no longer watched',
    ]);
    expect(renderSlackFailureReply(members.filter((member) => member.outcome === 'completed'))).toBeUndefined();
  });

  it('stays bounded with 1,000 failures, counting those not shown', () => {
    // Prepare
    const failures: BurstMember[] = Array.from({ length: 1000 }, (_, i) =>
      burstMemberOf(
        {
          outcome: 'could-not-track',
          request: { ...distributionRequest, invalidationId: `I${i}` },
          error: { Error: 'X', Cause: 'y'.repeat(500) },
        },
        '2026-11-21T18:02:27.000Z',
      ),
    );

    // Act
    const reply = renderSlackFailureReply(failures)!;

    // Assert
    expect(JSON.stringify(reply.blocks).length).toBeLessThanOrEqual(SLACK_LIMITS.totalChars);
    sectionTexts(reply).forEach((text) => expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionChars));
    const lines = sectionTexts(reply).join('\n').split('\n').slice(1);
    const { shown, more } = accounted(lines, SLACK_MARKS);
    expect(shown + more).toBe(1000);
  });
});

describe.each([
  ['a digest of 300 with a cut list', 300],
  ['a digest of 1,000', 1000],
])('%s', (_name, count) => {
  const members = burstMembers(count);
  const burst = buildBurstNotification({ kind: 'digest', members, total: count + 3, separately: 3, digestNumber: 1, final: true });

  it('in Teams: a valid Adaptive Card within 28 KB, every member accounted for once, the slowest named', () => {
    // Act
    const message = renderTeamsBurst(burst);

    // Assert
    const card = message.attachments[0].content;
    expect(Buffer.byteLength(JSON.stringify(message))).toBeLessThanOrEqual(TEAMS_LIMITS.budgetBytes);
    expect(adaptiveCardProblems(card)).toEqual([]);
    const runs = JSON.stringify(card);
    expect(runs).toContain(`${burst.slowest!.targetId}`);
    const list = (card.body.at(-1) as unknown as { inlines: { text: string }[] }).inlines[0]!.text.split('\n');
    const { shown, more } = accounted(list, ICONS);
    expect(shown + more).toBe(count);
  });

  it('in Google Chat: within its budget, text within 4,096 characters, every member accounted for once', () => {
    // Act
    const message = renderGoogleChatBurst(burst);

    // Assert
    expect(Buffer.byteLength(JSON.stringify(message))).toBeLessThanOrEqual(GOOGLE_CHAT_LIMITS.budgetBytes);
    expect(message.text.length).toBeLessThanOrEqual(GOOGLE_CHAT_LIMITS.textChars);
    const sections = message.cardsV2[0].card.sections;
    const list = sections[0]!.widgets[0]!.textParagraph!.text.split('<br>');
    const { shown, more } = accounted(list, ICONS);
    expect(shown + more).toBe(count);
    expect(sections.at(-1)!.widgets[0]!.decoratedText!.topLabel).toBe('Slowest');
  });

  it('in SNS: under 262,144 bytes, an ASCII subject, every member accounted for once in the e-mail and in Amazon Q', () => {
    // Act
    const message = renderSnsBurstMessage(burst);

    // Assert
    expect(Buffer.byteLength(message)).toBeLessThan(SNS_LIMITS.messageBytes);
    const parsed = JSON.parse(message) as { default: string; email: string; sms: string };
    const subject = renderBurstSubject(burst);
    expect(subject).toMatch(/^[\x20-\x7e]{1,100}$/);
    expect(subject).toBe(`CloudFront invalidations: digest 1 (last): ${count} of ${count + 3}`);
    const email = parsed.email.split('\n');
    expect(email).toContain(`Counts: ${/ended: ([^.]*)\./.exec(burst.summary)![1]}`);
    const emailList = accounted(email, ['- ']);
    expect(emailList.shown + emailList.more).toBe(count);
    const amazonQ = JSON.parse(parsed.default) as { version: string; content: { description: string } };
    expect(amazonQ.version).toBe('1.0');
    expect(amazonQ.content.description.length).toBeLessThanOrEqual(SNS_LIMITS.chatDescriptionChars);
    const chatList = accounted(amazonQ.content.description.split('\n'), ['• ']);
    expect(chatList.shown + chatList.more).toBe(count);
    expect(parsed.sms).toMatch(/^[\x20-\x7e]{1,140}$/);
  });
});

describe('bursts of deployments', () => {
  it('shows a live Slack message of deployments: its title, "deployed" counts, each member with its target and change', () => {
    // Prepare
    const members = deploymentBurstMembers(12, { running: true });
    const burst = buildBurstNotification({ kind: 'live', members, total: 12, by: 'alice' });

    // Act
    const message = renderSlackBurst(burst);

    // Assert
    const blocks = message.blocks as readonly Block[];
    expect((blocks[0]!.text as Text).text).toBe('CloudFront deployments in progress');
    expect(burst.summary).toBe('8 of 12 CloudFront deployments by alice deployed; 1 could not be tracked; 3 deploying.');
    expect(JSON.stringify(blocks[2])).toContain(':white_check_mark: 8 deployed');
    const lines = sectionTexts(message).slice(1, -1).join('\n').split('\n');
    expect(lines[0]).toMatch(
      /^:warning: EDEPLOY1007 UpdateDistribution · could not be tracked: DeploymentNotTrackable: NoSuchDistribution: /,
    );
    expect(lines).toContainEqual(
      ':white_check_mark: EDEPLOY1004 UpdateDistribution · deployed in about 1 min 4 s, together with 1 later change',
    );
    expect(lines).toContainEqual(expect.stringMatching(/^:arrows_counterclockwise: EDEPLOY1001 UpdateDistribution · deploying since /));
    expect(JSON.stringify(message)).not.toMatch(/invalidation/i);
  });

  it('titles a live message whose deployments all went out "CloudFront changes deployed"', () => {
    // Prepare
    const members = deploymentBurstMembers(5);

    // Act
    const burst = buildBurstNotification({ kind: 'live', members, total: 5 });

    // Assert
    expect(burst.title).toBe('CloudFront changes deployed');
    expect(burst.summary).toBe('5 of 5 CloudFront deployments deployed.');
  });

  it('replies in the thread with the deployments that did not reach Deployed', () => {
    // Act
    const reply = renderSlackFailureReply(deploymentBurstMembers(30))!;

    // Assert
    expect(reply.text).toBe(
      '4 CloudFront deployments did not reach Deployed: 3 could not be tracked, 1 still deploying when the watch stopped.',
    );
  });

  it("edits a lone deployment's live message from deploying to deployed, as for an invalidation", () => {
    // Prepare
    const { running, completed } = deploymentNotifications();

    // Act
    const before = renderSlack(running);
    const after = renderSlack(completed);

    // Assert
    expect(sectionTexts(before)[0]).toMatch(/^:arrows_counterclockwise: .* is deploying\.$/);
    expect(sectionTexts(after)[0]).toMatch(/^:white_check_mark: .* deployed in about 4 min\.$/);
  });

  describe('a digest of 1,000 deployments on every platform', () => {
    const members = deploymentBurstMembers(1000);
    const burst = buildBurstNotification({
      kind: 'digest',
      members,
      total: 1003,
      separately: 3,
      digestNumber: 2,
      final: true,
      by: 'alice',
    });
    const counted = members.length;

    it('reads as deployments', () => {
      // Assert
      expect(burst.title).toBe('CloudFront deployments: digest 2 (last)');
      expect(burst.summary).toMatch(
        /^1000 of 1003 CloudFront deployments by alice ended: 100 could not be tracked, 40 still deploying when the watch stopped, 860 deployed\. 3 were told on their own\. The burst has ended\.$/,
      );
    });

    it('in Slack: within every limit, every member accounted for', () => {
      // Act
      const message = renderSlackBurst(burst);

      // Assert
      expect(JSON.stringify(message.blocks).length).toBeLessThanOrEqual(SLACK_LIMITS.totalChars);
      const lines = sectionTexts(message).slice(1, -1).join('\n').split('\n');
      const { shown, more } = accounted(lines, SLACK_MARKS);
      expect(shown + more).toBe(counted);
      expect(lines.at(-1)).toMatch(/^… and \d+ more: .*\d+ deployed$/);
    });

    it('in Teams: a valid card within its budget, a "Deployments" list, every member accounted for', () => {
      // Act
      const message = renderTeamsBurst(burst);

      // Assert
      expect(Buffer.byteLength(JSON.stringify(message))).toBeLessThanOrEqual(TEAMS_LIMITS.budgetBytes);
      const card = message.attachments[0].content;
      expect(adaptiveCardProblems(card)).toEqual([]);
      expect(JSON.stringify(card)).toContain('"text":"Deployments"');
      const list = (card.body.at(-1)!.inlines as { text: string }[])[0]!.text.split('\n');
      const { shown, more } = accounted(list, ICONS);
      expect(shown + more).toBe(counted);
    });

    it('in Google Chat: within its budget, a "Deployments" section, a card ID of its own', () => {
      // Act
      const message = renderGoogleChatBurst(burst);

      // Assert
      expect(Buffer.byteLength(JSON.stringify(message))).toBeLessThanOrEqual(GOOGLE_CHAT_LIMITS.budgetBytes);
      expect(message.cardsV2[0].cardId).toBe('cloudfront-deployment-burst');
      const section = message.cardsV2[0].card.sections.find((candidate) => candidate.header === 'Deployments')!;
      const { shown, more } = accounted(section.widgets[0]!.textParagraph!.text.split('<br>'), ICONS);
      expect(shown + more).toBe(counted);
    });

    it('in SNS: under its limit, a "Deployments:" list in the e-mail, Amazon Q a deployment burst', () => {
      // Act
      const message = renderSnsBurstMessage(burst);

      // Assert
      expect(Buffer.byteLength(message)).toBeLessThan(SNS_LIMITS.messageBytes);
      const parsed = JSON.parse(message) as { default: string; email: string; sms: string };
      expect(parsed.email).toContain('\nDeployments:\n- ');
      expect(parsed.email).toContain('Counts: 100 could not be tracked, 40 still deploying when the watch stopped, 860 deployed');
      const amazonQ = JSON.parse(parsed.default) as { metadata: { threadId: string; eventType: string } };
      expect(amazonQ.metadata).toMatchObject({ threadId: 'cloudfront-deployment-burst', eventType: 'CloudFrontDeploymentBurst.digest' });
      expect(renderBurstSubject(burst)).toBe('CloudFront deployments: digest 2 (last): 1000 of 1003');
    });
  });
});

import { escapeAndClip, SLACK_LIMITS, escapeSlack, renderSlack, type SlackMessage } from '../../../lambda/notify/render-slack';
import { buildNotification } from '../../../lambda/shared/notification';
import {
  completedWith,
  completedWithPaths,
  deploymentNotifications,
  deploymentStates,
  distributionRequest,
  moreCount,
  tenantRequest,
} from './fixtures';

type Block = Record<string, unknown> & { type: string };
type Text = { type: string; text: string };

const blocksOf = (message: SlackMessage) => message.blocks as readonly Block[];
const sectionTexts = (message: SlackMessage): string[] =>
  blocksOf(message)
    .filter((block) => block.type === 'section' && block.text)
    .map((block) => (block.text as Text).text);
const fieldTexts = (message: SlackMessage): string[] =>
  blocksOf(message).flatMap((block) => ((block.fields as Text[] | undefined) ?? []).map((field) => field.text));

/** The text of the paths section, or undefined. */
const pathsSection = (message: SlackMessage) => sectionTexts(message).find((text) => text.startsWith('*Paths ('));

/** The lines inside the paths section's code block. */
function pathLines(message: SlackMessage): string[] {
  const section = pathsSection(message);
  if (section === undefined) throw new Error('no paths section');
  const match = /^\*Paths \(\d+\)\*\n```\n([\s\S]*)```$/.exec(section);
  if (!match) throw new Error(`paths section is not one code block: ${section.slice(0, 80)}`);
  return match[1]!.split('\n');
}

/** An `&` that does not start one of the three entities Slack knows. */
const DANGLING_AMPERSAND = /&(?!amp;|lt;|gt;)/;

describe('escapeSlack', () => {
  it('escapes &, < and > as entities', () => {
    // Act
    const escaped = escapeSlack('a & b <c> d');

    // Assert
    expect(escaped).toBe('a &amp; b &lt;c&gt; d');
  });

  it('escapes nothing else: quotes, asterisks, underscores, tildes and non-ASCII stay as they are', () => {
    // Prepare
    const text = `"double" 'single' *bold* _it_ ~strike~ \`code\` ünïcødé 😀 #tag @here`;

    // Act
    const escaped = escapeSlack(text);

    // Assert
    expect(escaped).toBe(text);
  });

  it('escapes an existing entity again, so it shows literally', () => {
    // Act
    const escaped = escapeSlack('&amp;');

    // Assert
    expect(escaped).toBe('&amp;amp;');
  });
});

describe('renderSlack', () => {
  it('renders a small completed notification: header, summary, facts, every path and the console link', () => {
    // Prepare
    const notification = completedWith(['/index.html', '/images/hero <new>.png', '#product-123']);

    // Act
    const message = renderSlack(notification);

    // Assert
    const blocks = blocksOf(message);
    expect(blocks.map((block) => block.type)).toEqual(['header', 'section', 'section', 'section', 'context']);
    expect((blocks[0]!.text as Text).text).toBe('CloudFront invalidation completed');
    expect(sectionTexts(message)[0]).toBe(`:white_check_mark: ${notification.summary}`);
    expect(fieldTexts(message)).toContain('*Invalidation*\nI2J0I21PCUYOIK');
    expect(pathLines(message)).toEqual(['/index.html', '/images/hero &lt;new&gt;.png', '#product-123']);
    expect(message.text).toBe(notification.summary);
    expect(JSON.stringify(blocks.at(-1))).toContain(`<${notification.consoleUrl}|`);
  });

  it('escapes &, < and > in the summary, the facts and the fallback text', () => {
    // Prepare
    const notification = buildNotification({
      outcome: 'could-not-track',
      request: { ...distributionRequest, createdBy: 'R&D <ops>' },
      error: { Error: 'States.TaskFailed', Cause: 'bad <input> & "quotes"' },
    });

    // Act
    const message = renderSlack(notification);

    // Assert
    // Each `<` is followed by a word joiner (inertMarkup): no tag can open even where HTML is read.
    expect(sectionTexts(message)[0]).toContain('bad &lt;\u2060input&gt; &amp; "quotes"');
    expect(fieldTexts(message)).toContain('*Created by*\nR&amp;D &lt;\u2060ops&gt;');
    expect(message.text).toContain('bad &lt;\u2060input&gt; &amp; "quotes"');
    expect(message.text).not.toMatch(DANGLING_AMPERSAND);
  });

  it('shows no paths section when the invalidation has no paths', () => {
    // Prepare
    const notification = buildNotification({
      outcome: 'could-not-track',
      rejected: { reason: 'detail.eventName is missing', eventId: 'e-1' },
    });

    // Act
    const message = renderSlack(notification);

    // Assert
    expect(pathsSection(message)).toBeUndefined();
    expect(blocksOf(message).some((block) => block.type === 'context')).toBe(false);
  });

  describe('3,000 paths of about 200 characters with <, >, &, *, spaces, non-ASCII and cache tags', () => {
    const notification = completedWithPaths(3000);
    const message = renderSlack(notification);

    it('keeps the header within 150 characters', () => {
      // Act
      const header = (blocksOf(message)[0]!.text as Text).text;

      // Assert
      expect(header.length).toBeLessThanOrEqual(SLACK_LIMITS.headerChars);
    });

    it('keeps every section text within 3,000 characters and every field within 2,000', () => {
      // Act
      const sections = sectionTexts(message);
      const fields = fieldTexts(message);

      // Assert
      expect(sections.length).toBeGreaterThanOrEqual(2);
      sections.forEach((text) => expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionChars));
      fields.forEach((text) => expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.fieldChars));
      expect(fields.length).toBeLessThanOrEqual(SLACK_LIMITS.fields);
    });

    it('uses at most 50 blocks and stays within the total character budget', () => {
      // Act
      const blocks = blocksOf(message);

      // Assert
      expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
      expect(JSON.stringify(blocks).length).toBeLessThanOrEqual(SLACK_LIMITS.totalChars);
    });

    it('ends the list with "… and N more", N being the total minus the paths shown', () => {
      // Act
      const lines = pathLines(message);

      // Assert
      const last = lines.at(-1)!;
      const shown = lines.length - 1;
      expect(shown).toBeGreaterThan(0);
      expect(moreCount(last)).toBe(3000 - shown);
      expect(pathsSection(message)).toMatch(/^\*Paths \(3000\)\*/);
    });

    it('shows whole paths, escaped, with no entity cut and no raw < or >', () => {
      // Act
      const lines = pathLines(message).slice(0, -1);

      // Assert
      lines.forEach((line, i) => {
        expect(line).not.toMatch(DANGLING_AMPERSAND);
        expect(line).not.toMatch(/[<>]/);
        expect(line).toBe(escapeSlack(notification.paths.sample[i]!));
      });
      expect(pathsSection(message)).not.toMatch(/&(amp?|lt?|gt?|a|l|g)?\n/);
    });
  });

  it('does not let backticks in a path close the code block', () => {
    // Prepare
    const notification = completedWith(['/docs/```/end', '/a`b`c', '/ok']);

    // Act
    const message = renderSlack(notification);

    // Assert
    const section = pathsSection(message)!;
    expect(section.split('```')).toHaveLength(3);
    const lines = pathLines(message);
    expect(lines).toHaveLength(3);
    lines.forEach((line) => expect(line).not.toContain('`'));
  });

  it('keeps the summary section and the fallback text within 3,000 characters when the reason is very long', () => {
    // Prepare
    const notification = buildNotification({
      outcome: 'could-not-track',
      request: distributionRequest,
      error: { Error: 'States.TaskFailed', Cause: 'x'.repeat(10_000) },
    });

    // Act
    const message = renderSlack(notification);

    // Assert
    expect(sectionTexts(message)[0]!.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionChars);
    expect(message.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionChars);
    expect(message.text.endsWith('…')).toBe(true);
  });

  it('does not cut an escape entity when clipping a long text', () => {
    for (let max = 2; max < 40; max++) {
      const clipped = escapeAndClip('&'.repeat(100), max);
      expect(clipped.length).toBeLessThanOrEqual(max);
      expect(clipped).toMatch(/^(&amp;)*…$/);
    }
  });

  it('does not cut a surrogate pair in half when clipping a long text', () => {
    for (let max = 2; max < 40; max++) {
      const clipped = escapeAndClip('😀'.repeat(100), max);
      expect(clipped.length).toBeLessThanOrEqual(max);
      expect(clipped).toMatch(/^(😀)*…$/);
    }
  });

  it('keeps each fact and the summary on one line even from a notification built elsewhere', () => {
    // Prepare: a hand-built notification that skipped buildNotification's one-line rule.
    const notification = {
      ...completedWith(['/a']),
      summary: 'done\n*Forged:* line',
      facts: [{ label: 'Caller reference', value: 'deploy\r\n*Created by* <!channel>' }],
    };

    // Act
    const message = renderSlack(notification);

    // Assert
    expect(sectionTexts(message)[0]).toBe(':white_check_mark: done ∗Forged:∗ line');
    expect(fieldTexts(message)).toEqual(['*Caller reference*\ndeploy ∗Created by∗ &lt;\u2060!channel&gt;']);
    expect(message.text).not.toContain('\n');
  });
});

describe('renderSlack: deployments', () => {
  const deployments = deploymentNotifications();
  const headerOf = (message: SlackMessage) => (blocksOf(message)[0]!.text as Text).text;

  it('tells a deployed update: its call and target, what changed, no paths section, a link to the distribution', () => {
    // Act
    const message = renderSlack(deployments.completed);

    // Assert
    expect(headerOf(message)).toBe('CloudFront distribution deployed');
    expect(sectionTexts(message)[0]).toBe(
      ':white_check_mark: UpdateDistribution of CloudFront distribution www.example.com (EDFDVBD6EXAMPLE) deployed in about 4 min.',
    );
    expect(fieldTexts(message)).toEqual(
      expect.arrayContaining([
        '*Change*\nUpdateDistribution',
        '*What changed*\nconfiguration updated; now: enabled; aliases: www.example.com; 2 origins',
        '*Version*\nE2QWRUHEXAMPLE',
        '*Changed by*\nplatform-deploy/alice',
        '*Took*\nabout 4 min',
      ]),
    );
    expect(pathsSection(message)).toBeUndefined();
    expect(JSON.stringify(message)).not.toMatch(/Paths|0 paths|invalidation/i);
    expect(JSON.stringify(blocksOf(message).at(-1))).toContain(
      '<https://us-east-1.console.aws.amazon.com/cloudfront/v4/home?region=us-east-1#/distributions/EDFDVBD6EXAMPLE|Open the distribution in the CloudFront console>',
    );
  });

  it('says a deployment went out together with a later change, in the summary and as a fact', () => {
    // Act
    const message = renderSlack(deployments.withLater);

    // Assert
    expect(sectionTexts(message)[0]).toMatch(/deployed in about 4 min, together with 1 later change\.$/);
    expect(fieldTexts(message)).toContain('*Deployed*\ntogether with 1 later change');
  });

  it('shows a live message deploying, then edited to deployed: same layout, only the state changes', () => {
    // Act
    const progress = renderSlack(deployments.running);
    const updated = renderSlack(deployments.completed);

    // Assert
    expect(headerOf(progress)).toBe('CloudFront distribution deploying');
    expect(sectionTexts(progress)[0]).toBe(
      ':arrows_counterclockwise: UpdateDistribution of CloudFront distribution www.example.com (EDFDVBD6EXAMPLE) is deploying.',
    );
    expect(blocksOf(progress).map((block) => block.type)).toEqual(blocksOf(updated).map((block) => block.type));
    expect(JSON.stringify(blocksOf(progress).at(-1))).toBe(JSON.stringify(blocksOf(updated).at(-1)));
  });

  it.each([
    ['stillInProgress', 'CloudFront distribution still deploying', /is still deploying after 1 h 0 min; the notifier stopped watching\.$/],
    [
      'couldNotTrack',
      'Could not track CloudFront distribution deployment',
      /^:warning: Could not track UpdateDistribution of .*NoSuchDistribution.*does not exist\.$/,
    ],
  ] as const)('tells a deployment that %s', (phase, title, summary) => {
    // Act
    const message = renderSlack(deployments[phase]);

    // Assert
    expect(headerOf(message)).toBe(title);
    expect(sectionTexts(message)[0]).toMatch(summary);
    expect(pathsSection(message)).toBeUndefined();
  });

  it('names a tenant as a distribution tenant, with a link to its page', () => {
    // Act
    const message = renderSlack(deploymentNotifications(tenantRequest).completed);

    // Assert
    expect(headerOf(message)).toBe('CloudFront distribution tenant deployed');
    expect(fieldTexts(message)).toContain(
      '*What changed*\ntenant created: customer-7; domains: customer-7.example.com; on distribution EDFDVBD6EXAMPLE',
    );
    expect(JSON.stringify(blocksOf(message).at(-1))).toContain(
      '#/distribution-tenants/dt_2abcEXAMPLE|Open the distribution tenant in the CloudFront console>',
    );
  });

  it("shows every fact when there are more than one section holds (10): an account and a routing note beside a deployment's", () => {
    // Prepare
    const notification = buildNotification({
      ...deploymentStates().withLater,
      audience: {
        destinations: ['team'],
        routes: [],
        targetName: 'www.example.com',
        accountName: 'production',
        routingNote: 'matched route "web"',
      },
    });

    // Act
    const message = renderSlack(notification);

    // Assert
    expect(notification.facts.length).toBeGreaterThan(SLACK_LIMITS.fields);
    expect(fieldTexts(message)).toHaveLength(notification.facts.length);
    for (const block of blocksOf(message))
      expect(((block.fields as unknown[] | undefined) ?? []).length).toBeLessThanOrEqual(SLACK_LIMITS.fields);
  });
});

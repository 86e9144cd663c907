import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderTeams } from '../../lambda/notify/render-teams';
import { previewMessages, previewSamples, renderPreviewFiles, runPreview, type WrittenSample } from '../../local/preview';
import { adaptiveCardProblems } from '../lambda/notify/adaptive-card-check';

const SLACK_FILES = ['slack-block-kit-builder.json', 'slack.json'];
const FILES = [
  'google-chat.json',
  'slack-block-kit-builder.json',
  'slack.json',
  'sns-amazon-q.json',
  'sns-email.txt',
  'sns-sms.txt',
  'teams-adaptive-card.json',
  'teams.json',
];

describe('previewSamples', () => {
  it('covers every outcome, an invalidation of 3,000 paths, and deployments next to the invalidations', () => {
    // Act
    const samples = previewSamples();

    // Assert
    expect(
      samples.map((sample) => [sample.name, sample.notification.work, sample.notification.outcome, sample.notification.paths.total]),
    ).toEqual([
      ['completed', 'invalidation', 'completed', 4],
      ['still-in-progress', 'invalidation', 'still-in-progress', 2],
      ['could-not-track', 'invalidation', 'could-not-track', 0],
      ['completed-3000-paths', 'invalidation', 'completed', 3_000],
      ['deployment-deployed', 'deployment', 'completed', 0],
      ['deployment-with-later-change', 'deployment', 'completed', 0],
      ['deployment-could-not-track', 'deployment', 'could-not-track', 0],
    ]);
    expect(samples[1]!.notification.targetKind).toBe('tenant');
    expect(samples[2]!.notification.reason).toMatch(/^CloudFrontAccessDenied: /);
  });

  it('tells the deployments as deployments: what changed, a later change, a deleted distribution, no paths', () => {
    // Act
    const [deployed, withLater, untracked] = previewSamples()
      .slice(4)
      .map((sample) => sample.notification);

    // Assert
    expect(deployed!.summary).toBe(
      'UpdateDistribution of CloudFront distribution www.example.com (E2QWRUHAPOMQZL) deployed in about 4 min 38 s.',
    );
    expect(deployed!.facts).toContainEqual({
      label: 'What changed',
      value:
        'configuration updated; now: enabled; aliases: www.example.com, shop.example.com; 2 origins; 4 cache behaviors (the default included)',
    });
    expect(withLater!.title).toBe('CloudFront distribution tenant deployed');
    expect(withLater!.summary).toMatch(
      /^CreateDistributionTenant of CloudFront distribution tenant customer-42\.example\.com \(dt_\w+\) deployed in about 4 min 38 s, together with 1 later change\.$/,
    );
    expect(untracked!.reason).toMatch(/^DeploymentNotTrackable: NoSuchDistribution: .*does not exist\.$/);
    for (const sample of previewSamples().slice(4)) {
      const files = renderPreviewFiles(sample.notification);
      for (const file of files) expect(file.content).not.toMatch(/Paths|invalidation/i);
    }
  });
});

describe('previewMessages', () => {
  it('shows the messages that live: a Slack app in progress then updated, a burst in progress and done, its failure reply, a digest with a cut list', () => {
    // Act
    const messages = previewMessages();

    // Assert
    expect(messages.map((message) => [message.name, message.files.map((file) => file.file).sort()])).toEqual([
      ['slack-app-in-progress', SLACK_FILES],
      ['slack-app-updated', SLACK_FILES],
      ['slack-app-burst-in-progress', SLACK_FILES],
      ['slack-app-burst-done', SLACK_FILES],
      ['slack-app-failure-reply', SLACK_FILES],
      ['digest-300', FILES],
    ]);
    const [progress, updated, burstRunning, burstDone, reply, digest] = messages.map((message) => message.summary);
    expect(progress).toMatch(/is in progress\.$/);
    expect(updated).toMatch(/completed in about 3 min 12 s\.$/);
    expect(burstRunning).toMatch(
      /^28 of 40 CloudFront invalidations by github-actions-deploy completed; 1 could not be tracked; 11 running\.$/,
    );
    expect(burstDone).toMatch(/^38 of 40 .* completed; 2 could not be tracked\.$/);
    expect(reply).toMatch(/^2 CloudFront invalidations did not complete/);
    expect(digest).toMatch(/^300 of 303 .* ended: .* 3 were told on their own\. The burst has ended\.$/);
  });

  it("cuts the digest's list and counts the rest, in every destination type", () => {
    // Act
    const digest = previewMessages().at(-1)!;

    // Assert
    const text = (name: string) => digest.files.find((file) => file.file === name)!.content;
    for (const name of ['slack.json', 'teams.json', 'google-chat.json', 'sns-email.txt', 'sns-amazon-q.json'])
      expect(text(name)).toMatch(/… and \d+ more: [^"\n]*\d+ completed/);
    expect(adaptiveCardProblems(JSON.parse(text('teams-adaptive-card.json')))).toEqual([]);
  });
});

describe('runPreview', () => {
  let outDir: string;
  let printed: string[];
  let written: WrittenSample[];

  beforeAll(() => {
    outDir = mkdtempSync(join(tmpdir(), 'preview-'));
    printed = [];
    written = runPreview(['--out', outDir], (line) => printed.push(line));
  });
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('writes every destination type for every sample into a folder of its own', () => {
    // Assert
    expect(readdirSync(outDir).sort()).toEqual([...previewSamples(), ...previewMessages()].map((sample) => sample.name).sort());
    for (const { folder, files } of written) expect(readdirSync(folder).sort()).toEqual(files.map((file) => file.file).sort());
    for (const { folder } of written.slice(0, previewSamples().length)) expect(readdirSync(folder).sort()).toEqual(FILES);
  });

  it('writes files people can paste: JSON that parses, the blocks alone for Block Kit Builder, the card alone for the Designer', () => {
    const samples = previewSamples();
    for (const { sample, folder } of written) {
      // Act
      const read = (file: string) => JSON.parse(readFileSync(join(folder, file), 'utf8'));

      // Assert
      expect(Object.keys(read('slack-block-kit-builder.json'))).toEqual(['blocks']);
      expect(read('slack-block-kit-builder.json').blocks).toEqual(read('slack.json').blocks);
      if (readdirSync(folder).length === SLACK_FILES.length) continue;
      const single = samples.find((candidate) => candidate.name === sample.name);
      if (single) expect(read('teams.json')).toEqual(JSON.parse(JSON.stringify(renderTeams(single.notification))));
      expect(read('teams-adaptive-card.json')).toEqual(read('teams.json').attachments[0].content);
      expect(read('google-chat.json').cardsV2).toHaveLength(1);
      expect(read('sns-amazon-q.json')).toMatchObject({ version: '1.0', source: 'custom' });
      expect(readFileSync(join(folder, 'sns-email.txt'), 'utf8')).toMatch(/^Subject: /);
      expect(readFileSync(join(folder, 'sns-sms.txt'), 'utf8').trim().length).toBeGreaterThan(0);
    }
  });

  it('prints each file with its size, and where to view the Slack and Teams payloads', () => {
    // Assert
    const output = printed.join('\n');
    for (const { sample, files } of written) for (const { file } of files) expect(output).toContain(join(sample.name, file));
    expect(output).toMatch(/teams\.json +\d+ bytes \(limit 28000 bytes\)/);
    expect(output).toContain('https://app.slack.com/block-kit-builder');
    expect(output).toContain('https://adaptivecards.io/designer');
  });
});

import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderTeams } from '../../lambda/notify/render-teams';
import { previewSamples, runPreview, type WrittenSample } from '../../local/preview';

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
  it('covers every outcome and an invalidation of 3,000 paths', () => {
    // Act
    const samples = previewSamples();

    // Assert
    expect(samples.map((sample) => [sample.name, sample.notification.outcome, sample.notification.paths.total])).toEqual([
      ['completed', 'completed', 4],
      ['still-in-progress', 'still-in-progress', 2],
      ['could-not-track', 'could-not-track', 0],
      ['completed-3000-paths', 'completed', 3_000],
    ]);
    expect(samples[1]!.notification.targetKind).toBe('tenant');
    expect(samples[2]!.notification.reason).toMatch(/^CloudFrontAccessDenied: /);
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
    expect(readdirSync(outDir).sort()).toEqual(
      previewSamples()
        .map((sample) => sample.name)
        .sort(),
    );
    for (const { folder } of written) expect(readdirSync(folder).sort()).toEqual(FILES);
  });

  it('writes files people can paste: JSON that parses, the blocks alone for Block Kit Builder, the card alone for the Designer', () => {
    for (const { sample, folder } of written) {
      // Act
      const read = (file: string) => JSON.parse(readFileSync(join(folder, file), 'utf8'));

      // Assert
      expect(Object.keys(read('slack-block-kit-builder.json'))).toEqual(['blocks']);
      expect(read('slack-block-kit-builder.json').blocks).toEqual(read('slack.json').blocks);
      expect(read('teams.json')).toEqual(JSON.parse(JSON.stringify(renderTeams(sample.notification))));
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
    for (const { sample } of written) for (const file of FILES) expect(output).toContain(join(sample.name, file));
    expect(output).toMatch(/teams\.json +\d+ bytes \(limit 28000 bytes\)/);
    expect(output).toContain('https://app.slack.com/block-kit-builder');
    expect(output).toContain('https://adaptivecards.io/designer');
  });
});

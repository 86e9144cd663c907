/**
 * The pictures: one card drawn in headless Chromium through Microsoft's adaptivecards renderer is
 * a real picture (decoded here: not blank, many colours), caller text shows as text on every
 * platform, and docs/pictures/ holds exactly the pictures `npm run pictures` writes.
 *
 * Without Chromium the drawing tests are skipped, saying so, except under CI (CI=true), which
 * installs it (`bash scripts/install-chromium.sh`): there a missing browser fails them.
 */
import { readdirSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { renderGoogleChat } from '../../lambda/notify/render-google-chat';
import { renderSlack } from '../../lambda/notify/render-slack';
import { renderTeams } from '../../lambda/notify/render-teams';
import { CHROMIUM_INSTALL_COMMAND, findChromium, launchChromium } from '../../local/pictures/browser';
import { PICTURE_WIDTH } from '../../local/pictures/html';
import { mrkdwnHtml } from '../../local/pictures/slack';
import { chatHtml } from '../../local/pictures/google-chat';
import {
  MAX_PICTURE_HEIGHT,
  PLATFORMS,
  README_PICTURES_DIR,
  README_SAMPLES,
  drawPicture,
  pictureContext,
  pictureSamples,
  plannedPictures,
  type PictureSample,
} from '../../local/pictures/write';
import { completedWith } from '../lambda/notify/fixtures';

interface Image {
  readonly width: number;
  readonly height: number;
  /** RGBA, one byte each, row after row. */
  readonly pixels: Uint8Array;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Decodes an 8-bit, non-interlaced RGB or RGBA PNG (what Chromium writes): chunks, inflated IDAT, rows unfiltered. */
function decodePng(png: Buffer): Image {
  if (!png.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('not a PNG: wrong signature');
  let offset = 8;
  let header: Buffer | undefined;
  const data: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const body = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') header = body;
    if (type === 'IDAT') data.push(body);
    offset += 12 + length;
  }
  if (!header) throw new Error('not a PNG: no IHDR chunk');
  const width = header.readUInt32BE(0);
  const height = header.readUInt32BE(4);
  const [depth, colorType, , , interlace] = [header[8], header[9], header[10], header[11], header[12]];
  if (depth !== 8 || (colorType !== 2 && colorType !== 6) || interlace !== 0)
    throw new Error(`unexpected PNG format: depth ${depth}, colour type ${colorType}, interlace ${interlace}`);
  const channels = colorType === 6 ? 4 : 3;
  const stride = width * channels;
  const raw = inflateSync(Buffer.concat(data));
  const rows = new Uint8Array(height * stride);
  for (let y = 0; y < height; y += 1) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x += 1) {
      const value = raw[y * (stride + 1) + 1 + x]!;
      const left = x >= channels ? rows[y * stride + x - channels]! : 0;
      const up = y > 0 ? rows[(y - 1) * stride + x]! : 0;
      const upLeft = x >= channels && y > 0 ? rows[(y - 1) * stride + x - channels]! : 0;
      const paeth = () => {
        const estimate = left + up - upLeft;
        const [a, b, c] = [Math.abs(estimate - left), Math.abs(estimate - up), Math.abs(estimate - upLeft)];
        return a <= b && a <= c ? left : b <= c ? up : upLeft;
      };
      const predicted = [0, left, up, (left + up) >> 1, paeth()][filter!];
      if (predicted === undefined) throw new Error(`unknown PNG filter ${filter} on row ${y}`);
      rows[y * stride + x] = (value + predicted) & 0xff;
    }
  }
  const pixels = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i += 1) {
    pixels.set(rows.subarray(i * channels, i * channels + 3), i * 4);
    pixels[i * 4 + 3] = channels === 4 ? rows[i * channels + 3]! : 255;
  }
  return { width, height, pixels };
}

/** How much of the image differs from its most common colour (its background), and how many colours it has. */
function variety({ pixels }: Image): { foreground: number; colours: number } {
  const counts = new Map<number, number>();
  for (let i = 0; i < pixels.length; i += 4) {
    const colour = ((pixels[i]! << 16) | (pixels[i + 1]! << 8) | pixels[i + 2]!) >>> 0;
    counts.set(colour, (counts.get(colour) ?? 0) + 1);
  }
  const background = Math.max(...counts.values());
  return { foreground: 1 - background / (pixels.length / 4), colours: counts.size };
}

/**
 * Payloads whose caller text is markup, each escaped only as its platform requires (Slack's and
 * Chat's entities, nothing in a Teams TextRun), without the renderers' own word joiners that
 * would keep the markup inert anyway: the pages themselves must show it as text. Plus the
 * renderers' output for the same paths.
 */
const HOSTILE_PATH = '/a/<img src=x onerror="document.title=\'pwned\'">.png';
const slackEscaped = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
function hostileSamples(): PictureSample[] {
  const rendered = completedWith([HOSTILE_PATH, '/b/<!channel> <http://evil.example|click> *bold* `code` <b>html</b> &amp;']);
  const card = renderTeams(rendered).attachments[0].content;
  return [
    {
      name: 'hostile',
      description: 'caller text that is markup',
      slack: {
        text: 'fallback',
        blocks: [
          { type: 'header', text: { type: 'plain_text', text: HOSTILE_PATH } },
          { type: 'section', text: { type: 'mrkdwn', text: `*Paths (1)*\n\`\`\`\n${slackEscaped(HOSTILE_PATH)}\n\`\`\`` } },
          { type: 'section', fields: [{ type: 'mrkdwn', text: `*Caller reference*\n${slackEscaped(HOSTILE_PATH)}` }] },
          { type: 'context', elements: [{ type: 'mrkdwn', text: slackEscaped(HOSTILE_PATH) }] },
        ],
      },
      teams: {
        type: 'message',
        attachments: [
          {
            ...renderTeams(rendered).attachments[0],
            content: {
              ...card,
              body: [
                ...card.body,
                { type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: HOSTILE_PATH }] },
                { type: 'TextBlock', text: HOSTILE_PATH },
              ],
            },
          },
        ],
      },
      googleChat: {
        text: slackEscaped(HOSTILE_PATH),
        cardsV2: [
          {
            cardId: 'hostile',
            card: {
              header: { title: slackEscaped(HOSTILE_PATH), subtitle: slackEscaped(HOSTILE_PATH) },
              sections: [
                {
                  header: slackEscaped(HOSTILE_PATH),
                  widgets: [
                    { decoratedText: { topLabel: slackEscaped(HOSTILE_PATH), text: slackEscaped(HOSTILE_PATH), wrapText: true } },
                    { textParagraph: { text: `<i>${slackEscaped(HOSTILE_PATH)}</i><br>${slackEscaped(HOSTILE_PATH)}` } },
                  ],
                },
              ],
            },
          },
        ],
      },
    },
    {
      name: 'hostile-rendered',
      description: 'paths that are markup, as the renderers write them',
      slack: renderSlack(rendered),
      teams: renderTeams(rendered),
      googleChat: renderGoogleChat(rendered),
    },
  ];
}

describe('the picture markup (no browser)', () => {
  it("draws Slack's mrkdwn and shows caller text, escaped by Slack, as text", () => {
    expect(mrkdwnHtml('*Paths (1)*\n```\n/a/&lt;img src=x&gt; &amp;\n```')).toBe(
      '<b>Paths (1)</b><br><pre>/a/&lt;img src=x&gt; &amp;\n</pre>',
    );
    expect(mrkdwnHtml('<https://console.example/x|Open &lt;it&gt;> `&lt;b&gt;` deploy_web_1342 :warning:')).toBe(
      '<span class="link">Open &lt;it&gt;</span> <code>&lt;b&gt;</code> deploy_web_1342 ⚠️',
    );
  });

  it("keeps only the tags of Google Chat's card HTML that the renderer writes, and shows the rest as text", () => {
    expect(chatHtml('<i>why &lt;b&gt;</i><br><img src=x onerror=alert(1)><script>x</script>')).toBe(
      '<i>why &lt;b&gt;</i><br>&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;x&lt;/script&gt;',
    );
  });
});

describe('docs/pictures/', () => {
  it('holds exactly the pictures `npm run pictures` writes: the README samples on every platform that receives them', () => {
    // Act
    const planned = plannedPictures({ samples: README_SAMPLES }).map((picture) => picture.file);

    // Assert
    expect(
      readdirSync(README_PICTURES_DIR)
        .filter((file) => file.endsWith('.png'))
        .sort(),
    ).toEqual([...planned].sort());
    expect(planned).toEqual(
      expect.arrayContaining([
        'slack-completed.png',
        'teams-completed.png',
        'google-chat-completed.png',
        'teams-digest-300.png',
        'slack-app-updated.png',
      ]),
    );
  });

  it('names an unknown sample and lists the known ones', () => {
    expect(() => plannedPictures({ samples: ['completd'] })).toThrow(/no preview sample named completd: the samples are completed, /);
  });
});

const chromiumPath = findChromium();
const inCi = Boolean(process.env.CI);
const describeInBrowser = chromiumPath || inCi ? describe : describe.skip;
const browserTitle =
  chromiumPath || inCi
    ? 'pictures drawn in headless Chromium'
    : `pictures drawn in headless Chromium: SKIPPED, Chromium is not installed (run \`${CHROMIUM_INSTALL_COMMAND}\`; under CI=true this fails instead)`;
if (!chromiumPath && !inCi) console.warn(browserTitle);

describeInBrowser(browserTitle, () => {
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    browser = await launchChromium();
    context = await pictureContext(browser);
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("draws a Teams card through Microsoft's adaptivecards renderer as a picture that is not blank", async () => {
    // Prepare
    const completed = pictureSamples().find((sample) => sample.name === 'completed')!;
    let cardText = '';

    // Act
    const png = await drawPicture(context, { platform: 'teams', sample: completed }, async (page) => {
      cardText = await page.locator('#card .ac-adaptiveCard').innerText();
    });

    // Assert
    const image = decodePng(png);
    expect(image.width).toBe(PICTURE_WIDTH);
    expect(image.height).toBeGreaterThan(300);
    expect(image.height).toBeLessThanOrEqual(MAX_PICTURE_HEIGHT);
    const { foreground, colours } = variety(image);
    expect(foreground).toBeGreaterThan(0.15);
    expect(colours).toBeGreaterThan(50);
    expect(cardText).toContain('CloudFront invalidation completed');
    expect(cardText).toContain('Open in console');
    expect(cardText).toContain('/images/hero <new>.png');
  });

  it.each(PLATFORMS.flatMap((platform) => [0, 1].map((index) => ({ platform, index }))))(
    'shows caller text as text on $platform (sample $index): no element, no script, no link from it',
    async ({ platform, index }) => {
      // Prepare
      const sample = hostileSamples()[index]!;
      let shown = '';
      let elements = -1;
      let title = '';

      // Act
      await drawPicture(context, { platform, sample }, async (page: Page) => {
        shown = await page.locator('#picture').innerText();
        elements = await page.locator('#picture img, #picture script, #picture a').count();
        title = await page.title();
      });

      // Assert
      // The renderers put a word joiner (invisible) after each `<` of caller text.
      expect(shown.replace(/\u2060/g, '')).toContain(HOSTILE_PATH);
      expect(elements).toBe(0);
      expect(title).not.toBe('pwned');
    },
  );
});

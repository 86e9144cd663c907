/**
 * A Teams message drawn by Microsoft's own Adaptive Cards renderer (`adaptivecards`, the library
 * behind the Adaptive Cards Designer), with markdown-it for the card's markdown as the Designer
 * does, under a host config close to Teams' light theme, inside a frame like a Teams channel
 * post. Not a screenshot of Teams: Teams uses its own renderer and Segoe UI.
 *
 * The card is handed to the renderer as data (never as markup): it draws TextRuns as text.
 */
import type { Page } from 'playwright-core';
import type { TeamsMessage } from '../../lambda/notify/render-teams';
import { MONO, SANS, escapeHtml, picturePage, type Caption } from './html';

const foreground = (normal: string, subtle: string) => ({ default: normal, subtle });

/** Colours of Teams' light theme on each container style. */
function containerStyle(backgroundColor: string) {
  return {
    backgroundColor,
    foregroundColors: {
      default: foreground('#242424', '#616161'),
      dark: foreground('#242424', '#424242'),
      light: foreground('#ffffff', '#f5f5f5'),
      accent: foreground('#5b5fc7', '#7579eb'),
      good: foreground('#237b4b', '#2e9a5e'),
      warning: foreground('#835c00', '#a87500'),
      attention: foreground('#c4314b', '#d13f57'),
    },
  };
}

/** A host config close to Teams' light theme: its spacing, font sizes, colours and container styles. */
export const TEAMS_HOST_CONFIG = {
  supportsInteractivity: true,
  fontTypes: {
    default: {
      fontFamily: SANS,
      fontSizes: { small: 12, default: 14, medium: 14, large: 18, extraLarge: 24 },
      fontWeights: { lighter: 200, default: 400, bolder: 700 },
    },
    monospace: {
      fontFamily: MONO,
      fontSizes: { small: 12, default: 13, medium: 14, large: 18, extraLarge: 24 },
      fontWeights: { lighter: 200, default: 400, bolder: 700 },
    },
  },
  spacing: { small: 4, default: 8, medium: 12, large: 16, extraLarge: 24, padding: 16 },
  separator: { lineThickness: 1, lineColor: '#e0e0e0' },
  containerStyles: {
    default: containerStyle('#ffffff'),
    emphasis: containerStyle('#f5f5f5'),
    accent: containerStyle('#e8ebfa'),
    good: containerStyle('#e7f2da'),
    warning: containerStyle('#fbf6d9'),
    attention: containerStyle('#fcf4f6'),
  },
  actions: {
    maxActions: 6,
    spacing: 'default',
    buttonSpacing: 8,
    showCard: { actionMode: 'inline', inlineTopMargin: 16 },
    actionsOrientation: 'horizontal',
    actionAlignment: 'left',
  },
  textBlock: { headingLevel: 2 },
};

const CSS = `
.frame { padding: 16px 20px 20px; background: #f5f5f5; display: flex; gap: 10px; color: #242424; font: 14px/20px ${SANS}; }
.avatar { flex: none; width: 32px; height: 32px; border-radius: 50%; background: #5b5fc7; color: #fff; font: 700 12px/32px ${SANS}; text-align: center; }
.message { min-width: 0; flex: 1; }
.sender { margin-bottom: 4px; font-size: 12px; color: #616161; }
.sender b { color: #242424; }
.bubble { border-radius: 6px; background: #fff; box-shadow: 0 1px 2px rgba(0,0,0,.14), 0 0 2px rgba(0,0,0,.12); overflow: hidden; }
.ac-adaptiveCard { font-family: ${SANS}; }
.ac-pushButton { height: 32px; padding: 0 12px; border: 1px solid #d1d1d1; border-radius: 4px; background: #fff; color: #242424; font: 700 14px ${SANS}; }
.ac-richTextBlock, .ac-textBlock { overflow-wrap: anywhere; }
`;

/** The page for one Teams message, before the card is drawn into `#card`. */
export function teamsPage(caption: Caption, sender: string): string {
  const body = `<div class="frame"><div class="avatar">CF</div><div class="message"><div class="sender"><b>${escapeHtml(sender)}</b> via Workflows</div><div class="bubble" id="card"></div></div></div>`;
  return picturePage({ caption, css: CSS, body, scripts: true });
}

/** The library bundles that draw the card, loaded into the page (each sets a global). */
const RENDERER_MODULES = ['markdown-it/browser', 'adaptivecards/dist/adaptivecards.min.js'];

/**
 * Where those bundles are: resolved when a card is drawn, not when this module loads, so that
 * the packaged command line (which does not ship them) starts without them and says what to install.
 */
function rendererScripts(): string[] {
  return RENDERER_MODULES.map((module) => {
    try {
      return require.resolve(module);
    } catch {
      throw new Error(
        `Drawing Teams cards needs Microsoft's adaptivecards and markdown-it: npm install --no-save adaptivecards markdown-it`,
      );
    }
  });
}

/** Draws the message's card with Microsoft's renderer into the page's `#card`; fails if the renderer drew nothing. */
export async function drawTeamsCard(page: Page, message: TeamsMessage): Promise<void> {
  for (const path of rendererScripts()) await page.addScriptTag({ path });
  const error = await page.evaluate(
    ({ card, hostConfig }) => {
      // Runs in the page: the globals that the two bundles set.
      const AC = (globalThis as unknown as { AdaptiveCards: typeof import('adaptivecards') }).AdaptiveCards;
      const host = (globalThis as unknown as { document: { getElementById(id: string): { appendChild(node: unknown): void } } }).document;
      const adaptiveCard = new AC.AdaptiveCard();
      adaptiveCard.hostConfig = new AC.HostConfig(hostConfig);
      adaptiveCard.parse(card);
      const element = adaptiveCard.render();
      if (!element) return 'the adaptivecards renderer drew nothing for this card';
      host.getElementById('card').appendChild(element);
      return undefined;
    },
    { card: message.attachments[0].content, hostConfig: TEAMS_HOST_CONFIG },
  );
  if (error) throw new Error(error);
}

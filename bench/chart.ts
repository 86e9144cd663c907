/**
 * A small SVG line-chart writer for the benchmark results, and its rendering to PNG with
 * resvg (`@resvg/resvg-js`, a devDependency: no system tool), so the README can show a PNG.
 */
import { Resvg } from '@resvg/resvg-js';
import { writeFileSync } from 'node:fs';

export interface Series {
  readonly label: string;
  readonly color: string;
  /** y per x; NaN leaves a gap (no data there). */
  readonly values: readonly number[];
  /** Dashed, for a baseline. @default false */
  readonly dashed?: boolean;
}

export interface Panel {
  readonly title: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  /** Drawn as a dotted horizontal line with its label, e.g. a goal. */
  readonly goal?: { readonly value: number; readonly label: string };
  /** Decimals of the y tick labels. @default 0 */
  readonly yDecimals?: number;
}

export interface Chart {
  readonly title: string;
  readonly subtitle: string;
  /** The x values (shared by every panel), drawn on a log scale, and their tick labels. */
  readonly x: readonly number[];
  readonly xLabels: readonly string[];
  readonly xTitle: string;
  readonly panels: readonly Panel[];
}

const PANEL_WIDTH = 560;
const PANEL_HEIGHT = 400;
const MARGIN = { left: 70, right: 20, top: 40, bottom: 60 };
const HEADER = 80;
const LEGEND = 30;

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (value: number) => (Math.round(value * 100) / 100).toString();

/** Round tick steps (1, 2, 2.5, 5 x 10^n) giving about five ticks up to at least `max`. */
function ticks(max: number): number[] {
  const rough = max / 5;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((candidate) => candidate >= rough)!;
  const count = Math.ceil(max / step);
  return Array.from({ length: count + 1 }, (_, i) => i * step);
}

function panelSvg(chart: Chart, panel: Panel, offsetX: number): string {
  const width = PANEL_WIDTH - MARGIN.left - MARGIN.right;
  const height = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const [minX, maxX] = [Math.log(chart.x[0]!), Math.log(chart.x.at(-1)!)];
  const px = (x: number) => offsetX + MARGIN.left + ((Math.log(x) - minX) / (maxX - minX)) * width;
  const values = panel.series.flatMap((series) => series.values.filter(Number.isFinite));
  const yTicks = ticks(Math.max(...values, panel.goal?.value ?? 0) * 1.05);
  const maxY = yTicks.at(-1)!;
  // Enough decimals for the step (2.5 must not print as 3).
  const decimals = Math.max(panel.yDecimals ?? 0, Number.isInteger(yTicks[1]!) ? 0 : 1);
  const py = (y: number) => HEADER + MARGIN.top + height - (y / maxY) * height;
  const parts: string[] = [];
  parts.push(
    `<text x="${offsetX + MARGIN.left + width / 2}" y="${HEADER + 22}" text-anchor="middle" font-size="16" font-weight="bold">${escape(panel.title)}</text>`,
  );
  for (const tick of yTicks) {
    parts.push(
      `<line x1="${offsetX + MARGIN.left}" x2="${offsetX + MARGIN.left + width}" y1="${py(tick)}" y2="${py(tick)}" stroke="#e3e3e3"/>`,
    );
    parts.push(
      `<text x="${offsetX + MARGIN.left - 8}" y="${py(tick) + 4}" text-anchor="end" font-size="12">${tick.toFixed(decimals)}</text>`,
    );
  }
  chart.x.forEach((x, i) => {
    parts.push(`<line x1="${px(x)}" x2="${px(x)}" y1="${py(0)}" y2="${py(0) + 5}" stroke="#555"/>`);
    parts.push(`<text x="${px(x)}" y="${py(0) + 20}" text-anchor="middle" font-size="12">${escape(chart.xLabels[i]!)}</text>`);
  });
  parts.push(`<rect x="${offsetX + MARGIN.left}" y="${py(maxY)}" width="${width}" height="${height}" fill="none" stroke="#555"/>`);
  parts.push(
    `<text x="${offsetX + MARGIN.left + width / 2}" y="${py(0) + 44}" text-anchor="middle" font-size="13">${escape(chart.xTitle)}</text>`,
  );
  const yMid = py(maxY / 2);
  parts.push(
    `<text x="${offsetX + 18}" y="${yMid}" text-anchor="middle" font-size="13" transform="rotate(-90 ${offsetX + 18} ${yMid})">${escape(panel.yLabel)}</text>`,
  );
  if (panel.goal) {
    parts.push(
      `<line x1="${offsetX + MARGIN.left}" x2="${offsetX + MARGIN.left + width}" y1="${py(panel.goal.value)}" y2="${py(panel.goal.value)}" stroke="#2a7" stroke-dasharray="2 4" stroke-width="2"/>`,
    );
    parts.push(
      `<text x="${offsetX + MARGIN.left + width - 4}" y="${py(panel.goal.value) - 6}" text-anchor="end" font-size="12" fill="#2a7">${escape(panel.goal.label)}</text>`,
    );
  }
  for (const series of panel.series) {
    // Consecutive points with data form one segment; a NaN breaks the line.
    let path = '';
    series.values.forEach((value, i) => {
      if (!Number.isFinite(value)) return;
      const command = i > 0 && Number.isFinite(series.values[i - 1]!) ? 'L' : 'M';
      path += `${command}${fmt(px(chart.x[i]!))},${fmt(py(value))} `;
    });
    parts.push(
      `<path d="${path.trim()}" fill="none" stroke="${series.color}" stroke-width="2.5"${series.dashed ? ' stroke-dasharray="8 5"' : ''}/>`,
    );
    series.values.forEach((value, i) => {
      if (Number.isFinite(value))
        parts.push(`<circle cx="${fmt(px(chart.x[i]!))}" cy="${fmt(py(value))}" r="3.5" fill="${series.color}"/>`);
    });
  }
  return parts.join('\n');
}

/** The chart as an SVG document: the panels side by side under one title and legend. */
export function chartSvg(chart: Chart): string {
  const width = PANEL_WIDTH * chart.panels.length;
  const height = HEADER + PANEL_HEIGHT + LEGEND;
  const legend = chart.panels[0]!.series.map((series, i) => {
    const x = 30 + i * ((width - 60) / chart.panels[0]!.series.length);
    const y = HEADER + PANEL_HEIGHT + 12;
    return (
      `<line x1="${x}" x2="${x + 30}" y1="${y}" y2="${y}" stroke="${series.color}" stroke-width="3"${series.dashed ? ' stroke-dasharray="8 5"' : ''}/>` +
      `<text x="${x + 38}" y="${y + 4}" font-size="13">${escape(series.label)}</text>`
    );
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="30" text-anchor="middle" font-size="20" font-weight="bold">${escape(chart.title)}</text>`,
    `<text x="${width / 2}" y="56" text-anchor="middle" font-size="13" fill="#444">${escape(chart.subtitle)}</text>`,
    ...chart.panels.map((panel, i) => panelSvg(chart, panel, i * PANEL_WIDTH)),
    ...legend,
    '</svg>',
  ].join('\n');
}

/** Writes `<base>.svg` and `<base>.png` (drawn by resvg, with the system's fonts for the text). Returns the files written. */
export function writeChart(chart: Chart, base: string): { files: string[] } {
  const svg = `${chartSvg(chart)}\n`;
  writeFileSync(`${base}.svg`, svg);
  const png = new Resvg(svg, { background: 'white', font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
  writeFileSync(`${base}.png`, png);
  return { files: [`${base}.svg`, `${base}.png`] };
}

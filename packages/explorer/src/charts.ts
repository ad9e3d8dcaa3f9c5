// Charts: uPlot for the time series, a small SVG for the sparklines. Every series is told
// apart by its label, line style and marker, never by colour alone, and every chart has a table
// beside it holding the same figures.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { h, svg } from './dom.js';

/** Seconds since the epoch of a day or instant (uPlot's time scale). */
export function seconds(value: string): number {
  return Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value) / 1000;
}

/** A sparkline of values in order, as an SVG polyline; the label says what it shows in words. */
export function sparkline(values: number[], label: string): SVGElement {
  const width = 96;
  const height = 24;
  const element = svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': label, class: 'sparkline' });
  element.appendChild(svg('title', {}, document.createTextNode(label)));
  if (values.length === 0) return element;
  const min = Math.min(...values);
  const max = Math.max(...values);
  const x = (index: number) => (values.length === 1 ? width / 2 : 2 + (index * (width - 4)) / (values.length - 1));
  const y = (value: number) => (max === min ? height / 2 : height - 2 - ((value - min) * (height - 4)) / (max - min));
  const points = values.map((value, index) => `${x(index).toFixed(1)},${y(value).toFixed(1)}`).join(' ');
  element.appendChild(svg('polyline', { points, fill: 'none', stroke: 'currentColor', 'stroke-width': 1.5 }));
  values.forEach((value, index) => {
    element.appendChild(svg('circle', { cx: x(index).toFixed(1), cy: y(value).toFixed(1), r: 1.8, fill: 'currentColor' }));
  });
  return element;
}

export interface SeriesSpec {
  label: string;
  values: (number | null)[];
  /** How it is drawn: a line, steps (holding until the next value), points only, or bars. */
  style: 'line' | 'steps' | 'points' | 'bars';
  dash?: number[];
  /** A hatched fill for bars, so two bar series differ without colour. */
  hatched?: boolean;
  stroke?: string;
}

export interface ChartSpec {
  /** Seconds since the epoch, ascending. */
  x: number[];
  series: SeriesSpec[];
  yLabel: string;
  /** Draws on the canvas after the series (labels of marks, candles). */
  draw?: (u: uPlot) => void;
  height?: number;
  /** The y scale's range, when the series alone would not give a good one. */
  yRange?: (u: uPlot, min: number, max: number) => [number, number];
  /** Room left and right of the first and last x, in seconds (bars at the ends would be cut in half). */
  xPad?: number;
}

/** A y range from 0 to a tenth above the highest value: bars measure from zero. */
export const FROM_ZERO = (_u: uPlot, _min: number, max: number): [number, number] => [0, max > 0 ? max * 1.1 : 1];

const DAY_SECONDS = 86_400;
export const DAYS = (n: number) => n * DAY_SECONDS;

const INK = '#1b1f24';
const STROKES = ['#1b1f24', '#0b5cad', '#8a3b00', '#4d6b00', '#6b2f8a'];

function hatch(u: uPlot): CanvasPattern | string {
  const tile = document.createElement('canvas');
  tile.width = 8;
  tile.height = 8;
  const context = tile.getContext('2d');
  if (!context) return INK;
  context.strokeStyle = INK;
  context.lineWidth = 1.5;
  context.beginPath();
  context.moveTo(0, 8);
  context.lineTo(8, 0);
  context.stroke();
  return u.ctx.createPattern(tile, 'repeat') ?? INK;
}

function seriesOptions(spec: SeriesSpec, index: number): uPlot.Series {
  const stroke = spec.stroke ?? STROKES[index % STROKES.length]!;
  const base: uPlot.Series = {
    label: spec.label,
    stroke,
    width: 2,
    spanGaps: spec.style !== 'points',
    ...(spec.dash ? { dash: spec.dash } : {}),
  };
  switch (spec.style) {
    case 'steps':
      return { ...base, paths: uPlot.paths.stepped!({ align: 1 }), points: { show: false } };
    case 'points':
      return { ...base, paths: () => null, points: { show: true, size: 10, width: 2, fill: '#fff', stroke } };
    case 'bars':
      return {
        ...base,
        width: 1,
        paths: uPlot.paths.bars!({ size: [0.5, 36] }),
        points: { show: false },
        fill: spec.hatched ? (u: uPlot) => hatch(u) : `${stroke}cc`,
      };
    default:
      return { ...base, points: { show: true, size: 5 } };
  }
}

/** Draws the chart into `target` at the target's width, and again when the window is resized. */
export function timeChart(target: HTMLElement, spec: ChartSpec): void {
  const width = () => Math.max(280, Math.min(target.clientWidth || 320, 960));
  const options: uPlot.Options = {
    width: width(),
    height: spec.height ?? 260,
    scales: {
      x: spec.xPad ? { time: true, range: (_u, min, max) => [min - spec.xPad!, max + spec.xPad!] } : { time: true },
      y: spec.yRange ? { range: spec.yRange } : { auto: true },
    },
    series: [
      { label: 'Day', value: (_u, value) => (value == null ? '—' : new Date(value * 1000).toISOString().slice(0, 10)) },
      ...spec.series.map(seriesOptions),
    ],
    axes: [
      { stroke: INK, grid: { stroke: '#0000001a' } },
      { stroke: INK, label: spec.yLabel, size: 70, grid: { stroke: '#0000001a' } },
    ],
    legend: { show: true, live: true },
    cursor: { points: { show: true } },
    hooks: spec.draw ? { draw: [spec.draw] } : {},
  };
  const data = [spec.x, ...spec.series.map((series) => series.values)] as uPlot.AlignedData;
  const chart = new uPlot(options, data, target);
  let pending = 0;
  window.addEventListener('resize', () => {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(() => {
      if (!target.isConnected) return;
      chart.setSize({ width: width(), height: spec.height ?? 260 });
    });
  });
}

/** Writes `text` on the canvas at a data point, with a white halo so it reads over lines. */
/**
 * Writes `text` on the canvas at a data point (above it, or below), with a white halo so it reads
 * over lines, unless it would overlap a label already written there: `taken` holds the canvas
 * extents written so far and gains this one. Returns whether it was written.
 */
export function labelAt(
  u: uPlot,
  x: number,
  y: number,
  text: string,
  options: { above?: boolean; taken?: [number, number, number][] } = {},
): boolean {
  const context = u.ctx;
  const ratio = uPlot.pxRatio;
  const anchor = u.valToPos(x, 'x', true);
  const top = u.valToPos(y, 'y', true) + (options.above === false ? 18 : -12) * ratio;
  context.save();
  context.font = `${12 * ratio}px system-ui, sans-serif`;
  const width = context.measureText(text).width;
  // Right-aligned near the right edge, so the text stays inside the plot.
  const start = anchor > u.bbox.left + u.bbox.width * 0.7 ? anchor - width : anchor;
  const clash = options.taken?.some(
    ([left, right, line]) => Math.abs(line - top) < 14 * ratio && start < right + 8 * ratio && start + width > left - 8 * ratio,
  );
  if (!clash) {
    options.taken?.push([start, start + width, top]);
    context.textAlign = 'left';
    context.lineWidth = 4 * ratio;
    context.strokeStyle = '#fff';
    context.fillStyle = INK;
    context.strokeText(text, start, top);
    context.fillText(text, start, top);
  }
  context.restore();
  return !clash;
}

/** A filled square at a data point: a mark told from uPlot's hollow circles by its shape. */
export function squareAt(u: uPlot, x: number, y: number, fill: string): void {
  const context = u.ctx;
  const half = 5 * uPlot.pxRatio;
  context.save();
  context.fillStyle = fill;
  context.strokeStyle = '#fff';
  context.lineWidth = uPlot.pxRatio;
  context.fillRect(u.valToPos(x, 'x', true) - half, u.valToPos(y, 'y', true) - half, half * 2, half * 2);
  context.strokeRect(u.valToPos(x, 'x', true) - half, u.valToPos(y, 'y', true) - half, half * 2, half * 2);
  context.restore();
}

/** A vertical rule at x across the plot, dashed, with a label at its top. */
export function ruleAt(u: uPlot, x: number, text: string): void {
  const context = u.ctx;
  const left = u.valToPos(x, 'x', true);
  context.save();
  context.strokeStyle = INK;
  context.setLineDash([4 * uPlot.pxRatio, 4 * uPlot.pxRatio]);
  context.lineWidth = uPlot.pxRatio;
  context.beginPath();
  context.moveTo(left, u.bbox.top);
  context.lineTo(left, u.bbox.top + u.bbox.height);
  context.stroke();
  context.setLineDash([]);
  context.font = `${12 * uPlot.pxRatio}px system-ui, sans-serif`;
  context.fillStyle = INK;
  context.textAlign = left > u.bbox.left + u.bbox.width * 0.6 ? 'right' : 'left';
  context.fillText(text, left + (context.textAlign === 'left' ? 4 : -4) * uPlot.pxRatio, u.bbox.top + 14 * uPlot.pxRatio);
  context.restore();
}

export interface CandleSeries {
  x: number[];
  open: number[];
  high: number[];
  low: number[];
  close: number[];
}

/**
 * Candles: a wick from low to high and a body from open to close, filled when the close is at
 * or above the open and hollow when below, so up and down read without colour.
 */
export function candleChart(target: HTMLElement, candles: CandleSeries, yLabel: string): void {
  timeChart(target, {
    x: candles.x,
    yLabel,
    series: [
      { label: 'High', values: candles.high, style: 'points', stroke: '#00000000' },
      { label: 'Low', values: candles.low, style: 'points', stroke: '#00000000' },
      { label: 'Close', values: candles.close, style: 'line', stroke: '#0b5cad' },
    ],
    draw: (u) => {
      const context = u.ctx;
      const ratio = uPlot.pxRatio;
      const spacing = candles.x.length > 1 ? (u.bbox.width / candles.x.length) * 0.6 : 12 * ratio;
      const half = Math.max(2 * ratio, Math.min(10 * ratio, spacing / 2));
      context.save();
      context.strokeStyle = INK;
      context.fillStyle = INK;
      context.lineWidth = ratio;
      candles.x.forEach((x, index) => {
        const left = u.valToPos(x, 'x', true);
        const [open, high, low, close] = [candles.open[index]!, candles.high[index]!, candles.low[index]!, candles.close[index]!];
        const top = u.valToPos(Math.max(open, close), 'y', true);
        const bottom = u.valToPos(Math.min(open, close), 'y', true);
        context.beginPath();
        context.moveTo(left, u.valToPos(high, 'y', true));
        context.lineTo(left, u.valToPos(low, 'y', true));
        context.stroke();
        const bodyHeight = Math.max(ratio, bottom - top);
        if (close >= open) context.fillRect(left - half, top, half * 2, bodyHeight);
        else {
          context.fillStyle = '#fff';
          context.fillRect(left - half, top, half * 2, bodyHeight);
          context.fillStyle = INK;
          context.strokeRect(left - half, top, half * 2, bodyHeight);
        }
      });
      context.restore();
    },
  });
}

/** A figure: a caption, the chart's box (role img, described in words) and what follows it. */
export function figure(caption: string, description: string, ...rest: (Node | null)[]): { element: HTMLElement; plot: HTMLElement } {
  const plot = h('div', { class: 'plot', role: 'img', 'aria-label': description });
  const element = h('figure', {}, h('figcaption', {}, caption), plot, ...rest);
  return { element, plot };
}

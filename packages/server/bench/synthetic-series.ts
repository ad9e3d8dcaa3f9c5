// A made-up price series for benchmarks and load tests: a seeded random walk, one row a
// minute. It is not market data and never loaded by default; its file and asset say so.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';

export const SYNTHETIC_SYMBOL = 'SYNTH';
export const SYNTHETIC_ASSET_NAME = 'Synthetic random walk (benchmark data, not a real asset)';
export const SYNTHETIC_START = new Date('2024-01-01T00:00:00Z');
const MINUTE_MS = 60_000;

/** The CSV's name says what it is, wherever it ends up. */
export function syntheticFileName(rows: number): string {
  return `synthetic-random-walk-${SYNTHETIC_SYMBOL}-${rows}-minutes.csv`;
}

/**
 * Writes `rows` one-minute candles from SYNTHETIC_START in the plain import format. Prices are
 * whole cents, drawn with a seeded generator, so the same arguments always give the same file.
 */
export async function writeSyntheticSeries(dir: string, rows: number, seed = 20_240_101): Promise<string> {
  const path = join(dir, syntheticFileName(rows));
  const out = createWriteStream(path);
  const random = mulberry32(seed);
  let cents = 4_200_000; // starts near 42,000.00
  const lines: string[] = ['at,open,high,low,close,volume\n'];
  for (let i = 0; i < rows; i += 1) {
    const open = cents;
    // A step of up to ±0.1 %, never below one dollar.
    cents = Math.max(100, open + Math.round(open * 0.001 * (random() * 2 - 1)));
    const high = Math.max(open, cents) + Math.floor(random() * open * 0.0005);
    const low = Math.max(1, Math.min(open, cents) - Math.floor(random() * open * 0.0005));
    const volume = fixed(Math.floor(random() * 5_000_000), 3);
    const at = new Date(SYNTHETIC_START.getTime() + i * MINUTE_MS).toISOString();
    lines.push(`${at},${fixed(open, 2)},${fixed(high, 2)},${fixed(low, 2)},${fixed(cents, 2)},${volume}\n`);
    if (lines.length === 10_000) {
      if (!out.write(lines.join(''))) await once(out, 'drain');
      lines.length = 0;
    }
  }
  out.end(lines.join(''));
  await once(out, 'finish');
  return path;
}

/** An integer count of 10^-places units as a decimal string: exact, no float formatting. */
function fixed(units: number, places: number): string {
  const text = String(units).padStart(places + 1, '0');
  return `${text.slice(0, -places)}.${text.slice(-places)}`;
}

/** A small seeded generator (Mulberry32), so runs are reproducible. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

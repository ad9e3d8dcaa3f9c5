import type { DatabaseHandle } from '../db/connect.js';
import { publishChangeOn } from '../changes/changes.js';
import { inBulkTransaction } from './bulk-session.js';
import { CoinGeckoError, type CoinGeckoClient, type CoinGeckoPrice } from './coingecko.js';
import { checkObservation, describeProblems } from './observation-rules.js';
import { createPriceStaging, mergePriceStaging, sourceIdFor, STAGING_TARGET, stagingLine, type MergeCounts } from './price-staging.js';

const DAY_MS = 86_400_000;

/**
 * CoinGecko picks the granularity of market_chart/range from the span asked for: 2 to 90 days
 * give hourly points, more give one point a day, and a span of up to a day that ends now
 * gives 5-minute points. Windows of 90 days keep every request hourly; a shorter last window
 * is asked for at least 2 days (the extra day is fetched but not stored) so it is hourly too.
 */
export const WINDOW_DAYS = 90;
export const MIN_REQUEST_DAYS = 2;

/** CoinGecko's coin ids for symbols whose id is not obvious from the symbol. */
export const COINGECKO_IDS: Readonly<Record<string, string>> = { BTC: 'bitcoin' };

export interface SyncWindow {
  /** The points stored are those in [start, end]. */
  start: Date;
  end: Date;
  /** Where the request starts: `start`, or earlier for a short window. */
  requestFrom: Date;
}

/** [start, end) in windows of WINDOW_DAYS, oldest first. */
export function planWindows(start: Date, end: Date): SyncWindow[] {
  const windows: SyncWindow[] = [];
  for (let from = start.getTime(); from < end.getTime(); from += WINDOW_DAYS * DAY_MS) {
    const to = Math.min(from + WINDOW_DAYS * DAY_MS, end.getTime());
    windows.push({ start: new Date(from), end: new Date(to), requestFrom: new Date(Math.min(from, to - MIN_REQUEST_DAYS * DAY_MS)) });
  }
  return windows;
}

/** The meta key holding how far a symbol's sync has come. */
export const syncProgressKey = (symbol: string) => `coingecko-sync:${symbol}`;

/** Stored in `meta`: [from, through) has been synced from this coin, window by window. */
interface SyncProgress {
  coinId: string;
  from: string;
  through: string;
}

export interface SyncOptions {
  symbol: string;
  coinId: string;
  /** Absent: continue the symbol's last sync from where it stopped. */
  from?: Date;
  to: Date;
  /** Ignore the remembered progress and fetch the whole range again. */
  restart?: boolean;
  client: CoinGeckoClient;
  onWindow?: (result: WindowResult) => void;
}

export interface WindowResult extends MergeCounts {
  window: SyncWindow;
  points: number;
}

export interface SyncSummary extends MergeCounts {
  coinId: string;
  /** Where this run started when it continued an earlier one. */
  resumedFrom: Date | null;
  windows: WindowResult[];
}

/**
 * Fetches [from, to) window by window and stores each window in its own transaction, together
 * with the end of that window as the symbol's progress. A run that fails keeps every window
 * before the failure; the next run starts from the last window completed.
 */
export async function syncFromCoinGecko(database: DatabaseHandle, options: SyncOptions): Promise<SyncSummary> {
  const symbol = options.symbol.trim().toUpperCase();
  const asset = await database.db.selectFrom('assets').select('id').where('symbol', '=', symbol).executeTakeFirst();
  if (!asset) throw new CoinGeckoSyncInputError(`No asset has the symbol ${symbol}. Create it first (the createAsset mutation).`);
  if (options.from === undefined && options.restart) {
    throw new CoinGeckoSyncInputError('--restart fetches the whole range again, so it needs --from.');
  }

  const key = syncProgressKey(symbol);
  const stored = options.restart ? null : await readProgress(database, key, options.coinId);
  if (options.from === undefined && stored === null) {
    throw new CoinGeckoSyncInputError(
      `${symbol} has no earlier sync from CoinGecko (${options.coinId}) to continue: pass --from YYYY-MM-DD for the first one.`,
    );
  }
  const from = options.from ?? stored!.from;
  if (from >= options.to) throw new CoinGeckoSyncInputError('The range is empty: --from must be before --to (and before now).');
  // Continue only a range that this one starts inside of; a range elsewhere starts afresh.
  const continues = stored !== null && stored.from <= from && from <= stored.through;
  const coveredFrom = continues ? stored.from : from;
  const start = continues && stored.through > from ? stored.through : from;

  const summary: SyncSummary = {
    coinId: options.coinId,
    resumedFrom: start > from ? start : null,
    windows: [],
    inserted: 0,
    updated: 0,
    unchanged: 0,
  };
  if (start >= options.to) return summary;

  for (const window of planWindows(start, options.to)) {
    const fetched = await options.client.marketChartRange(options.coinId, window.requestFrom, window.end);
    const points = pointsOf(fetched, window, options.coinId);
    const counts = await inBulkTransaction(database, async (session) => {
      await createPriceStaging(session);
      const sourceId = await sourceIdFor(session, {
        title: `CoinGecko market chart of ${options.coinId} in USD`,
        url: `https://www.coingecko.com/en/coins/${options.coinId}`,
        publisher: 'CoinGecko',
      });
      await session.copyInto(STAGING_TARGET, chunked(points.map((point, index) => stagingLine(index + 1, point))));
      const merged = await mergePriceStaging(session, asset.id, sourceId, points.length);
      if (!merged.ok) throw new Error('Points were deduplicated before staging; a repeated instant cannot remain.');
      const progress: SyncProgress = { coinId: options.coinId, from: coveredFrom.toISOString(), through: window.end.toISOString() };
      await session.query(
        `insert into meta (key, value, updated_at) values ($1, $2, now())
         on conflict (key) do update set value = excluded.value, updated_at = excluded.updated_at`,
        [key, JSON.stringify(progress)],
      );
      const { inserted, updated } = merged.counts;
      if (inserted + updated > 0) {
        await publishChangeOn(session, {
          kind: 'prices',
          symbol,
          assetId: asset.id,
          inserted,
          updated,
          from: window.requestFrom.toISOString(),
          to: window.end.toISOString(),
        });
      }
      return merged.counts;
    });
    const result: WindowResult = { window, points: points.length, ...counts };
    summary.windows.push(result);
    summary.inserted += counts.inserted;
    summary.updated += counts.updated;
    summary.unchanged += counts.unchanged;
    options.onWindow?.(result);
  }
  return summary;
}

export class CoinGeckoSyncInputError extends Error {
  override name = 'CoinGeckoSyncInputError';
}

/**
 * The window's points as observations: a single price each (open = high = low = close) and no
 * volume. CoinGecko's total_volumes are trailing 24-hour volumes sampled at every point;
 * stored on hourly points, candles (which sum volume) would count each hour about 24 times.
 * CoinGecko repeats an instant now and then (the last point of a range); the last one wins.
 */
function pointsOf(fetched: CoinGeckoPrice[], window: SyncWindow, coinId: string) {
  const byInstant = new Map<number, CoinGeckoPrice>();
  for (const point of fetched) {
    if (point.at >= window.start && point.at <= window.end) byInstant.set(point.at.getTime(), point);
  }
  return [...byInstant.values()]
    .sort((a, b) => a.at.getTime() - b.at.getTime())
    .map((point) => {
      // CoinGecko's answer holds `prices`; a bad one is named as such, not as a close.
      const checked = checkObservation({ at: point.at, close: point.price }, { close: 'price' });
      if (!checked.ok) {
        throw new CoinGeckoError(
          `CoinGecko's answer for ${coinId} ${window.start.toISOString()} → ${window.end.toISOString()} has a price that cannot be stored at ${point.at.toISOString()}: ${describeProblems(checked.problems)}`,
        );
      }
      return checked.point;
    });
}

async function readProgress(database: DatabaseHandle, key: string, coinId: string): Promise<{ from: Date; through: Date } | null> {
  const row = await database.db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst();
  if (!row) return null;
  try {
    const progress = JSON.parse(row.value) as SyncProgress;
    const from = new Date(progress.from);
    const through = new Date(progress.through);
    // Progress of another coin, or a value nobody can read, is no progress of this sync.
    if (progress.coinId !== coinId || Number.isNaN(from.getTime()) || Number.isNaN(through.getTime())) return null;
    return { from, through };
  } catch {
    return null;
  }
}

async function* chunked(lines: string[], size = 2_000): AsyncGenerator<string> {
  for (let index = 0; index < lines.length; index += size) yield lines.slice(index, index + size).join('');
}

import { statSync } from 'node:fs';
import { sql } from 'kysely';
import type { DatabaseHandle } from '../db/connect.js';
import { publishChangeOn } from '../changes/changes.js';
import { inBulkTransaction, type BulkSession } from './bulk-session.js';
import type { PriceCsvFormat } from './csv-formats.js';
import { copyAsNew } from './price-copy.js';
import { PriceFile, PriceFileRejectedError, PriceImportInputError, REPORTED_PROBLEMS, type LineProblem } from './price-file.js';
import {
  createPriceStaging,
  duplicateInstants,
  mergePriceStaging,
  sourceIdFor,
  STAGING_TARGET,
  stagingLine,
  type DuplicateInstant,
  type MergeCounts,
} from './price-staging.js';

export { PriceFileRejectedError, PriceImportInputError, REPORTED_PROBLEMS, type LineProblem } from './price-file.js';

export interface ImportProgress {
  phase: 'reading' | 'merging';
  /** Good rows read so far. */
  rows: number;
  bytesRead: number;
  totalBytes: number;
}

export interface PriceImportOptions {
  file: string;
  symbol: string;
  /** Where the figures come from; the same fields on a later import reuse the same source. */
  source?: { title: string; url?: string | null; publisher?: string | null } | null;
  onProgress?: (progress: ImportProgress) => void;
}

export interface PriceImportSummary extends MergeCounts {
  format: PriceCsvFormat;
  symbol: string;
  /** Rows stored or compared: every line but the header and skipped rows. */
  rows: number;
  skipped: number;
}

/**
 * Imports a CSV of prices for one asset, all or nothing: every line is checked while it
 * streams to the database, and the rows are stored in the same transaction only if no line is
 * bad. A killed process leaves the database as it was (its transaction never commits).
 */
export async function importPriceCsv(database: DatabaseHandle, options: PriceImportOptions): Promise<PriceImportSummary> {
  const totalBytes = fileSize(options.file);
  const symbol = options.symbol.trim().toUpperCase();
  const asset = await database.db.selectFrom('assets').select('id').where('symbol', '=', symbol).executeTakeFirst();
  if (!asset) throw new PriceImportInputError(`No asset has the symbol ${symbol}. Create it first (the createAsset mutation).`);

  let file = await PriceFile.open(options.file);
  const progress = (phase: ImportProgress['phase'], bytesRead = file.bytesRead) =>
    options.onProgress?.({ phase, rows: file.rows, bytesRead, totalBytes });

  // While this runs, PGlite's one connection is the transaction's: no Kysely query may run inside.
  const counts = await inBulkTransaction(database, async (session) => {
    const sourceId = options.source ? await sourceIdFor(session, options.source) : null;
    const copied = await copyAsNew(session, file, asset.id, sourceId, () => progress('reading'));
    if (copied === 'abandoned') {
      // Read again from the top, into the staging table: the progress starts over too.
      file.close();
      file = await PriceFile.open(options.file);
    }
    let counts: MergeCounts;
    if (copied === 'copied') {
      progress('reading', totalBytes);
      counts = { inserted: file.rows, updated: 0, unchanged: 0 };
    } else {
      counts = await stageAndMerge(session, file, asset.id, sourceId, progress, totalBytes);
    }
    const { inserted, updated } = counts;
    if (inserted + updated > 0)
      await publishChangeOn(session, { kind: 'prices', symbol, assetId: asset.id, inserted, updated, from: null, to: null });
    return counts;
  }).finally(() => file.close());
  if (counts.inserted >= ANALYZE_AFTER_ROWS) await refreshStatistics(database);
  return { format: file.format, symbol, rows: file.rows, skipped: file.skipped, ...counts };
}

/** Rows inserted by one import past which the planner's statistics are refreshed at once. */
const ANALYZE_AFTER_ROWS = 10_000;

/**
 * The planner's statistics of the price tables and their rollups, after an import that added
 * many rows. PGlite has no autovacuum to gather them, and PostgreSQL's comes up to a minute
 * later; meanwhile a month of HOUR candles, when it still read the observations, was planned as
 * a sort on disk instead of a hash, 2 to 3 times slower (BENCHMARKS.md, Price queries). The
 * import has committed: a failure here changes nothing about it, so it is not reported as the import's.
 */
async function refreshStatistics(database: DatabaseHandle): Promise<void> {
  await sql`analyze price_observations, price_hours, price_days`.execute(database.db).catch(() => undefined);
}

/**
 * Every other import: the rows go to a staging table first, so that a bad file can be refused
 * naming every bad line and repeated instant, and the rows merged with those already stored.
 */
async function stageAndMerge(
  session: BulkSession,
  file: PriceFile,
  assetId: string,
  sourceId: string | null,
  progress: (phase: ImportProgress['phase'], bytesRead?: number) => void,
  totalBytes: number,
): Promise<MergeCounts> {
  await createPriceStaging(session);
  await session.copyInto(STAGING_TARGET, file.copyChunks(stagingLine, { stopAtBadLine: false, onProgress: () => progress('reading') }));
  progress('reading', totalBytes);
  if (file.problemCount > 0) {
    const { duplicates, duplicateCount } = await duplicateInstants(session, REPORTED_PROBLEMS);
    throw rejection(file.path, file.problems, file.problemCount, duplicates, duplicateCount);
  }
  progress('merging', totalBytes);
  const merged = await mergePriceStaging(session, assetId, sourceId, file.rows);
  if (!merged.ok) throw rejection(file.path, [], 0, merged.duplicates, merged.duplicateCount);
  return merged.counts;
}

function rejection(
  file: string,
  problems: LineProblem[],
  problemCount: number,
  duplicates: DuplicateInstant[],
  duplicateCount: number,
): PriceFileRejectedError {
  const repeated = duplicates.map((duplicate) => ({
    line: duplicate.line,
    message: `the same instant (${duplicate.at.toISOString()}) as line ${duplicate.firstLine}.`,
  }));
  const first = [...problems, ...repeated].sort((a, b) => a.line - b.line).slice(0, REPORTED_PROBLEMS);
  return new PriceFileRejectedError(file, first, problemCount + duplicateCount);
}

function fileSize(file: string): number {
  try {
    const stats = statSync(file);
    if (!stats.isFile()) throw new PriceImportInputError(`${file} is not a file.`);
    return stats.size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new PriceImportInputError(`There is no file ${file}.`);
    throw error;
  }
}

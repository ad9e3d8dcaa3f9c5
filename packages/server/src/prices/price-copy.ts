import type { BulkSession } from './bulk-session.js';
import { BadLineMet, type CopyLine, type PriceFile } from './price-file.js';

const OBSERVATIONS_TARGET = 'price_observations (asset_id, at, open, high, low, close, volume, source_id)';

/** Two rows with the same key: a repeated instant in the file, a stored row, or a writer that got there first. */
const UNIQUE_VIOLATION = '23505';

/**
 * What `copyAsNew` did: copied every row of the file, or wrote nothing, either without trying
 * (the file is not read beyond its first good row) or after trying (the file must be read again).
 */
export type CopyAsNewOutcome = 'copied' | 'not tried' | 'abandoned';

/**
 * A first import of a stretch of time, the common case: when the asset has nothing stored from
 * the file's first instant on, the rows are COPYed straight into price_observations. PostgreSQL
 * then stores each row while the next ones are still being read and checked, and does not
 * write and read back a staging table first. The per-statement triggers (references,
 * the price_hours and price_days rollups) run once, at the end of the COPY, as they run after the staging path's INSERT.
 *
 * Nothing is written if a line is bad, or if a row meets a key already there (a repeated
 * instant, a stored row of a file out of time order, a concurrent writer): the staging path
 * then reads the file again, names every bad line and repeated instant, and merges.
 */
export async function copyAsNew(
  session: BulkSession,
  file: PriceFile,
  assetId: string,
  sourceId: string | null,
  onProgress?: () => void,
): Promise<CopyAsNewOutcome> {
  const first = await file.firstRow();
  if (!first || file.problemCount > 0 || (await storedFrom(session, assetId, first.at))) return 'not tried';
  await session.query('savepoint price_copy');
  try {
    await session.copyInto(OBSERVATIONS_TARGET, file.copyChunks(observationLine(assetId, sourceId), { stopAtBadLine: true, onProgress }));
  } catch (error) {
    if (!(error instanceof BadLineMet) && (error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
    await session.query('rollback to savepoint price_copy');
    return 'abandoned';
  }
  await session.query('release savepoint price_copy');
  return 'copied';
}

/** Whether the asset has an observation at `at` or later. */
async function storedFrom(session: BulkSession, assetId: string, at: Date): Promise<boolean> {
  const [stored] = await session.query<{ found: boolean }>(
    `select exists (
       select 1 from price_observations o
       where o.asset_id = $1::bigint and o.at >= 'epoch'::timestamptz + $2::bigint * interval '1 millisecond'
     ) as found`,
    [assetId, at.getTime()],
  );
  return stored!.found;
}

/**
 * One row of price_observations in COPY's text format. The values are checked decimals, ids and
 * ISO instants in UTC, which PostgreSQL reads the same in any DateStyle and TimeZone: nothing to escape.
 */
function observationLine(assetId: string, sourceId: string | null): CopyLine {
  const source = sourceId ?? '\\N';
  return (_line, point) =>
    `${assetId}\t${point.at.toISOString()}\t${point.open}\t${point.high}\t${point.low}\t${point.close}\t${point.volume ?? '\\N'}\t${source}\n`;
}

import { createReadStream, statSync } from 'node:fs';
import { CsvError, parse } from 'csv-parse';
import type { DatabaseHandle } from '../db/connect.js';
import { publishChangeOn } from '../changes/changes.js';
import { inBulkTransaction } from './bulk-session.js';
import { detectFormat, type PriceCsvFormat } from './csv-formats.js';
import { checkObservation, describeProblems } from './observation-rules.js';
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

/** How many bad lines a refusal spells out; the rest are counted. */
export const REPORTED_PROBLEMS = 20;

export interface LineProblem {
  line: number;
  message: string;
}

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

/** The file cannot be imported as it is; nothing was written. */
export class PriceFileRejectedError extends Error {
  override name = 'PriceFileRejectedError';
  constructor(
    readonly file: string,
    /** The first REPORTED_PROBLEMS problems, by line. */
    readonly problems: LineProblem[],
    readonly problemCount: number,
  ) {
    super(
      `${file}: ${problemCount} bad line${problemCount === 1 ? '' : 's'}; nothing was imported.` +
        problems.map((problem) => `\n  line ${problem.line}: ${problem.message}`).join('') +
        (problemCount > problems.length ? `\n  … and ${problemCount - problems.length} more.` : ''),
    );
  }
}

/** The import was asked of something that is not there: a file, an asset. */
export class PriceImportInputError extends Error {
  override name = 'PriceImportInputError';
}

/** Rows are handed to COPY in chunks of about this many lines, not one write per row. */
const LINES_PER_CHUNK = 2_000;
const PROGRESS_EVERY_ROWS = 10_000;

/**
 * Imports a CSV of prices for one asset, all or nothing: every line is checked while it
 * streams into a staging table, and the rows are merged in the same transaction only if no
 * line is bad. A killed process leaves the database as it was (its transaction never commits).
 */
export async function importPriceCsv(database: DatabaseHandle, options: PriceImportOptions): Promise<PriceImportSummary> {
  const totalBytes = fileSize(options.file);
  const symbol = options.symbol.trim().toUpperCase();
  const asset = await database.db.selectFrom('assets').select('id').where('symbol', '=', symbol).executeTakeFirst();
  if (!asset) throw new PriceImportInputError(`No asset has the symbol ${symbol}. Create it first (the createAsset mutation).`);

  const input = createReadStream(options.file, { highWaterMark: 1024 * 1024 });
  // Blank lines come through as one empty field and are skipped below, where they can be
  // counted: csv-parse's own line numbers (`info`) cost more than the rest of the parse.
  const parser = input.pipe(parse({ bom: true, trim: true, relax_column_count: true }));
  const records = parser[Symbol.asyncIterator]() as AsyncIterator<string[]>;
  let format: PriceCsvFormat;
  let line: number;
  try {
    ({ format, line } = await readHeader(records, options.file));
  } catch (error) {
    parser.destroy();
    throw error;
  }

  const problems: LineProblem[] = [];
  let problemCount = 0;
  let rows = 0;
  let skipped = 0;
  const report = (at: number, message: string) => {
    problemCount += 1;
    if (problems.length < REPORTED_PROBLEMS) problems.push({ line: at, message });
  };

  // Reads, checks and encodes rows as COPY pulls them. Bad lines are reported, not staged.
  async function* stagedChunks(): AsyncGenerator<string> {
    const width = format.header.length;
    let chunk: string[] = [];
    try {
      for await (const record of { [Symbol.asyncIterator]: () => records }) {
        const first = line + 1;
        line += linesIn(record);
        if (isBlank(record)) continue;
        if (record.length !== width) {
          report(first, `${record.length} field${record.length === 1 ? '' : 's'}; the header has ${width}.`);
          continue;
        }
        const row = format.read(record);
        if (row.kind === 'skipped') {
          skipped += 1;
          continue;
        }
        if (row.kind === 'bad') {
          report(first, row.problem);
          continue;
        }
        const checked = checkObservation(row.observation, format.columns);
        if (!checked.ok) {
          report(first, describeProblems(checked.problems));
          continue;
        }
        rows += 1;
        chunk.push(stagingLine(first, checked.point));
        if (chunk.length === LINES_PER_CHUNK) {
          yield chunk.join('');
          chunk = [];
        }
        if (rows % PROGRESS_EVERY_ROWS === 0) options.onProgress?.({ phase: 'reading', rows, bytesRead: input.bytesRead, totalBytes });
      }
    } catch (error) {
      if (!(error instanceof CsvError)) throw error;
      // A broken quote ends the parse: the lines after it cannot be read reliably.
      report(line + 1, error.message);
    }
    if (chunk.length > 0) yield chunk.join('');
  }

  // While this runs, PGlite's one connection is the transaction's: no Kysely query may run inside.
  const counts = await inBulkTransaction(database, async (session) => {
    await createPriceStaging(session);
    const sourceId = options.source ? await sourceIdFor(session, options.source) : null;
    await session.copyInto(STAGING_TARGET, stagedChunks());
    options.onProgress?.({ phase: 'reading', rows, bytesRead: totalBytes, totalBytes });
    if (problemCount > 0) {
      const { duplicates, duplicateCount } = await duplicateInstants(session, REPORTED_PROBLEMS);
      throw rejection(options.file, problems, problemCount, duplicates, duplicateCount);
    }
    options.onProgress?.({ phase: 'merging', rows, bytesRead: totalBytes, totalBytes });
    const merged = await mergePriceStaging(session, asset.id, sourceId, rows);
    if (!merged.ok) throw rejection(options.file, [], 0, merged.duplicates, merged.duplicateCount);
    const { inserted, updated } = merged.counts;
    if (inserted + updated > 0)
      await publishChangeOn(session, { kind: 'prices', symbol, assetId: asset.id, inserted, updated, from: null, to: null });
    return merged.counts;
  }).finally(() => parser.destroy());
  return { format, symbol, rows, skipped, ...counts };
}

/** The format the first non-blank line names, and the number of that line. */
async function readHeader(records: AsyncIterator<string[]>, file: string): Promise<{ format: PriceCsvFormat; line: number }> {
  let line = 0;
  try {
    for (let next = await records.next(); !next.done; next = await records.next()) {
      line += linesIn(next.value);
      if (!isBlank(next.value)) return { format: detectFormat(next.value), line };
    }
  } catch (error) {
    if (error instanceof CsvError) throw new PriceFileRejectedError(file, [{ line: line + 1, message: error.message }], 1);
    throw error;
  }
  throw new PriceImportInputError(`${file} is empty: the first line must be a header.`);
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

/** How many lines a record spans: one, plus any line breaks inside quoted fields. */
function linesIn(record: string[]): number {
  let lines = 1;
  for (const field of record) {
    for (let at = field.indexOf('\n'); at !== -1; at = field.indexOf('\n', at + 1)) lines += 1;
  }
  return lines;
}

const isBlank = (record: string[]) => record.length === 1 && record[0] === '';

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

import { createReadStream, type ReadStream } from 'node:fs';
import { CsvError, parse, type Parser } from 'csv-parse';
import type { NewPricePoint } from '../repositories/asset.repository.js';
import { detectFormat, type PriceCsvFormat } from './csv-formats.js';
import { checkObservation, describeProblems } from './observation-rules.js';

/** How many bad lines a refusal spells out; the rest are counted. */
export const REPORTED_PROBLEMS = 20;

export interface LineProblem {
  line: number;
  message: string;
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

/** A reading that was to stop at the first bad line met one. */
export class BadLineMet extends Error {
  override name = 'BadLineMet';
}

/** One good row as a line of COPY's text format; `line` is where it starts in the file. */
export type CopyLine = (line: number, point: NewPricePoint) => string;

/** Rows are handed to COPY in chunks of this many bytes (about 2,000 lines), not one write per row. */
const CHUNK_BYTES = 128 * 1024;
const PROGRESS_EVERY_ROWS = 10_000;

/**
 * A price file being read once, from its header to its end: every line is checked as it
 * streams, bad lines are counted and the first REPORTED_PROBLEMS kept, good rows are handed on
 * as COPY text.
 */
export class PriceFile {
  /** Good rows read so far. */
  rows = 0;
  /** Rows the format marks as saying nothing (Yahoo's "null" days). */
  skipped = 0;
  problemCount = 0;
  readonly problems: LineProblem[] = [];
  /** A good row read ahead (firstRow), not yet handed on. */
  private ahead: { line: number; point: NewPricePoint } | undefined;
  /** The parse met the end of the file or a broken quote: there is nothing more to read. */
  private ended = false;

  private constructor(
    readonly path: string,
    readonly format: PriceCsvFormat,
    private readonly input: ReadStream,
    private readonly parser: Parser,
    private readonly records: AsyncIterator<string[]>,
    /** The last line read. */
    private line: number,
  ) {}

  /** Opens the file and reads its header, which names the format. */
  static async open(path: string): Promise<PriceFile> {
    // Reads of 64 KiB, not more: each read is parsed into records at once, and the records of a
    // 1 MiB read (15,000 lines) lived long enough to double the time spent collecting garbage.
    const input = createReadStream(path, { highWaterMark: 64 * 1024 });
    // Blank lines come through as one empty field and are skipped below, where they can be
    // counted: csv-parse's own line numbers (`info`) cost more than the rest of the parse.
    const parser = input.pipe(parse({ bom: true, trim: true, relax_column_count: true }));
    const records = parser[Symbol.asyncIterator]() as AsyncIterator<string[]>;
    try {
      const { format, line } = await readHeader(records, path);
      return new PriceFile(path, format, input, parser, records, line);
    } catch (error) {
      parser.destroy();
      throw error;
    }
  }

  get bytesRead(): number {
    return this.input.bytesRead;
  }

  /**
   * Reads up to the first good row, which the next `copyChunks` hands on first: its instant
   * tells where the file starts. Null if the file has no good row.
   */
  async firstRow(): Promise<NewPricePoint | null> {
    if (this.ahead) return this.ahead.point;
    if (this.ended) return null;
    try {
      // Not a for-await loop: leaving one early would close the stream.
      for (let next = await this.records.next(); !next.done; next = await this.records.next()) {
        const line = this.line + 1;
        const point = this.take(next.value);
        if (point) {
          this.ahead = { line, point };
          return point;
        }
      }
    } catch (error) {
      if (!(error instanceof CsvError)) throw error;
      this.report(this.line + 1, error.message);
    }
    this.ended = true;
    return null;
  }

  /**
   * The rest of the file as chunks of COPY lines, read as COPY pulls them. Bad lines are
   * reported, not handed on; with `stopAtBadLine`, the first one ends the reading (BadLineMet).
   */
  async *copyChunks(copyLine: CopyLine, options: { stopAtBadLine: boolean; onProgress?: () => void }): AsyncGenerator<Buffer<ArrayBuffer>> {
    // Each line is written into the chunk as it is made: joining a chunk's lines into one
    // string, which the COPY stream then encoded, cost more than the rest of the encoding.
    // The lines are ASCII (ids, checked decimals, ISO instants), one byte a character.
    let chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    let used = 0;
    if (this.ahead) {
      used += chunk.write(copyLine(this.ahead.line, this.ahead.point), used, 'latin1');
      this.ahead = undefined;
    }
    if (!this.ended) {
      try {
        for await (const record of { [Symbol.asyncIterator]: () => this.records }) {
          const line = this.line + 1;
          const point = this.take(record);
          if (!point) {
            if (options.stopAtBadLine && this.problemCount > 0) throw new BadLineMet(`${this.path}, line ${line}`);
            continue;
          }
          const text = copyLine(line, point);
          if (used + text.length > chunk.length) {
            yield chunk.subarray(0, used);
            chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, text.length));
            used = 0;
          }
          used += chunk.write(text, used, 'latin1');
          if (this.rows % PROGRESS_EVERY_ROWS === 0) options.onProgress?.();
        }
      } catch (error) {
        if (!(error instanceof CsvError)) throw error;
        // A broken quote ends the parse: the lines after it cannot be read reliably.
        this.report(this.line + 1, error.message);
        if (options.stopAtBadLine) throw new BadLineMet(`${this.path}, line ${this.line + 1}`);
      }
      this.ended = true;
    }
    if (used > 0) yield chunk.subarray(0, used);
  }

  close(): void {
    this.parser.destroy();
  }

  /** The checked point of one record, or undefined for a blank, skipped or bad line (reported). */
  private take(record: string[]): NewPricePoint | undefined {
    const first = this.line + 1;
    this.line += linesIn(record);
    if (isBlank(record)) return undefined;
    const width = this.format.header.length;
    if (record.length !== width) {
      this.report(first, `${record.length} field${record.length === 1 ? '' : 's'}; the header has ${width}.`);
      return undefined;
    }
    const row = this.format.read(record);
    if (row.kind === 'skipped') {
      this.skipped += 1;
      return undefined;
    }
    if (row.kind === 'bad') {
      this.report(first, row.problem);
      return undefined;
    }
    const checked = checkObservation(row.observation, this.format.columns);
    if (!checked.ok) {
      this.report(first, describeProblems(checked.problems));
      return undefined;
    }
    this.rows += 1;
    return checked.point;
  }

  private report(line: number, message: string): void {
    this.problemCount += 1;
    if (this.problems.length < REPORTED_PROBLEMS) this.problems.push({ line, message });
  }
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

/** How many lines a record spans: one, plus any line breaks inside quoted fields. */
function linesIn(record: string[]): number {
  let lines = 1;
  for (const field of record) {
    for (let at = field.indexOf('\n'); at !== -1; at = field.indexOf('\n', at + 1)) lines += 1;
  }
  return lines;
}

const isBlank = (record: string[]) => record.length === 1 && record[0] === '';

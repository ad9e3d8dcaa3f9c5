import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';

/**
 * A MinerGraph backup is gzip'd JSON lines, the same whichever engine wrote it or reads it:
 *
 *   {"format":"minergraph-backup","version":1,"migration":"...","engine":"pglite","createdAt":"..."}
 *   ["table","meta"]
 *   {"key":"seed","value":"1","updated_at":"2026-..."}      one row, as PostgreSQL's to_json writes it
 *   ...
 *   ["end",{"rows":{"meta":1,...},"sequences":{"api_keys":{"lastValue":"3","isCalled":true},...}}]
 *
 * Lines that start with `[` say what follows; every other line after the header is a row. The
 * trailer names every count, so a file cut short anywhere is recognised as such.
 */
export const BACKUP_FORMAT = 'minergraph-backup';
export const BACKUP_VERSION = 1;

/**
 * Every table that holds facts, in an order where each row's references are loaded before it,
 * with the columns that order its rows. The rollups price_days and price_hours are left out:
 * triggers on price_observations rebuild them from the observations as they are restored.
 */
export const BACKED_UP_TABLES = [
  { name: 'meta', orderBy: ['key'] },
  { name: 'api_keys', orderBy: ['id'] },
  { name: 'sources', orderBy: ['id'] },
  { name: 'companies', orderBy: ['id'] },
  { name: 'officers', orderBy: ['id'] },
  { name: 'sites', orderBy: ['id'] },
  { name: 'production_reports', orderBy: ['id'] },
  { name: 'treasury_transactions', orderBy: ['id'] },
  { name: 'holdings_reports', orderBy: ['id'] },
  { name: 'loans', orderBy: ['id'] },
  { name: 'loan_repayments', orderBy: ['id'] },
  { name: 'assets', orderBy: ['id'] },
  { name: 'price_observations', orderBy: ['asset_id', 'at'] },
  { name: 'corporate_actions', orderBy: ['id'] },
  { name: 'field_citations', orderBy: ['id'] },
  { name: 'idempotency_keys', orderBy: ['operation', 'key'] },
] as const;

/** Tables whose rows are derived from others and rebuilt on restore, not stored in a backup. */
export const DERIVED_TABLES = ['price_days', 'price_hours'];

/** Tables of passing state (this minute's rate-limit counts): neither stored nor restored. */
export const TRANSIENT_TABLES = ['rate_limits'];

/** Tables whose `id` is an identity column, so their sequences are saved and restored. */
export const TABLES_WITH_IDENTITY = BACKED_UP_TABLES.filter((table) => table.orderBy[0] === 'id').map((table) => table.name);

export interface BackupHeader {
  format: typeof BACKUP_FORMAT;
  version: number;
  /** The newest migration applied to the database backed up: rows are restored under it. */
  migration: string;
  engine: string;
  createdAt: string;
}

export interface SequenceState {
  lastValue: string;
  isCalled: boolean;
}

export interface BackupTrailer {
  rows: Record<string, number>;
  sequences: Record<string, SequenceState>;
}

/** A file that cannot be restored as it is; its message is one sentence for the user. */
export class BackupFileError extends Error {}

export interface CheckedBackup {
  file: string;
  header: BackupHeader;
  trailer: BackupTrailer;
}

export type BackupLine = { kind: 'table'; table: string } | { kind: 'row'; text: string };

/**
 * Reads the whole file and checks it before anything is written: gzip's own checksum and
 * length, every line, and every count against the trailer. Restoring starts only after this.
 */
export async function checkBackupFile(file: string, knownMigrations: readonly string[]): Promise<CheckedBackup> {
  const damaged = (detail: string) => new BackupFileError(`${file} is not a complete MinerGraph backup (${detail}); nothing was restored.`);
  let header: BackupHeader | undefined;
  let trailer: BackupTrailer | undefined;
  let table: string | undefined;
  const counted: Record<string, number> = {};
  const known = new Set<string>(BACKED_UP_TABLES.map((entry) => entry.name));
  let lineNumber = 0;
  try {
    for await (const line of readLines(file)) {
      lineNumber += 1;
      if (trailer) throw damaged(`line ${lineNumber} follows the end`);
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        throw damaged(`line ${lineNumber} is not JSON`);
      }
      if (!header) {
        header = value as BackupHeader;
        if (header?.format !== BACKUP_FORMAT) throw damaged('its first line does not say it is one');
        if (header.version !== BACKUP_VERSION) {
          throw new BackupFileError(
            `${file} is a MinerGraph backup in format ${header.version}, which this MinerGraph cannot read (it reads format ${BACKUP_VERSION}); nothing was restored.`,
          );
        }
        if (!knownMigrations.includes(header.migration)) {
          throw new BackupFileError(
            `${file} was made by a newer MinerGraph (its database is at migration ${header.migration}): update MinerGraph before restoring it; nothing was restored.`,
          );
        }
        continue;
      }
      if (Array.isArray(value)) {
        if (value[0] === 'table' && known.has(value[1]) && counted[value[1]] === undefined) {
          table = value[1] as string;
          counted[table] = 0;
        } else if (value[0] === 'end') {
          trailer = value[1] as BackupTrailer;
        } else {
          throw damaged(`line ${lineNumber} is not a row, a table or the end`);
        }
        continue;
      }
      if (table === undefined || value === null || typeof value !== 'object') throw damaged(`line ${lineNumber} is not a row of a table`);
      counted[table]! += 1;
    }
  } catch (error) {
    if (error instanceof BackupFileError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new BackupFileError(`${file} does not exist; nothing was restored.`);
    if (code === 'EISDIR') throw new BackupFileError(`${file} is a directory, not a backup file; nothing was restored.`);
    throw damaged(`${(error as Error).message}`);
  }
  if (!header) throw damaged('it is empty');
  if (!trailer || typeof trailer.rows !== 'object' || typeof trailer.sequences !== 'object') throw damaged('it ends before its last line');
  for (const name of new Set([...Object.keys(counted), ...Object.keys(trailer.rows)])) {
    if (counted[name] !== trailer.rows[name])
      throw damaged(`${name} has ${counted[name] ?? 0} rows where its end says ${trailer.rows[name] ?? 0}`);
  }
  return { file, header, trailer };
}

/** The sections and rows of a checked file, in order, without the header and trailer. */
export async function* backupLines(file: string): AsyncGenerator<BackupLine> {
  let first = true;
  for await (const line of readLines(file)) {
    if (first) {
      first = false;
      continue;
    }
    if (line.startsWith('[')) {
      const [kind, table] = JSON.parse(line) as [string, string];
      if (kind === 'table') yield { kind: 'table', table };
      continue;
    }
    yield { kind: 'row', text: line };
  }
}

async function* readLines(file: string): AsyncGenerator<string> {
  const source = createReadStream(file);
  const gunzip = createGunzip();
  // A missing file, a bad checksum or a file cut short all end the loop below with the error.
  source.on('error', (error) => gunzip.destroy(error));
  source.pipe(gunzip);
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for await (const chunk of gunzip as AsyncIterable<Buffer>) {
    rest += decoder.write(chunk);
    const lines = rest.split('\n');
    rest = lines.pop()!;
    yield* lines;
  }
  rest += decoder.end();
  if (rest.length > 0) yield rest;
}

import { once } from 'node:events';
import { createWriteStream, renameSync, rmSync, statSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { PassThrough } from 'node:stream';
import { createGzip } from 'node:zlib';
import { DEFAULT_MIGRATION_TABLE, sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import {
  BACKED_UP_TABLES,
  BACKUP_FORMAT,
  BACKUP_VERSION,
  TABLES_WITH_IDENTITY,
  type BackupHeader,
  type BackupTrailer,
} from './backup-file.js';

/** Rows fetched from the cursor at a time: memory stays flat however large a table is. */
const FETCH_ROWS = 5000;

export interface BackupSummary {
  rows: Record<string, number>;
  bytes: number;
}

/**
 * Writes every MinerGraph row to `file` (gzip'd JSON lines, see backup-file.ts) from one
 * read-only REPEATABLE READ transaction: the file holds the database as it was at one instant,
 * whatever commits meanwhile. Plain SQL over any connection, so it works on PGlite opened
 * here, on PGlite through a running server's socket, and on PostgreSQL alike. The file
 * appears under its name only once complete.
 */
export async function backupDatabase(db: Kysely<Database>, file: string, engine: string): Promise<BackupSummary> {
  const partial = `${file}.partial`;
  const lines = new PassThrough();
  const written = pipeline(lines, createGzip(), createWriteStream(partial));
  // A failed write (disk full) must stop the reading too, not wait for it.
  let failure: unknown;
  written.catch((error) => (failure = error));
  const write = async (text: string) => {
    if (failure) throw failure;
    if (!lines.write(text)) await Promise.race([once(lines, 'drain'), written]);
  };

  try {
    const trailer = await db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        await sql`set transaction read only`.execute(trx);
        const header: BackupHeader = {
          format: BACKUP_FORMAT,
          version: BACKUP_VERSION,
          migration: await latestMigration(trx),
          engine,
          createdAt: new Date().toISOString(),
        };
        await write(`${JSON.stringify(header)}\n`);
        const rows: Record<string, number> = {};
        for (const table of BACKED_UP_TABLES) {
          await write(`${JSON.stringify(['table', table.name])}\n`);
          rows[table.name] = 0;
          const order = table.orderBy.map((column) => sql.ref(column));
          await sql`declare backup_rows no scroll cursor for
            select to_json(t)::text as line from ${sql.table(table.name)} t order by ${sql.join(order)}`.execute(trx);
          for (;;) {
            const { rows: batch } = await sql<{ line: string }>`fetch ${sql.raw(String(FETCH_ROWS))} from backup_rows`.execute(trx);
            if (batch.length === 0) break;
            await write(batch.map((row) => `${row.line}\n`).join(''));
            rows[table.name] = rows[table.name]! + batch.length;
          }
          await sql`close backup_rows`.execute(trx);
        }
        // Read last: a sequence is never behind the ids of the rows read before it.
        const sequences: BackupTrailer['sequences'] = {};
        for (const table of TABLES_WITH_IDENTITY) {
          const { rows: found } = await sql<{ sequence: string }>`select pg_get_serial_sequence(${table}, 'id') as sequence`.execute(trx);
          const { rows: state } = await sql<{ last_value: string; is_called: boolean }>`
            select last_value::text, is_called from ${sql.raw(found[0]!.sequence)}`.execute(trx);
          sequences[table] = { lastValue: state[0]!.last_value, isCalled: state[0]!.is_called };
        }
        return { rows, sequences } satisfies BackupTrailer;
      });
    await write(`${JSON.stringify(['end', trailer])}\n`);
    lines.end();
    await written;
    renameSync(partial, file);
    return { rows: trailer.rows, bytes: statSync(file).size };
  } catch (error) {
    lines.destroy();
    await written.catch(() => {});
    rmSync(partial, { force: true });
    throw error;
  }
}

// biome-ignore lint/suspicious/noExplicitAny: the migration table is Kysely's own, outside Database
async function latestMigration(db: Kysely<any>): Promise<string> {
  const row = await db.selectFrom(DEFAULT_MIGRATION_TABLE).select('name').orderBy('name', 'desc').limit(1).executeTakeFirst();
  return row!.name as string;
}

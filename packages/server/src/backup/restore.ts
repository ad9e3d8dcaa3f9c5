import { DEFAULT_MIGRATION_TABLE, sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { migrateTo, migrateToLatest } from '../db/migrate.js';
import { BACKED_UP_TABLES, backupLines, DERIVED_TABLES, type CheckedBackup } from './backup-file.js';

/** Rows sent per statement, bounded in characters too so a table of long rows stays small. */
const BATCH_ROWS = 2000;
const BATCH_CHARS = 4 * 1024 * 1024;

/** What a database holds that a restore would mix with: nothing, or the first table with rows. */
export async function firstTableWithRows(db: Kysely<Database>): Promise<string | undefined> {
  for (const table of [...BACKED_UP_TABLES.map((entry) => entry.name), ...DERIVED_TABLES]) {
    const { rows } = await sql<{ found: boolean }>`select to_regclass(${table}) is not null as found`.execute(db);
    if (!rows[0]!.found) continue;
    const { rows: any } = await sql`select 1 from ${sql.table(table)} limit 1`.execute(db);
    if (any.length > 0) return table;
  }
  return undefined;
}

/**
 * Loads a checked backup into an empty database: the schema as of the backup's migration,
 * then every row in one transaction (PostgreSQL's own casts read to_json's text back exactly:
 * NUMERIC digits, timestamps to the microsecond, arrays, JSON), the identity sequences where
 * they were, and the migrations since. price_days is rebuilt by its triggers as observations
 * arrive. A failure rolls the rows back.
 */
export async function restoreDatabase(db: Kysely<Database>, backup: CheckedBackup): Promise<Record<string, number>> {
  await migrateTo(db, backup.header.migration);
  await db.transaction().execute(async (trx) => {
    let table: string | undefined;
    let batch: string[] = [];
    let chars = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      await sql`insert into ${sql.table(table!)} overriding system value
        select * from json_populate_recordset(null::${sql.table(table!)}, ${`[${batch.join(',')}]`}::json)`.execute(trx);
      batch = [];
      chars = 0;
    };
    for await (const line of backupLines(backup.file)) {
      if (line.kind === 'table') {
        await flush();
        table = line.table;
        continue;
      }
      batch.push(line.text);
      chars += line.text.length;
      if (batch.length >= BATCH_ROWS || chars >= BATCH_CHARS) await flush();
    }
    await flush();
    for (const [name, state] of Object.entries(backup.trailer.sequences)) {
      await sql`select setval(pg_get_serial_sequence(${name}, 'id'), ${state.lastValue}::bigint, ${state.isCalled})`.execute(trx);
    }
  });
  await migrateToLatest(db);
  return backup.trailer.rows;
}

/** The migrations this database has applied, oldest first (none on a new database). */
// biome-ignore lint/suspicious/noExplicitAny: the migration table is Kysely's own, outside Database
export async function appliedMigrations(db: Kysely<any>): Promise<string[]> {
  const { rows } = await sql<{ found: boolean }>`select to_regclass(${DEFAULT_MIGRATION_TABLE}) is not null as found`.execute(db);
  if (!rows[0]!.found) return [];
  const applied = await db.selectFrom(DEFAULT_MIGRATION_TABLE).select('name').orderBy('name').execute();
  return applied.map((row) => row.name as string);
}

import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { backupDatabase } from '../backup/backup.js';
import { BackupFileError, type CheckedBackup, checkBackupFile } from '../backup/backup-file.js';
import { appliedMigrations, firstTableWithRows, restoreDatabase } from '../backup/restore.js';
import { migrations } from '../db/migrate.js';
import { UsageError, type CliDeps } from './context.js';

const count = (n: number) => n.toLocaleString('en-US');
const total = (rows: Record<string, number>) => Object.values(rows).reduce((sum, n) => sum + n, 0);

/** `minergraph backup <file>` and `minergraph restore <file>`. */
export function registerBackupCommands(program: Command, deps: CliDeps): void {
  program
    .command('backup')
    .description("write every row to a file, as of one instant, while the server runs (gzip'd JSON lines; any engine restores it)")
    .argument('<file>', 'the file to create, e.g. minergraph-2026-11-27.jsonl.gz; an existing file is never overwritten')
    .action(async (file: string) => {
      const config = deps.loadConfig();
      if (existsSync(file)) throw new UsageError(`${file} exists already: choose a new file name for the backup.`);
      const directory = dirname(resolve(file));
      if (!existsSync(directory) || !statSync(directory).isDirectory())
        throw new UsageError(`The directory ${directory} does not exist: create it, or choose another place for the backup.`);
      // Opening a directory that does not exist would create a database only to find it empty.
      if (!config.databaseUrl && !existsSync(config.dataDir))
        throw new UsageError(`There is no database in ${config.dataDir}: check MINERGRAPH_DATA_DIR.`);
      await deps.withDatabase(
        config,
        async (database) => {
          if ((await appliedMigrations(database.db)).length === 0) {
            throw new UsageError(`The database in ${database.location} holds no MinerGraph data yet: there is nothing to back up.`);
          }
          const started = performance.now();
          const summary = await backupDatabase(database.db, file, database.engine);
          const seconds = ((performance.now() - started) / 1000).toFixed(1);
          console.log(
            `Backed up ${count(total(summary.rows))} rows of ${Object.keys(summary.rows).length} tables to ${file} (${count(summary.bytes)} bytes) in ${seconds} s.`,
          );
        },
        { prepare: false },
      );
    });

  program
    .command('restore')
    .description('load a backup into a new, empty database (MINERGRAPH_DATA_DIR a new directory, or DATABASE_URL an empty database)')
    .argument('<file>', 'a file written by minergraph backup')
    .action(async (file: string) => {
      const config = deps.loadConfig();
      // The whole file is checked before the database is even opened: a damaged one changes nothing.
      let backup: CheckedBackup;
      try {
        backup = await checkBackupFile(file, Object.keys(migrations));
      } catch (error) {
        if (error instanceof BackupFileError) throw new UsageError(error.message);
        throw error;
      }
      await deps.withDatabase(
        config,
        async (database) => {
          const occupied = await firstTableWithRows(database.db);
          if (occupied !== undefined) {
            throw new UsageError(
              `The database in ${database.location} already holds data (${occupied} has rows): restore only into a new one (point ${config.databaseUrl ? 'DATABASE_URL at an empty database' : 'MINERGRAPH_DATA_DIR at a new directory'}).`,
            );
          }
          const rows = await restoreDatabase(database.db, backup);
          console.log(
            `Restored ${count(total(rows))} rows of ${Object.keys(rows).length} tables from ${file} (made ${backup.header.createdAt} on ${backup.header.engine}) into ${database.location}.`,
          );
        },
        { prepare: false },
      );
    });
}

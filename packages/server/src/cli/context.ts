// What every command group shares: how it reaches the configuration and the database, and
// the one error whose message is all a user needs. Kept apart from cli.ts, which runs the
// program when imported.
import type { Config } from '../config.js';
import { openDatabase, type DatabaseHandle } from '../db/connect.js';
import { prepareDatabase } from '../seed/prepare.js';

export interface DatabaseUse {
  /**
   * Prepare the database as `serve` does before the command runs: migrate, then load the
   * seed facts into an empty database. Default true; `migrate` and `seed` do it themselves.
   */
  prepare?: boolean;
}

/**
 * Runs `work` against the configured database, always closing it. An embedded database that
 * a running server holds is reached through that server, so commands work beside it.
 */
export async function withDatabase<T>(config: Config, work: (database: DatabaseHandle) => Promise<T>, use: DatabaseUse = {}): Promise<T> {
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    command: `minergraph ${process.argv.slice(2, 4).join(' ')}`.trim(),
  });
  try {
    if (use.prepare ?? true) await prepare(database);
    return await work(database);
  } finally {
    await database.close();
  }
}

async function prepare(database: DatabaseHandle): Promise<void> {
  const { applied, seeded } = await prepareDatabase(database.db);
  if (applied.length > 0 || seeded === 'loaded') {
    const steps = [
      ...(applied.length > 0 ? [`applied ${applied.length} migration${applied.length === 1 ? '' : 's'}`] : []),
      ...(seeded === 'loaded' ? ['loaded the seed facts'] : []),
    ];
    console.error(`Prepared the database in ${database.location}: ${steps.join(', ')}.`);
  }
}

/** A mistake in how the command was used, or input it refuses: its message is all the user needs. */
export class UsageError extends Error {}

/** What a command group needs from the program; passed in so a group never imports cli.ts. */
export interface CliDeps {
  loadConfig(): Config;
  withDatabase<T>(config: Config, work: (database: DatabaseHandle) => Promise<T>, use?: DatabaseUse): Promise<T>;
}

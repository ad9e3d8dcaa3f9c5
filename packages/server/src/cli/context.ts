// What every command group shares: how it reaches the configuration and the database, and
// the one error whose message is all a user needs. Kept apart from cli.ts, which runs the
// program when imported.
import type { Config } from '../config.js';
import { openDatabase, type DatabaseHandle } from '../db/connect.js';

/** Runs `work` against the configured database, always closing it. */
export async function withDatabase<T>(config: Config, work: (database: DatabaseHandle) => Promise<T>): Promise<T> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    return await work(database);
  } finally {
    await database.close();
  }
}

/** A mistake in how the command was used, or input it refuses: its message is all the user needs. */
export class UsageError extends Error {}

/** What a command group needs from the program; passed in so a group never imports cli.ts. */
export interface CliDeps {
  loadConfig(): Config;
  withDatabase<T>(config: Config, work: (database: DatabaseHandle) => Promise<T>): Promise<T>;
}

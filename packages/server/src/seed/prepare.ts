import type { Kysely, MigrationResult } from 'kysely';
import type { Database } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { seed, type SeedOutcome } from './seed.js';

/** What `serve`, and every command before its work, does to a database: migrate, then seed an empty one. */
export async function prepareDatabase(db: Kysely<Database>): Promise<{ applied: MigrationResult[]; seeded: SeedOutcome }> {
  const applied = await migrateToLatest(db);
  return { applied, seeded: await seed(db) };
}

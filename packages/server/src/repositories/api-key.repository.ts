import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Role, Viewer } from '@minergraph/schema';
import type { ApiKeyRow, Database } from '../db/database.js';

const KEY_PREFIX = 'mg_';

/** Keys are random and long, so a fast hash is enough: there is nothing to brute-force. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export async function createApiKey(db: Kysely<Database>, name: string, role: Role): Promise<{ key: string; row: ApiKeyRow }> {
  const key = `${KEY_PREFIX}${randomBytes(24).toString('base64url')}`;
  const row = await db
    .insertInto('api_keys')
    .values({ name, role, key_hash: hashKey(key) })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { key, row };
}

export function listApiKeys(db: Kysely<Database>): Promise<ApiKeyRow[]> {
  return db.selectFrom('api_keys').selectAll().orderBy('created_at').orderBy('id').execute();
}

/** Revokes by name; says whether there was an active key to revoke. */
export async function revokeApiKey(db: Kysely<Database>, name: string): Promise<boolean> {
  const result = await db
    .updateTable('api_keys')
    .set({ revoked_at: new Date() })
    .where('name', '=', name)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** The viewer a presented key stands for, or null for an unknown or revoked key. */
export async function viewerForKey(db: Kysely<Database>, key: string): Promise<Viewer | null> {
  const row = await db
    .selectFrom('api_keys')
    .select(['id', 'name', 'role'])
    .where('key_hash', '=', hashKey(key))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return row ? { apiKeyId: row.id, keyName: row.name, role: row.role } : null;
}

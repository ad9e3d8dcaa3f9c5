import type { Kysely } from 'kysely';
import type { SourceModel } from '@minergraph/schema';
import type { Database, NewSource, SourceRow } from '../db/database.js';
import { inKeyOrder, validIds } from './batch.js';

export function toSource(row: SourceRow): SourceModel {
  return {
    id: row.id,
    title: row.title,
    url: row.url,
    publisher: row.publisher,
    publishedOn: row.published_on,
    kind: row.kind,
    quote: row.quote,
    asOf: row.as_of,
  };
}

export async function sourcesByIds(db: Kysely<Database>, ids: readonly string[]): Promise<(SourceModel | null)[]> {
  const wanted = validIds(ids);
  const rows = wanted.length ? await db.selectFrom('sources').selectAll().where('id', 'in', wanted).execute() : [];
  return inKeyOrder(ids, rows.map(toSource), (source) => source.id);
}

/** Records a source and returns its id. */
export async function insertSource(db: Kysely<Database>, source: NewSource): Promise<string> {
  const row = await db.insertInto('sources').values(source).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

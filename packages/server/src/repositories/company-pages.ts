import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Page } from '@minergraph/schema';
import type { Database } from '../db/database.js';
import { groupedInKeyOrder, validIds } from './batch.js';

/**
 * How the rows a company owns (sites, flows, production reports) are paged: one statement for
 * every company asked, each company's rows numbered in `order`, the key taken from the model.
 */
export interface CompanyPaging<Row, Model extends { companyId: string }> {
  table: 'sites' | 'treasury_transactions' | 'production_reports';
  /** The name the filter, `order` and `after` give the table, e.g. `s`. */
  alias: string;
  /** The order within a company, e.g. sql`s.name, s.id`. */
  order: RawBuilder<unknown>;
  /** The rows past a cursor's key, in `order`. */
  after: (key: readonly string[]) => RawBuilder<boolean>;
  toModel: (row: Row) => Model;
  /** A node's cursor key: the columns of `order`, as text. */
  keyOf: (model: Model) => string[];
}

export async function companyPages<Row, Model extends { companyId: string }>(
  db: Kysely<Database>,
  companyIds: readonly string[],
  paging: CompanyPaging<Row, Model>,
  request: { first: number; after: readonly string[] | null },
  filter: RawBuilder<unknown>,
): Promise<Page<Model>[]> {
  const alias = sql.raw(paging.alias);
  const { rows } = await sql<Row>`
    select * from (
      select ${alias}.*, row_number() over (partition by ${alias}.company_id order by ${paging.order}) as position
      from ${sql.table(paging.table)} ${alias}
      where ${alias}.company_id = any(${validIds(companyIds)}::bigint[]) and ${filter}
        ${request.after ? sql`and ${paging.after(request.after)}` : sql``}
    ) ${alias}
    where ${alias}.position <= ${request.first + 1}
    order by ${alias}.company_id, ${alias}.position`.execute(db);
  return groupedInKeyOrder(companyIds, rows.map(paging.toModel), (model) => model.companyId).map((group) => ({
    edges: group.slice(0, request.first).map((node) => ({ node, key: paging.keyOf(node) })),
    hasNextPage: group.length > request.first,
  }));
}

/** How many rows of each company pass `filter`, in the order of `companyIds`. */
export async function companyCounts(
  db: Kysely<Database>,
  companyIds: readonly string[],
  paging: Pick<CompanyPaging<unknown, never>, 'table' | 'alias'>,
  filter: RawBuilder<unknown>,
): Promise<number[]> {
  const alias = sql.raw(paging.alias);
  const { rows } = await sql<{ company_id: string; count: number }>`
    select ${alias}.company_id, count(*)::int as count from ${sql.table(paging.table)} ${alias}
    where ${alias}.company_id = any(${validIds(companyIds)}::bigint[]) and ${filter}
    group by ${alias}.company_id`.execute(db);
  const counts = new Map(rows.map((row) => [row.company_id, row.count]));
  return companyIds.map((id) => counts.get(id) ?? 0);
}

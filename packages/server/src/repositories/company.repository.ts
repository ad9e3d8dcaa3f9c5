import { sql, type Kysely, type RawBuilder, type SelectQueryBuilder } from 'kysely';
import type { CompanyFilter, CompanyModel, CompanyPageRequest, OfficerModel, Page } from '@minergraph/schema';
import type { CompanyRow, Database } from '../db/database.js';
import { groupedInKeyOrder, inKeyOrder, validIds } from './batch.js';
import { holdingsExpression } from './treasury.repository.js';

export function toCompany(row: CompanyRow): CompanyModel {
  return {
    id: row.id,
    name: row.name,
    ticker: row.ticker,
    exchange: row.exchange,
    businessLines: row.business_lines as CompanyModel['businessLines'],
    reportedSiteCount: row.reported_site_count,
    reportedRegions: row.reported_regions,
    sourceId: row.source_id,
  };
}

export async function companiesByIds(db: Kysely<Database>, ids: readonly string[]) {
  const wanted = validIds(ids);
  const rows = wanted.length ? await db.selectFrom('companies').selectAll().where('id', 'in', wanted).execute() : [];
  return inKeyOrder(ids, rows.map(toCompany), (company) => company.id);
}

export async function companiesByTickers(db: Kysely<Database>, tickers: readonly string[]) {
  const rows = tickers.length
    ? await db
        .selectFrom('companies')
        .selectAll()
        .where('ticker', 'in', [...new Set(tickers)])
        .execute()
    : [];
  return inKeyOrder(tickers, rows.map(toCompany), (company) => company.ticker);
}

/** Which companies a filter keeps, as a condition on the table `companies` (also compiled into look-ahead reads). */
export function companyFilter(filter: CompanyFilter): RawBuilder<boolean> {
  const conditions = [sql<boolean>`true`];
  // One array parameter, not one per ticker: a list of 70,000 would pass PostgreSQL's 65,535 bind parameters.
  if (filter.tickers) conditions.push(sql<boolean>`companies.ticker = any(${[...filter.tickers]}::text[])`);
  if (filter.businessLine) conditions.push(sql<boolean>`${filter.businessLine} = any(companies.business_lines)`);
  if (filter.hasBtcBackedDebt != null) {
    const backed = sql<boolean>`exists (select 1 from loans l where l.company_id = companies.id
      and (l.kind = 'BTC_BACKED_LOAN' or l.initial_collateral_btc > 0))`;
    conditions.push(filter.hasBtcBackedDebt ? backed : sql<boolean>`not ${backed}`);
  }
  if (filter.nameContains) {
    const pattern = `%${filter.nameContains.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conditions.push(sql<boolean>`companies.name ilike ${pattern}`);
  }
  return sql.join(conditions, sql` and `) as RawBuilder<boolean>;
}

function filtered<O>(query: SelectQueryBuilder<Database, 'companies', O>, filter: CompanyFilter) {
  return query.where(companyFilter(filter));
}

export async function companyPage(db: Kysely<Database>, request: CompanyPageRequest): Promise<Page<CompanyModel>> {
  // Holdings cost two lookups per company: computed only when they order the page.
  // LATEST_REPORTED_BTC_DESC: the latest reported figure; a company without one sorts last (as -1).
  const holdings =
    request.orderBy === 'HOLDINGS_DESC'
      ? holdingsExpression(sql.ref('companies.id'), sql`${request.holdingsOn}::date`)
      : request.orderBy === 'LATEST_REPORTED_BTC_DESC'
        ? sql<string>`coalesce((select h.btc from holdings_reports h where h.company_id = companies.id
                                order by h.reported_on desc, h.id desc limit 1), -1)`
        : sql<string>`null`;
  const base = filtered(db.selectFrom('companies').selectAll('companies'), request.filter).select(holdings.as('holdings_btc'));
  let query = db.selectFrom(base.as('c')).selectAll();
  const after = request.after;
  switch (request.orderBy) {
    case 'TICKER_ASC':
      if (after) query = query.where('c.ticker', '>', after[0]!);
      query = query.orderBy('c.ticker');
      break;
    case 'NAME_ASC':
      if (after) query = query.where(sql<boolean>`(c.name, c.id) > (${after[0]}, ${after[1]}::bigint)`);
      query = query.orderBy('c.name').orderBy('c.id');
      break;
    case 'HOLDINGS_DESC':
    case 'LATEST_REPORTED_BTC_DESC':
      if (after) {
        query = query.where(
          sql<boolean>`(c.holdings_btc < ${after[0]}::numeric or (c.holdings_btc = ${after[0]}::numeric and c.id > ${after[1]}::bigint))`,
        );
      }
      query = query.orderBy('c.holdings_btc', 'desc').orderBy('c.id');
      break;
  }
  const rows = await query.limit(request.first + 1).execute();
  const keyOf = (row: (typeof rows)[number]): string[] =>
    request.orderBy === 'TICKER_ASC'
      ? [row.ticker]
      : request.orderBy === 'NAME_ASC'
        ? [row.name, row.id]
        : [String(row.holdings_btc), row.id];
  return {
    edges: rows.slice(0, request.first).map((row) => ({ node: toCompany(row), key: keyOf(row) })),
    hasNextPage: rows.length > request.first,
  };
}

export async function countCompanies(db: Kysely<Database>, filter: CompanyFilter): Promise<number> {
  const row = await filtered(db.selectFrom('companies'), filter).select(sql<number>`count(*)::int`.as('count')).executeTakeFirstOrThrow();
  return row.count;
}

export async function officersByCompanyIds(db: Kysely<Database>, companyIds: readonly string[]): Promise<OfficerModel[][]> {
  const wanted = validIds(companyIds);
  const rows = wanted.length ? await db.selectFrom('officers').selectAll().where('company_id', 'in', wanted).orderBy('id').execute() : [];
  const officers = rows.map(
    (row): OfficerModel => ({
      id: row.id,
      companyId: row.company_id,
      name: row.name,
      role: row.role,
      since: row.since,
      previousEmployer: row.previous_employer,
      sourceId: row.source_id,
    }),
  );
  return groupedInKeyOrder(companyIds, officers, (officer) => officer.companyId);
}

export async function insertCompany(
  db: Kysely<Database>,
  company: {
    name: string;
    ticker: string;
    exchange?: string | null;
    businessLines?: string[];
    reportedSiteCount?: number | null;
    reportedRegions?: string[];
    sourceId?: string | null;
    createdByApiKeyId?: string | null;
  },
): Promise<CompanyModel> {
  const row = await db
    .insertInto('companies')
    .values({
      name: company.name,
      ticker: company.ticker,
      exchange: company.exchange ?? null,
      business_lines: company.businessLines ?? [],
      reported_site_count: company.reportedSiteCount ?? null,
      reported_regions: company.reportedRegions ?? [],
      source_id: company.sourceId ?? null,
      created_by_api_key_id: company.createdByApiKeyId ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toCompany(row);
}

export async function insertOfficer(
  db: Kysely<Database>,
  officer: Omit<OfficerModel, 'id'> & { createdByApiKeyId?: string | null },
): Promise<void> {
  await db
    .insertInto('officers')
    .values({
      company_id: officer.companyId,
      name: officer.name,
      role: officer.role,
      since: officer.since,
      previous_employer: officer.previousEmployer,
      source_id: officer.sourceId,
      created_by_api_key_id: officer.createdByApiKeyId ?? null,
    })
    .execute();
}

/**
 * Takes the company's row lock for the rest of the transaction, so two writes for one company
 * run one after the other and each sees the other's flows. Answers its id, or null if no
 * company has this id.
 */
export async function lockCompanyById(db: Kysely<Database>, id: string): Promise<string | null> {
  const row = await db.selectFrom('companies').select('id').where('id', '=', id).forUpdate().executeTakeFirst();
  return row?.id ?? null;
}

/** lockCompanyById for a company named by its (canonical, upper-case) ticker. */
export async function lockCompanyByTicker(db: Kysely<Database>, ticker: string): Promise<string | null> {
  const row = await db.selectFrom('companies').select('id').where('ticker', '=', ticker).forUpdate().executeTakeFirst();
  return row?.id ?? null;
}

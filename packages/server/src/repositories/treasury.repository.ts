import { sql, type Expression, type Kysely, type RawBuilder } from 'kysely';
import type {
  CompanyDay,
  CompanyWindow,
  FlowTotalsModel,
  HoldingsModel,
  HoldingsReportModel,
  Page,
  PageRequest,
  TreasuryTransactionFilter,
  TreasuryTransactionModel,
} from '@minergraph/schema';
import type { Database, TreasuryTransactionRow } from '../db/database.js';
import { groupedInKeyOrder, inKeyOrder, validIds } from './batch.js';
import { companyCounts, companyPages, type CompanyPaging } from './company-pages.js';

/**
 * Holdings of a company at the end of a day (docs/domain.md), as one SQL expression for
 * ordering: the database's holdings_on, the one home of the rule (migration
 * 2026-11-28T00-30_holdings-function), which the planner inlines.
 */
export function holdingsExpression(companyId: Expression<unknown>, day: Expression<unknown>): RawBuilder<string> {
  return sql<string>`(select h.btc from holdings_on(${companyId}, ${day}) h)`;
}

export async function holdingsOn(db: Kysely<Database>, keys: readonly CompanyDay[]): Promise<HoldingsModel[]> {
  const { rows } = await sql<{
    company_id: string;
    day: string;
    anchor_id: string | null;
    anchor_on: string | null;
    anchor_btc: string | null;
    anchor_source_id: string | null;
    anchor_basis: string | null;
    btc: string;
  }>`
    select k.company_id::text as company_id, k.day::text as day,
           h.anchor_id, h.anchor_on, h.anchor_btc, h.anchor_source_id, h.anchor_basis, h.btc
    from unnest(${keys.map((k) => k.companyId)}::bigint[], ${keys.map((k) => k.on)}::date[])
         with ordinality as k(company_id, day, position)
    cross join lateral holdings_on(k.company_id, k.day) h
    order by k.position`.execute(db);
  return rows.map((row) => ({
    companyId: row.company_id,
    on: row.day,
    btc: row.btc,
    anchor:
      row.anchor_id === null
        ? null
        : {
            id: row.anchor_id,
            companyId: row.company_id,
            on: row.anchor_on!,
            btc: row.anchor_btc!,
            basis: row.anchor_basis,
            sourceId: row.anchor_source_id,
          },
  }));
}

/** Every reported holdings figure of each company, oldest first. */
export async function holdingsReportsByCompanyIds(db: Kysely<Database>, companyIds: readonly string[]): Promise<HoldingsReportModel[][]> {
  const wanted = validIds(companyIds);
  const rows = wanted.length
    ? await db.selectFrom('holdings_reports').selectAll().where('company_id', 'in', wanted).orderBy('reported_on').orderBy('id').execute()
    : [];
  return groupedInKeyOrder(companyIds, rows.map(toHoldingsReport), (report) => report.companyId);
}

interface HoldingsReportRow {
  id: string;
  company_id: string;
  reported_on: string;
  btc: string;
  basis: string | null;
  source_id: string | null;
}

const toHoldingsReport = (row: HoldingsReportRow): HoldingsReportModel => ({
  id: row.id,
  companyId: row.company_id,
  on: row.reported_on,
  btc: row.btc,
  basis: row.basis,
  sourceId: row.source_id,
});

/** Each company's latest reported holdings figure (by its day), or null. */
export async function latestHoldingsReports(db: Kysely<Database>, companyIds: readonly string[]): Promise<(HoldingsReportModel | null)[]> {
  const { rows } = await sql<HoldingsReportRow>`
    select distinct on (h.company_id) h.id, h.company_id, h.reported_on, h.btc, h.basis, h.source_id
    from holdings_reports h where h.company_id = any(${validIds(companyIds)}::bigint[])
    order by h.company_id, h.reported_on desc, h.id desc`.execute(db);
  return inKeyOrder(companyIds, rows.map(toHoldingsReport), (report) => report.companyId);
}

export async function flowTotals(db: Kysely<Database>, keys: readonly CompanyWindow[]): Promise<FlowTotalsModel[]> {
  const { rows } = await sql<{
    mined: string;
    purchased: string;
    sold: string;
    other: string;
    sold_usd: string;
    sold_btc_with_usd: string;
  }>`
    select coalesce(sum(t.btc) filter (where t.kind = 'MINED'), 0) as mined,
           coalesce(sum(t.btc) filter (where t.kind = 'PURCHASED'), 0) as purchased,
           coalesce(sum(t.btc) filter (where t.kind = 'SOLD'), 0) as sold,
           coalesce(sum(t.btc) filter (where t.kind = 'OTHER'), 0) as other,
           coalesce(sum(t.usd) filter (where t.kind = 'SOLD' and t.usd is not null), 0) as sold_usd,
           coalesce(sum(t.btc) filter (where t.kind = 'SOLD' and t.usd is not null), 0) as sold_btc_with_usd
    from unnest(${keys.map((k) => k.companyId)}::bigint[], ${keys.map((k) => k.from)}::date[], ${keys.map((k) => k.to)}::date[])
         with ordinality as k(company_id, day_from, day_to, position)
    left join treasury_transactions t
      on t.company_id = k.company_id and t.occurred_on between k.day_from and k.day_to
    group by k.position
    order by k.position`.execute(db);
  return rows.map((row) => ({
    minedBtc: row.mined,
    purchasedBtc: row.purchased,
    soldBtc: row.sold,
    otherBtc: row.other,
    soldUsd: row.sold_usd,
    soldBtcWithUsd: row.sold_btc_with_usd,
  }));
}

export function toTransaction(row: TreasuryTransactionRow): TreasuryTransactionModel {
  return {
    id: row.id,
    companyId: row.company_id,
    kind: row.kind,
    btc: row.btc,
    usd: row.usd,
    occurredOn: row.occurred_on,
    note: row.note,
    sourceId: row.source_id,
    productionReportId: row.production_report_id,
  };
}

export async function transactionsByIds(db: Kysely<Database>, ids: readonly string[]) {
  const wanted = validIds(ids);
  const rows = wanted.length ? await db.selectFrom('treasury_transactions').selectAll().where('id', 'in', wanted).execute() : [];
  return inKeyOrder(ids, rows.map(toTransaction), (transaction) => transaction.id);
}

function transactionFilter(filter: TreasuryTransactionFilter) {
  return sql.join(
    [
      sql`true`,
      ...(filter.kinds ? [sql`t.kind = any(${[...filter.kinds]}::text[])`] : []),
      ...(filter.from ? [sql`t.occurred_on >= ${filter.from}::date`] : []),
      ...(filter.to ? [sql`t.occurred_on <= ${filter.to}::date`] : []),
    ],
    sql` and `,
  );
}

/** Newest first; the key is (occurredOn, id). */
const TRANSACTION_PAGING: CompanyPaging<TreasuryTransactionRow, TreasuryTransactionModel> = {
  table: 'treasury_transactions',
  alias: 't',
  order: sql`t.occurred_on desc, t.id desc`,
  after: ([occurredOn, id]) => sql<boolean>`(t.occurred_on, t.id) < (${occurredOn}::date, ${id}::bigint)`,
  toModel: toTransaction,
  keyOf: (transaction) => [transaction.occurredOn, transaction.id],
};

export async function transactionPages(
  db: Kysely<Database>,
  companyIds: readonly string[],
  request: PageRequest<TreasuryTransactionFilter>,
): Promise<Page<TreasuryTransactionModel>[]> {
  return companyPages(db, companyIds, TRANSACTION_PAGING, request, transactionFilter(request.filter));
}

export async function transactionCounts(
  db: Kysely<Database>,
  companyIds: readonly string[],
  filter: TreasuryTransactionFilter,
): Promise<number[]> {
  return companyCounts(db, companyIds, TRANSACTION_PAGING, transactionFilter(filter));
}

export interface NewTransaction {
  companyId: string;
  kind: TreasuryTransactionModel['kind'];
  btc: string;
  usd?: string | null;
  occurredOn: string;
  note?: string | null;
  sourceId?: string | null;
  productionReportId?: string | null;
  createdByApiKeyId?: string | null;
  factKey?: string | null;
}

export async function insertTransaction(db: Kysely<Database>, transaction: NewTransaction): Promise<TreasuryTransactionModel> {
  const row = await db
    .insertInto('treasury_transactions')
    .values({
      company_id: transaction.companyId,
      kind: transaction.kind,
      btc: transaction.btc,
      usd: transaction.usd ?? null,
      occurred_on: transaction.occurredOn,
      note: transaction.note ?? null,
      source_id: transaction.sourceId ?? null,
      production_report_id: transaction.productionReportId ?? null,
      created_by_api_key_id: transaction.createdByApiKeyId ?? null,
      fact_key: transaction.factKey ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toTransaction(row);
}

export async function insertHoldingsReport(
  db: Kysely<Database>,
  report: {
    companyId: string;
    on: string;
    btc: string;
    basis?: string | null;
    sourceId?: string | null;
    productionReportId?: string | null;
    createdByApiKeyId?: string | null;
    factKey?: string | null;
  },
): Promise<void> {
  await db
    .insertInto('holdings_reports')
    .values({
      company_id: report.companyId,
      reported_on: report.on,
      btc: report.btc,
      basis: report.basis ?? null,
      source_id: report.sourceId ?? null,
      production_report_id: report.productionReportId ?? null,
      created_by_api_key_id: report.createdByApiKeyId ?? null,
      fact_key: report.factKey ?? null,
    })
    .execute();
}

/**
 * The days from `from` on (and `from` itself) on which a company's holdings can change: the
 * days with a flow or a report. Holdings between two such days equal those of the earlier one.
 */
export async function holdingsChangeDays(db: Kysely<Database>, companyId: string, from: string): Promise<string[]> {
  const { rows } = await sql<{ day: string }>`
    select ${from}::date::text as day
    union select occurred_on::text from treasury_transactions where company_id = ${companyId}::bigint and occurred_on >= ${from}::date
    union select reported_on::text from holdings_reports where company_id = ${companyId}::bigint and reported_on >= ${from}::date
    order by day`.execute(db);
  return rows.map((row) => row.day);
}

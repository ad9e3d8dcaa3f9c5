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

/** A flow's effect on the balance: sales take BTC out, everything else is signed as stored. */
const SIGNED_BTC = sql`case when t.kind = 'SOLD' then -t.btc else t.btc end`;

/**
 * Holdings of a company at the end of a day, as one SQL expression (docs/domain.md): the last
 * report on or before the day, plus flows after the report's day up to the day; without a
 * report, all flows up to the day.
 */
export function holdingsExpression(companyId: Expression<unknown>, day: Expression<unknown>): RawBuilder<string> {
  const anchorDay = sql`(select max(h.reported_on) from holdings_reports h where h.company_id = ${companyId} and h.reported_on <= ${day})`;
  return sql<string>`(
    coalesce((select h.btc from holdings_reports h where h.company_id = ${companyId} and h.reported_on <= ${day}
              order by h.reported_on desc limit 1), 0)
    + coalesce((select sum(${SIGNED_BTC}) from treasury_transactions t
                where t.company_id = ${companyId} and t.occurred_on <= ${day}
                  and t.occurred_on > coalesce(${anchorDay}, '-infinity'::date)), 0)
  )`;
}

export async function holdingsOn(db: Kysely<Database>, keys: readonly CompanyDay[]): Promise<HoldingsModel[]> {
  // The flows after the anchor as a range on (company_id, occurred_on), which the index answers;
  // "anchor is null or occurred_on > anchor" read every flow of the company up to the day.
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
           a.id as anchor_id, a.reported_on as anchor_on, a.btc as anchor_btc, a.source_id as anchor_source_id, a.basis as anchor_basis,
           coalesce(a.btc, 0) + coalesce(f.flow, 0) as btc
    from unnest(${keys.map((k) => k.companyId)}::bigint[], ${keys.map((k) => k.on)}::date[])
         with ordinality as k(company_id, day, position)
    left join lateral (
      select h.id, h.reported_on, h.btc, h.source_id, h.basis from holdings_reports h
      where h.company_id = k.company_id and h.reported_on <= k.day
      order by h.reported_on desc limit 1
    ) a on true
    left join lateral (
      select sum(${SIGNED_BTC}) as flow from treasury_transactions t
      where t.company_id = k.company_id and t.occurred_on <= k.day
        and t.occurred_on > coalesce(a.reported_on, '-infinity'::date)
    ) f on true
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

/** Newest first; the key is (occurredOn, id). One statement for every company asked. */
export async function transactionPages(
  db: Kysely<Database>,
  companyIds: readonly string[],
  request: PageRequest<TreasuryTransactionFilter>,
): Promise<Page<TreasuryTransactionModel>[]> {
  const after = request.after;
  const { rows } = await sql<TreasuryTransactionRow>`
    select * from (
      select t.*, row_number() over (partition by t.company_id order by t.occurred_on desc, t.id desc) as position
      from treasury_transactions t
      where t.company_id = any(${validIds(companyIds)}::bigint[]) and ${transactionFilter(request.filter)}
        ${after ? sql`and (t.occurred_on, t.id) < (${after[0]}::date, ${after[1]}::bigint)` : sql``}
    ) t
    where t.position <= ${request.first + 1}
    order by t.company_id, t.position`.execute(db);
  return groupedInKeyOrder(companyIds, rows.map(toTransaction), (transaction) => transaction.companyId).map((group) => ({
    edges: group.slice(0, request.first).map((node) => ({ node, key: [node.occurredOn, node.id] })),
    hasNextPage: group.length > request.first,
  }));
}

export async function transactionCounts(
  db: Kysely<Database>,
  companyIds: readonly string[],
  filter: TreasuryTransactionFilter,
): Promise<number[]> {
  const { rows } = await sql<{ company_id: string; count: number }>`
    select t.company_id, count(*)::int as count from treasury_transactions t
    where t.company_id = any(${validIds(companyIds)}::bigint[]) and ${transactionFilter(filter)}
    group by t.company_id`.execute(db);
  const counts = new Map(rows.map((row) => [row.company_id, row.count]));
  return companyIds.map((id) => counts.get(id) ?? 0);
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

import { sql, type Kysely } from 'kysely';
import { Decimal, type Page, type PageRequest, type ProductionReportModel } from '@minergraph/schema';
import type { Database, ProductionReportRow } from '../db/database.js';
import { groupedInKeyOrder, inKeyOrder, validIds } from './batch.js';
import { insertHoldingsReport, insertTransaction } from './treasury.repository.js';

export function toProductionReport(row: ProductionReportRow): ProductionReportModel {
  return {
    id: row.id,
    companyId: row.company_id,
    periodStart: row.period_start,
    periodEnd: row.period_end,
    minedBtc: row.mined_btc,
    soldBtc: row.sold_btc,
    soldUsd: row.sold_usd,
    heldBtc: row.held_btc,
    deployedHashrateEh: row.deployed_hashrate_eh,
    operatingHashrateEh: row.operating_hashrate_eh,
    sourceId: row.source_id,
  };
}

export async function productionReportsByIds(db: Kysely<Database>, ids: readonly string[]) {
  const wanted = validIds(ids);
  const rows = wanted.length ? await db.selectFrom('production_reports').selectAll().where('id', 'in', wanted).execute() : [];
  return inKeyOrder(ids, rows.map(toProductionReport), (report) => report.id);
}

/** Newest period first; the key is (periodEnd, id). One statement for every company asked. */
export async function productionReportPages(
  db: Kysely<Database>,
  companyIds: readonly string[],
  request: PageRequest<unknown>,
): Promise<Page<ProductionReportModel>[]> {
  const after = request.after;
  const { rows } = await sql<ProductionReportRow>`
    select * from (
      select p.*, row_number() over (partition by p.company_id order by p.period_end desc, p.id desc) as position
      from production_reports p
      where p.company_id = any(${validIds(companyIds)}::bigint[])
        ${after ? sql`and (p.period_end, p.id) < (${after[0]}::date, ${after[1]}::bigint)` : sql``}
    ) p
    where p.position <= ${request.first + 1}
    order by p.company_id, p.position`.execute(db);
  return groupedInKeyOrder(companyIds, rows.map(toProductionReport), (report) => report.companyId).map((group) => ({
    edges: group.slice(0, request.first).map((node) => ({ node, key: [node.periodEnd, node.id] })),
    hasNextPage: group.length > request.first,
  }));
}

export async function productionReportCounts(db: Kysely<Database>, companyIds: readonly string[]): Promise<number[]> {
  const { rows } = await sql<{ company_id: string; count: number }>`
    select p.company_id, count(*)::int as count from production_reports p
    where p.company_id = any(${validIds(companyIds)}::bigint[])
    group by p.company_id`.execute(db);
  const counts = new Map(rows.map((row) => [row.company_id, row.count]));
  return companyIds.map((id) => counts.get(id) ?? 0);
}

export type NewProductionReport = Omit<ProductionReportModel, 'id'> & { createdByApiKeyId?: string | null };

/**
 * A production update is one fact in one place: the report, its MINED and SOLD flows on
 * periodEnd, and its held figure as a holdings anchor, all linked to the report. Call it
 * inside a transaction.
 */
export async function insertProductionReport(db: Kysely<Database>, report: NewProductionReport): Promise<ProductionReportModel> {
  const row = await db
    .insertInto('production_reports')
    .values({
      company_id: report.companyId,
      period_start: report.periodStart,
      period_end: report.periodEnd,
      mined_btc: report.minedBtc,
      sold_btc: report.soldBtc,
      sold_usd: report.soldUsd,
      held_btc: report.heldBtc,
      deployed_hashrate_eh: report.deployedHashrateEh,
      operating_hashrate_eh: report.operatingHashrateEh,
      source_id: report.sourceId,
      created_by_api_key_id: report.createdByApiKeyId ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const linked = {
    companyId: report.companyId,
    occurredOn: report.periodEnd,
    sourceId: report.sourceId,
    productionReportId: row.id,
    createdByApiKeyId: report.createdByApiKeyId ?? null,
  };
  const period = `${report.periodStart} to ${report.periodEnd}`;
  if (new Decimal(report.minedBtc).gt(0)) {
    await insertTransaction(db, { ...linked, kind: 'MINED', btc: report.minedBtc, note: `Mined ${period} (production report)` });
  }
  if (report.soldBtc !== null && new Decimal(report.soldBtc).gt(0)) {
    await insertTransaction(db, {
      ...linked,
      kind: 'SOLD',
      btc: report.soldBtc,
      usd: report.soldUsd,
      note: `Sold ${period} (production report)`,
    });
  }
  if (report.heldBtc !== null) {
    await insertHoldingsReport(db, { ...linked, on: report.periodEnd, btc: report.heldBtc });
  }
  return toProductionReport(row);
}

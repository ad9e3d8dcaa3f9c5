import { sql, type Kysely } from 'kysely';
import {
  Decimal,
  type FieldCitationModel,
  type Page,
  type PageRequest,
  type ProductionReportFilter,
  type ProductionReportModel,
} from '@minergraph/schema';
import type { Database, ProductionReportRow } from '../db/database.js';
import { groupedInKeyOrder, inKeyOrder, validIds } from './batch.js';
import { companyCounts, companyPages, type CompanyPaging } from './company-pages.js';
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
    period: row.period,
    sourceId: row.source_id,
  };
}

export async function productionReportsByIds(db: Kysely<Database>, ids: readonly string[]) {
  const wanted = validIds(ids);
  const rows = wanted.length ? await db.selectFrom('production_reports').selectAll().where('id', 'in', wanted).execute() : [];
  return inKeyOrder(ids, rows.map(toProductionReport), (report) => report.id);
}

export function reportFilter(filter: ProductionReportFilter) {
  return filter.periodEndFrom ? sql`p.period_end >= ${filter.periodEndFrom}::date` : sql`true`;
}

/** Newest period first; the key is (periodEnd, id). */
const REPORT_PAGING: CompanyPaging<ProductionReportRow, ProductionReportModel> = {
  table: 'production_reports',
  alias: 'p',
  order: sql`p.period_end desc, p.id desc`,
  after: ([periodEnd, id]) => sql<boolean>`(p.period_end, p.id) < (${periodEnd}::date, ${id}::bigint)`,
  toModel: toProductionReport,
  keyOf: (report) => [report.periodEnd, report.id],
};

export async function productionReportPages(
  db: Kysely<Database>,
  companyIds: readonly string[],
  request: PageRequest<ProductionReportFilter>,
): Promise<Page<ProductionReportModel>[]> {
  return companyPages(db, companyIds, REPORT_PAGING, request, reportFilter(request.filter));
}

export async function productionReportCounts(
  db: Kysely<Database>,
  companyIds: readonly string[],
  filter: ProductionReportFilter = {},
): Promise<number[]> {
  return companyCounts(db, companyIds, REPORT_PAGING, reportFilter(filter));
}

/** The per-number citations of production reports or loans, in key order, by field. */
export async function fieldCitations(
  db: Kysely<Database>,
  column: 'production_report_id' | 'loan_id',
  ids: readonly string[],
): Promise<FieldCitationModel[][]> {
  const wanted = validIds(ids);
  const rows = wanted.length
    ? await db.selectFrom('field_citations').selectAll().where(column, 'in', wanted).orderBy('field').execute()
    : [];
  return groupedInKeyOrder(
    ids,
    rows.map((row) => ({ owner: String(row[column]), field: row.field, sourceId: String(row.source_id) })),
    (row) => row.owner,
  ).map((group) => group.map(({ field, sourceId }) => ({ field, sourceId })));
}

export type NewProductionReport = Omit<ProductionReportModel, 'id' | 'period'> & {
  period?: ProductionReportModel['period'];
  createdByApiKeyId?: string | null;
  /** The fact's name in the data files; only their loader sets it (on the report, its flows and anchor). */
  factKey?: string | null;
  /** False when another report's figure is the anchor of periodEnd (the data files cite holdings separately). */
  anchorHeld?: boolean;
  /** False when the period overlaps a shorter report's, whose flows already count its BTC. */
  recordFlows?: boolean;
  /** The citation of each number, when they differ (the data files): the flow or anchor of a number cites it. */
  numberSources?: { minedBtc?: string; soldBtc?: string; heldBtc?: string };
};

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
      period: report.period ?? null,
      source_id: report.sourceId,
      created_by_api_key_id: report.createdByApiKeyId ?? null,
      fact_key: report.factKey ?? null,
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
  const key = (part: string) => (report.factKey ? `${report.factKey}/${part}` : null);
  const recordFlows = report.recordFlows ?? true;
  const period = `${report.periodStart} to ${report.periodEnd}`;
  if (recordFlows && new Decimal(report.minedBtc).gt(0)) {
    await insertTransaction(db, {
      ...linked,
      sourceId: report.numberSources?.minedBtc ?? report.sourceId,
      kind: 'MINED',
      btc: report.minedBtc,
      note: `Mined ${period} (production report)`,
      factKey: key('mined'),
    });
  }
  if (recordFlows && report.soldBtc !== null && new Decimal(report.soldBtc).gt(0)) {
    await insertTransaction(db, {
      ...linked,
      factKey: key('sold'),
      sourceId: report.numberSources?.soldBtc ?? report.sourceId,
      kind: 'SOLD',
      btc: report.soldBtc,
      usd: report.soldUsd,
      note: `Sold ${period} (production report)`,
    });
  }
  if (report.heldBtc !== null && (report.anchorHeld ?? true)) {
    await insertHoldingsReport(db, {
      ...linked,
      sourceId: report.numberSources?.heldBtc ?? report.sourceId,
      on: report.periodEnd,
      btc: report.heldBtc,
      factKey: key('held'),
    });
  }
  return toProductionReport(row);
}

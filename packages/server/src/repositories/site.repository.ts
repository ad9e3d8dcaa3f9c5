import { sql, type Expression, type Kysely, type RawBuilder } from 'kysely';
import type { Page, PageRequest, RegionSummaryModel, SiteFilter, SiteModel } from '@minergraph/schema';
import type { Database, SiteRow } from '../db/database.js';
import { groupedInKeyOrder, inKeyOrder, validIds } from './batch.js';
import { companyCounts, companyPages, type CompanyPaging } from './company-pages.js';

export function toSite(row: SiteRow): SiteModel {
  return {
    id: row.id,
    companyId: row.company_id,
    name: row.name,
    region: row.region,
    country: row.country,
    status: row.status as SiteModel['status'],
    purpose: row.purpose as SiteModel['purpose'],
    powerCapacityMw: row.power_capacity_mw,
    hashrateEh: row.hashrate_eh,
    gridConnected: row.grid_connected,
    commissionedOn: row.commissioned_on,
    sourceId: row.source_id,
  };
}

export async function sitesByIds(db: Kysely<Database>, ids: readonly string[]) {
  const wanted = validIds(ids);
  const rows = wanted.length ? await db.selectFrom('sites').selectAll().where('id', 'in', wanted).execute() : [];
  return inKeyOrder(ids, rows.map(toSite), (site) => site.id);
}

export function siteFilter(filter: SiteFilter) {
  return sql.join(
    [
      sql`true`,
      ...(filter.regions ? [sql`s.region = any(${[...filter.regions]}::text[])`] : []),
      ...(filter.status ? [sql`s.status = ${filter.status}`] : []),
      ...(filter.purpose ? [sql`s.purpose = ${filter.purpose}`] : []),
    ],
    sql` and `,
  );
}

/** By name; the key is (name, id). */
const SITE_PAGING: CompanyPaging<SiteRow, SiteModel> = {
  table: 'sites',
  alias: 's',
  order: sql`s.name, s.id`,
  after: ([name, id]) => sql<boolean>`(s.name, s.id) > (${name}, ${id}::bigint)`,
  toModel: toSite,
  keyOf: (site) => [site.name, site.id],
};

export async function sitePages(
  db: Kysely<Database>,
  companyIds: readonly string[],
  request: PageRequest<SiteFilter>,
): Promise<Page<SiteModel>[]> {
  return companyPages(db, companyIds, SITE_PAGING, request, siteFilter(request.filter));
}

export async function siteCounts(db: Kysely<Database>, companyIds: readonly string[], filter: SiteFilter): Promise<number[]> {
  return companyCounts(db, companyIds, SITE_PAGING, siteFilter(filter));
}

/** A company's sites by region (region, site_count, power, hashrate), as a derived table; also compiled into look-ahead reads. */
export function regionsOf(companyId: Expression<unknown>): RawBuilder<unknown> {
  return sql`(
    select s.region, count(*)::int as site_count,
           coalesce(sum(s.power_capacity_mw), 0) as power, coalesce(sum(s.hashrate_eh), 0) as hashrate
    from sites s where s.company_id = ${companyId} group by s.region
  )`;
}

export async function regionSummaries(db: Kysely<Database>, companyIds: readonly string[]): Promise<RegionSummaryModel[][]> {
  const { rows } = await sql<{ company_id: string; region: string; site_count: number; power: string; hashrate: string }>`
    select k.company_id::text as company_id, g.region, g.site_count, g.power, g.hashrate
    from (select distinct unnest(${validIds(companyIds)}::bigint[]) as company_id) k
    cross join lateral ${regionsOf(sql.ref('k.company_id'))} g
    order by k.company_id, g.region`.execute(db);
  return groupedInKeyOrder(companyIds, rows, (row) => row.company_id).map((group) =>
    group.map((row) => ({ region: row.region, siteCount: row.site_count, powerCapacityMw: row.power, hashrateEh: row.hashrate })),
  );
}

export type NewSite = Omit<SiteModel, 'id'> & { createdByApiKeyId?: string | null };

export async function insertSite(db: Kysely<Database>, site: NewSite): Promise<SiteModel> {
  const row = await db
    .insertInto('sites')
    .values({
      company_id: site.companyId,
      name: site.name,
      region: site.region,
      country: site.country,
      status: site.status,
      purpose: site.purpose,
      power_capacity_mw: site.powerCapacityMw,
      hashrate_eh: site.hashrateEh,
      grid_connected: site.gridConnected,
      commissioned_on: site.commissionedOn,
      source_id: site.sourceId,
      created_by_api_key_id: site.createdByApiKeyId ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toSite(row);
}

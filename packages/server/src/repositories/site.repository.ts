import { sql, type Kysely } from 'kysely';
import type { Page, PageRequest, RegionSummaryModel, SiteFilter, SiteModel } from '@minergraph/schema';
import type { Database, SiteRow } from '../db/database.js';
import { groupedInKeyOrder, inKeyOrder, validIds } from './batch.js';

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

function siteFilter(filter: SiteFilter) {
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

/** By name; the key is (name, id). One statement for every company asked. */
export async function sitePages(
  db: Kysely<Database>,
  companyIds: readonly string[],
  request: PageRequest<SiteFilter>,
): Promise<Page<SiteModel>[]> {
  const after = request.after;
  const { rows } = await sql<SiteRow>`
    select * from (
      select s.*, row_number() over (partition by s.company_id order by s.name, s.id) as position
      from sites s
      where s.company_id = any(${validIds(companyIds)}::bigint[]) and ${siteFilter(request.filter)}
        ${after ? sql`and (s.name, s.id) > (${after[0]}, ${after[1]}::bigint)` : sql``}
    ) s
    where s.position <= ${request.first + 1}
    order by s.company_id, s.position`.execute(db);
  return groupedInKeyOrder(companyIds, rows.map(toSite), (site) => site.companyId).map((group) => ({
    edges: group.slice(0, request.first).map((node) => ({ node, key: [node.name, node.id] })),
    hasNextPage: group.length > request.first,
  }));
}

export async function siteCounts(db: Kysely<Database>, companyIds: readonly string[], filter: SiteFilter): Promise<number[]> {
  const { rows } = await sql<{ company_id: string; count: number }>`
    select s.company_id, count(*)::int as count from sites s
    where s.company_id = any(${validIds(companyIds)}::bigint[]) and ${siteFilter(filter)}
    group by s.company_id`.execute(db);
  const counts = new Map(rows.map((row) => [row.company_id, row.count]));
  return companyIds.map((id) => counts.get(id) ?? 0);
}

export async function regionSummaries(db: Kysely<Database>, companyIds: readonly string[]): Promise<RegionSummaryModel[][]> {
  const { rows } = await sql<{ company_id: string; region: string; site_count: number; power: string; hashrate: string }>`
    select s.company_id, s.region, count(*)::int as site_count,
           coalesce(sum(s.power_capacity_mw), 0) as power, coalesce(sum(s.hashrate_eh), 0) as hashrate
    from sites s
    where s.company_id = any(${validIds(companyIds)}::bigint[])
    group by s.company_id, s.region
    order by s.company_id, s.region`.execute(db);
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

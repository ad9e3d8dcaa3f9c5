import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../src/db/migrate.js';
import { seed } from '../src/seed/seed.js';
import { createTestDatabase, foundingStoryData, type TestDatabase } from '@minergraph/test-support';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase('migrated');
});

afterAll(async () => {
  await database?.destroy();
});

async function rowCounts() {
  const { rows } = await sql<Record<string, number>>`
    select (select count(*) from sources)::int as sources, (select count(*) from companies)::int as companies,
           (select count(*) from officers)::int as officers, (select count(*) from production_reports)::int as reports,
           (select count(*) from treasury_transactions)::int as flows, (select count(*) from holdings_reports)::int as anchors,
           (select count(*) from loans)::int as loans, (select count(*) from loan_repayments)::int as repayments,
           (select count(*) from assets)::int as assets, (select count(*) from price_observations)::int as prices,
           (select count(*) from corporate_actions)::int as actions`.execute(database.db);
  return rows[0];
}

// The founding story alone (what the 'seeded' test databases hold); the whole data set is
// loaded by facts-load.db.test.ts.
describe('the seed', () => {
  it("loads the founding story's data files (docs/domain.md) once, and a second run changes nothing", async () => {
    const dataDir = foundingStoryData();
    expect(await seed(database.db, { dataDir })).toBe('loaded');
    const expected = {
      sources: 45, // one citation (page + quote) per fact of CANG.yaml, and per price
      companies: 1,
      officers: 3,
      reports: 6, // October 2025 to February 2026 monthly, and the first quarter of 2026
      flows: 7, // MINED of each month (5), January's SOLD, the February sale
      anchors: 5, // CANG.yaml's holdings figures
      loans: 1,
      repayments: 1,
      assets: 2,
      prices: 12, // BTC's eleven quoted prices on ten days up to 2026-02-09 (2025-10-06 quotes two), CANG's one
      actions: 1,
    };
    expect(await rowCounts()).toEqual(expected);
    expect(await seed(database.db, { dataDir })).toBe('already-loaded');
    expect(await rowCounts()).toEqual(expected);
  });

  it('links each monthly report to the flows it recorded; the quarter overlapping them records none, and the anchors are the cited holdings figures', async () => {
    const { rows } = await sql<{ period_end: string; kinds: string[]; anchor: string | null }>`
      select p.period_end,
             array(select t.kind from treasury_transactions t where t.production_report_id = p.id order by t.kind) as kinds,
             (select h.btc::text from holdings_reports h where h.production_report_id = p.id) as anchor
      from production_reports p order by p.period_end`.execute(database.db);
    expect(rows).toEqual([
      { period_end: '2025-10-31', kinds: ['MINED'], anchor: null },
      { period_end: '2025-11-30', kinds: ['MINED'], anchor: null },
      { period_end: '2025-12-31', kinds: ['MINED'], anchor: null },
      { period_end: '2026-01-31', kinds: ['MINED', 'SOLD'], anchor: null },
      { period_end: '2026-02-28', kinds: ['MINED'], anchor: null },
      { period_end: '2026-03-31', kinds: [], anchor: null },
    ]);
    const anchors = await sql<{ reported_on: string; btc: string }>`
      select reported_on, btc::text from holdings_reports order by reported_on`.execute(database.db);
    expect(anchors.rows).toEqual([
      { reported_on: '2025-10-31', btc: '6412.6' },
      { reported_on: '2025-12-31', btc: '7528.3' },
      { reported_on: '2026-01-31', btc: '7474.6' },
      { reported_on: '2026-02-28', btc: '3313.4' },
      { reported_on: '2026-03-31', btc: '1026' },
    ]);
  });

  it('gives every seeded fact a source', async () => {
    const { rows } = await sql<{ unsourced: number }>`
      select ((select count(*) from companies where source_id is null)
            + (select count(*) from officers where source_id is null)
            + (select count(*) from production_reports where source_id is null)
            + (select count(*) from treasury_transactions where source_id is null)
            + (select count(*) from holdings_reports where source_id is null)
            + (select count(*) from loans where source_id is null)
            + (select count(*) from loan_repayments where source_id is null)
            + (select count(*) from price_observations where source_id is null)
            + (select count(*) from corporate_actions where source_id is null))::int as unsourced`.execute(database.db);
    expect(rows[0]!.unsourced).toBe(0);
  });
});

describe('the seed on a database someone already uses', () => {
  let other: TestDatabase;

  beforeAll(async () => {
    other = await createTestDatabase('migrated');
    await migrateToLatest(other.db);
    await other.db.insertInto('companies').values({ name: 'Someone Else', ticker: 'ELSE' }).execute();
  });

  afterAll(async () => {
    await other?.destroy();
  });

  it('is not loaded into it', async () => {
    expect(await seed(other.db)).toBe('skipped-not-empty');
    const companies = await other.db.selectFrom('companies').select('ticker').execute();
    expect(companies).toEqual([{ ticker: 'ELSE' }]);
  });
});

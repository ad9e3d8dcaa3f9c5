import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../src/db/migrate.js';
import { seed } from '../src/seed/seed.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

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

describe('the seed', () => {
  it("loads docs/domain.md's seed facts once, and a second run changes nothing", async () => {
    expect(await seed(database.db)).toBe('loaded');
    const expected = {
      sources: 7,
      companies: 1,
      officers: 2,
      reports: 2,
      flows: 4, // December MINED; January MINED and SOLD; the February sale
      anchors: 2,
      loans: 1,
      repayments: 1,
      assets: 2,
      prices: 3,
      actions: 1,
    };
    expect(await rowCounts()).toEqual(expected);
    expect(await seed(database.db)).toBe('already-loaded');
    expect(await rowCounts()).toEqual(expected);
  });

  it('links each production report to the flows and anchor it recorded', async () => {
    const { rows } = await sql<{ period_end: string; kinds: string[]; anchor: string | null }>`
      select p.period_end,
             array(select t.kind from treasury_transactions t where t.production_report_id = p.id order by t.kind) as kinds,
             (select h.btc::text from holdings_reports h where h.production_report_id = p.id) as anchor
      from production_reports p order by p.period_end`.execute(database.db);
    expect(rows).toEqual([
      { period_end: '2025-12-31', kinds: ['MINED'], anchor: '7528.3' },
      { period_end: '2026-01-31', kinds: ['MINED', 'SOLD'], anchor: '7474.6' },
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

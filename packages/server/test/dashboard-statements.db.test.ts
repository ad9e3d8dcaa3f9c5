import { beforeAll, describe, expect, it } from 'vitest';
import { insertAsset, upsertPrices } from '../src/repositories/asset.repository.js';
import { insertCompany } from '../src/repositories/company.repository.js';
import { insertLoan } from '../src/repositories/loan.repository.js';
import { insertProductionReport } from '../src/repositories/production.repository.js';
import { useTestServer } from '@minergraph/test-support';

// The dashboard of issue 3: many companies, each with its sites, holdings, loans, stock price
// and a year of production. Batching must make its cost independent of how many companies.
const DASHBOARD = `query ($first: Int!) {
  companies(first: $first, orderBy: TICKER_ASC) {
    edges { node {
      ticker
      sites(first: 5) { totalCount edges { node { name region hashrateEh source { title } } } }
      siteSummary { siteCount regions { region siteCount hashrateEh } totalHashrateEh }
      holdings(on: "2026-01-31") { btc valueUsd pledgedBtc anchor { on btc source { title } } }
      loans { outstandingUsd ltv marginCallPriceUsd repayments { amountUsd } }
      stock { symbol latestPrice { at priceUsd } }
      productionReports(first: 12) { edges { node { periodEnd minedBtc btcPerDay btcPerEhPerDay source { title } } } }
    } }
  } }`;

const served = useTestServer({ start: 'migrated' });

beforeAll(async () => {
  const source = await served.database.db
    .insertInto('sources')
    .values({ title: 'Synthetic dashboard fixture' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const btc = await insertAsset(served.database.db, { symbol: 'BTC', name: 'Bitcoin', kind: 'CRYPTO' });
  await upsertPrices(served.database.db, btc.id, [
    { at: new Date('2026-01-15T00:00:00Z'), open: '90000', high: '90000', low: '90000', close: '90000', volume: null },
  ]);
  for (let n = 0; n < 50; n += 1) {
    const ticker = `TS${String(n).padStart(2, '0')}`;
    const company = await insertCompany(served.database.db, { name: `Synthetic Miner ${n}`, ticker, sourceId: source.id });
    await served.database.db
      .insertInto('sites')
      .values(
        ['North', 'South', 'East'].map((region, i) => ({
          company_id: company.id,
          name: `${ticker} site ${i}`,
          region,
          status: 'OPERATING',
          purpose: 'BITCOIN_MINING',
          hashrate_eh: `${i + 1}.5`,
          source_id: source.id,
        })),
      )
      .execute();
    for (let month = 1; month <= 12; month += 1) {
      const start = `2025-${String(month).padStart(2, '0')}-01`;
      const end = new Date(Date.UTC(2025, month, 0)).toISOString().slice(0, 10);
      await insertProductionReport(served.database.db, {
        companyId: company.id,
        periodStart: start,
        periodEnd: end,
        minedBtc: '10',
        soldBtc: null,
        soldUsd: null,
        heldBtc: String(10 * month),
        deployedHashrateEh: null,
        operatingHashrateEh: '4.5',
        sourceId: source.id,
      });
    }
    await insertLoan(served.database.db, {
      companyId: company.id,
      lender: 'Synthetic Lender',
      principalUsd: '1000000',
      collateralBtc: '20',
      originatedOn: '2025-06-01',
      maturesOn: null,
      interestRatePercent: null,
      marginCallLtv: 0.7,
      liquidationLtv: 0.8,
      sourceId: source.id,
    });
    if (n % 2 === 0) {
      const stock = await insertAsset(served.database.db, { symbol: ticker, name: `${ticker} shares`, kind: 'EQUITY' });
      await upsertPrices(served.database.db, stock.id, [
        { at: new Date('2026-01-30T21:00:00Z'), open: '3', high: '3', low: '3', close: '3', volume: null },
      ]);
    }
  }
});

describe('the dashboard query', () => {
  it('issues the same small number of SQL statements for 5 companies as for 50', async () => {
    let five: any;
    let fifty: any;
    const forFive = await served.database.countStatements(async () => {
      five = await served.server.graphql(DASHBOARD, { first: 5 });
    });
    const forFifty = await served.database.countStatements(async () => {
      fifty = await served.server.graphql(DASHBOARD, { first: 50 });
    });
    expect(five.errors).toBeUndefined();
    expect(fifty.errors, JSON.stringify(fifty.errors)).toBeUndefined();
    expect(fifty.errors).toBeUndefined();
    expect(five.data.companies.edges).toHaveLength(5);
    expect(fifty.data.companies.edges).toHaveLength(50);
    expect(forFifty).toBe(forFive);
    expect(forFifty).toBeLessThanOrEqual(20);
  });

  it('answers with each company its own rows', async () => {
    const data = await served.server.query(DASHBOARD, { first: 50 });
    const last = data.companies.edges[49].node;
    expect(last.ticker).toBe('TS49');
    expect(last.sites.totalCount).toBe(3);
    expect(last.sites.edges.map((edge: any) => edge.node.name)).toEqual(['TS49 site 0', 'TS49 site 1', 'TS49 site 2']);
    expect(last.siteSummary.totalHashrateEh).toBe('7.5');
    expect(last.holdings).toEqual({
      btc: '120',
      valueUsd: '10800000',
      pledgedBtc: '20',
      anchor: { on: '2025-12-31', btc: '120', source: { title: 'Synthetic dashboard fixture' } },
    });
    expect(last.loans).toEqual([
      // ltv: 1000000 / (20 × 90000) = 0.5555…, half-up at 8 places
      { outstandingUsd: '1000000', ltv: 0.55555556, marginCallPriceUsd: '71428.57142857', repayments: [] },
    ]);
    expect(last.stock).toBeNull();
    expect(data.companies.edges[48].node.stock).toEqual({ symbol: 'TS48', latestPrice: { at: '2026-01-30T21:00:00.000Z', priceUsd: '3' } });
    expect(last.productionReports.edges).toHaveLength(12);
    expect(last.productionReports.edges[0].node).toEqual({
      periodEnd: '2025-12-31',
      minedBtc: '10',
      btcPerDay: '0.32258065',
      btcPerEhPerDay: '0.07168459',
      source: { title: 'Synthetic dashboard fixture' },
    });
  });
});

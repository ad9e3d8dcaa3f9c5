import { beforeAll, describe, expect, it } from 'vitest';
import { insertCompany } from '../src/repositories/company.repository.js';
import { insertHoldingsReport, insertTransaction, type NewTransaction } from '../src/repositories/treasury.repository.js';
import { useTestServer } from '@minergraph/test-support';

let companyId: string;

const flow = (transaction: Omit<NewTransaction, 'companyId'>) => insertTransaction(served.database.db, { companyId, ...transaction });

const served = useTestServer();

beforeAll(async () => {
  companyId = (await insertCompany(served.database.db, { name: 'Treasury Test Mining', ticker: 'TSTT' })).id;
  // A flow dated before the company's first report, one on the report's own day, then flows after it.
  await flow({ kind: 'MINED', btc: '5', occurredOn: '2026-03-05' });
  await insertHoldingsReport(served.database.db, { companyId, on: '2026-03-10', btc: '100' });
  await flow({ kind: 'MINED', btc: '2', occurredOn: '2026-03-10' });
  await flow({ kind: 'SOLD', btc: '10', usd: '700000', occurredOn: '2026-03-11' });
  await flow({ kind: 'OTHER', btc: '-1.5', occurredOn: '2026-03-12', note: 'moved to cold storage elsewhere' });
  await flow({ kind: 'PURCHASED', btc: '3', usd: '210000', occurredOn: '2026-03-12' });
});

async function holdings(on: string) {
  const data = await served.server.query(
    `query ($on: Date) { company(ticker: "TSTT") { holdings(on: $on) { on btc btcPriceUsd valueUsd anchor { on btc } } } }`,
    { on },
  );
  return data.company.holdings;
}

describe('holdings at the end of a day', () => {
  it('start from the last report and add the flows after its day', async () => {
    expect(await holdings('2026-03-12')).toEqual({
      on: '2026-03-12',
      btc: '91.5',
      btcPriceUsd: '70727',
      valueUsd: '6471520.5',
      anchor: { on: '2026-03-10', btc: '100' },
    });
  });

  it("take flows on the report's own day as already in the report", async () => {
    expect((await holdings('2026-03-10')).btc).toBe('100');
    expect((await holdings('2026-03-11')).btc).toBe('90');
  });

  it('ignore a backdated flow once a later report covers it, but count it before that report', async () => {
    expect(await holdings('2026-03-09')).toEqual({ on: '2026-03-09', btc: '5', btcPriceUsd: '70727', valueUsd: '353635', anchor: null });
  });

  it('have no value, rather than a value of 0, on a day before any BTC price is known', async () => {
    expect(await holdings('2024-12-01')).toEqual({ on: '2024-12-01', btc: '0', btcPriceUsd: null, valueUsd: null, anchor: null });
  });
});

describe('treasuryFlow', () => {
  it('reconciles a window whose flows explain every change', async () => {
    const data = await served.server.query(`{ company(ticker: "TSTT") { treasuryFlow(from: "2026-03-11", to: "2026-03-12") {
      openingBtc minedBtc purchasedBtc soldBtc soldUsd averageSalePriceUsd otherBtc closingBtc unexplainedBtc } } }`);
    expect(data.company.treasuryFlow).toEqual({
      openingBtc: '100',
      minedBtc: '0',
      purchasedBtc: '3',
      soldBtc: '10',
      soldUsd: '700000',
      averageSalePriceUsd: '70000',
      otherBtc: '-1.5',
      closingBtc: '91.5',
      unexplainedBtc: '0',
    });
  });

  it('shows what a report changed beyond the recorded flows, and no average price for a window with no sales', async () => {
    const data = await served.server.query(`{ company(ticker: "TSTT") { treasuryFlow(from: "2026-03-01", to: "2026-03-10") {
      openingBtc minedBtc soldBtc soldUsd averageSalePriceUsd closingBtc unexplainedBtc } } }`);
    expect(data.company.treasuryFlow).toEqual({
      openingBtc: '0',
      minedBtc: '7',
      soldBtc: '0',
      soldUsd: '0',
      averageSalePriceUsd: null,
      closingBtc: '100',
      unexplainedBtc: '93',
    });
  });

  it('refuses a window that ends before it starts', async () => {
    const { data, errors } = await served.server.graphql(
      `{ company(ticker: "TSTT") { treasuryFlow(from: "2026-03-12", to: "2026-03-01") { closingBtc } } }`,
    );
    expect(data).toEqual({ company: null });
    expect(errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: ['from'] });
    expect(errors?.[0]?.message).toBe('"from" (2026-03-12) is after "to" (2026-03-01).');
  });
});

describe('holdingsHistory', () => {
  it('gives one point per week, on Sundays, the last clipped to the window', async () => {
    const data = await served.server.query(`{ company(ticker: "TSTT") {
      holdingsHistory(from: "2026-03-01", to: "2026-03-12", interval: WEEK) { on btc btcPriceUsd valueUsd } } }`);
    expect(data.company.holdingsHistory).toEqual([
      { on: '2026-03-01', btc: '0', btcPriceUsd: '70727', valueUsd: '0' },
      { on: '2026-03-08', btc: '5', btcPriceUsd: '70727', valueUsd: '353635' },
      { on: '2026-03-12', btc: '91.5', btcPriceUsd: '70727', valueUsd: '6471520.5' },
    ]);
  });

  it("follows Cango's treasury month by month through the sale", async () => {
    const data = await served.server.query(`{ company(ticker: "CANG") {
      holdingsHistory(from: "2025-12-15", to: "2026-03-12", interval: MONTH) { on btc } } }`);
    expect(data.company.holdingsHistory).toEqual([
      { on: '2025-12-31', btc: '7528.3' },
      { on: '2026-01-31', btc: '7474.6' },
      // CANG.yaml cites Cango's own figure for the end of February (3,313.4 BTC): it is the anchor
      // from then on, not January's figure less the sale plus February's mining.
      { on: '2026-02-28', btc: '3313.4' },
      { on: '2026-03-12', btc: '3313.4' },
    ]);
  });

  it('refuses more points than fit in one request', async () => {
    const { errors } = await served.server.graphql(
      `{ company(ticker: "TSTT") { holdingsHistory(from: "2020-01-01", to: "2026-01-01", interval: DAY) { on } } }`,
    );
    expect(errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(errors?.[0]?.message).toBe('That is 2193 points; at most 1000 fit in one request: use a longer interval or a shorter window.');
  });
});

describe('treasuryTransactions', () => {
  const PAGE = `query ($first: Int, $after: String, $filter: TreasuryTransactionFilter) {
    company(ticker: "TSTT") { treasuryTransactions(first: $first, after: $after, filter: $filter) {
      edges { cursor node { kind btc usd averagePriceUsd occurredOn balanceAfterBtc note } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    } } }`;

  it('lists flows newest first, each with the balance at the end of its day', async () => {
    const data = await served.server.query(PAGE, { first: 10 });
    const nodes = data.company.treasuryTransactions.edges.map((edge: any) => edge.node);
    expect(nodes).toEqual([
      {
        kind: 'PURCHASED',
        btc: '3',
        usd: '210000',
        averagePriceUsd: '70000',
        occurredOn: '2026-03-12',
        balanceAfterBtc: '91.5',
        note: null,
      },
      {
        kind: 'OTHER',
        btc: '-1.5',
        usd: null,
        averagePriceUsd: null,
        occurredOn: '2026-03-12',
        balanceAfterBtc: '91.5',
        note: 'moved to cold storage elsewhere',
      },
      { kind: 'SOLD', btc: '10', usd: '700000', averagePriceUsd: '70000', occurredOn: '2026-03-11', balanceAfterBtc: '90', note: null },
      { kind: 'MINED', btc: '2', usd: null, averagePriceUsd: null, occurredOn: '2026-03-10', balanceAfterBtc: '100', note: null },
      { kind: 'MINED', btc: '5', usd: null, averagePriceUsd: null, occurredOn: '2026-03-05', balanceAfterBtc: '5', note: null },
    ]);
    expect(data.company.treasuryTransactions.pageInfo.hasNextPage).toBe(false);
  });

  it('filters by kind and by day', async () => {
    const data = await served.server.query(PAGE, { filter: { kinds: ['MINED', 'SOLD'], from: '2026-03-06', to: '2026-03-11' } });
    expect(data.company.treasuryTransactions.edges.map((edge: any) => [edge.node.kind, edge.node.occurredOn])).toEqual([
      ['SOLD', '2026-03-11'],
      ['MINED', '2026-03-10'],
    ]);
  });

  it('pages with opaque cursors that stay valid when newer flows arrive', async () => {
    const first = await served.server.graphql(PAGE, { first: 2 });
    const page1 = first.data.company.treasuryTransactions;
    expect(page1.edges.map((edge: any) => edge.node.kind)).toEqual(['PURCHASED', 'OTHER']);
    expect(page1.pageInfo).toEqual({
      hasNextPage: true,
      hasPreviousPage: false,
      startCursor: page1.edges[0].cursor,
      endCursor: page1.edges[1].cursor,
    });
    expect(page1.pageInfo.endCursor).not.toContain('2026');

    await flow({ kind: 'MINED', btc: '1', occurredOn: '2026-03-13' });
    const second = await served.server.graphql(PAGE, { first: 2, after: page1.pageInfo.endCursor });
    const page2 = second.data.company.treasuryTransactions;
    expect(page2.edges.map((edge: any) => [edge.node.kind, edge.node.occurredOn])).toEqual([
      ['SOLD', '2026-03-11'],
      ['MINED', '2026-03-10'],
    ]);
    expect(page2.pageInfo.hasNextPage).toBe(true);
    expect(page2.pageInfo.hasPreviousPage).toBe(true);

    const third = await served.server.graphql(PAGE, { first: 2, after: page2.pageInfo.endCursor });
    expect(third.data.company.treasuryTransactions.edges.map((edge: any) => edge.node.occurredOn)).toEqual(['2026-03-05']);
    expect(third.data.company.treasuryTransactions.pageInfo.hasNextPage).toBe(false);
  });

  it('counts only when totalCount is asked for', async () => {
    const without = await served.database.countStatements(() =>
      served.server.graphql('{ company(ticker: "TSTT") { treasuryTransactions(first: 1) { edges { cursor } } } }'),
    );
    let total: unknown;
    const withCount = await served.database.countStatements(async () => {
      const data = await served.server.query(
        '{ company(ticker: "TSTT") { treasuryTransactions(first: 1) { totalCount edges { cursor } } } }',
      );
      total = data.company.treasuryTransactions.totalCount;
    });
    expect(total).toBe(6);
    expect(withCount).toBe(without + 1);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { insertCompany, insertOfficer } from '../src/repositories/company.repository.js';
import { insertTransaction } from '../src/repositories/treasury.repository.js';
import { useTestServer } from '@minergraph/test-support';

const served = useTestServer();

beforeAll(async () => {
  const holder = await insertCompany(served.database.db, {
    name: 'Alpha Hash',
    ticker: 'TSTA',
    exchange: 'NASDAQ',
    businessLines: ['BITCOIN_MINING'],
  });
  await insertTransaction(served.database.db, { companyId: holder.id, kind: 'PURCHASED', btc: '50', occurredOn: '2026-01-02' });
  const small = await insertCompany(served.database.db, { name: 'Beta Compute', ticker: 'TSTB', businessLines: ['AI_COMPUTE'] });
  await insertTransaction(served.database.db, { companyId: small.id, kind: 'MINED', btc: '10', occurredOn: '2026-01-02' });
  const none = await insertCompany(served.database.db, {
    name: 'Zeta 100% Mining_Co',
    ticker: 'TSTZ',
    businessLines: ['BITCOIN_MINING', 'AI_COMPUTE'],
  });
  await insertOfficer(served.database.db, {
    companyId: none.id,
    name: 'Ada Test',
    role: 'CFO',
    since: '2024-05-01',
    previousEmployer: null,
    sourceId: null,
  });
});

const LIST = `query ($first: Int, $after: String, $filter: CompanyFilter, $orderBy: CompanyOrder) {
  companies(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    totalCount edges { cursor node { ticker } } pageInfo { hasNextPage hasPreviousPage endCursor }
  } }`;

async function tickers(variables: Record<string, unknown>) {
  const data = await served.server.query(LIST, variables);
  return data.companies.edges.map((edge: any) => edge.node.ticker);
}

describe('companies', () => {
  it('are ordered by ticker by default, by name, or by BTC held today, largest first', async () => {
    expect(await tickers({})).toEqual(['CANG', 'TSTA', 'TSTB', 'TSTZ']);
    expect(await tickers({ orderBy: 'NAME_ASC' })).toEqual(['TSTA', 'TSTB', 'CANG', 'TSTZ']);
    expect(await tickers({ orderBy: 'HOLDINGS_DESC' })).toEqual(['CANG', 'TSTA', 'TSTB', 'TSTZ']);
  });

  it('filter by tickers (any case), business line and a name fragment taken literally', async () => {
    expect(await tickers({ filter: { tickers: ['tsta', 'CANG', 'NOPE'] } })).toEqual(['CANG', 'TSTA']);
    expect(await tickers({ filter: { businessLine: 'AI_COMPUTE' } })).toEqual(['CANG', 'TSTB', 'TSTZ']);
    expect(await tickers({ filter: { nameContains: 'mining' } })).toEqual(['TSTZ']);
    expect(await tickers({ filter: { nameContains: '100%' } })).toEqual(['TSTZ']);
    expect(await tickers({ filter: { nameContains: '_' } })).toEqual(['TSTZ']);
    expect(await tickers({ filter: { tickers: [] } })).toEqual([]);
  });

  it('page through every order without skipping or repeating', async () => {
    for (const orderBy of ['TICKER_ASC', 'NAME_ASC', 'HOLDINGS_DESC']) {
      const seen: string[] = [];
      let after: string | null = null;
      for (let page = 0; page < 10; page += 1) {
        const { data }: { data?: any } = await served.server.graphql(LIST, { first: 1, after, orderBy });
        seen.push(...data.companies.edges.map((edge: any) => edge.node.ticker));
        expect(data.companies.totalCount).toBe(4);
        if (!data.companies.pageInfo.hasNextPage) break;
        after = data.companies.pageInfo.endCursor;
      }
      expect(seen).toEqual(await tickers({ orderBy }));
    }
  });

  it('return an empty page for first: 0 that still says more exist', async () => {
    const data = await served.server.query(LIST, { first: 0 });
    expect(data.companies.edges).toEqual([]);
    expect(data.companies.pageInfo).toEqual({ hasNextPage: true, hasPreviousPage: false, endCursor: null });
  });

  it('refuse a page size outside 0..100, and a cursor that this connection did not issue', async () => {
    const tooMany = await served.server.graphql(LIST, { first: 101 });
    expect(tooMany.errors?.[0]).toMatchObject({
      message: '"first" must be between 0 and 100; it was 101.',
      extensions: { code: 'BAD_USER_INPUT', field: ['first'] },
    });
    const negative = await served.server.graphql(LIST, { first: -1 });
    expect(negative.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    const byName = await served.server.graphql(LIST, { first: 1, orderBy: 'NAME_ASC' });
    const foreign = await served.server.graphql(LIST, { first: 1, after: byName.data.companies.pageInfo.endCursor, orderBy: 'TICKER_ASC' });
    expect(foreign.errors?.[0]).toMatchObject({
      message: '"after" is not a cursor of companies:TICKER_ASC; pass an endCursor this connection returned.',
      extensions: { code: 'BAD_USER_INPUT', field: ['after'] },
    });
    const garbage = await served.server.graphql(LIST, { after: 'not-a-cursor' });
    expect(garbage.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('a company', () => {
  it('is found by ticker in any case, with its officers and listed stock', async () => {
    const data = await served.server.query(`{ company(ticker: " cang ") {
      name ticker exchange businessLines
      officers { name role since previousEmployer source { publisher } }
      stock { symbol kind name }
      source { title }
    } }`);
    expect(data.company).toEqual({
      name: 'Cango Inc.',
      ticker: 'CANG',
      exchange: 'NYSE',
      businessLines: ['BITCOIN_MINING', 'AI_COMPUTE'],
      officers: [
        // As CANG.yaml cites them; Jack Jin's page gives the month only, stored as its first day.
        { name: 'Paul Yu', role: 'CEO', since: null, previousEmployer: null, source: { publisher: 'Grafa' } },
        { name: 'Jack Jin', role: 'CTO', since: '2026-02-01', previousEmployer: 'Zoom', source: { publisher: 'TheMinerMag' } },
        {
          name: 'Yongyi Zhang',
          role: 'Chief Financial Officer',
          since: null,
          previousEmployer: null,
          source: { publisher: 'Cango Inc. (SEC filing 0001104659-25-117521, Kabutan mirror)' },
        },
      ],
      // The price file names no asset: a company's listed shares are named after it.
      stock: { symbol: 'CANG', kind: 'EQUITY', name: 'Cango Inc. shares' },
      source: { title: 'Cango Inc. Announces February 2026 Computing and Energy Operations Update' },
    });
  });

  it('that does not exist is null, and one without a listed asset has no stock', async () => {
    const data = await served.server.query(
      '{ missing: company(ticker: "NOPE") { name } zeta: company(ticker: "TSTZ") { stock { symbol } } }',
    );
    expect(data).toEqual({ missing: null, zeta: { stock: null } });
  });
});

describe('node(id)', () => {
  it('fetches every kind of node by the id the API gave it', async () => {
    const data = await served.server.query(`{
      company(ticker: "CANG") {
        id
        treasuryTransactions(first: 1) { edges { node { id } } }
        productionReports(first: 1) { edges { node { id } } }
        loans { id }
      }
      asset(symbol: "BTC") { id }
    }`);
    const ids = {
      Company: data.company.id,
      TreasuryTransaction: data.company.treasuryTransactions.edges[0].node.id,
      ProductionReport: data.company.productionReports.edges[0].node.id,
      Loan: data.company.loans[0].id,
      Asset: data.asset.id,
    };
    for (const [typename, id] of Object.entries(ids)) {
      const { data: found } = await served.server.graphql('query ($id: ID!) { node(id: $id) { __typename id } }', { id });
      expect(found.node).toEqual({ __typename: typename, id });
    }
  });

  it('is null for an id of the right shape that names nothing', async () => {
    const id = Buffer.from('Company:987654').toString('base64');
    const { data, errors } = await served.server.graphql('query ($id: ID!) { node(id: $id) { id } }', { id });
    expect(errors).toBeUndefined();
    expect(data.node).toBeNull();
  });
});

describe('node(id) with an id the API never gave', () => {
  it('is refused as bad input when it is not a global id at all', async () => {
    const { data, errors } = await served.server.graphql('{ node(id: "bm9wZQ==") { id } }');
    expect(data).toEqual({ node: null });
    expect(errors).toEqual([{ message: 'Invalid global ID: bm9wZQ==', path: ['node'], extensions: { code: 'BAD_USER_INPUT' } }]);
  });

  it('is refused as bad input when it names a type that has no nodes', async () => {
    const id = Buffer.from('Officer:1').toString('base64');
    const { data, errors } = await served.server.graphql('query ($id: ID!) { node(id: $id) { id } }', { id });
    expect(data).toEqual({ node: null });
    expect(errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
  });
});

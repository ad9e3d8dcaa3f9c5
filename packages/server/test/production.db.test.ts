import { describe, expect, it } from 'vitest';
import { insertCompany } from '../src/repositories/company.repository.js';
import { insertProductionReport } from '../src/repositories/production.repository.js';
import { useTestServer } from '@minergraph/test-support';

const REPORT_FIELDS = `periodStart periodEnd minedBtc soldBtc soldUsd heldBtc deployedHashrateEh operatingHashrateEh btcPerDay btcPerEhPerDay`;

const served = useTestServer({
  setup: async (database) => {
    const company = await insertCompany(database.db, { name: 'Test Production Co', ticker: 'TSTP' });
    const report = (periodStart: string, periodEnd: string, minedBtc: string, operatingHashrateEh: string | null) => ({
      companyId: company.id,
      periodStart,
      periodEnd,
      minedBtc,
      soldBtc: null,
      soldUsd: null,
      heldBtc: null,
      deployedHashrateEh: null,
      operatingHashrateEh,
      sourceId: null,
    });
    await database.db.transaction().execute(async (trx) => {
      await insertProductionReport(trx, report('2026-02-01', '2026-02-28', '10', '0'));
      await insertProductionReport(trx, report('2026-03-01', '2026-03-31', '10', null));
      await insertProductionReport(trx, report('2026-04-13', '2026-04-15', '2', '0.5'));
      await insertProductionReport(trx, report('2026-05-01', '2026-05-01', '0.12345678', '2.5'));
      await insertProductionReport(trx, report('2026-05-02', '2026-05-03', '0.00000001', '1'));
      // A quarterly report that ends on the same day as the March one.
      await insertProductionReport(trx, report('2026-01-01', '2026-03-31', '30', '1'));
    });
  },
});

async function ask(query: string, variables?: Record<string, unknown>) {
  const data = await served.server.query(query, variables);
  return data;
}

async function testReports() {
  const data = await ask(`{ company(ticker: "TSTP") { productionReports(first: 100) { edges { node { ${REPORT_FIELDS} } } } } }`);
  return data.company.productionReports.edges.map((edge: { node: Record<string, unknown> }) => edge.node);
}

async function testReport(periodStart: string) {
  return (await testReports()).find((report: { periodStart: string }) => report.periodStart === periodStart);
}

describe("Cango's production reports", () => {
  it('come newest first, with BTC per day and per EH/s per day rounded half-up to 8 places', async () => {
    const data = await ask(`{ company(ticker: "CANG") { productionReports {
      totalCount edges { node { ${REPORT_FIELDS} source { title publisher url } } }
    } } }`);
    // CANG.yaml's six reports, newest period end first (the quarter ends with March).
    const { totalCount, edges } = data.company.productionReports;
    expect([totalCount, edges.map((edge: any) => `${edge.node.periodStart}/${edge.node.periodEnd}`)]).toEqual([
      6,
      [
        '2026-01-01/2026-03-31',
        '2026-02-01/2026-02-28',
        '2026-01-01/2026-01-31',
        '2025-12-01/2025-12-31',
        '2025-11-01/2025-11-30',
        '2025-10-01/2025-10-31',
      ],
    ]);
    expect(edges.slice(2, 4)).toEqual([
      {
        node: {
          periodStart: '2026-01-01',
          periodEnd: '2026-01-31',
          minedBtc: '496.35',
          soldBtc: '550.03',
          soldUsd: '39000000',
          heldBtc: '7474.6',
          deployedHashrateEh: '50',
          operatingHashrateEh: '37.02',
          // 496.35 / 31 = 16.011290322…
          btcPerDay: '16.01129032',
          // 496.35 / 37.02 / 31 = 496.35 / 1147.62 = 0.432503790…
          btcPerEhPerDay: '0.43250379',
          source: {
            title: '(the page shows no title)',
            publisher: 'Grafa',
            url: 'https://grafa.com/pt-BR/news/united-states/cango-bitcoin-mining-update-jan-2026',
          },
        },
      },
      {
        node: {
          periodStart: '2025-12-01',
          periodEnd: '2025-12-31',
          minedBtc: '569',
          soldBtc: null,
          soldUsd: null,
          heldBtc: '7528.3',
          deployedHashrateEh: null,
          operatingHashrateEh: '43.36',
          // 569 / 31 = 18.354838709…
          btcPerDay: '18.35483871',
          // 569 / 43.36 / 31 = 569 / 1344.16 = 0.423312700…
          btcPerEhPerDay: '0.4233127',
          source: {
            title: 'Cango’s Bitcoin Bet Gets Bigger: December Output Rises as Miner Stockpiles 7,500+ BTC',
            publisher: 'Global Fintech Edge',
            url: 'https://globalfintechedge.com/news/cangos-bitcoin-bet-gets-bigger-december-output-rises-as-miner-stockpiles-7500-btc',
          },
        },
      },
    ]);
  });
});

describe('derived production figures', () => {
  it('a report without operating hashrate has no BTC per EH/s per day', async () => {
    expect(await testReport('2026-03-01')).toMatchObject({
      periodEnd: '2026-03-31',
      operatingHashrateEh: null,
      // 10 / 31 = 0.322580645…
      btcPerDay: '0.32258065',
      btcPerEhPerDay: null,
    });
  });

  it('a report with zero operating hashrate has no BTC per EH/s per day either, rather than an error', async () => {
    expect(await testReport('2026-02-01')).toMatchObject({
      operatingHashrateEh: '0',
      // 10 / 28 = 0.357142857…
      btcPerDay: '0.35714286',
      btcPerEhPerDay: null,
    });
  });

  it('a one-day period mines its whole amount per day', async () => {
    expect(await testReport('2026-05-01')).toMatchObject({
      periodEnd: '2026-05-01',
      minedBtc: '0.12345678',
      btcPerDay: '0.12345678',
      // 0.12345678 / 2.5 = 0.049382712
      btcPerEhPerDay: '0.04938271',
    });
  });

  it('half a satoshi rounds up', async () => {
    expect(await testReport('2026-05-02')).toMatchObject({
      minedBtc: '0.00000001',
      // 0.00000001 / 2 = 0.000000005
      btcPerDay: '0.00000001',
      btcPerEhPerDay: '0.00000001',
    });
  });

  it('BTC per EH/s per day is rounded once, not from the rounded BTC per day', async () => {
    expect(await testReport('2026-04-13')).toMatchObject({
      // 2 / 3 = 0.666666666…
      btcPerDay: '0.66666667',
      // 2 / 0.5 / 3 = 1.333333333…; 0.66666667 / 0.5 would be 1.33333334
      btcPerEhPerDay: '1.33333333',
    });
  });

  it('a quarter counts every day of it, both ends included', async () => {
    expect(await testReport('2026-01-01')).toMatchObject({
      periodEnd: '2026-03-31',
      // 30 / 90 days = 0.333333333…
      btcPerDay: '0.33333333',
      btcPerEhPerDay: '0.33333333',
    });
  });
});

describe('paging through production reports', () => {
  const page = async (args: string) => {
    const data = await ask(`{ company(ticker: "TSTP") { productionReports(${args}) {
      totalCount edges { cursor node { id periodStart periodEnd } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    } } }`);
    return data.company.productionReports;
  };

  it('are newest period end first', async () => {
    expect((await testReports()).map((report: { periodEnd: string }) => report.periodEnd)).toEqual([
      '2026-05-03',
      '2026-05-01',
      '2026-04-15',
      '2026-03-31',
      '2026-03-31',
      '2026-02-28',
    ]);
  });

  it('first and after walk the reports, with hasNextPage and totalCount', async () => {
    const one = await page('first: 2');
    expect(one.edges.map((edge: any) => edge.node.periodEnd)).toEqual(['2026-05-03', '2026-05-01']);
    expect(one.totalCount).toBe(6);
    expect(one.pageInfo).toEqual({
      hasNextPage: true,
      hasPreviousPage: false,
      startCursor: one.edges[0].cursor,
      endCursor: one.edges[1].cursor,
    });

    const two = await page(`first: 3, after: "${one.pageInfo.endCursor}"`);
    expect(two.edges.map((edge: any) => edge.node.periodEnd)).toEqual(['2026-04-15', '2026-03-31', '2026-03-31']);
    expect([two.totalCount, two.pageInfo.hasNextPage, two.pageInfo.hasPreviousPage]).toEqual([6, true, true]);

    const three = await page(`first: 3, after: "${two.pageInfo.endCursor}"`);
    expect(three.edges.map((edge: any) => edge.node.periodEnd)).toEqual(['2026-02-28']);
    expect([three.totalCount, three.pageInfo.hasNextPage]).toEqual([6, false]);
  });

  it('one at a time visits every report exactly once, in the same order, even two that end on the same day', async () => {
    const all = (await page('first: 100')).edges.map((edge: any) => edge.node.id);
    const seen: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 10; i += 1) {
      const next: any = await page(after ? `first: 1, after: "${after}"` : 'first: 1');
      seen.push(...next.edges.map((edge: any) => edge.node.id));
      if (!next.pageInfo.hasNextPage) break;
      after = next.pageInfo.endCursor;
    }
    expect(all).toHaveLength(6);
    expect(seen).toEqual(all);
  });

  it('first above 100 is refused as BAD_USER_INPUT', async () => {
    const { errors } = await served.server.graphql('{ company(ticker: "TSTP") { productionReports(first: 101) { totalCount } } }');
    expect(errors).toEqual([expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field: ['first'] } })]);
  });

  it("another connection's cursor is refused as BAD_USER_INPUT", async () => {
    // A sites cursor, as that connection encodes one.
    const cursor = Buffer.from(JSON.stringify(['sites', 'Alpha Ridge', '1'])).toString('base64url');
    const { errors } = await served.server.graphql(`{ company(ticker: "TSTP") { productionReports(after: "${cursor}") { totalCount } } }`);
    expect(errors).toEqual([expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field: ['after'] } })]);
  });
});

describe('cursors edited by hand', () => {
  it('are refused as BAD_USER_INPUT, not as an internal error or an empty page', async () => {
    const forged = [
      ['productionReports', '2026-13-45', '1'],
      ['productionReports', 'last month', '1'],
      ['productionReports', '2026-03-31', 'abc'],
      ['productionReports', '2026-03-31'],
    ];
    for (const parts of forged) {
      const cursor = Buffer.from(JSON.stringify(parts)).toString('base64url');
      const { data, errors } = await served.server.graphql(
        `{ company(ticker: "TSTP") { productionReports(after: "${cursor}") { totalCount } } }`,
      );
      expect(data).toEqual({ company: null });
      expect(errors).toEqual([
        expect.objectContaining({
          message: '"after" is not a cursor of productionReports; pass an endCursor this connection returned.',
          extensions: { code: 'BAD_USER_INPUT', field: ['after'] },
        }),
      ]);
    }
  });
});

describe('a production report as a node', () => {
  it('node(id) returns the report, its company and its source', async () => {
    // The third newest: January 2026 (after the first quarter and February).
    const listed = await ask('{ company(ticker: "CANG") { productionReports(first: 3) { edges { node { id } } } } }');
    const id = listed.company.productionReports.edges[2].node.id;
    const data = await ask(
      `query ($id: ID!) { node(id: $id) { __typename id ... on ProductionReport {
        periodEnd minedBtc btcPerDay company { ticker } source { publisher }
      } } }`,
      { id },
    );
    expect(data.node).toEqual({
      __typename: 'ProductionReport',
      id,
      periodEnd: '2026-01-31',
      minedBtc: '496.35',
      btcPerDay: '16.01129032',
      company: { ticker: 'CANG' },
      source: { publisher: 'Grafa' },
    });
  });
});

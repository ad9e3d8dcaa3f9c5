import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TIMEOUTS } from '../src/config.js';
import { loadCompanyFiles } from '../src/facts/fact-file.js';
import { readDataVersion } from '../src/changes/changes.js';
import { syncFacts } from '../src/facts/load.js';
import { quoteStates } from '../src/facts/quote-states.js';
import { seed } from '../src/seed/seed.js';
import { createTestDatabase, engine, keyHeaders, REPOSITORY_DATA, useTestServer } from '@minergraph/test-support';
import { runCli } from './support/process.js';

// The whole data set (data/companies, data/prices), loaded as `pnpm start` loads it.
const served = useTestServer({
  start: 'migrated',
  setup: async (database) => {
    expect(await seed(database.db, { dataDir: REPOSITORY_DATA })).toBe('loaded');
  },
  // Syncs take seconds between requests: a kept-alive socket must outlive them (the client would
  // otherwise reuse one the server is closing, and meet a reset).
  server: { timeouts: { ...DEFAULT_TIMEOUTS, keepAliveMs: 60_000, idleSocketMs: 60_000 } },
});

const FILES = loadCompanyFiles(REPOSITORY_DATA).map((loaded) => loaded.file!.ticker);

async function rowCounts() {
  const { rows } = await sql<Record<string, number>>`
    select (select count(*) from sources)::int as sources, (select count(*) from companies)::int as companies,
           (select count(*) from officers)::int as officers, (select count(*) from production_reports)::int as reports,
           (select count(*) from treasury_transactions)::int as flows, (select count(*) from holdings_reports)::int as anchors,
           (select count(*) from loans)::int as loans, (select count(*) from loan_repayments)::int as repayments,
           (select count(*) from field_citations)::int as citations, (select count(*) from price_observations)::int as prices,
           (select count(*) from corporate_actions)::int as actions`.execute(served.database.db);
  return rows[0]!;
}

const CITED = 'source { url quote asOf kind }';
// One company a request: the whole walk in one would pass the query cost limit.
const WALK = `query ($ticker: String!) {
  company(ticker: $ticker) {
      ticker
      source { url quote }
      officers { name source { url quote } }
      holdingsReports { on btc basis ${CITED} }
      productionReports(first: 100) { edges { node {
        periodStart periodEnd period minedBtc soldBtc soldUsd heldBtc deployedHashrateEh operatingHashrateEh
        citations { field ${CITED} }
      } } }
      treasuryTransactions(first: 100) { edges { node { kind btc usd ${CITED} } } }
      loans { kind principalUsd collateralBtcReported interestRatePercent citations { field ${CITED} } repayments { amountUsd ${CITED} } }
  }
}`;

interface Cited {
  source: { url: string | null; quote: string | null } | null;
}

describe('the data files, loaded', () => {
  it('serve every company of data/companies: at least 13 beside nothing else', async () => {
    const { data, errors } = await served.server.graphql('{ companies(first: 100) { totalCount edges { node { ticker } } } }');
    expect(errors).toBeUndefined();
    expect(data.companies.totalCount).toBe(FILES.length);
    expect(FILES.length).toBeGreaterThanOrEqual(13);
    expect(data.companies.edges.map((edge: { node: { ticker: string } }) => edge.node.ticker)).toEqual([...FILES].sort());
  });

  it('never leave a balance below zero (a sale with no reported figure before it is left out)', async () => {
    const { data, errors } = await served.server.graphql(
      '{ companies(first: 100) { edges { node { ticker holdings(on: "2026-06-30") { btc } } } } }',
    );
    expect(errors).toBeUndefined();
    const negative = data.companies.edges
      .filter(({ node }: any) => Number(node.holdings.btc) < 0)
      .map(({ node }: any) => `${node.ticker} ${node.holdings.btc}`);
    expect(negative).toEqual([]);
  });

  it('show every number with a source URL and a quote that states it', async () => {
    const unstated: string[] = [];
    let numbers = 0;
    const check = (where: string, value: string | number | null, cited: Cited | undefined) => {
      if (value === null) return;
      numbers += 1;
      const quote = cited?.source?.quote;
      if (!cited?.source?.url || !quote || !quoteStates(quote, String(value)))
        unstated.push(`${where}: ${value} in ${JSON.stringify(quote)}`);
    };
    const FIELD: Record<string, string> = { deployedHashrateEh: 'deployedEhs', operatingHashrateEh: 'operatingEhs' };
    for (const ticker of FILES) {
      const { data, errors } = await served.server.graphql(WALK, { ticker });
      expect(errors).toBeUndefined();
      const company = data.company;
      expect(company.source.url, company.ticker).toMatch(/^https?:\/\//);
      for (const officer of company.officers) expect([officer.source.url, officer.source.quote].every(Boolean), officer.name).toBe(true);
      for (const report of company.holdingsReports) check(`${company.ticker} holdings ${report.on}`, report.btc, report);
      for (const { node: report } of company.productionReports.edges) {
        for (const field of ['minedBtc', 'soldBtc', 'soldUsd', 'heldBtc', 'deployedHashrateEh', 'operatingHashrateEh']) {
          const citation = report.citations.find((c: { field: string }) => c.field === (FIELD[field] ?? field));
          check(`${company.ticker} report ${report.periodEnd} ${field}`, report[field], citation);
        }
      }
      for (const { node: flow } of company.treasuryTransactions.edges) check(`${company.ticker} ${flow.kind}`, flow.btc, flow);
      for (const loan of company.loans) {
        for (const [field, value] of [
          ['principalUsd', loan.principalUsd],
          ['pledgedBtc', loan.collateralBtcReported],
          ['interestRatePercent', loan.interestRatePercent],
        ]) {
          check(
            `${company.ticker} ${loan.kind} ${field}`,
            value,
            loan.citations.find((c: { field: string }) => c.field === field),
          );
        }
        for (const repayment of loan.repayments) check(`${company.ticker} repayment`, repayment.amountUsd, repayment);
      }
    }
    expect(unstated).toEqual([]);
    expect(numbers).toBeGreaterThan(100);
  });
});

describe('the comparisons an analyst asks for', () => {
  it('ranks the miners by their latest reported BTC, each with its day, basis and quote', async () => {
    const { data, errors } = await served.server.graphql(`{
      companies(first: 100, orderBy: LATEST_REPORTED_BTC_DESC) { edges { node { ticker latestHoldingsReport { on btc basis source { url quote } } } } }
    }`);
    expect(errors).toBeUndefined();
    const ranked = data.companies.edges.map(({ node }: any) => [
      node.ticker,
      node.latestHoldingsReport?.on ?? null,
      node.latestHoldingsReport?.btc ?? null,
    ]);
    // From the files' holdings sections: each company's figure of the latest day (CORZ, IREN, WULF report none).
    expect(ranked).toEqual([
      ['MARA', '2025-12-31', '53822'],
      ['RIOT', '2025-12-31', '18005'],
      ['HUT', '2026-03-31', '16331'],
      ['CLSK', '2025-12-31', '11452'],
      ['ABTC', '2025-12-08', '4783'],
      ['FUFU', '2025-10-31', '1953'],
      ['CAN', '2025-10-31', '1610'],
      ['CIFR', '2025-06-30', '1063'],
      ['CANG', '2026-03-31', '1026'],
      ['BITF', '2025-04-30', '1005'],
      ['HIVE', '2025-06-30', '435'],
      ['BTDR', '2026-05-31', '171'],
      ['CORZ', null, null],
      ['IREN', null, null],
      ['WULF', null, null],
    ]);
    for (const { node } of data.companies.edges) {
      const report = node.latestHoldingsReport;
      if (report) expect(quoteStates(report.source.quote, report.btc) && /^https?:/.test(report.source.url), node.ticker).toBe(true);
    }
    const cango = data.companies.edges.find(({ node }: any) => node.ticker === 'CANG').node.latestHoldingsReport;
    expect(cango.basis).toBe("held in digital asset reserves (the Q1 2026 release's words; it says nothing about pledged or loaned BTC)");
  });

  it("lists each miner's BTC mined per reported period since a day", async () => {
    const { data, errors } = await served.server.graphql(`{
      companies(first: 20) { edges { node { ticker productionReports(first: 20, periodEndFrom: "2025-06-01") { edges { node { periodStart periodEnd period minedBtc } } } } } }
    }`);
    expect(errors).toBeUndefined();
    const mined = Object.fromEntries(
      data.companies.edges.map(({ node }: any) => [
        node.ticker,
        node.productionReports.edges.map(({ node: r }: any) => [r.periodEnd, r.period, r.minedBtc]),
      ]),
    );
    // Each period as published: a quarter or a (fiscal) year is one report beside the months it spans.
    expect(mined).toEqual({
      ABTC: [],
      BITF: [
        ['2025-09-30', 'QUARTER', '520'],
        ['2025-06-30', 'QUARTER', '718'],
      ],
      BTDR: [
        ['2026-05-31', 'MONTH', '921'],
        ['2026-03-31', 'QUARTER', '2033'],
        ['2025-11-30', 'MONTH', '526'],
      ],
      CAN: [['2025-09-30', 'QUARTER', '267']],
      CANG: [
        ['2026-03-31', 'QUARTER', '1266'],
        ['2026-02-28', 'MONTH', '454.83'],
        ['2026-01-31', 'MONTH', '496.35'],
        ['2025-12-31', 'MONTH', '569'],
        ['2025-11-30', 'MONTH', '546.7'],
        ['2025-10-31', 'MONTH', '602.6'],
      ],
      CIFR: [
        ['2025-09-30', 'QUARTER', '689'],
        ['2025-06-30', 'MONTH', '160'],
      ],
      CLSK: [
        ['2026-03-31', 'QUARTER', '1795'],
        ['2025-11-30', 'MONTH', '587'],
        ['2025-09-30', 'YEAR', '7873'],
        ['2025-09-30', 'MONTH', '629'],
      ],
      CORZ: [],
      FUFU: [['2025-06-30', 'QUARTER', '143']],
      HIVE: [
        ['2025-09-30', 'QUARTER', '717'],
        ['2025-08-31', 'MONTH', '247'],
        ['2025-06-30', 'QUARTER', '406'],
      ],
      HUT: [],
      IREN: [
        ['2025-08-31', 'MONTH', '668'],
        ['2025-07-31', 'MONTH', '728'],
      ],
      MARA: [
        ['2025-12-31', 'YEAR', '8799'],
        ['2025-09-30', 'MONTH', '736'],
        ['2025-09-30', 'QUARTER', '2144'],
        ['2025-08-31', 'MONTH', '705'],
      ],
      RIOT: [
        ['2025-12-31', 'YEAR', '5686'],
        ['2025-12-31', 'MONTH', '460'],
        ['2025-11-30', 'MONTH', '428'],
        ['2025-10-31', 'MONTH', '437'],
        ['2025-09-30', 'MONTH', '445'],
        ['2025-09-30', 'QUARTER', '1406'],
        ['2025-08-31', 'MONTH', '477'],
      ],
      WULF: [
        ['2025-09-30', 'QUARTER', '377'],
        ['2025-06-30', 'QUARTER', '485'],
      ],
    });
  });

  it('says which miners have BTC-backed debt and how much BTC is pledged', async () => {
    const { data, errors } = await served.server.graphql(`{
      companies(first: 100, filter: { hasBtcBackedDebt: true }) { edges { node {
        ticker
        holdings(on: "2026-06-30") { pledgedBtc pledgedBtcComplete }
        loans { kind lender principalUsd collateralBtcReported collateralDisclosed status }
      } } }
    }`);
    expect(errors).toBeUndefined();
    const loan = (kind: string, principalUsd: string | null, collateralBtcReported: string | null) => ({
      kind,
      lender: null,
      principalUsd,
      collateralBtcReported,
      collateralDisclosed: collateralBtcReported !== null,
      status: 'ACTIVE',
    });
    expect(data.companies.edges.map(({ node }: any) => node)).toEqual([
      {
        ticker: 'CAN',
        holdings: { pledgedBtc: '530', pledgedBtcComplete: true },
        loans: [loan('BTC_BACKED_LOAN', '14300000', '330'), loan('BTC_BACKED_LOAN', '8040000', '200')],
      },
      // Cango's loan never disclosed its collateral: 0 pledged is known to be incomplete.
      { ticker: 'CANG', holdings: { pledgedBtc: '0', pledgedBtcComplete: false }, loans: [loan('BTC_BACKED_LOAN', null, null)] },
      {
        ticker: 'MARA',
        holdings: { pledgedBtc: '5938', pledgedBtcComplete: true },
        loans: [loan('CREDIT_LINE', '350000000', '5938'), loan('CONVERTIBLE_NOTES', '1000000000', null)],
      },
    ]);
  });

  it("shows Cango's February to March 2026 fall that no sourced flow explains", async () => {
    const data = await served.server.query(`{
      company(ticker: "CANG") { treasuryFlow(from: "2026-03-01", to: "2026-03-31") { openingBtc minedBtc soldBtc closingBtc unexplainedBtc } }
    }`);
    // The 2026-02-28 figure (3,313.4) to the 2026-03-31 one (1,026): the quarter's report records no
    // flows beside its months, and no page states a March sale or transfer.
    expect(data.company.treasuryFlow).toEqual({
      openingBtc: '3313.4',
      minedBtc: '0',
      soldBtc: '0',
      closingBtc: '1026',
      unexplainedBtc: '-2287.4',
    });
  });
});

describe('writes through the API', () => {
  it('refuse a fact without a source, or with a quote that does not state its number, and write nothing', async () => {
    const { headers } = await keyHeaders(served.database, 'editor');
    const before = await rowCounts();
    const record = (source: unknown) =>
      served.server.graphql(
        `mutation ($input: RecordTreasuryTransactionInput!) {
          recordTreasuryTransaction(input: $input) { transaction { id } userErrors { field code message } } }`,
        { input: { ticker: 'MARA', kind: 'SOLD', btc: '15133', occurredOn: '2026-03-31', ...(source ? { source } : {}) } },
        headers,
      );
    const unsourced = await record(null);
    expect(unsourced.data.recordTreasuryTransaction).toEqual({
      transaction: null,
      userErrors: [
        {
          field: ['input', 'source'],
          code: 'VALIDATION_FAILED',
          message: 'source is required: every fact carries where it was published.',
        },
      ],
    });
    const misquoted = await record({ title: 'MARA sells', quote: 'MARA sold 15,000 BTC in the quarter' });
    expect(misquoted.data.recordTreasuryTransaction).toEqual({
      transaction: null,
      userErrors: [{ field: ['input', 'source', 'quote'], code: 'VALIDATION_FAILED', message: 'The quote does not state btc (15133).' }],
    });
    expect(await rowCounts()).toEqual(before);
  });
});

describe('facts sync', () => {
  it('changes nothing when run again on the same files', async () => {
    const before = await rowCounts();
    const version = await readDataVersion(served.database.db);
    const result = await syncFacts(served.database.db, REPOSITORY_DATA);
    expect(result.files.map((file) => [file.file, file.inserted, file.updated])).toEqual(result.files.map((file) => [file.file, 0, 0]));
    expect(result.files.every((file) => file.unchanged > 0)).toBe(true);
    expect(result.deleted).toBe(0);
    expect(await rowCounts()).toEqual(before);
    // Nothing changed, so cached answers stay good and subscribers hear nothing.
    expect(await readDataVersion(served.database.db)).toBe(version);
  });

  it('applies a changed file, deletes what a removed file held, and never touches what the API wrote', async () => {
    const { headers } = await keyHeaders(served.database, 'editor');
    const written = await served.server.graphql(
      `mutation ($input: RecordTreasuryTransactionInput!) { recordTreasuryTransaction(input: $input) { transaction { id } userErrors { message } } }`,
      {
        input: {
          ticker: 'ABTC',
          kind: 'PURCHASED',
          btc: '1',
          occurredOn: '2026-06-01',
          source: { title: 'A test purchase', url: 'https://example.com/abtc', quote: 'bought 1 BTC' },
        },
      },
      headers,
    );
    expect(written.data.recordTreasuryTransaction.userErrors).toEqual([]);

    const dir = mkdtempSync(join(tmpdir(), 'minergraph-sync-'));
    try {
      cpSync(REPOSITORY_DATA, dir, { recursive: true });
      const mara = join(dir, 'companies', 'MARA.yaml');
      writeFileSync(mara, readFileSync(mara, 'utf8').replace('btc: "52850"', 'btc: "52851"').replace('TO 52,850 BTC', 'TO 52,851 BTC'));
      rmSync(join(dir, 'companies', 'HIVE.yaml'));
      const hiveRows = await sql<{ n: number }>`
        select ((select count(*) from sources where fact_key like 'HIVE%') + (select count(*) from companies where fact_key = 'HIVE')
              + (select count(*) from officers where fact_key like 'HIVE/%') + (select count(*) from production_reports where fact_key like 'HIVE/%')
              + (select count(*) from holdings_reports where fact_key like 'HIVE/%' and production_report_id is null)
              + (select count(*) from loans where fact_key like 'HIVE/%'))::int as n`.execute(served.database.db);

      const version = BigInt(await readDataVersion(served.database.db));
      const result = await syncFacts(served.database.db, dir);
      // The sync moved the data version: every answer cached before it is stale from its commit on.
      expect(BigInt(await readDataVersion(served.database.db)) > version).toBe(true);
      const byFile = Object.fromEntries(result.files.map((file) => [file.file, [file.inserted, file.updated]]));
      // The figure and its citation (the quote changed with it).
      expect(byFile['MARA.yaml']).toEqual([0, 2]);
      expect(result.files.filter((file) => file.file !== 'MARA.yaml').every((file) => file.inserted + file.updated === 0)).toBe(true);
      expect(result.deleted).toBe(hiveRows.rows[0]!.n);

      const data = await served.server.query(`{
        mara: company(ticker: "MARA") { holdingsReports { on btc source { quote } } }
        hive: company(ticker: "HIVE") { ticker }
        abtc: company(ticker: "ABTC") { treasuryTransactions(first: 5) { edges { node { kind btc source { quote } } } } }
      }`);
      expect(data.mara.holdingsReports.find((report: { on: string }) => report.on === '2025-09-30').btc).toBe('52851');
      expect(data.hive).toBeNull();
      expect(data.abtc.treasuryTransactions.edges).toEqual([{ node: { kind: 'PURCHASED', btc: '1', source: { quote: 'bought 1 BTC' } } }]);

      const again = await syncFacts(served.database.db, dir);
      expect(again.files.every((file) => file.inserted + file.updated === 0) && again.deleted === 0).toBe(true);
    } finally {
      // Back to the repository's files, for the tests after this one.
      await syncFacts(served.database.db, REPOSITORY_DATA);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('facts sync from the command line', () => {
  it("loads the repository's files into a new database as it prepares it, then finds nothing to change", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'minergraph-sync-cli-'));
    const fresh = engine === 'postgres' ? await createTestDatabase('empty') : null;
    try {
      const env = fresh ? { DATABASE_URL: fresh.url } : { DATABASE_URL: '', MINERGRAPH_DATA_DIR: join(dir, 'data') };
      // No --data: the CLI built into packages/server/build finds the repository's data/ itself.
      const run = runCli(['facts', 'sync'], env);
      expect(await run.exited, run.stderr()).toBe(0);
      expect(run.stderr()).toMatch(/^Prepared the database in .*: applied \d+ migrations, loaded the seed facts\.\n$/);
      const lines = run.stdout().trimEnd().split('\n');
      const files = [...FILES.map((ticker) => `${ticker}.yaml`), 'BTC.yaml', 'CANG.yaml'];
      expect(lines.filter((line) => !line.startsWith('  left out: ')).map((line) => line.replace(/\d+ unchanged$/, 'N unchanged'))).toEqual(
        [...files.map((file) => `${file}: 0 inserted, 0 updated, N unchanged`), '0 loaded rows deleted (their facts are in no file now).'],
      );
    } finally {
      await fresh?.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

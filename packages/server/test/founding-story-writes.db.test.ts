import { beforeAll, describe, expect, it } from 'vitest';
import { keyHeaders, useTestServer } from '@minergraph/test-support';

// Issue 4's acceptance story: record Cango's published facts through the API, starting from
// an empty database, and get the same answers as the seed gives.
let headers: Record<string, string>;

const served = useTestServer({ start: 'migrated' });

beforeAll(async () => {
  headers = (await keyHeaders(served.database, 'editor')).headers;
});

async function write(mutation: string, input: Record<string, unknown>) {
  const data = await served.server.query(mutation, { input }, headers);
  const payload = Object.values(data)[0] as { userErrors: unknown[] };
  expect(payload.userErrors).toEqual([]);
  return payload as any;
}

const THE_MINER_MAG = {
  title: 'Cango sells 4,451 BTC',
  publisher: 'TheMinerMag',
  url: 'https://theminermag.com/news/2026-02-09/cango-sell-bitcoin-4451-btc',
  publishedOn: '2026-02-09',
};

describe('the founding story, recorded through the API', () => {
  it('gives the same answers as the seed', async () => {
    const { company } = await write(
      'mutation ($input: CreateCompanyInput!) { createCompany(input: $input) { company { id } userErrors { message } } }',
      {
        name: 'Cango Inc.',
        ticker: 'CANG',
        exchange: 'NYSE',
        businessLines: ['BITCOIN_MINING', 'AI_COMPUTE'],
      },
    );
    const REPORT =
      'mutation ($input: RecordProductionReportInput!) { recordProductionReport(input: $input) { report { id } userErrors { message } } }';
    await write(REPORT, {
      companyId: company.id,
      periodStart: '2025-12-01',
      periodEnd: '2025-12-31',
      minedBtc: '569',
      heldBtc: '7528.3',
      operatingHashrateEh: '43.36',
      source: { title: 'Cango announces December 2025 bitcoin production', publisher: 'AInvest' },
    });
    await write(REPORT, {
      companyId: company.id,
      periodStart: '2026-01-01',
      periodEnd: '2026-01-31',
      minedBtc: '496.35',
      soldBtc: '550.03',
      soldUsd: '39000000',
      heldBtc: '7474.6',
      deployedHashrateEh: '50',
      operatingHashrateEh: '37.02',
      source: { title: 'Cango Bitcoin mining update, January 2026', publisher: 'Grafa' },
      idempotencyKey: 'cang-2026-01',
    });
    const { loan } = await write(
      'mutation ($input: CreateLoanInput!) { createLoan(input: $input) { loan { id } userErrors { message } } }',
      {
        companyId: company.id,
        collateralBtc: '0',
        // Every fact written through the API carries its source (issue 12).
        source: THE_MINER_MAG,
      },
    );
    const repaid = await write(
      `mutation ($input: RepayLoanInput!) { repayLoan(input: $input) {
        loan { repaidUsd } repayment { fundedBy { btc usd averagePriceUsd balanceAfterBtc source { publisher } } } userErrors { message } } }`,
      {
        loanId: loan.id,
        amountUsd: '305000000',
        paidOn: '2026-02-08',
        fundedBySale: { btc: '4451', usd: '305000000' },
        source: THE_MINER_MAG,
      },
    );
    expect(repaid.repayment.fundedBy).toEqual({
      btc: '4451',
      usd: '305000000',
      averagePriceUsd: '68523.92720737',
      balanceAfterBtc: '3023.6',
      source: { publisher: 'TheMinerMag' },
    });
    await write('mutation ($input: CreateAssetInput!) { createAsset(input: $input) { asset { id } userErrors { message } } }', {
      symbol: 'BTC',
      name: 'Bitcoin',
      kind: 'CRYPTO',
    });
    await write('mutation ($input: RecordPricesInput!) { recordPrices(input: $input) { inserted userErrors { message } } }', {
      symbol: 'BTC',
      points: [
        { at: '2025-10-06T00:00:00Z', close: '126080' },
        { at: '2026-02-09T00:00:00Z', close: '70727' },
      ],
    });

    const data = await served.server.query(`{
      company(ticker: "CANG") {
        holdings(on: "2026-02-09") { btc valueUsd }
        treasuryFlow(from: "2026-01-01", to: "2026-01-31") { minedBtc soldBtc unexplainedBtc }
        loans { repaidUsd outstandingUsd ltv }
      }
      asset(symbol: "BTC") { drawdownFromAllTimeHigh }
    }`);
    expect(data.company).toEqual({
      holdings: { btc: '3023.6', valueUsd: '213850157.2' },
      treasuryFlow: { minedBtc: '496.35', soldBtc: '550.03', unexplainedBtc: '-0.02' },
      loans: [{ repaidUsd: '305000000', outstandingUsd: null, ltv: null }],
    });
    expect(data.asset.drawdownFromAllTimeHigh.toFixed(3)).toBe('0.439');
  });
});

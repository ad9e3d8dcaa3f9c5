import { beforeAll, describe, expect, it } from 'vitest';
import { insertCompany } from '../src/repositories/company.repository.js';
import { insertHoldingsReport, insertTransaction } from '../src/repositories/treasury.repository.js';
import { useTestServer } from '@minergraph/test-support';

// Company.treasuryFlowsBetweenReports: one treasury flow per two consecutive reported figures,
// so what the recorded flows leave unexplained shows report by report (the explorer marks it).

const BETWEEN = `query ($ticker: String!) {
  company(ticker: $ticker) {
    holdingsReports { on btc }
    treasuryFlowsBetweenReports { from to openingBtc minedBtc purchasedBtc soldBtc otherBtc closingBtc unexplainedBtc }
  }
}`;

const served = useTestServer();

beforeAll(async () => {
  const { id } = await insertCompany(served.database.db, { name: 'Between Reports Mining', ticker: 'TSTB' });
  // A flow on a report's own day (taken as included by that report), and one after it.
  await insertHoldingsReport(served.database.db, { companyId: id, on: '2026-01-31', btc: '100' });
  await insertHoldingsReport(served.database.db, { companyId: id, on: '2026-02-28', btc: '110', basis: 'including pledged BTC' });
  await insertTransaction(served.database.db, { companyId: id, kind: 'MINED', btc: '12', occurredOn: '2026-02-28' });
  await insertTransaction(served.database.db, { companyId: id, kind: 'SOLD', btc: '1', occurredOn: '2026-03-05' });
  await insertHoldingsReport(served.database.db, { companyId: id, on: '2026-03-31', btc: '111' });
});

describe('the treasury flow between each two reported figures', () => {
  it("shows Cango's January −0.02 BTC, its February sale and its March fall as unexplained, report by report", async () => {
    const { data, errors } = await served.server.graphql(BETWEEN, { ticker: 'CANG' });
    expect(errors).toBeUndefined();
    expect(data.company.holdingsReports.map((report: { on: string }) => report.on)).toEqual([
      '2025-10-31',
      '2025-12-31',
      '2026-01-31',
      '2026-02-28',
      '2026-03-31',
    ]);
    expect(data.company.treasuryFlowsBetweenReports).toEqual([
      {
        from: '2025-11-01',
        to: '2025-12-31',
        openingBtc: '6412.6',
        minedBtc: '1115.7',
        purchasedBtc: '0',
        soldBtc: '0',
        otherBtc: '0',
        closingBtc: '7528.3',
        unexplainedBtc: '0',
      },
      {
        from: '2026-01-01',
        to: '2026-01-31',
        openingBtc: '7528.3',
        minedBtc: '496.35',
        purchasedBtc: '0',
        soldBtc: '550.03',
        otherBtc: '0',
        closingBtc: '7474.6',
        unexplainedBtc: '-0.02',
      },
      {
        from: '2026-02-01',
        to: '2026-02-28',
        openingBtc: '7474.6',
        minedBtc: '454.83',
        purchasedBtc: '0',
        soldBtc: '4451',
        otherBtc: '0',
        closingBtc: '3313.4',
        unexplainedBtc: '-165.03',
      },
      {
        from: '2026-03-01',
        to: '2026-03-31',
        openingBtc: '3313.4',
        minedBtc: '0',
        purchasedBtc: '0',
        soldBtc: '0',
        otherBtc: '0',
        closingBtc: '1026',
        unexplainedBtc: '-2287.4',
      },
    ]);
  });

  it("makes one window per two consecutive reports, from the day after the first to the second's day", async () => {
    const { data, errors } = await served.server.graphql(BETWEEN, { ticker: 'TSTB' });
    expect(errors).toBeUndefined();
    expect(data.company.holdingsReports).toEqual([
      { on: '2026-01-31', btc: '100' },
      { on: '2026-02-28', btc: '110' },
      { on: '2026-03-31', btc: '111' },
    ]);
    expect(data.company.treasuryFlowsBetweenReports).toEqual([
      // The MINED flow on 2026-02-28 is in the window; the report of that day is taken to include it.
      {
        from: '2026-02-01',
        to: '2026-02-28',
        openingBtc: '100',
        minedBtc: '12',
        purchasedBtc: '0',
        soldBtc: '0',
        otherBtc: '0',
        closingBtc: '110',
        unexplainedBtc: '-2',
      },
      {
        from: '2026-03-01',
        to: '2026-03-31',
        openingBtc: '110',
        minedBtc: '0',
        purchasedBtc: '0',
        soldBtc: '1',
        otherBtc: '0',
        closingBtc: '111',
        unexplainedBtc: '2',
      },
    ]);
  });

  it('is empty for a company with fewer than two reported days', async () => {
    await insertCompany(served.database.db, { name: 'No Reports Mining', ticker: 'TSTN' });
    const { data, errors } = await served.server.graphql(BETWEEN, { ticker: 'TSTN' });
    expect(errors).toBeUndefined();
    expect(data.company).toEqual({ holdingsReports: [], treasuryFlowsBetweenReports: [] });
  });
});

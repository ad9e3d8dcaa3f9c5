import { beforeAll, describe, expect, it } from 'vitest';
import { aLoan, aProductionReport, aRepayment, aTreasuryTransaction, keyHeaders, snapshot, useTestServer } from '@minergraph/test-support';

let headers: Record<string, string>;
let cango: string;
let loan: string;

const served = useTestServer();

beforeAll(async () => {
  headers = (await keyHeaders(served.database, 'editor')).headers;
  const data = await served.server.query('{ company(ticker: "CANG") { id loans { id } } }');
  cango = data.company.id;
  loan = data.company.loans[0].id;
});

const errorsOf = (payload: any) => payload.userErrors.map((e: any) => [e.code, e.field.join('.'), e.message]);

/** Runs a mutation that must be refused, and shows that no row changed. */
async function refused(mutation: string, variables: Record<string, unknown>) {
  const before = await snapshot(served.database);
  const data = await served.server.query(mutation, variables, headers);
  expect(await snapshot(served.database)).toEqual(before);
  return errorsOf(Object.values(data)[0]);
}

const RECORD = `mutation ($input: RecordTreasuryTransactionInput!) { recordTreasuryTransaction(input: $input) {
  transaction { id } userErrors { field message code } } }`;
const REPORT = `mutation ($input: RecordProductionReportInput!) { recordProductionReport(input: $input) {
  report { id } userErrors { field message code } } }`;

describe('a refused write names every field at fault and writes nothing', () => {
  it('a sale of zero, BTC finer than a satoshi, negative proceeds', async () => {
    expect(await refused(RECORD, { input: aTreasuryTransaction({ companyId: cango, kind: 'SOLD', btc: '0', usd: '-5' }) })).toEqual([
      ['VALIDATION_FAILED', 'input.btc', 'btc must be greater than 0; it was 0.'],
      ['VALIDATION_FAILED', 'input.usd', 'usd must not be negative; it was -5.'],
    ]);
    expect(await refused(RECORD, { input: aTreasuryTransaction({ companyId: cango, btc: '1.000000001' }) })).toEqual([
      ['VALIDATION_FAILED', 'input.btc', 'btc has 9 decimals; a BTC amount has at most 8 (one satoshi).'],
    ]);
    expect(await refused(RECORD, { input: aTreasuryTransaction({ companyId: cango, kind: 'OTHER', btc: '0' }) })).toEqual([
      ['VALIDATION_FAILED', 'input.btc', 'btc must not be 0.'],
    ]);
  });

  it('an unknown or malformed company id', async () => {
    const unknown = Buffer.from('Company:999999').toString('base64');
    expect(await refused(RECORD, { input: aTreasuryTransaction({ companyId: unknown }) })).toEqual([
      ['NOT_FOUND', 'input.companyId', 'No company has this id.'],
    ]);
    expect(await refused(RECORD, { input: aTreasuryTransaction({ companyId: loan }) })).toEqual([
      ['NOT_FOUND', 'input.companyId', 'No company has this id.'],
    ]);
  });

  it('a production period that ends before it starts, and one that is recorded already', async () => {
    expect(
      await refused(REPORT, {
        input: aProductionReport({ companyId: cango, periodStart: '2026-02-28', periodEnd: '2026-02-01' }),
      }),
    ).toEqual([['VALIDATION_FAILED', 'input.periodEnd', 'periodEnd (2026-02-01) is before periodStart (2026-02-28).']]);
    expect(
      await refused(REPORT, {
        input: aProductionReport({ companyId: cango, periodStart: '2026-01-01', periodEnd: '2026-01-31', minedBtc: '496.35' }),
      }),
    ).toEqual([['ALREADY_EXISTS', 'input.periodStart', 'A production report for 2026-01-01 to 2026-01-31 exists already.']]);
  });

  it('a ticker or symbol that exists already, in any case', async () => {
    const company = await refused(
      'mutation { createCompany(input: { name: "Copy", ticker: "cang" }) { company { id } userErrors { field message code } } }',
      {},
    );
    expect(company).toEqual([['ALREADY_EXISTS', 'input.ticker', 'A company with ticker CANG exists already.']]);
    const asset = await refused(
      'mutation { createAsset(input: { symbol: "btc", name: "Copy", kind: CRYPTO }) { asset { id } userErrors { field message code } } }',
      {},
    );
    expect(asset).toEqual([['ALREADY_EXISTS', 'input.symbol', 'An asset with symbol BTC exists already.']]);
  });

  it('a site name the company has already, and a held figure for a day that has one', async () => {
    const CREATE_SITE = `mutation ($input: CreateSiteInput!) { createSite(input: $input) { site { id } userErrors { field message code } } }`;
    const site = {
      source: { title: 'A test site survey', url: 'https://example.com/test-site', quote: 'The test site draws 50 MW.' },
      companyId: cango,
      name: 'Test duplicate site',
      region: 'Georgia',
      status: 'OPERATING',
      purpose: 'BITCOIN_MINING',
      powerCapacityMw: '50',
    };
    const created = await served.server.query(CREATE_SITE, { input: site }, headers);
    expect(created.createSite.userErrors).toEqual([]);
    expect(await refused(CREATE_SITE, { input: { ...site, region: 'Texas' } })).toEqual([
      ['ALREADY_EXISTS', 'input.name', 'This company already has a site named "Test duplicate site".'],
    ]);
    expect(
      await refused(REPORT, {
        input: aProductionReport({
          companyId: cango,
          periodStart: '2025-12-20',
          periodEnd: '2025-12-31',
          minedBtc: '10',
          heldBtc: '7528.3',
        }),
      }),
    ).toEqual([['ALREADY_EXISTS', 'input.heldBtc', 'A holdings figure for 2025-12-31 is recorded already.']]);
  });

  it('a loan whose liquidation threshold is below its margin call, and a repayment beyond what is outstanding', async () => {
    const loanErrors = await refused(
      `mutation ($input: CreateLoanInput!) { createLoan(input: $input) { loan { id } userErrors { field message code } } }`,
      {
        input: aLoan({
          companyId: cango,
          principalUsd: '0',
          collateralBtc: '-1',
          marginCallLtv: 0.8,
          liquidationLtv: 0.7,
          originatedOn: '2026-02-01',
          maturesOn: '2026-01-01',
        }),
      },
    );
    expect(loanErrors).toEqual([
      ['VALIDATION_FAILED', 'input.principalUsd', 'principalUsd must be greater than 0; it was 0.'],
      ['VALIDATION_FAILED', 'input.collateralBtc', 'collateralBtc must not be negative; it was -1.'],
      ['VALIDATION_FAILED', 'input.maturesOn', 'maturesOn (2026-01-01) is before originatedOn (2026-02-01).'],
      ['VALIDATION_FAILED', 'input.liquidationLtv', 'liquidationLtv must not be below marginCallLtv.'],
    ]);
    const repayErrors = await refused(
      `mutation ($input: RepayLoanInput!) { repayLoan(input: $input) { repayment { id } userErrors { field message code } } }`,
      { input: aRepayment({ loanId: loan, collateralReleasedBtc: '1' }) },
    );
    expect(repayErrors).toEqual([
      ['VALIDATION_FAILED', 'input.collateralReleasedBtc', 'Only 0 BTC of collateral is pledged on this loan.'],
    ]);
  });

  it('a source without a title or with a URL that is not http(s)', async () => {
    expect(
      await refused(RECORD, {
        input: { companyId: cango, kind: 'MINED', btc: '1', occurredOn: '2026-03-01', source: { title: ' ', url: 'javascript:alert(1)' } },
      }),
    ).toEqual([
      ['VALIDATION_FAILED', 'input.source.title', 'title must not be blank.'],
      ['VALIDATION_FAILED', 'input.source.url', 'url must be an http(s) URL starting with http:// or https://.'],
    ]);
  });
});

describe('every fact written through the API carries its source', () => {
  const LOAN = `mutation ($input: CreateLoanInput!) { createLoan(input: $input) { loan { id } userErrors { field message code } } }`;
  const REPAY = `mutation ($input: RepayLoanInput!) { repayLoan(input: $input) { repayment { id } userErrors { field message code } } }`;
  const SITE = `mutation ($input: CreateSiteInput!) { createSite(input: $input) { site { id } userErrors { field message code } } }`;
  const MISSING = [['VALIDATION_FAILED', 'input.source', 'source is required: every fact carries where it was published.']];

  it('a transaction, a production report, a loan, a repayment and a site without one are refused', async () => {
    expect(await refused(RECORD, { input: { companyId: cango, kind: 'MINED', btc: '1', occurredOn: '2026-03-01' } })).toEqual(MISSING);
    expect(
      await refused(REPORT, { input: { companyId: cango, periodStart: '2026-04-01', periodEnd: '2026-04-30', minedBtc: '400' } }),
    ).toEqual(MISSING);
    expect(await refused(LOAN, { input: { companyId: cango, principalUsd: '1000000', collateralBtc: '20' } })).toEqual(MISSING);
    expect(await refused(REPAY, { input: { loanId: loan, amountUsd: '1000', paidOn: '2026-03-01' } })).toEqual(MISSING);
    expect(
      await refused(SITE, {
        input: {
          companyId: cango,
          name: 'Test site',
          region: 'Texas',
          status: 'OPERATING',
          purpose: 'BITCOIN_MINING',
          powerCapacityMw: '50',
        },
      }),
    ).toEqual(MISSING);
  });

  it("a quote that does not state the write's number is refused, naming the quote", async () => {
    const quoted = (quote: string) => ({ title: 'A test source', quote });
    expect(
      await refused(RECORD, {
        input: { companyId: cango, kind: 'SOLD', btc: '4451', occurredOn: '2026-03-01', source: quoted('Cango sold 4,450 bitcoin') },
      }),
    ).toEqual([['VALIDATION_FAILED', 'input.source.quote', 'The quote does not state btc (4451).']]);
    expect(
      await refused(REPORT, {
        input: {
          companyId: cango,
          periodStart: '2026-04-01',
          periodEnd: '2026-04-30',
          minedBtc: '400.5',
          source: quoted('mined 400 BTC in April'),
        },
      }),
    ).toEqual([['VALIDATION_FAILED', 'input.source.quote', 'The quote does not state minedBtc (400.5).']]);
    expect(
      await refused(LOAN, {
        input: { companyId: cango, principalUsd: '305000000', collateralBtc: '20', source: quoted('a loan of $350 million') },
      }),
    ).toEqual([['VALIDATION_FAILED', 'input.source.quote', 'The quote does not state principalUsd (305000000).']]);
  });

  it('a quote that states the number in a usual printing is accepted and shown with the fact', async () => {
    const data = await served.server.query(
      `mutation ($input: RecordTreasuryTransactionInput!) { recordTreasuryTransaction(input: $input) {
        transaction { btc source { title quote asOf kind } } userErrors { field message code } } }`,
      {
        input: {
          companyId: cango,
          kind: 'MINED',
          btc: '1234.5',
          occurredOn: '2026-04-02',
          source: { title: 'A test release', quote: 'The company mined 1,234.50 BTC.', asOf: '2026-04-02' },
        },
      },
      headers,
    );
    expect(data.recordTreasuryTransaction).toEqual({
      transaction: {
        btc: '1234.5',
        source: { title: 'A test release', quote: 'The company mined 1,234.50 BTC.', asOf: '2026-04-02', kind: null },
      },
      userErrors: [],
    });
  });
});

describe('prices in bulk', () => {
  const PRICES = `mutation ($input: RecordPricesInput!) { recordPrices(input: $input) { inserted updated userErrors { field message code } } }`;

  it('are checked point by point, with the index of each bad point, and none is written if one is bad', async () => {
    const points = Array.from({ length: 20 }, (_, i) => ({ at: new Date(Date.UTC(2026, 2, 1, i)).toISOString(), close: '80000' }));
    points[12] = { ...points[12]!, high: '79000', low: '81000' } as never;
    points[15] = { ...points[15]!, at: points[3]!.at };
    points[17] = { ...points[17]!, close: '-1' };
    const before = await snapshot(served.database);
    const data = await served.server.query(PRICES, { input: { symbol: 'BTC', points } }, headers);
    expect(errorsOf(data.recordPrices)).toEqual([
      ['VALIDATION_FAILED', 'input.points.12.high', 'high (79000) is below low (81000).'],
      ['VALIDATION_FAILED', 'input.points.15.at', 'Point 3 has the same instant, 2026-03-01T03:00:00.000Z.'],
      ['VALIDATION_FAILED', 'input.points.17.close', 'close must be greater than 0; it was -1.'],
    ]);
    expect(data.recordPrices.inserted).toBe(0);
    expect(await snapshot(served.database)).toEqual(before);
  });

  it('take 10,000 points in one call, insert new instants and replace known ones', async () => {
    const points = Array.from({ length: 10_000 }, (_, i) => ({
      at: new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString(),
      open: '100',
      high: '102',
      low: '99',
      close: '101',
      volume: '5',
    }));
    await served.server.graphql(
      'mutation { createAsset(input: { symbol: "TSTP", name: "Bulk", kind: CRYPTO }) { userErrors { code } } }',
      {},
      headers,
    );
    const first = await served.server.graphql(PRICES, { input: { symbol: 'tstp', points } }, headers);
    expect(first.errors, JSON.stringify(first.errors)?.slice(0, 500)).toBeUndefined();
    expect(first.data.recordPrices).toEqual({ inserted: 10_000, updated: 0, userErrors: [] });
    const again = await served.server.graphql(
      PRICES,
      { input: { symbol: 'TSTP', points: points.slice(0, 3).map((p) => ({ ...p, close: '102' })) } },
      headers,
    );
    expect(again.data.recordPrices).toEqual({ inserted: 0, updated: 3, userErrors: [] });
    const data = await served.server.query('{ asset(symbol: "TSTP") { priceAt(at: "2025-01-01T00:01:00Z") { priceUsd } } }');
    expect(data.asset.priceAt).toEqual({ priceUsd: '102' });
  });

  it('refuse more than 10,000 points, and an unknown symbol', async () => {
    const many = Array.from({ length: 10_001 }, (_, i) => ({ at: new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString(), close: '1' }));
    const tooMany = await served.server.graphql(PRICES, { input: { symbol: 'BTC', points: many } }, headers);
    expect(errorsOf(tooMany.data.recordPrices)).toEqual([
      ['VALIDATION_FAILED', 'input.points', 'At most 10000 points fit in one call; this one has 10001.'],
    ]);
    const unknown = await served.server.graphql(PRICES, { input: { symbol: 'NOPE', points: many.slice(0, 1) } }, headers);
    expect(errorsOf(unknown.data.recordPrices)).toEqual([['NOT_FOUND', 'input.symbol', 'No asset has the symbol NOPE.']]);
  });
});

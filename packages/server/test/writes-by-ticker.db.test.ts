import { beforeAll, describe, expect, it } from 'vitest';
import { keyHeaders, snapshot, useTestServer } from '@minergraph/test-support';

let headers: Record<string, string>;
let cango: string;

const served = useTestServer();

beforeAll(async () => {
  headers = (await keyHeaders(served.database, 'editor')).headers;
  cango = (await served.server.query('{ company(ticker: "CANG") { id } }')).company.id;
});

const RECORD = `mutation ($input: RecordTreasuryTransactionInput!) { recordTreasuryTransaction(input: $input) {
  transaction { kind btc occurredOn balanceAfterBtc company { ticker } } userErrors { field message code } } }`;
const REPORT = `mutation ($input: RecordProductionReportInput!) { recordProductionReport(input: $input) {
  report { periodStart minedBtc company { ticker } } userErrors { field message code } } }`;
const SITE = `mutation ($input: CreateSiteInput!) { createSite(input: $input) {
  site { name region company { ticker } } userErrors { field message code } } }`;
const LOAN = `mutation ($input: CreateLoanInput!) { createLoan(input: $input) {
  loan { lender collateralBtc company { ticker } } userErrors { field message code } } }`;

const errorsOf = (payload: any) => payload.userErrors.map((e: any) => [e.code, e.field?.join('.') ?? null, e.message]);

/** Runs a write, and shows that it changed no row. */
/** Every fact written through the API carries its source; these tests are about naming the company. */
const SRC = { title: 'A test source' };

async function refused(mutation: string, input: Record<string, unknown>) {
  const before = await snapshot(served.database);
  const data = await served.server.query(mutation, { input: { source: SRC, ...input } }, headers);
  const payload = Object.values(data)[0] as any;
  expect(Object.values(payload).filter((value) => value !== null && !Array.isArray(value))).toEqual([]);
  expect(await snapshot(served.database)).toEqual(before);
  return errorsOf(payload);
}

async function written(mutation: string, input: Record<string, unknown>) {
  const data = await served.server.query(mutation, { input: { source: SRC, ...input } }, headers);
  const payload = Object.values(data)[0] as any;
  expect(payload.userErrors).toEqual([]);
  return payload;
}

describe('a write names its company by ticker as well as by id', () => {
  it('a transaction recorded by ticker, in any case, lands on that company and moves its holdings', async () => {
    const { transaction } = await written(RECORD, { ticker: ' cang ', kind: 'MINED', btc: '12.5', occurredOn: '2026-02-10' });
    expect(transaction).toEqual({
      kind: 'MINED',
      btc: '12.5',
      occurredOn: '2026-02-10',
      balanceAfterBtc: '3036.1',
      company: { ticker: 'CANG' },
    });
  });

  it('a production report, a site and a loan are recorded by ticker', async () => {
    expect((await written(REPORT, { ticker: 'CANG', periodStart: '2026-03-01', periodEnd: '2026-03-31', minedBtc: '450' })).report).toEqual(
      {
        periodStart: '2026-03-01',
        minedBtc: '450',
        company: { ticker: 'CANG' },
      },
    );
    expect(
      (
        await written(SITE, {
          ticker: 'cang',
          name: 'Ticker test site',
          region: 'Middle East',
          status: 'OPERATING',
          purpose: 'BITCOIN_MINING',
        })
      ).site,
    ).toEqual({
      name: 'Ticker test site',
      region: 'Middle East',
      company: { ticker: 'CANG' },
    });
    expect((await written(LOAN, { ticker: 'CANG', lender: 'Ticker Lender', collateralBtc: '10' })).loan).toEqual({
      lender: 'Ticker Lender',
      collateralBtc: '10',
      company: { ticker: 'CANG' },
    });
  });

  it('the global id still works as before', async () => {
    const { transaction } = await written(RECORD, { companyId: cango, kind: 'PURCHASED', btc: '1', occurredOn: '2026-02-11' });
    expect(transaction.company).toEqual({ ticker: 'CANG' });
  });
});

describe('a company named wrongly is refused with the field at fault and nothing is written', () => {
  it('a ticker no company has is NOT_FOUND on input.ticker, for every write that names a company', async () => {
    const notFound = [['NOT_FOUND', 'input.ticker', 'No company has the ticker ZZZZ.']];
    expect(await refused(RECORD, { ticker: 'zzzz', kind: 'MINED', btc: '1', occurredOn: '2026-03-01' })).toEqual(notFound);
    expect(await refused(REPORT, { ticker: 'ZZZZ', periodStart: '2026-04-01', periodEnd: '2026-04-30', minedBtc: '1' })).toEqual(notFound);
    expect(await refused(SITE, { ticker: 'ZZZZ', name: 'Nowhere', region: 'Nowhere', status: 'PLANNED', purpose: 'AI_COMPUTE' })).toEqual(
      notFound,
    );
    expect(await refused(LOAN, { ticker: 'ZZZZ', collateralBtc: '1' })).toEqual(notFound);
  });

  it('both companyId and ticker is VALIDATION_FAILED naming both, beside the other problems of the input', async () => {
    expect(await refused(RECORD, { companyId: cango, ticker: 'CANG', kind: 'MINED', btc: '0', occurredOn: '2026-03-01' })).toEqual([
      ['VALIDATION_FAILED', 'input', 'Name the company by companyId or by ticker, not both.'],
      ['VALIDATION_FAILED', 'input.btc', 'btc must be greater than 0; it was 0.'],
    ]);
    expect(await refused(LOAN, { companyId: 'not-an-id', ticker: 'CANG', collateralBtc: '1' })).toEqual([
      ['VALIDATION_FAILED', 'input', 'Name the company by companyId or by ticker, not both.'],
    ]);
  });

  it('neither companyId nor ticker is VALIDATION_FAILED naming both', async () => {
    const neither = [['VALIDATION_FAILED', 'input', 'Name the company: companyId or ticker is required.']];
    expect(await refused(RECORD, { kind: 'MINED', btc: '1', occurredOn: '2026-03-01' })).toEqual(neither);
    expect(await refused(REPORT, { periodStart: '2026-04-01', periodEnd: '2026-04-30', minedBtc: '1' })).toEqual(neither);
    expect(
      await refused(SITE, { companyId: null, ticker: null, name: 'Nowhere', region: 'Nowhere', status: 'PLANNED', purpose: 'AI_COMPUTE' }),
    ).toEqual(neither);
    expect(await refused(LOAN, { collateralBtc: '1' })).toEqual(neither);
  });

  it('a ticker that cannot be one is VALIDATION_FAILED on input.ticker', async () => {
    expect(await refused(RECORD, { ticker: 'CA NG', kind: 'MINED', btc: '1', occurredOn: '2026-03-01' })).toEqual([
      [
        'VALIDATION_FAILED',
        'input.ticker',
        'ticker must be 1 to 12 ASCII letters, digits, "." or "-", starting and ending with a letter or digit; it was "CA NG".',
      ],
    ]);
  });
});

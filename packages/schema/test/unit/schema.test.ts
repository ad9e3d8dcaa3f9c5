import { graphql, type GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { ANONYMOUS, createContext, schema, type Viewer } from '../../src/index.js';
import { fakeDataSources, type FakeWorld } from './fake-data.js';

// The schema package on its own: its resolvers and rules, run by graphql-js over an in-memory
// data layer, with no server, HTTP or SQL. A fictional company (example.com is reserved for
// examples), so no figure here claims to be a fact about a real one.

const NOW = new Date('2026-07-02T12:00:00.000Z');
const EDITOR: Viewer = { apiKeyId: '1', keyName: 'unit test', role: 'editor' };
const READER: Viewer = { apiKeyId: '2', keyName: 'unit test', role: 'reader' };

const globalId = (typename: string, id: string) => Buffer.from(`${typename}:${id}`).toString('base64');

function world(): FakeWorld {
  return {
    sources: [
      {
        id: '1',
        title: 'Example Mining Corp. annual report 2025',
        url: 'https://example.com/exmc/annual-report-2025.pdf',
        publisher: 'Example Mining Corp.',
        publishedOn: '2026-03-31',
      },
    ],
    companies: [
      {
        id: '7',
        name: 'Example Mining Corp.',
        ticker: 'EXMC',
        exchange: 'NYSE',
        businessLines: ['BITCOIN_MINING', 'AI_COMPUTE'],
        reportedSiteCount: null,
        reportedRegions: [],
        sourceId: '1',
      },
    ],
    transactions: [
      flow('11', 'MINED', '1500', '2026-01-15'),
      flow('12', 'PURCHASED', '700.5', '2026-03-01'),
      flow('13', 'SOLD', '100.5', '2026-03-20'),
      flow('14', 'MINED', '12.25', '2026-07-01'),
    ],
    loans: [
      {
        id: '3',
        companyId: '7',
        lender: 'Example Bank',
        principalUsd: '1000000',
        initialCollateralBtc: '20',
        repaidUsd: '250000',
        collateralReleasedBtc: '5',
        originatedOn: '2025-06-01',
        maturesOn: '2027-06-01',
        interestRatePercent: 9.5,
        status: 'ACTIVE',
        marginCallLtv: 0.7,
        liquidationLtv: 0.8,
        sourceId: null,
      },
    ],
    assets: [
      { id: '1', symbol: 'BTC', name: 'Bitcoin', kind: 'CRYPTO', quoteCurrency: 'USD' },
      { id: '2', symbol: 'EXMC', name: 'Example Mining Corp.', kind: 'EQUITY', quoteCurrency: 'USD' },
    ],
    prices: [
      price('1', '2026-06-29T12:00:00.000Z', '60000'),
      price('1', '2026-06-30T20:00:00.000Z', '61000.5'),
      price('1', '2026-07-01T00:00:00.000Z', '50000'),
      price('2', '2020-01-02T00:00:00.000Z', '0.00000004'),
      price('2', '2026-06-30T00:00:00.000Z', '5'),
    ],
    corporateActions: [{ id: '1', assetId: '2', effectiveOn: '2021-01-04', ratio: '10', description: '10-for-1 split', sourceId: null }],
  };
}

function flow(id: string, kind: 'MINED' | 'PURCHASED' | 'SOLD', btc: string, occurredOn: string) {
  return { id, companyId: '7', kind, btc, usd: null, occurredOn, note: null, sourceId: null, productionReportId: null };
}

function price(assetId: string, at: string, priceUsd: string) {
  return { assetId, at: new Date(at), priceUsd, sourceId: null };
}

/** Runs one operation as graphql-js would for the server, with the errors as a client reads them. */
async function run(source: string, viewer: Viewer = ANONYMOUS) {
  const { data, calls } = fakeDataSources(world());
  const result = await graphql({ schema, source, contextValue: createContext({ data, viewer, now: NOW }) });
  const errors = result.errors?.map((error: GraphQLError) => ({ message: error.message, path: error.path, extensions: error.extensions }));
  return { data: result.data, errors, calls };
}

describe('the schema over a fake data layer', () => {
  it('answers a company with its holdings, BTC value and loan from the data sources', async () => {
    const { data, errors } = await run(`{
      company(ticker: " exmc ") {
        id name ticker exchange businessLines
        source { title url publishedOn }
        holdings(on: "2026-06-30") { on btc btcPriceUsd valueUsd percentOfSupply }
        loans {
          id lender outstandingUsd collateralBtc collateralDisclosed
          ltv ltvAt100k: ltv(btcPriceUsd: "100000")
          marginCallPriceUsd liquidationPriceUsd
        }
      }
    }`);
    expect(errors).toBeUndefined();
    expect(data).toEqual({
      company: {
        id: 'Q29tcGFueTo3',
        name: 'Example Mining Corp.',
        ticker: 'EXMC',
        exchange: 'NYSE',
        businessLines: ['BITCOIN_MINING', 'AI_COMPUTE'],
        source: {
          title: 'Example Mining Corp. annual report 2025',
          url: 'https://example.com/exmc/annual-report-2025.pdf',
          publishedOn: '2026-03-31',
        },
        // 1500 mined + 700.5 bought - 100.5 sold by 30 June; the 12.25 mined on 1 July comes after.
        // The price is the last one at or before the end of the day.
        holdings: { on: '2026-06-30', btc: '2100', btcPriceUsd: '61000.5', valueUsd: '128101050', percentOfSupply: 0.01 },
        loans: [
          {
            id: 'TG9hbjoz',
            lender: 'Example Bank',
            // 1,000,000 drawn, 250,000 repaid; 20 BTC pledged, 5 released.
            outstandingUsd: '750000',
            collateralBtc: '15',
            collateralDisclosed: true,
            // At the latest BTC close (50,000): 750,000 / (15 × 50,000).
            ltv: 1,
            ltvAt100k: 0.5,
            // 750,000 / (15 × 0.7), rounded half-up to 8 places; 750,000 / (15 × 0.8).
            marginCallPriceUsd: '71428.57142857',
            liquidationPriceUsd: '62500',
          },
        ],
      },
    });
  });

  it('finds a company by its global id, and none for an unknown ticker', async () => {
    const { data, errors } = await run(`{
      node(id: "Q29tcGFueTo3") { ... on Company { ticker } }
      company(ticker: "NOPE") { ticker }
    }`);
    expect(errors).toBeUndefined();
    expect(data).toEqual({ node: { ticker: 'EXMC' }, company: null });
  });

  it('gives one holdings point per month, the last clipped to `to`, loaded in one batch', async () => {
    const { data, errors, calls } = await run(`{
      company(ticker: "EXMC") { holdingsHistory(from: "2026-01-01", to: "2026-03-15", interval: MONTH) { on btc } }
    }`);
    expect(errors).toBeUndefined();
    expect(data).toEqual({
      company: {
        holdingsHistory: [
          { on: '2026-01-31', btc: '1500' },
          { on: '2026-02-28', btc: '1500' },
          { on: '2026-03-15', btc: '2200.5' },
        ],
      },
    });
    expect(calls).toEqual(['companies.byTickers(1)', 'treasury.holdings(3)']);
  });

  it('refuses a history of too many points, or a price of 0, before asking the data layer', async () => {
    const { data, errors, calls } = await run(`{
      company(ticker: "EXMC") {
        holdingsHistory(from: "2020-01-01", to: "2026-01-01", interval: DAY) { on }
      }
    }`);
    expect(errors).toEqual([
      {
        message: 'That is 2193 points; at most 1000 fit in one request: use a longer interval or a shorter window.',
        path: ['company', 'holdingsHistory'],
        extensions: { code: 'BAD_USER_INPUT', field: ['interval'] },
      },
    ]);
    expect(data).toEqual({ company: null });
    expect(calls).toEqual(['companies.byTickers(1)']);

    const zero = await run('{ company(ticker: "EXMC") { loans { ltv(btcPriceUsd: "0") } } }');
    expect(zero.errors).toEqual([
      {
        message: 'btcPriceUsd must be greater than 0; it was 0.',
        path: ['company', 'loans', 0, 'ltv'],
        extensions: { code: 'BAD_USER_INPUT', field: ['btcPriceUsd'] },
      },
    ]);
    expect(zero.data).toEqual({ company: { loans: [{ ltv: null }] } });
  });

  it('answers NOT_COMPUTABLE for a percent change from a price that rounds to 0 once adjusted', async () => {
    // 0.00000004 before a 10-for-1 split is 0.000000004 in today's units: 0 at 8 places.
    const { data, errors } = await run(`{
      asset(symbol: "exmc") {
        adjusted: change(from: "2020-06-01T00:00:00Z", to: "2026-07-01T00:00:00Z") { changeUsd changePercent }
        raw: change(from: "2020-06-01T00:00:00Z", to: "2026-07-01T00:00:00Z", adjusted: false) { changeUsd changePercent high low }
      }
    }`);
    expect(errors).toEqual([
      {
        message: 'changePercent cannot be computed: the price at "from" is 0.',
        path: ['asset', 'adjusted', 'changePercent'],
        extensions: { code: 'NOT_COMPUTABLE' },
      },
    ]);
    expect(data).toEqual({
      asset: {
        adjusted: null,
        raw: { changeUsd: '4.99999996', changePercent: 12499999900, high: '5', low: '0.00000004' },
      },
    });
  });
});

describe('mutations over a fake data layer', () => {
  it('pass a valid write to the data layer and answer its result', async () => {
    const { data, errors, calls } = await run(
      'mutation { createCompany(input: { name: "Second Example Mining", ticker: "SEXM" }) { company { id name ticker businessLines } userErrors { code } } }',
      EDITOR,
    );
    expect(errors).toBeUndefined();
    expect(data).toEqual({
      createCompany: {
        company: { id: globalId('Company', '101'), name: 'Second Example Mining', ticker: 'SEXM', businessLines: [] },
        userErrors: [],
      },
    });
    expect(calls).toEqual(['writes.createCompany(SEXM)']);
  });

  it('answer NOT_FOUND for an id of another type, without calling the write', async () => {
    const { data, errors, calls } = await run(
      `mutation {
        byLoanId: createLoan(input: { companyId: "${globalId('Loan', '3')}", collateralBtc: "10" }) { loan { id } userErrors { field code message } }
        byGarbage: createLoan(input: { companyId: "not an id", collateralBtc: "10" }) { loan { id } userErrors { field code message } }
        repayLoan(input: { loanId: "${globalId('Company', '7')}", amountUsd: "1", paidOn: "2026-07-01" }) {
          loan { id } repayment { id } userErrors { field code message }
        }
      }`,
      EDITOR,
    );
    expect(errors).toBeUndefined();
    const noCompany = {
      loan: null,
      userErrors: [{ field: ['input', 'companyId'], code: 'NOT_FOUND', message: 'No company has this id.' }],
    };
    expect(data).toEqual({
      byLoanId: noCompany,
      byGarbage: noCompany,
      repayLoan: {
        loan: null,
        repayment: null,
        userErrors: [{ field: ['input', 'loanId'], code: 'NOT_FOUND', message: 'No loan has this id.' }],
      },
    });
    expect(calls).toEqual([]);
  });

  it('are refused without an API key, and with a reader key, before the data layer', async () => {
    const mutation = 'mutation { createCompany(input: { name: "Nobody", ticker: "NOBD" }) { company { id } } }';
    const anonymous = await run(mutation);
    expect(anonymous.errors).toEqual([
      {
        message: 'This needs an API key: send "Authorization: Bearer <key>".',
        path: ['createCompany'],
        extensions: { code: 'UNAUTHENTICATED' },
      },
    ]);
    expect(anonymous.data).toBeNull();
    expect(anonymous.calls).toEqual([]);

    const reader = await run(mutation, READER);
    expect(reader.errors).toEqual([
      {
        message: 'The "reader" role may not do this; it needs an editor key.',
        path: ['createCompany'],
        extensions: { code: 'FORBIDDEN' },
      },
    ]);
    expect(reader.calls).toEqual([]);
  });
});

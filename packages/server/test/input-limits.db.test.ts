import { isDeepStrictEqual } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { keyHeaders, snapshot, useTestServer } from '@minergraph/test-support';

let headers: Record<string, string>;
let cango: string;
let cangoLoan: string;

const served = useTestServer();

beforeAll(async () => {
  headers = (await keyHeaders(served.database, 'editor')).headers;
  const data = await served.server.query('{ company(ticker: "CANG") { id loans { id } } }');
  cango = data.company.id;
  cangoLoan = data.company.loans[0].id;
});

const MAX_PRICE = '999999999999999.999999999999999999';
const MIN_PRICE = '0.000000000000000001';
const MAX_VOLUME = '99999999999999999999.999999999999999999';
const MAX_USD = '999999999999999.99';

const MUTATIONS: Record<string, string> = {
  createCompany: 'company { id }',
  createAsset: 'asset { id }',
  createSite: 'site { id }',
  recordTreasuryTransaction: 'transaction { id }',
  recordProductionReport: 'report { id }',
  createLoan: 'loan { id }',
  repayLoan: 'repayment { id }',
  recordPrices: 'inserted updated',
  recordCorporateAction: 'corporateAction { ratio }',
};

/** The writes of a company's facts, which carry their source (issue 12); these tests are about the numbers. */
const SOURCED = new Set(['recordTreasuryTransaction', 'recordProductionReport', 'createLoan', 'repayLoan', 'createSite']);
const SRC = { title: 'A test source' };

/** Runs one mutation and answers its payload; a GraphQL error fails the test. */
async function mutate(name: string, input: Record<string, unknown>) {
  const type = `${name[0]!.toUpperCase()}${name.slice(1)}Input`;
  const { data, errors } = await served.server.graphql(
    `mutation ($input: ${type}!) { ${name}(input: $input) { ${MUTATIONS[name]} userErrors { field message code } } }`,
    { input: SOURCED.has(name) ? { source: SRC, ...input } : input },
    headers,
  );
  expect(errors, JSON.stringify(errors)?.slice(0, 400)).toBeUndefined();
  return data[name];
}

async function accepted(name: string, input: Record<string, unknown>) {
  const payload = await mutate(name, input);
  expect(payload.userErrors, `${name}: ${JSON.stringify(payload.userErrors)}`).toEqual([]);
  return payload;
}

const READ_EVERYTHING = `query ($ticker: String!, $low: Decimal, $high: Decimal) {
  company(ticker: $ticker) {
    id name ticker exchange businessLines officers { name role since previousEmployer }
    source { title url publisher publishedOn }
    holdings(on: "2026-02-09") { on btc anchor { on btc source { title } } btcPriceUsd valueUsd pledgedBtc percentOfSupply }
    treasuryFlow(from: "2026-01-01", to: "2026-02-28") {
      from to openingBtc minedBtc purchasedBtc soldBtc soldUsd averageSalePriceUsd otherBtc closingBtc unexplainedBtc
    }
    holdingsHistory(from: "2026-01-01", to: "2026-02-28", interval: MONTH) { on btc btcPriceUsd valueUsd }
    treasuryTransactions(first: 10) {
      totalCount
      edges { node { id kind btc usd averagePriceUsd occurredOn balanceAfterBtc note source { title url } } }
    }
    productionReports(first: 10) {
      edges { node { periodStart periodEnd minedBtc soldBtc soldUsd heldBtc deployedHashrateEh operatingHashrateEh btcPerDay btcPerEhPerDay } }
    }
    loans {
      lender principalUsd repaidUsd outstandingUsd collateralBtc collateralDisclosed originatedOn maturesOn interestRatePercent
      status marginCallLtv liquidationLtv ltv atLowest: ltv(btcPriceUsd: $low) atHighest: ltv(btcPriceUsd: $high)
      marginCallPriceUsd liquidationPriceUsd repayments { amountUsd paidOn collateralReleasedBtc fundedBy { btc usd averagePriceUsd } }
    }
    sites(first: 10) { edges { node { name region country status purpose powerCapacityMw hashrateEh gridConnected commissionedOn } } }
    siteSummary { siteCount reportedSiteCount reportedRegions regions { region siteCount powerCapacityMw hashrateEh } totalPowerCapacityMw totalHashrateEh }
    stock {
      symbol name kind quoteCurrency corporateActions { effectiveOn ratio description }
      latestPrice { at priceUsd } raw: latestPrice(adjusted: false) { at priceUsd }
      priceAt(at: "2026-02-06T00:00:00Z") { at priceUsd }
      candles(from: "2026-01-01T00:00:00Z", to: "2026-03-01T00:00:00Z", interval: MONTH) { start open high low close volume }
      rawCandles: candles(from: "2026-01-01T00:00:00Z", to: "2026-03-01T00:00:00Z", interval: DAY, adjusted: false) { start open high low close volume }
      change(from: "2026-01-06T00:00:00Z", to: "2026-02-06T00:00:00Z") { from { priceUsd } to { priceUsd } changeUsd changePercent high low }
      allTimeHigh { at priceUsd } drawdownFromAllTimeHigh
    }
  }
  companies(orderBy: HOLDINGS_DESC, first: 5) { edges { node { ticker holdings(on: "2026-02-09") { btc valueUsd percentOfSupply } } } }
  btc: asset(symbol: "BTC") { latestPrice { priceUsd } allTimeHigh { priceUsd } drawdownFromAllTimeHigh }
}`;

describe('the largest values every Decimal input accepts', () => {
  it('are written by every mutation and every field of the company reads back with no error', async () => {
    const { company } = await accepted('createCompany', { name: 'Largest Values Inc.', ticker: 'maxc', exchange: 'NYSE' });
    const companyId = company.id;
    await accepted('createSite', {
      companyId,
      name: 'Largest site',
      region: 'North America',
      status: 'OPERATING',
      purpose: 'BITCOIN_MINING',
      powerCapacityMw: '1000000',
      hashrateEh: '1000000',
    });
    await accepted('recordProductionReport', {
      companyId,
      periodStart: '2026-01-01',
      periodEnd: '2026-01-31',
      minedBtc: '21000000',
      soldBtc: '21000000',
      soldUsd: MAX_USD,
      heldBtc: '20999999.99999999',
      deployedHashrateEh: '1000000',
      operatingHashrateEh: '0.000001',
      idempotencyKey: 'k'.repeat(255),
    });
    // Holdings reach all the BTC there will ever be, and not a satoshi more.
    await accepted('recordTreasuryTransaction', {
      companyId,
      kind: 'PURCHASED',
      btc: '0.00000001',
      usd: MAX_USD,
      occurredOn: '2026-02-01',
      source: { title: 'Largest purchase', url: 'https://example.com/largest' },
    });
    const { loan } = await accepted('createLoan', {
      companyId,
      principalUsd: MAX_USD,
      collateralBtc: '21000000',
      interestRatePercent: 1000,
      marginCallLtv: 10,
      liquidationLtv: 10,
    });
    await accepted('repayLoan', {
      loanId: loan.id,
      amountUsd: '999999999999999.98',
      paidOn: '2026-02-02',
      collateralReleasedBtc: '20999999.99999999',
      fundedBySale: { btc: '0.00000001', usd: MAX_USD },
    });
    await accepted('createAsset', { symbol: 'MAXC', name: 'Largest Values shares', kind: 'EQUITY' });
    await accepted('recordPrices', {
      symbol: 'MAXC',
      points: [
        { at: '2026-01-05T00:00:00Z', close: '1' },
        { at: '2026-02-05T00:00:00Z', open: MAX_PRICE, high: MAX_PRICE, low: MIN_PRICE, close: MAX_PRICE, volume: MAX_VOLUME },
      ],
    });
    await accepted('recordPrices', { symbol: 'BTC', points: [{ at: '2026-02-09T12:00:00Z', close: MAX_PRICE }] });
    await accepted('recordCorporateAction', {
      symbol: 'MAXC',
      effectiveOn: '2026-03-01',
      ratio: '1000000',
      description: 'A 1,000,000-for-1 split',
    });

    const { data, errors } = await served.server.graphql(READ_EVERYTHING, { ticker: 'MAXC', low: MIN_PRICE, high: MAX_PRICE });
    expect(errors).toBeUndefined();
    const read = data.company;
    expect(read.holdings).toEqual({
      on: '2026-02-09',
      btc: '20999999.99999999',
      anchor: { on: '2026-01-31', btc: '20999999.99999999', source: { title: 'A test source' } },
      btcPriceUsd: MAX_PRICE,
      valueUsd: '20999999999999989999999.99999999997900000000000001',
      pledgedBtc: '0.00000001',
      // 99.99999999999999952 %, half-up at 8 places
      percentOfSupply: 100,
    });
    expect(read.treasuryFlow).toEqual({
      from: '2026-01-01',
      to: '2026-02-28',
      openingBtc: '0',
      minedBtc: '21000000',
      purchasedBtc: '0.00000001',
      soldBtc: '21000000.00000001',
      soldUsd: '1999999999999999.98',
      averageSalePriceUsd: '95238095.23809519',
      otherBtc: '0',
      closingBtc: '20999999.99999999',
      unexplainedBtc: '20999999.99999999',
    });
    expect(
      read.treasuryTransactions.edges.map((edge: any) => [
        edge.node.kind,
        edge.node.btc,
        edge.node.averagePriceUsd,
        edge.node.balanceAfterBtc,
      ]),
    ).toEqual([
      ['SOLD', '0.00000001', '99999999999999999000000', '20999999.99999999'],
      ['PURCHASED', '0.00000001', '99999999999999999000000', '21000000'],
      ['SOLD', '21000000', '47619047.61904762', '20999999.99999999'],
      ['MINED', '21000000', null, '20999999.99999999'],
    ]);
    expect(read.productionReports.edges[0].node).toMatchObject({ btcPerDay: '677419.35483871', btcPerEhPerDay: '677419354838.70967742' });
    expect(read.loans).toEqual([
      expect.objectContaining({
        principalUsd: MAX_USD,
        repaidUsd: '999999999999999.98',
        outstandingUsd: '0.01',
        collateralBtc: '0.00000001',
        status: 'ACTIVE',
        // 0.01 / (0.00000001 × the highest price) is about 1e-9: 0 at 8 places.
        ltv: 0,
        atLowest: 1e24,
        atHighest: 0,
        marginCallPriceUsd: '100000',
        liquidationPriceUsd: '100000',
      }),
    ]);
    expect(read.siteSummary).toMatchObject({ totalPowerCapacityMw: '1000000', totalHashrateEh: '1000000' });
    expect(read.stock.change).toEqual({
      from: { priceUsd: '0.000001' },
      to: { priceUsd: '1000000000' },
      changeUsd: '999999999.999999',
      changePercent: 99999999999999900,
      high: '1000000000',
      // The low of 0.000000000000000001 divided by the split rounds to 0 at 8 places.
      low: '0',
    });
    expect(read.stock.raw).toEqual({ at: '2026-02-05T00:00:00.000Z', priceUsd: MAX_PRICE });
    expect(read.stock.rawCandles.at(-1)).toEqual({
      start: '2026-02-05T00:00:00.000Z',
      open: MAX_PRICE,
      high: MAX_PRICE,
      low: MIN_PRICE,
      close: MAX_PRICE,
      volume: MAX_VOLUME,
    });
    expect(read.stock.drawdownFromAllTimeHigh).toBe(0);
    expect(data.companies.edges[0].node).toEqual({
      ticker: 'MAXC',
      holdings: { btc: '20999999.99999999', valueUsd: '20999999999999989999999.99999999997900000000000001', percentOfSupply: 100 },
    });
  });

  it('a write that would take holdings past 21,000,000 BTC is refused, naming the day', async () => {
    const before = await snapshot(served.database);
    const payload = await mutate('recordTreasuryTransaction', {
      companyId: cango,
      kind: 'PURCHASED',
      btc: '21000000',
      occurredOn: '2026-02-10',
    });
    expect(payload.userErrors).toEqual([
      {
        field: ['input', 'btc'],
        code: 'VALIDATION_FAILED',
        message: 'This would leave holdings at 21003023.6 BTC at the end of 2026-02-10, more than the 21,000,000 BTC that will ever exist.',
      },
    ]);
    expect(await snapshot(served.database)).toEqual(before);
  });
});

interface Limit {
  noun: string;
  places: number;
  step: string;
  /** The message for a value beyond the limit with `digits` digits before the point. */
  beyond: (name: string, digits: number) => string;
  /** The smallest value beyond the limit. */
  justBeyond: string;
}

const byMax = (text: string, noun: string) => (name: string) => `${name} is beyond ${text}, the most ${noun} may be.`;
const byDigits = (most: number, noun: string) => (name: string, digits: number) =>
  `${name} has ${digits} digits before the decimal point; ${noun} has at most ${most}.`;

const BTC: Limit = {
  noun: 'a BTC amount',
  places: 8,
  step: ' (one satoshi)',
  beyond: byMax('21,000,000 BTC', 'a BTC amount'),
  justBeyond: '21000000.00000001',
};
const USD: Limit = {
  noun: 'a USD amount',
  places: 2,
  step: ' (one cent)',
  beyond: byDigits(15, 'a USD amount'),
  justBeyond: '1000000000000000',
};
const PRICE: Limit = { noun: 'a price', places: 18, step: '', beyond: byDigits(15, 'a price'), justBeyond: '1000000000000000' };
const VOLUME: Limit = { noun: 'a volume', places: 18, step: '', beyond: byDigits(20, 'a volume'), justBeyond: '100000000000000000000' };
const HASHRATE: Limit = {
  noun: 'a hashrate',
  places: 6,
  step: ' (1 TH/s)',
  beyond: byMax('1,000,000 EH/s', 'a hashrate'),
  justBeyond: '1000000.000001',
};
const POWER: Limit = {
  noun: 'a power capacity',
  places: 3,
  step: ' (1 kW)',
  beyond: byMax('1,000,000 MW', 'a power capacity'),
  justBeyond: '1000000.001',
};
const RATIO: Limit = { noun: 'a ratio', places: 8, step: '', beyond: byMax('1,000,000', 'a ratio'), justBeyond: '1000000.00000001' };

/** Every Decimal input field of every mutation, with a valid input around it and the limit it has. */
const FIELDS: [mutation: string, path: string[], input: () => Record<string, unknown>, limit: Limit][] = [
  ['recordTreasuryTransaction', ['btc'], () => ({ companyId: cango, kind: 'PURCHASED', btc: '1', occurredOn: '2026-03-01' }), BTC],
  [
    'recordTreasuryTransaction',
    ['usd'],
    () => ({ companyId: cango, kind: 'PURCHASED', btc: '1', usd: '1', occurredOn: '2026-03-01' }),
    USD,
  ],
  ...(['minedBtc', 'soldBtc', 'heldBtc', 'soldUsd', 'deployedHashrateEh', 'operatingHashrateEh'] as const).map(
    (field) =>
      [
        'recordProductionReport',
        [field],
        () => ({ companyId: cango, periodStart: '2027-01-01', periodEnd: '2027-01-31', minedBtc: '1', soldBtc: '1' }),
        field.endsWith('Btc') ? BTC : field === 'soldUsd' ? USD : HASHRATE,
      ] as [string, string[], () => Record<string, unknown>, Limit],
  ),
  ['createLoan', ['principalUsd'], () => ({ companyId: cango, collateralBtc: '1' }), USD],
  ['createLoan', ['collateralBtc'], () => ({ companyId: cango, collateralBtc: '1' }), BTC],
  ['repayLoan', ['amountUsd'], () => ({ loanId: cangoLoan, amountUsd: '1', paidOn: '2026-03-01' }), USD],
  ['repayLoan', ['collateralReleasedBtc'], () => ({ loanId: cangoLoan, amountUsd: '1', paidOn: '2026-03-01' }), BTC],
  [
    'repayLoan',
    ['fundedBySale', 'btc'],
    () => ({ loanId: cangoLoan, amountUsd: '1', paidOn: '2026-03-01', fundedBySale: { btc: '1', usd: '1' } }),
    BTC,
  ],
  [
    'repayLoan',
    ['fundedBySale', 'usd'],
    () => ({ loanId: cangoLoan, amountUsd: '1', paidOn: '2026-03-01', fundedBySale: { btc: '1', usd: '1' } }),
    USD,
  ],
  ...(['powerCapacityMw', 'hashrateEh'] as const).map(
    (field) =>
      [
        'createSite',
        [field],
        () => ({ companyId: cango, name: 'Limits', region: 'North America', status: 'OPERATING', purpose: 'MIXED' }),
        field === 'hashrateEh' ? HASHRATE : POWER,
      ] as [string, string[], () => Record<string, unknown>, Limit],
  ),
  ...(['open', 'high', 'low', 'close', 'volume'] as const).map(
    (field) =>
      [
        'recordPrices',
        ['points', '0', field],
        () => ({ symbol: 'BTC', points: [{ at: '2027-01-01T00:00:00Z', close: '1' }] }),
        field === 'volume' ? VOLUME : PRICE,
      ] as [string, string[], () => Record<string, unknown>, Limit],
  ),
  ['recordCorporateAction', ['ratio'], () => ({ symbol: 'CANG', effectiveOn: '2027-01-01', ratio: '2', description: 'Limits' }), RATIO],
];

function withValue(input: Record<string, unknown>, path: string[], value: string): Record<string, unknown> {
  const copy = structuredClone(input);
  let target: any = copy;
  for (const key of path.slice(0, -1)) target = target[key];
  target[path.at(-1)!] = value;
  return copy;
}

/** Classes of out-of-range decimals, with the message each must get. */
const BAD_CLASSES: [label: string, value: (limit: Limit) => string, message: (limit: Limit, name: string) => string][] = [
  [
    '17,000 decimal places',
    () => `0.${'0'.repeat(16_999)}1`,
    (limit, name) => `${name} has 17000 decimals; ${limit.noun} has at most ${limit.places}${limit.step}.`,
  ],
  [
    'one decimal more than the field holds',
    (limit) => `1.${'0'.repeat(limit.places)}1`,
    (limit, name) => `${name} has ${limit.places + 1} decimals; ${limit.noun} has at most ${limit.places}${limit.step}.`,
  ],
  ['140,000 digits', () => '9'.repeat(140_000), (limit, name) => limit.beyond(name, 140_000)],
  ['400 nines', () => '9'.repeat(400), (limit, name) => limit.beyond(name, 400)],
  [
    'the smallest value beyond the limit',
    (limit) => limit.justBeyond,
    (limit, name) => limit.beyond(name, limit.justBeyond.split('.')[0]!.length),
  ],
];

describe('a Decimal input beyond what its field means is refused as VALIDATION_FAILED naming the field, and nothing is written', () => {
  for (const [label, value, message] of BAD_CLASSES) {
    it(label, async () => {
      const before = await snapshot(served.database);
      const failures: string[] = [];
      for (const [mutation, path, input, limit] of FIELDS) {
        const payload = await mutate(mutation, withValue(input(), path, value(limit)));
        const expected = [{ field: ['input', ...path], code: 'VALIDATION_FAILED', message: message(limit, path.at(-1)!) }];
        if (!isDeepStrictEqual(payload.userErrors, expected)) {
          failures.push(`${mutation} ${path.join('.')}: ${JSON.stringify(payload.userErrors).slice(0, 300)}`);
        }
      }
      expect(failures).toEqual([]);
      expect(await snapshot(served.database)).toEqual(before);
    });
  }

  it('a negative amount in a signed field is bounded by its magnitude: OTHER may take out 21,000,000 BTC but not more', async () => {
    const payload = await mutate('recordTreasuryTransaction', {
      companyId: cango,
      kind: 'OTHER',
      btc: '-21000000.00000001',
      occurredOn: '2026-03-01',
    });
    expect(payload.userErrors).toEqual([
      { field: ['input', 'btc'], code: 'VALIDATION_FAILED', message: 'btc is beyond 21,000,000 BTC, the most a BTC amount may be.' },
    ]);
  });
});

describe('ltv(btcPriceUsd:) takes a price', () => {
  const LTV = 'query ($price: Decimal) { company(ticker: "CANG") { loans { ltv(btcPriceUsd: $price) } } }';
  const cases: [string, string, string][] = [
    ['1e-320 written out', `0.${'0'.repeat(319)}1`, 'btcPriceUsd has 320 decimals; a price has at most 18.'],
    ['1e-401 written out', `0.${'0'.repeat(400)}1`, 'btcPriceUsd has 401 decimals; a price has at most 18.'],
    ['140,000 digits', '9'.repeat(140_000), 'btcPriceUsd has 140000 digits before the decimal point; a price has at most 15.'],
    ['a quadrillion', '1000000000000000', 'btcPriceUsd has 16 digits before the decimal point; a price has at most 15.'],
    ['0', '0', 'btcPriceUsd must be greater than 0; it was 0.'],
    ['-1', '-1', 'btcPriceUsd must be greater than 0; it was -1.'],
  ];
  for (const [label, price, message] of cases) {
    it(`refuses ${label} as BAD_USER_INPUT naming the argument`, async () => {
      const { data, errors } = await served.server.graphql(LTV, { price });
      expect(data).toEqual({ company: { loans: [{ ltv: null }] } });
      expect(errors?.map((error) => [error.extensions?.code, error.extensions?.field, error.message])).toEqual([
        ['BAD_USER_INPUT', ['btcPriceUsd'], message],
      ]);
    });
  }
});

describe('a figure derived from a price that rounds to 0 once adjusted', () => {
  it('is a clear NOT_COMPUTABLE error for changePercent, and drawdown stays a number', async () => {
    await accepted('createAsset', { symbol: 'TINY', name: 'Tiny shares', kind: 'EQUITY' });
    await accepted('recordPrices', {
      symbol: 'TINY',
      points: [
        { at: '2026-01-05T00:00:00Z', close: '0.00000001' },
        { at: '2026-02-05T00:00:00Z', close: '5' },
      ],
    });
    await accepted('recordCorporateAction', { symbol: 'TINY', effectiveOn: '2026-03-01', ratio: '3', description: 'A 3-for-1 split' });
    const { data, errors } = await served.server.graphql(
      '{ asset(symbol: "TINY") { change(from: "2026-01-06T00:00:00Z") { changePercent } raw: change(from: "2026-01-06T00:00:00Z", adjusted: false) { changePercent } drawdownFromAllTimeHigh } }',
    );
    expect(data).toEqual({ asset: { change: null, raw: { changePercent: 49999999900 }, drawdownFromAllTimeHigh: 0 } });
    expect(errors?.map((error) => [error.extensions?.code, error.path, error.message])).toEqual([
      ['NOT_COMPUTABLE', ['asset', 'change', 'changePercent'], 'changePercent cannot be computed: the price at "from" is 0.'],
    ]);
  });
});

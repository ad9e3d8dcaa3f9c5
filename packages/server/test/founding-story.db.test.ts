import { describe, expect, it } from 'vitest';
import { useTestServer } from '@minergraph/test-support';

const served = useTestServer();

describe('the founding story, asked of a freshly seeded server', () => {
  it('says what Cango holds after the February sale, from which report, and what it is worth', async () => {
    const { data, errors } = await served.server.graphql(`{
      company(ticker: "cang") {
        name
        holdings(on: "2026-02-09") {
          on btc btcPriceUsd valueUsd pledgedBtc percentOfSupply
          anchor { on btc source { title publisher } }
        }
      }
    }`);
    expect(errors).toBeUndefined();
    expect(data.company).toEqual({
      name: 'Cango Inc.',
      holdings: {
        on: '2026-02-09',
        btc: '3023.6',
        btcPriceUsd: '70727',
        valueUsd: '213850157.2',
        pledgedBtc: '0',
        // 3023.6 / 21,000,000 × 100 = 0.0143980952…, half-up at 8 places
        percentOfSupply: 0.0143981,
        anchor: { on: '2026-01-31', btc: '7474.6', source: { title: '(the page shows no title)', publisher: 'Grafa' } },
      },
    });
  });

  it('explains January 2026: what was mined and sold, and the 0.02 BTC the flows do not account for', async () => {
    const data = await served.server.query(`{
      company(ticker: "CANG") {
        treasuryFlow(from: "2026-01-01", to: "2026-01-31") {
          from to openingBtc minedBtc purchasedBtc soldBtc soldUsd averageSalePriceUsd otherBtc closingBtc unexplainedBtc
        }
      }
    }`);
    expect(data.company.treasuryFlow).toEqual({
      from: '2026-01-01',
      to: '2026-01-31',
      openingBtc: '7528.3',
      minedBtc: '496.35',
      purchasedBtc: '0',
      soldBtc: '550.03',
      soldUsd: '39000000',
      averageSalePriceUsd: '70905.22335145',
      otherBtc: '0',
      closingBtc: '7474.6',
      unexplainedBtc: '-0.02',
    });
  });

  it('says what the February sale fetched per BTC and that it repaid the loan', async () => {
    const data = await served.server.query(`{
      company(ticker: "CANG") {
        treasuryTransactions(first: 1, filter: { kinds: [SOLD], from: "2026-02-01" }) {
          edges { node { kind btc usd averagePriceUsd occurredOn balanceAfterBtc source { publisher url } } }
        }
        loans {
          lender principalUsd repaidUsd outstandingUsd collateralDisclosed ltv marginCallPriceUsd status
          repayments { amountUsd paidOn fundedBy { btc usd averagePriceUsd } source { publisher } }
          source { title }
        }
      }
    }`);
    expect(data.company.treasuryTransactions.edges).toEqual([
      {
        node: {
          kind: 'SOLD',
          btc: '4451',
          usd: '305000000',
          averagePriceUsd: '68523.92720737',
          occurredOn: '2026-02-08',
          balanceAfterBtc: '3023.6',
          source: { publisher: 'Grafa', url: 'https://grafa.com/pt-BR/news/united-states/cango-sells-4451-bitcoin-miner-pressure' },
        },
      },
    ]);
    expect(data.company.loans).toEqual([
      {
        lender: null,
        principalUsd: null,
        repaidUsd: '305000000',
        outstandingUsd: null,
        collateralDisclosed: false,
        ltv: null,
        marginCallPriceUsd: null,
        status: 'ACTIVE',
        repayments: [
          {
            amountUsd: '305000000',
            paidOn: '2026-02-08',
            fundedBy: { btc: '4451', usd: '305000000', averagePriceUsd: '68523.92720737' },
            source: { publisher: 'TheMinerMag' },
          },
        ],
        source: { title: 'Cango Sells 4,451 BTC, Cuts Bitcoin Reserves by 60% to Repay Loan' },
      },
    ]);
  });

  it('says how far BTC is below its all-time high', async () => {
    const data = await served.server.query(`{
      asset(symbol: "btc") {
        symbol kind latestPrice { at priceUsd }
        allTimeHigh { at priceUsd source { publisher } }
        drawdownFromAllTimeHigh
      }
    }`);
    expect(data.asset).toEqual({
      symbol: 'BTC',
      kind: 'CRYPTO',
      latestPrice: { at: '2026-02-09T00:00:00.000Z', priceUsd: '70727' },
      allTimeHigh: { at: '2025-10-06T00:00:00.000Z', priceUsd: '126080', source: { publisher: 'CoinNewsByte (only source)' } },
      // 1 - 70727 / 126080 = 0.4390307741…, half-up at 8 places
      drawdownFromAllTimeHigh: 0.43903077,
    });
    expect(data.asset.drawdownFromAllTimeHigh.toFixed(3)).toBe('0.439');
  });
});

describe('the operational endpoints', () => {
  it('/healthz says the process is up and /readyz that the database answers', async () => {
    const base = served.server.url.replace(/\/graphql$/, '');
    const health = await fetch(`${base}/healthz`);
    expect([health.status, await health.json()]).toEqual([200, { status: 'ok' }]);
    const ready = await fetch(`${base}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([
      200,
      { status: 'ready', database: served.database.engine, migration: '2026-11-28T00-50_price-hours' },
    ]);
  });

  it('every response carries a request id, and a client-chosen one is echoed', async () => {
    const response = await fetch(served.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'analyst-42' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(response.headers.get('x-request-id')).toBe('analyst-42');
  });

  it('no GraphQL answer may be stored by an HTTP cache: Cache-Control: no-store, answers and errors alike', async () => {
    for (const query of ['{ company(ticker: "CANG") { name } }', '{ nope }']) {
      const response = await fetch(served.server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query }),
      });
      expect([query, response.headers.get('cache-control')]).toEqual([query, 'no-store']);
    }
  });
});

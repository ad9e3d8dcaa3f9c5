import { beforeAll, describe, expect, it } from 'vitest';
import { keyHeaders, useTestServer } from '@minergraph/test-support';

// CANG's seed (data/companies/CANG.yaml, data/prices/CANG.yaml up to 2026-02-09) holds its
// conversion (1 ADS -> 2 Class A shares on 2025-11-17) and one share price in the window:
// 0.97 on 2026-02-06 (BitcoinQuant). These tests add ADS-era closes, test data only, to show
// what the conversion does to a series.
let headers: Record<string, string>;

const served = useTestServer();

beforeAll(async () => {
  headers = (await keyHeaders(served.database, 'editor')).headers;
  const data = await served.server.query(
    `mutation ($input: RecordPricesInput!) { recordPrices(input: $input) { inserted userErrors { message } } }`,
    {
      input: {
        symbol: 'CANG',
        points: [
          { at: '2025-08-08T20:00:00Z', close: '5', volume: '1000' },
          { at: '2025-11-14T21:00:00Z', open: '3.9', high: '4', low: '3.7', close: '3.8', volume: '1000' },
          { at: '2025-11-17T21:00:00Z', open: '1.9', high: '1.95', low: '1.85', close: '1.88', volume: '2000' },
        ],
      },
    },
    headers,
  );
  expect(data.recordPrices).toEqual({ inserted: 3, userErrors: [] });
});

const SIX_MONTHS = `query ($adjusted: Boolean) { asset(symbol: "CANG") {
  change(from: "2025-08-09T00:00:00Z", to: "2026-02-09T23:59:59Z", adjusted: $adjusted) {
    from { at priceUsd } to { priceUsd } changeUsd changePercent high low
  } } }`;

describe('an equity across its ADS conversion', () => {
  it('lists the conversion with its source', async () => {
    const data = await served.server.query(
      '{ asset(symbol: "CANG") { corporateActions { effectiveOn ratio description source { publisher } } } }',
    );
    expect(data.asset.corporateActions).toEqual([
      {
        effectiveOn: '2025-11-17',
        ratio: '2',
        description:
          'Cango terminated its ADR program; each ADS was cancelled for two Class A ordinary shares, which began trading directly on the NYSE under CANG on 17 November 2025.',
        source: { publisher: "Stock Titan (page titled with Cango's PR Newswire release; summary is Rhea-AI)" },
      },
    ]);
  });

  it('shows the real six-month move by default: -61.2 %, not a fake one', async () => {
    // From the 5-per-ADS close (2.5 per share today) to the seeded 0.97 of 2026-02-06:
    // 0.97 / 2.5 - 1 = -61.2 %; unadjusted it would read 0.97 / 5 - 1 = -80.6 %.
    const adjusted = await served.server.graphql(SIX_MONTHS, {});
    expect(adjusted.data.asset.change).toEqual({
      from: { at: '2025-08-08T20:00:00.000Z', priceUsd: '2.5' },
      to: { priceUsd: '0.97' },
      changeUsd: '-1.53',
      changePercent: -61.2,
      high: '2.5',
      low: '0.97',
    });
    const raw = await served.server.graphql(SIX_MONTHS, { adjusted: false });
    expect(raw.data.asset.change).toEqual({
      from: { at: '2025-08-08T20:00:00.000Z', priceUsd: '5' },
      to: { priceUsd: '0.97' },
      changeUsd: '-4.03',
      changePercent: -80.6,
      high: '5',
      low: '0.97',
    });
  });

  it('has no -50 % day at the conversion in its daily candles', async () => {
    const data = await served.server.query(`{ asset(symbol: "CANG") {
      adjusted: candles(from: "2025-11-14T00:00:00Z", to: "2025-11-18T00:00:00Z", interval: DAY) { start open high low close volume }
      raw: candles(from: "2025-11-14T00:00:00Z", to: "2025-11-18T00:00:00Z", interval: DAY, adjusted: false) { close volume }
    } }`);
    expect(data.asset.adjusted).toEqual([
      { start: '2025-11-14T00:00:00.000Z', open: '1.95', high: '2', low: '1.85', close: '1.9', volume: '2000' },
      { start: '2025-11-17T00:00:00.000Z', open: '1.9', high: '1.95', low: '1.85', close: '1.88', volume: '2000' },
    ]);
    expect(data.asset.raw).toEqual([
      { close: '3.8', volume: '1000' },
      { close: '1.88', volume: '2000' },
    ]);
  });

  it('adjusts priceAt and the all-time high, and gives raw prices on request', async () => {
    const data = await served.server.query(`{ asset(symbol: "CANG") {
      priceAt(at: "2025-11-15T00:00:00Z") { priceUsd }
      rawPriceAt: priceAt(at: "2025-11-15T00:00:00Z", adjusted: false) { priceUsd }
      allTimeHigh { at priceUsd }
      rawAllTimeHigh: allTimeHigh(adjusted: false) { at priceUsd }
      drawdownFromAllTimeHigh
    } }`);
    expect(data.asset).toEqual({
      priceAt: { priceUsd: '1.9' },
      rawPriceAt: { priceUsd: '3.8' },
      allTimeHigh: { at: '2025-08-08T20:00:00.000Z', priceUsd: '2.5' },
      rawAllTimeHigh: { at: '2025-08-08T20:00:00.000Z', priceUsd: '5' },
      drawdownFromAllTimeHigh: 0.612, // 1 - 0.97 / 2.5
    });
  });

  it('follows a new ratio change at once, and refuses one for a crypto asset or a ratio of 1', async () => {
    const RECORD = `mutation ($input: RecordCorporateActionInput!) { recordCorporateAction(input: $input) {
      corporateAction { effectiveOn ratio } userErrors { field code message } } }`;
    const split = await served.server.graphql(
      RECORD,
      { input: { symbol: 'cang', effectiveOn: '2026-01-05', ratio: '0.5', description: 'Test-only 1-for-2 reverse split' } },
      headers,
    );
    expect(split.data.recordCorporateAction).toEqual({ corporateAction: { effectiveOn: '2026-01-05', ratio: '0.5' }, userErrors: [] });
    const data = await served.server.query('{ asset(symbol: "CANG") { priceAt(at: "2025-11-15T00:00:00Z") { priceUsd } } }');
    // 3.8 per ADS; 2 shares per ADS, then 1 share per 2: one ADS is one share today.
    expect(data.asset.priceAt).toEqual({ priceUsd: '3.8' });

    const crypto = await served.server.graphql(
      RECORD,
      { input: { symbol: 'BTC', effectiveOn: '2026-01-05', ratio: '2', description: 'x' } },
      headers,
    );
    expect(crypto.data.recordCorporateAction.userErrors).toEqual([
      { field: ['input', 'symbol'], code: 'VALIDATION_FAILED', message: 'BTC is not an equity; only listed units change ratio.' },
    ]);
    const one = await served.server.graphql(
      RECORD,
      { input: { symbol: 'CANG', effectiveOn: '2026-01-06', ratio: '1', description: 'x' } },
      headers,
    );
    expect(one.data.recordCorporateAction.userErrors).toEqual([
      { field: ['input', 'ratio'], code: 'VALIDATION_FAILED', message: 'ratio 1 changes nothing.' },
    ]);
  });
});

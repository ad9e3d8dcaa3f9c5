import { beforeAll, describe, expect, it } from 'vitest';
import { useTestServer } from '@minergraph/test-support';
import { createClient, TypedDocumentString, type MinerGraphClient } from '../src/index.js';
import { failure } from './support/failure.js';

// A malformed value is refused before anything runs; the error names where it is, in
// `extensions.field` as a mutation's userErrors do, whether it came as a variable or a literal.
let client: MinerGraphClient;

const served = useTestServer();

beforeAll(async () => {
  client = createClient({ url: served.server.url });
});

describe('a malformed value names its field', () => {
  it("a date variable written 2026-1-1 is refused with field ['from']", async () => {
    const error = await failure(client.company({ ticker: 'CANG', from: '2026-1-1', to: '2026-01-31' }));
    expect(error.kind).toBe('graphql');
    expect(error.codes).toEqual(['BAD_USER_INPUT']);
    expect(error.fields).toEqual([['from']]);
    expect(error.errors?.map(({ message, extensions }) => ({ message, extensions }))).toEqual([
      {
        message: 'Variable "$from" got invalid value "2026-1-1"; "2026-1-1" is not a date in the form YYYY-MM-DD.',
        extensions: { code: 'BAD_USER_INPUT', field: ['from'] },
      },
    ]);
  });

  it('a variable is named as the client named it, not as the argument it feeds', async () => {
    const held = new TypedDocumentString<unknown, { day: string }>(
      'query Held($day: Date!) { company(ticker: "CANG") { holdings(on: $day) { btc } } }',
    );
    const error = await failure(client.request(held, { day: '2026-02-30' }));
    expect(error.fields).toEqual([['day']]);
    expect(error.errors?.[0]?.message).toBe('Variable "$day" got invalid value "2026-02-30"; 2026-02-30 is not a day that exists.');
  });

  it('a value deep inside an input variable is named by its whole path (the first malformed one: the request is refused there)', async () => {
    const error = await failure(
      client.recordPrices({
        input: {
          symbol: 'BTC',
          points: [
            { at: '2026-02-09T00:00:00Z', close: '70727' },
            { at: '2026-02-10T00:00:00Z', close: '70100', high: '7e4' },
            { at: '2026-02-11', close: '69800' },
          ],
        },
      }),
    );
    expect(error.codes).toEqual(['BAD_USER_INPUT']);
    expect(error.fields).toEqual([['input', 'points', '1', 'high']]);
    expect(error.message).toBe(
      'RecordPrices failed: Variable "$input" got invalid value "7e4" at "input.points[1].high"; "7e4" is not a plain decimal: use digits with an optional "-" and "." (no exponent, no thousands separators); pass decimals as strings. (BAD_USER_INPUT)',
    );
  });

  it('a missing or null required variable is named by the variable', async () => {
    const held = new TypedDocumentString<unknown, { day?: string | null }>(
      'query Held($day: Date!) { company(ticker: "CANG") { holdings(on: $day) { btc } } }',
    );
    expect((await failure(client.request(held, {}))).fields).toEqual([['day']]);
    expect((await failure(client.request(held, { day: null }))).fields).toEqual([['day']]);
  });

  it('a malformed literal is named by its argument, as before', async () => {
    const error = await failure(client.request('{ company(ticker: "CANG") { holdings(on: "2026-1-1") { btc } } }'));
    expect(error.codes).toEqual(['BAD_USER_INPUT']);
    expect(error.fields).toEqual([['on']]);
  });

  it('errors that name no field leave fields empty', async () => {
    const error = await failure(client.request('{ company(ticker: "CANG") { nosuchfield } }'));
    expect(error.codes).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(error.fields).toEqual([]);
  });
});

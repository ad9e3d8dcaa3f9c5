import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createServer } from '../src/http/app.js';
import { createTestDatabase, useTestServer } from '@minergraph/test-support';

const served = useTestServer();

const LTV = 'query ($price: Decimal) { company(ticker: "CANG") { loans { ltv(btcPriceUsd: $price) } } }';

describe('decimals, days and instants from clients', () => {
  it('refuse a JSON number with a fraction, whose precision may already be lost, naming the variable', async () => {
    const { status, errors } = await served.server.graphql(LTV, { price: 70000.5 });
    expect(status).toBe(400);
    expect(errors).toHaveLength(1);
    expect(errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
    expect(errors![0]!.message).toBe(
      'Variable "$price" got invalid value 70000.5; Decimal cannot be the JSON number 70000.5: its precision may already be lost; pass decimals as strings, e.g. "0.5".',
    );
  });

  it('accept a whole JSON number and a decimal string', async () => {
    expect((await served.server.graphql(LTV, { price: 70000 })).errors).toBeUndefined();
    expect((await served.server.graphql(LTV, { price: '70000.5' })).errors).toBeUndefined();
  });

  it('refuse exponents and thousands separators', async () => {
    for (const price of ['7e4', '70,000', '+70000', '1.', '.5', ' 70000']) {
      const { errors } = await served.server.graphql(LTV, { price });
      expect(errors?.[0]?.extensions?.code, price).toBe('BAD_USER_INPUT');
      expect(errors?.[0]?.message, price).toContain('is not a plain decimal');
    }
  });

  it('refuse a literal that is not a decimal string, naming the argument', async () => {
    const { status, errors } = await served.server.graphql('{ company(ticker: "CANG") { loans { ltv(btcPriceUsd: 70000.5) } } }');
    expect(status).toBe(400);
    expect(errors).toEqual([
      {
        message:
          'Invalid value for "btcPriceUsd": 70000.5 is a number literal; pass decimals as strings ("70000.5") so that no precision is lost.',
        locations: [{ line: 1, column: 54 }],
        extensions: { code: 'BAD_USER_INPUT', field: ['btcPriceUsd'] },
      },
    ]);
  });

  it('refuse a day that does not exist', async () => {
    const literal = await served.server.graphql('{ company(ticker: "CANG") { holdings(on: "2026-02-30") { btc } } }');
    expect(literal.errors?.[0]).toMatchObject({
      message: 'Invalid value for "on": 2026-02-30 is not a day that exists.',
      extensions: { code: 'BAD_USER_INPUT', field: ['on'] },
    });
    const variable = await served.server.graphql('query ($on: Date) { company(ticker: "CANG") { holdings(on: $on) { btc } } }', {
      on: '2026-13-01',
    });
    expect(variable.errors?.[0]?.message).toBe('Variable "$on" got invalid value "2026-13-01"; 2026-13-01 is not a day that exists.');
    expect(variable.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('print every decimal in canonical form', async () => {
    const { data } = await served.server.graphql(
      '{ company(ticker: "CANG") { productionReports(first: 100) { edges { node { periodStart periodEnd period heldBtc soldUsd operatingHashrateEh deployedHashrateEh } } } } }',
    );
    // Cango's January 2026 month (data/companies/CANG.yaml), the report that states both hashrates.
    const january = data.company.productionReports.edges
      .map((edge: { node: Record<string, unknown> }) => edge.node)
      .filter((node: Record<string, unknown>) => node.periodStart === '2026-01-01' && node.period === 'MONTH');
    // Stored as NUMERIC; no trailing zeros, no exponent.
    expect(january).toEqual([
      {
        periodStart: '2026-01-01',
        periodEnd: '2026-01-31',
        period: 'MONTH',
        heldBtc: '7474.6',
        soldUsd: '39000000',
        operatingHashrateEh: '37.02',
        deployedHashrateEh: '50',
      },
    ]);
  });
});

describe('writes', () => {
  it('need an API key', async () => {
    const { data, errors } = await served.server.graphql(
      'mutation { createAsset(input: { symbol: "X", name: "X", kind: CRYPTO }) { userErrors { message } } }',
    );
    expect(data).toBeNull();
    expect(errors?.[0]).toMatchObject({
      message: 'This needs an API key: send "Authorization: Bearer <key>".',
      extensions: { code: 'UNAUTHENTICATED' },
    });
  });

  it('refuse an unknown key outright, even for reads', async () => {
    const { status, errors } = await served.server.graphql('{ __typename }', undefined, { authorization: 'Bearer mg_not-a-real-key' });
    expect(status).toBe(401);
    expect(errors?.[0]).toMatchObject({ message: 'That API key is unknown or revoked.', extensions: { code: 'UNAUTHENTICATED' } });
  });
});

describe('an unexpected failure', () => {
  it('reaches the client as INTERNAL_SERVER_ERROR with a request id and nothing else', async () => {
    const broken = await createTestDatabase('seeded');
    const lines: string[] = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => lines.push(line) });
    const app = await createServer({ database: broken, logger });
    const url = await app.listen(0, '127.0.0.1');
    // A table the query needs is gone under a running server. (A database that goes away is
    // DATABASE_UNAVAILABLE, a failure clients are told to retry: database-outage.db.test.ts.)
    await sql`alter table companies rename to companies_gone`.execute(broken.db);
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'trace-me' },
      body: JSON.stringify({ query: '{ company(ticker: "CANG") { name } }' }),
    });
    const body = (await response.json()) as any;
    await app.close();
    await broken.destroy();

    expect(body.data).toEqual({ company: null });
    expect(body.errors).toEqual([
      {
        message: 'Internal server error. The server logged the details under this requestId.',
        locations: [{ line: 1, column: 3 }],
        path: ['company'],
        extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'trace-me' },
      },
    ]);
    const logged = lines.map((line) => JSON.parse(line));
    expect(logged.some((entry) => entry.requestId === 'trace-me' && entry.msg === 'unexpected error' && entry.err?.stack)).toBe(true);
  });
});

describe('the test helpers', () => {
  it('fail a query that should succeed with what the server said: code, message, path and request id', async () => {
    await expect(served.server.query('{ company(ticker: "CANG") { nope } }')).rejects.toThrow(
      new Error(
        'HTTP 400 with 1 error(s):\n  GRAPHQL_VALIDATION_FAILED: Cannot query field "nope" on type "Company". Did you mean "name"?',
      ),
    );
    await expect(served.server.query('{ company(ticker: "CANG") { name } }')).resolves.toEqual({ company: { name: 'Cango Inc.' } });
    expect(await served.server.errorsOf('{ company(ticker: "CANG") { nope } }')).toEqual([
      {
        message: 'Cannot query field "nope" on type "Company". Did you mean "name"?',
        locations: [{ line: 1, column: 29 }],
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      },
    ]);
    await expect(served.server.errorsOf('{ company(ticker: "CANG") { name } }')).rejects.toThrow(
      'expected errors, got HTTP 200 with data {"company":{"name":"Cango Inc."}}',
    );
  });
});

import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../src/config.js';
import { engine, keyHeaders, startTestServer, type TestServer, useTestServer } from '@minergraph/test-support';

const served = useTestServer();
let strict: TestServer;
let editor: Record<string, string>;

beforeAll(async () => {
  strict = await served.serve({
    limits: { ...DEFAULT_LIMITS, maxQueryLength: 200, maxBodyBytes: 1000, maxAliases: 3, maxRootFields: 2 },
    introspection: false,
    playground: false,
  });
  editor = (await keyHeaders(served.database, 'editor')).headers;
});

/** Sends a request that must be refused, and shows that no SQL ran for it. */
async function refusedWithoutSql(target: TestServer, query: string, variables?: Record<string, unknown>, headers?: Record<string, string>) {
  let response: Awaited<ReturnType<TestServer['graphql']>> | undefined;
  const statements = await served.database.countStatements(async () => {
    response = await target.graphql(query, variables, headers);
  });
  expect(statements).toBe(0);
  return { status: response!.status, data: response!.data, errors: response!.errors!.map((e) => [e.extensions?.code, e.message]) };
}

/** company > sites > edges > node > company > ... : four levels a round. */
const nested = (rounds: number) => {
  let selection = 'name';
  for (let i = 0; i < rounds; i += 1) selection = `sites(first: 1) { edges { node { company { ${selection} } } } }`;
  return `{ company(ticker: "CANG") { ${selection} } }`;
};

describe('limits are enforced before any SQL runs', () => {
  it('a query nested too deep: QUERY_TOO_DEEP, even with an API key', async () => {
    expect(await refusedWithoutSql(served.server, nested(3), undefined, editor)).toEqual({
      status: 400,
      data: undefined,
      errors: [['QUERY_TOO_DEEP', 'The query is 14 levels deep; at most 12 are allowed.']],
    });
    expect((await served.server.graphql(nested(2))).errors).toBeUndefined();
  });

  it('a query that would cost too much, counting lists by their `first`: QUERY_TOO_COMPLEX', async () => {
    const query = `query ($n: Int) { companies(first: $n) { edges { node {
      productionReports(first: 100) { edges { node { minedBtc btcPerDay source { title url } } } }
      treasuryTransactions(first: 100) { edges { node { btc balanceAfterBtc } } } } } } }`;
    const refused = await refusedWithoutSql(served.server, query, { n: 100 });
    expect(refused.status).toBe(400);
    expect(refused.errors).toEqual([
      [
        'QUERY_TOO_COMPLEX',
        expect.stringMatching(/^The query's cost is \d+ \(lists count once per requested row\); at most 25000 is allowed\./),
      ],
    ]);
    // The same shape for 2 companies is fine.
    expect((await served.server.graphql(query, { n: 2 })).errors).toBeUndefined();
  });

  it('a cost just measured for the same document is reused only for the same variables: the refusal still follows `first`', async () => {
    const query = `query ($n: Int) { companies(first: $n) { edges { node {
      productionReports(first: 100) { edges { node { minedBtc btcPerDay source { title url } } } } } } } }`;
    // Within one second, as a burst of the same request: fine, too costly, fine, too costly.
    for (const [n, code] of [
      [2, undefined],
      [100, 'QUERY_TOO_COMPLEX'],
      [2, undefined],
      [100, 'QUERY_TOO_COMPLEX'],
    ] as const) {
      const { errors } = await served.server.graphql(query, { n });
      expect([n, errors?.map((error) => error.extensions?.code)]).toEqual([n, code && [code]]);
    }
  });

  it('too many aliases, or too many root fields: their own codes', async () => {
    const aliases = '{ a: company(ticker: "CANG") { x: name y: ticker z: exchange } }';
    expect(await refusedWithoutSql(strict, aliases)).toEqual({
      status: 400,
      data: undefined,
      errors: [['TOO_MANY_ALIASES', 'The document uses 4 aliases; at most 3 are allowed.']],
    });
    const roots = '{ assets { symbol } company(ticker: "CANG") { name } asset(symbol: "BTC") { name } }';
    expect((await refusedWithoutSql(strict, roots)).errors).toEqual([
      ['TOO_MANY_ROOT_FIELDS', 'The operation selects 3 root fields; at most 2 are allowed.'],
    ]);
  });

  it('an over-long query: QUERY_TOO_LONG; an over-large body: 413 PAYLOAD_TOO_LARGE; a body that is not JSON: BAD_REQUEST', async () => {
    const long = `{ company(ticker: "CANG") { name ${' '.repeat(200)} } }`;
    expect(await refusedWithoutSql(strict, long)).toEqual({
      status: 400,
      data: undefined,
      errors: [['QUERY_TOO_LONG', `The query has ${long.length} characters; at most 200 are accepted.`]],
    });
    const big = await fetch(strict.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(2000) } }),
    });
    expect([big.status, await big.json()]).toEqual([
      413,
      { errors: [{ message: 'The request body is larger than 1000 bytes.', extensions: { code: 'PAYLOAD_TOO_LARGE' } }] },
    ]);
    const broken = await fetch(served.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": "{ __typename }"',
    });
    expect([broken.status, await broken.json()]).toEqual([
      400,
      { errors: [{ message: 'The request body is not valid JSON.', extensions: { code: 'BAD_REQUEST' } }] },
    ]);
  });

  it('cross-site requests without a preflight are refused (CSRF prevention)', async () => {
    const simple = await fetch(`${served.server.url}?query=${encodeURIComponent('{ __typename }')}`);
    expect(simple.status).toBe(400);
    expect(await simple.text()).toContain('This operation has been blocked as a potential Cross-Site Request Forgery');
  });
});

describe('a server configured for production', () => {
  it('answers no introspection and serves no playground, only a page saying how to turn it on', async () => {
    const { errors } = await strict.graphql('{ __schema { types { name } } }');
    expect(errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(errors?.[0]?.message).toContain('GraphQL introspection is not allowed');
    const page = await fetch(strict.url.replace(/\/graphql$/, '/'), { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<p>The GraphQL playground is off on this server.</p>');
    expect(html).toContain('<code>MINERGRAPH_PLAYGROUND=true</code>');
    expect(html).not.toContain('id="graphiql"');
    const script = await fetch(strict.url.replace(/\/graphql$/, '/playground/init.js'));
    expect(script.status).toBe(404);
  });
});

describe.runIf(engine === 'postgres')('the statement timeout', () => {
  it('stops a query that runs too long with STATEMENT_TIMEOUT', async () => {
    const { id } = await served.database.db
      .insertInto('assets')
      .values({ symbol: 'TSTSLOW', name: 'Slow test', kind: 'CRYPTO' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await sql`insert into price_observations (asset_id, at, open, high, low, close)
      select ${id}::bigint, timestamptz '2020-01-01' + n * interval '1 minute', 1, 1, 1, 1 from generate_series(1, 300000) n`.execute(
      served.database.db,
    );
    const { openDatabase } = await import('../src/db/connect.js');
    const slow = await openDatabase({ databaseUrl: served.database.url, statementTimeoutMs: 5 });
    const timed = await startTestServer({
      ...slow,
      url: served.database.url,
      countStatements: served.database.countStatements,
      destroy: () => slow.close(),
    });
    try {
      // 1,080 HOUR buckets: within the default cost limit. They are 1,080 rows of price_hours, a
      // millisecond's read, so what holds this statement past 5 ms is another transaction's lock
      // on them, as a long write or a migration would hold it: a wait counts as running.
      const { data, errors } = await served.database.db.transaction().execute(async (trx) => {
        await sql`lock table price_hours in access exclusive mode`.execute(trx);
        return timed.graphql(
          '{ asset(symbol: "TSTSLOW") { candles(from: "2020-01-01T00:00:00Z", to: "2020-02-15T00:00:00Z", interval: HOUR) { close } } }',
        );
      });
      expect(data).toEqual({ asset: null });
      expect(errors?.map((e) => [e.extensions?.code, e.message])).toEqual([
        ['STATEMENT_TIMEOUT', 'The database took longer than the statement timeout allows; ask for a shorter range or fewer rows.'],
      ]);
    } finally {
      await timed.close();
      await slow.close();
    }
  });
});

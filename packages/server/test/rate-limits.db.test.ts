import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { createClient, MinerGraphError } from '@minergraph/sdk';
import { createTestDatabase, engine, keyHeaders, startTestServer, type TestServer, useTestDatabase } from '@minergraph/test-support';

// Limits per API key and per address, answered 429 RATE_LIMITED with Retry-After, counted in
// a store every server process on the database shares.
const QUERY = '{ company(ticker: "CANG") { ticker } }';
const LIMITS = { perKeyPerMinute: 4, perAddressPerMinute: 3, concurrentPerClient: 0 };
const used = useTestDatabase();

async function post(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: QUERY }),
  });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as any };
}

describe(`rate limits on ${engine}`, () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await used.serve({ rateLimits: LIMITS });
  });

  it('lets an address send its limit a minute, then answers 429 RATE_LIMITED with Retry-After; a key has its own limit', async () => {
    for (let i = 0; i < 3; i += 1) expect((await post(server.url)).body).toEqual({ data: { company: { ticker: 'CANG' } } });
    const refused = await post(server.url);
    expect(refused.status).toBe(429);
    const seconds = Number(refused.retryAfter);
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThanOrEqual(60);
    expect(refused.body.errors).toEqual([
      {
        message: expect.stringMatching(
          new RegExp(`^The address \\S+ sent more than 3 requests this minute\\. Retry after ${seconds} s\\.$`),
        ),
        extensions: { code: 'RATE_LIMITED', retryAfter: seconds },
      },
    ]);

    const { headers } = await keyHeaders(used.database, 'reader', 'limited-reader');
    for (let i = 0; i < 4; i += 1) expect((await post(server.url, headers)).status).toBe(200);
    const keyRefused = await post(server.url, headers);
    expect([keyRefused.status, keyRefused.body.errors[0].message]).toEqual([
      429,
      expect.stringMatching(/^The API key "limited-reader" sent more than 4 requests this minute\. Retry after \d+ s\.$/),
    ]);
  });

  it('does not let made-up keys dodge the limit: an unknown key is refused before it is counted', async () => {
    expect((await post(server.url, { authorization: 'Bearer mg_made_up' })).status).toBe(401);
  });

  it('is a kind of its own in the SDK, with retryAfter', async () => {
    const client = createClient({ url: server.url });
    const error = await client.request(QUERY).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MinerGraphError);
    expect((error as MinerGraphError).kind).toBe('rate-limited');
    expect((error as MinerGraphError).status).toBe(429);
    expect((error as MinerGraphError).codes).toEqual(['RATE_LIMITED']);
    expect((error as MinerGraphError).retryAfter).toBeGreaterThanOrEqual(1);
  });
});

describe.runIf(engine === 'postgres')('rate limits shared by two server processes on one PostgreSQL database', () => {
  it('counts requests to either server against the same limit', async () => {
    const shared = await createTestDatabase('seeded');
    const first = await startTestServer(shared, { rateLimits: LIMITS });
    const second = await startTestServer(shared, { rateLimits: LIMITS });
    try {
      expect([(await post(first.url)).status, (await post(second.url)).status, (await post(first.url)).status]).toEqual([200, 200, 200]);
      expect((await post(second.url)).status).toBe(429);
    } finally {
      await first.close();
      await second.close();
      await shared.destroy();
    }
  });
});

describe.runIf(engine === 'postgres')('the concurrency cap', () => {
  it('refuses a client a request beyond its cap while the others run, and admits it again once they are answered', async () => {
    const server = await startTestServer(used.database, {
      rateLimits: { perKeyPerMinute: 0, perAddressPerMinute: 0, concurrentPerClient: 1 },
    });
    // Another session holds a lock the query needs, so the first request is still running when the second comes.
    const blocker = new pg.Client({ connectionString: used.database.url });
    await blocker.connect();
    try {
      await blocker.query('begin');
      await blocker.query('lock table companies in access exclusive mode');
      const running = post(server.url);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const second = await post(server.url);
      expect([second.status, second.retryAfter, second.body.errors[0].message]).toEqual([
        429,
        '1',
        expect.stringMatching(/^The address \S+ has 1 requests running, the most at once; send the next when one is answered\.$/),
      ]);
      await blocker.query('commit');
      expect((await running).status).toBe(200);
      expect((await post(server.url)).status).toBe(200);
    } finally {
      await blocker.end();
      await server.close();
    }
  });
});

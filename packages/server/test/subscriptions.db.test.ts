import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../src/config.js';
import { sha256 } from '../src/http/persisted.js';
import { seed } from '../src/seed/seed.js';
import {
  aTreasuryTransaction,
  createTestDatabase,
  engine,
  keyHeaders,
  startTestServer,
  type TestServer,
  useTestServer,
} from '@minergraph/test-support';
import { rawSocket, subscribe, wsClient } from './support/subscriber.js';

let editor: { headers: Record<string, string>; key: string };

const LIMITS = { maxPerConnection: 3, maxConnectionsPerClient: 4, bufferSize: 100 };

const served = useTestServer({ server: { subscriptions: LIMITS } });

beforeAll(async () => {
  editor = await keyHeaders(served.database, 'editor');
});

const RECORD_PRICES = 'mutation ($input: RecordPricesInput!) { recordPrices(input: $input) { inserted updated userErrors { message } } }';
const RECORD_TRANSACTION = `mutation ($input: RecordTreasuryTransactionInput!) {
  recordTreasuryTransaction(input: $input) { transaction { id } userErrors { message } }
}`;
const PRICES = `subscription ($symbol: String) {
  pricesRecorded(symbol: $symbol) { symbol inserted updated from to asset { symbol latestPrice(adjusted: false) { at priceUsd } } }
}`;
const COMPANY =
  'subscription ($ticker: String!) { companyChanged(ticker: $ticker) { ticker record ids company { ticker holdings { btc } } } }';

const today = () => new Date().toISOString().slice(0, 10);

describe(`subscriptions over WebSocket on ${engine}`, () => {
  it('pricesRecorded: a recordPrices mutation reaches a subscriber of that symbol, and not one of another', async () => {
    const client = wsClient(served.server.url);
    const btc = subscribe(client, PRICES, { symbol: 'btc' });
    const cang = subscribe(client, PRICES, { symbol: 'CANG' });
    await listening(served.server, 2);
    const written = await served.server.graphql(
      RECORD_PRICES,
      { input: { symbol: 'BTC', points: [{ at: '2030-01-02T03:04:05Z', close: '123456.78' }] } },
      editor.headers,
    );
    expect(written.data.recordPrices).toEqual({ inserted: 1, updated: 0, userErrors: [] });
    expect(await btc.next()).toEqual({
      data: {
        pricesRecorded: {
          symbol: 'BTC',
          inserted: 1,
          updated: 0,
          from: '2030-01-02T03:04:05.000Z',
          to: '2030-01-02T03:04:05.000Z',
          asset: { symbol: 'BTC', latestPrice: { at: '2030-01-02T03:04:05.000Z', priceUsd: '123456.78' } },
        },
      },
    });
    await expect(cang.next(1_000)).rejects.toThrow('no event within 1000 ms');
    await client.dispose();
  });

  it('companyChanged: a treasury transaction arrives with the ids written and the holdings after it', async () => {
    const client = wsClient(served.server.url);
    // Disposed however the test ends, so that a failure here does not leave a subscription for the next tests to count.
    try {
      const events = subscribe(client, COMPANY, { ticker: 'cang' });
      await listening(served.server, 1);
      const data = await served.server.query(
        RECORD_TRANSACTION,
        { input: aTreasuryTransaction({ ticker: 'CANG', kind: 'PURCHASED', btc: '2.5', occurredOn: today() }) },
        editor.headers,
      );
      expect(data.recordTreasuryTransaction.userErrors).toEqual([]);
      const holdings = (await served.server.query('{ company(ticker: "CANG") { holdings { btc } } }')).company.holdings.btc;
      const event = await events.next();
      expect(event).toEqual({
        data: {
          companyChanged: {
            ticker: 'CANG',
            record: 'TREASURY_TRANSACTION',
            ids: [expect.stringMatching(/^\d+$/)],
            company: { ticker: 'CANG', holdings: { btc: holdings } },
          },
        },
      });
      // The second event reads the holdings again, not the first event's cached answer.
      await served.server.graphql(
        RECORD_TRANSACTION,
        { input: aTreasuryTransaction({ ticker: 'CANG', kind: 'SOLD', btc: '1', usd: '90000', occurredOn: today() }) },
        editor.headers,
      );
      const after = (await served.server.query('{ company(ticker: "CANG") { holdings { btc } } }')).company.holdings.btc;
      expect(after).not.toBe(holdings);
      const second = await events.next();
      expect(second.data.companyChanged.record).toBe('TREASURY_TRANSACTION');
      expect(second.data.companyChanged.company.holdings.btc).toBe(after);
    } finally {
      await client.dispose();
    }
  });

  it('refuses an unknown ticker or symbol with NOT_FOUND, naming the argument', async () => {
    const client = wsClient(served.server.url);
    await expect(subscribe(client, COMPANY, { ticker: 'NOPE' }).next()).rejects.toEqual([
      expect.objectContaining({ message: 'No company has the ticker "NOPE".', extensions: { code: 'NOT_FOUND', field: ['ticker'] } }),
    ]);
    await client.dispose();
  });

  it('applies the query limits: depth, cost, aliases, length and syntax, each with its code', async () => {
    const client = wsClient(served.server.url);
    const codeOf = async (query: string) => {
      try {
        await subscribe(client, query).next();
        return 'no error';
      } catch (errors) {
        return (errors as { extensions?: { code?: string } }[])[0]?.extensions?.code;
      }
    };
    const aliases = Array.from({ length: DEFAULT_LIMITS.maxAliases + 1 }, (_, i) => `a${i}: symbol`).join(' ');
    expect(await codeOf(`subscription { pricesRecorded { ${aliases} } }`)).toBe('TOO_MANY_ALIASES');
    expect(await codeOf('subscription { pricesRecorded { asset { prices(first: 100000) { edges { node { at } } } } } }')).toMatch(
      /^(QUERY_TOO_COMPLEX|BAD_USER_INPUT|GRAPHQL_VALIDATION_FAILED)$/,
    );
    const deep =
      'subscription { companyChanged(ticker: "CANG") { company { sites(first: 1) { edges { node { company { sites(first: 1) { edges { node { company { sites(first: 1) { edges { node { name } } } } } } } } } } } } } }';
    expect(await codeOf(deep)).toBe('QUERY_TOO_DEEP');
    expect(await codeOf(`subscription { factsChanged { reason } } ${' '.repeat(DEFAULT_LIMITS.maxQueryLength)}`)).toBe('QUERY_TOO_LONG');
    expect(await codeOf('subscription { factsChanged { reason }')).toBe('GRAPHQL_PARSE_FAILED');
    expect(await codeOf('subscription { factsChanged { nope } }')).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(await codeOf('{ company(ticker: "CANG") { name } }')).toBe('BAD_REQUEST');
    await client.dispose();
  });

  it(`allows ${LIMITS.maxPerConnection} subscriptions on one connection and refuses the next with TOO_MANY_SUBSCRIPTIONS`, async () => {
    const raw = await rawSocket(served.server.url);
    await raw.waitFor((message) => message.type === 'connection_ack');
    for (let id = 1; id <= LIMITS.maxPerConnection + 1; id += 1) {
      raw.send({ id: String(id), type: 'subscribe', payload: { query: 'subscription { factsChanged { reason } }' } });
    }
    const refused = await raw.waitFor((message) => message.type === 'error');
    expect(refused).toEqual({
      id: String(LIMITS.maxPerConnection + 1),
      type: 'error',
      payload: [
        {
          message: `This connection already has ${LIMITS.maxPerConnection} subscriptions; at most ${LIMITS.maxPerConnection} are allowed on one. Complete one, or open another connection.`,
          extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' },
        },
      ],
    });
    // Completing one makes room again.
    await listening(served.server, LIMITS.maxPerConnection);
    raw.send({ id: '1', type: 'complete' });
    await listening(served.server, LIMITS.maxPerConnection - 1);
    raw.send({ id: '9', type: 'subscribe', payload: { query: 'subscription { factsChanged { reason } }' } });
    await listening(served.server, LIMITS.maxPerConnection);
    expect(raw.messages.filter((message) => message.type === 'error')).toHaveLength(1);
    raw.socket.close();
  });

  it(`allows ${LIMITS.maxConnectionsPerClient} connections from one address or key, and closes the next with 1008`, async () => {
    await noConnectionsLeft(served.server);
    const open = [];
    for (let i = 0; i < LIMITS.maxConnectionsPerClient; i += 1) {
      const raw = await rawSocket(served.server.url);
      await raw.waitFor((message) => message.type === 'connection_ack');
      open.push(raw);
    }
    const extra = await rawSocket(served.server.url);
    expect(await extra.closed).toEqual({
      code: 1008,
      reason: `Too many WebSocket connections for this address: at most ${LIMITS.maxConnectionsPerClient} at once.`,
    });
    // A key counts apart from the address.
    const keyed = await rawSocket(served.server.url, { authorization: `Bearer ${editor.key}` });
    await keyed.waitFor((message) => message.type === 'connection_ack');
    keyed.socket.close();
    // One closed makes room for another.
    open.pop()!.socket.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const again = await rawSocket(served.server.url);
    await again.waitFor((message) => message.type === 'connection_ack');
    for (const raw of [...open, again]) raw.socket.close();
  });

  it('closes a connection with a malformed or unknown key with 4401 and says why', async () => {
    const malformed = await rawSocket(served.server.url, { authorization: 'Token abc' });
    expect(await malformed.closed).toEqual({ code: 4401, reason: 'connectionParams.authorization must be "Bearer <key>".' });
    const unknown = await rawSocket(served.server.url, { authorization: 'Bearer mg_not_a_key' });
    expect(await unknown.closed).toEqual({ code: 4401, reason: 'That API key is unknown or revoked.' });
  });

  it('closes a subscriber that reads slower than events arrive with 1013 once its buffer is full', async () => {
    const slow = await startTestServer(served.database, { subscriptions: { ...LIMITS, bufferSize: 2 } });
    try {
      const raw = await rawSocket(slow.url);
      await raw.waitFor((message) => message.type === 'connection_ack');
      // Large events, so that the kernel's socket buffers fill after a few.
      const fields = Array.from(
        { length: 20 },
        (_, i) => `a${i}: treasuryTransactions(first: 100) { edges { node { id kind btc usd occurredOn averagePriceUsd } } }`,
      ).join(' ');
      raw.send({
        id: '1',
        type: 'subscribe',
        payload: { query: `subscription { companyChanged(ticker: "CANG") { company { ${fields} } } }` },
      });
      await listening(slow, 1);
      // Stop reading: what the server sends piles up in the socket buffers, then in the subscription's.
      (raw.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
      let writes = 0;
      const closing = raw.closed;
      for (; writes < 300 && slow.server.subscriptions!.stats().slowClosed === 0; writes += 1) {
        const written = await slow.graphql(
          RECORD_TRANSACTION,
          { input: aTreasuryTransaction({ ticker: 'CANG', kind: 'MINED', btc: '0.001', occurredOn: today() }) },
          editor.headers,
        );
        // A refused write causes no event: say so at once rather than after 300 of them.
        expect(written.data.recordTreasuryTransaction.userErrors).toEqual([]);
      }
      expect(slow.server.subscriptions!.stats().slowClosed).toBe(1);
      (raw.socket as unknown as { _socket: { resume(): void } })._socket.resume();
      const { code, reason } = await closing;
      expect({ code, reason }).toEqual({ code: 1013, reason: 'Slow subscriber: over 2 events waited unsent. Reconnect and re-read.' });
      const delivered = raw.messages.filter((message) => message.type === 'next').length;
      expect(delivered).toBeGreaterThan(0);
      expect(delivered).toBeLessThan(writes + 1);
    } finally {
      await slow.close();
    }
  });
});

/** Waits until exactly `count` subscriptions of the server listen for changes (none of earlier tests). */
export async function listening(server: TestServer, count: number) {
  for (let attempt = 0; attempt < 200 && server.server.subscriptions!.stats().listening !== count; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  expect(server.server.subscriptions!.stats().listening).toBe(count);
}

/** Waits until the server has let go of the connections of earlier tests. */
async function noConnectionsLeft(server: TestServer) {
  for (let attempt = 0; attempt < 100 && server.server.subscriptions!.stats().connections > 0; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(server.server.subscriptions!.stats().connections).toBe(0);
}

describe(`subscriptions over HTTP on ${engine}`, () => {
  it('are refused with BAD_REQUEST, saying where they are served', async () => {
    const response = await served.server.graphql('subscription { factsChanged { reason } }');
    expect(response).toEqual({
      status: 400,
      errors: [
        {
          message: 'Subscriptions are served over WebSocket (the graphql-ws protocol) at this path, not by HTTP.',
          extensions: { code: 'BAD_REQUEST' },
        },
      ],
    });
  });
});

describe(`auth and persisted-only mode for subscriptions on ${engine}`, () => {
  it('with MINERGRAPH_REQUIRE_AUTH: closes a connection without a key (4401), serves one with a key', async () => {
    const locked = await startTestServer(served.database, { requireAuth: true });
    try {
      const anonymous = await rawSocket(locked.url);
      expect(await anonymous.closed).toEqual({
        code: 4401,
        reason: 'This server needs an API key: connectionParams { authorization: "Bearer <key>" }.',
      });
      const reader = await keyHeaders(served.database, 'reader');
      const client = wsClient(locked.url, { authorization: `Bearer ${reader.key}` });
      const facts = subscribe(client, 'subscription { pricesRecorded(symbol: "BTC") { inserted } }');
      await listening(locked, 1);
      await locked.graphql(
        RECORD_PRICES,
        { input: { symbol: 'BTC', points: [{ at: '2030-02-02T00:00:00Z', close: '1' }] } },
        editor.headers,
      );
      expect(await facts.next()).toEqual({ data: { pricesRecorded: { inserted: 1 } } });
      await client.dispose();
    } finally {
      await locked.close();
    }
  });

  it('in persisted-only mode: runs a manifest subscription, by text or by hash, and refuses any other', async () => {
    const listed = 'subscription Facts { factsChanged { reason } }';
    const locked = await startTestServer(served.database, { manifest: new Map([[sha256(listed), listed]]), persistedOnly: true });
    try {
      const raw = await rawSocket(locked.url);
      await raw.waitFor((message) => message.type === 'connection_ack');
      raw.send({ id: 'a', type: 'subscribe', payload: { query: 'subscription { factsChanged { reason } }' } });
      raw.send({ id: 'b', type: 'subscribe', payload: { query: listed } });
      raw.send({
        id: 'c',
        type: 'subscribe',
        payload: { query: '', extensions: { persistedQuery: { version: 1, sha256Hash: sha256(listed) } } },
      });
      const refused = await raw.waitFor((message) => message.id === 'a');
      expect(refused.payload[0].extensions).toEqual({ code: 'PERSISTED_QUERY_REQUIRED' });
      await listening(locked, 2);
      expect(raw.messages.filter((message) => message.id === 'b' || message.id === 'c')).toEqual([]);
      raw.socket.close();
    } finally {
      await locked.close();
    }
  });
});

describe(`factsChanged on ${engine}`, () => {
  it('tells subscribers when the seed facts are loaded', async () => {
    const empty = await createTestDatabase('migrated');
    const fresh = await startTestServer(empty);
    try {
      const client = wsClient(fresh.url);
      const facts = subscribe(client, 'subscription { factsChanged { reason } }');
      await listening(fresh, 1);
      expect(await seed(empty.db)).toBe('loaded');
      expect(await facts.next()).toEqual({ data: { factsChanged: { reason: 'SEED' } } });
      await client.dispose();
    } finally {
      await fresh.close();
      await empty.destroy();
    }
  });
});

import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type MinerGraphServer } from '../../server/src/http/app.js';
import { createLogger } from '../../server/src/logger.js';
import { engine, keyHeaders, useTestDatabase } from '@minergraph/test-support';
import {
  CompanyChangedDocument,
  createClient,
  MinerGraphError,
  PricesRecordedDocument,
  type PricesRecordedSubscription,
  type SubscribingClient,
} from '../src/subscriptions.js';

const used = useTestDatabase();
let server: MinerGraphServer;
let url: string;
let editorKey: string;

const start = async (port = 0) => {
  const started = await createServer({ database: used.database, logger: createLogger('silent', false) });
  return { started, url: await started.listen(port, '127.0.0.1') };
};

/** Waits until the server has `count` subscriptions listening for changes. */
async function listening(on: MinerGraphServer, count: number) {
  for (let attempt = 0; attempt < 400 && on.subscriptions!.stats().listening !== count; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  expect(on.subscriptions!.stats().listening).toBe(count);
}

beforeAll(async () => {
  ({ started: server, url } = await start());
  editorKey = (await keyHeaders(used.database, 'editor')).key;
});

afterAll(async () => {
  await server?.close();
});

describe(`client.subscribe of @minergraph/sdk/subscriptions in Node on ${engine}`, () => {
  it('yields typed events: a price recorded through the same client arrives as PricesRecordedSubscription', async () => {
    const client: SubscribingClient = createClient({ url, apiKey: editorKey, webSocket: WebSocket });
    const events = client.subscribe(PricesRecordedDocument, { symbol: 'BTC' });
    const first = events.next();
    await listening(server, 1);
    const written = await client.recordPrices({ input: { symbol: 'BTC', points: [{ at: '2031-05-06T07:08:09Z', close: '99999.5' }] } });
    expect(written.recordPrices).toEqual(expect.objectContaining({ inserted: 1, updated: 0, userErrors: [] }));
    const { value } = await first;
    const event: PricesRecordedSubscription = value;
    expect(event).toEqual({
      pricesRecorded: {
        symbol: 'BTC',
        inserted: 1,
        updated: 0,
        from: '2031-05-06T07:08:09.000Z',
        to: '2031-05-06T07:08:09.000Z',
        asset: { symbol: 'BTC', latestPrice: { at: '2031-05-06T07:08:09.000Z', priceUsd: '99999.5' } },
      },
    });
    // Leaving the loop unsubscribes.
    await events.return!();
    await listening(server, 0);
    await client.close();
  });

  it('throws a MinerGraphError with the code and field for an unknown ticker', async () => {
    const client = createClient({ url, webSocket: WebSocket });
    const error = await client
      .subscribe(CompanyChangedDocument, { ticker: 'NOPE' })
      .next()
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(MinerGraphError);
    expect(error).toMatchObject({ kind: 'graphql', codes: ['NOT_FOUND'], fields: [['ticker']], operationName: 'CompanyChanged' });
    expect((error as Error).message).toBe('CompanyChanged failed: No company has the ticker "NOPE". (NOT_FOUND)');
    await client.close();
  });

  it('says what to pass where there is no global WebSocket (Node 20)', () => {
    if (typeof (globalThis as { WebSocket?: unknown }).WebSocket === 'function') return;
    expect(() => createClient({ url })).toThrow(
      "This runtime has no global WebSocket (Node before 22): pass one, createClient({ url, webSocket: WebSocket }) with `import WebSocket from 'ws'`.",
    );
  });

  it('reconnects with backoff after the server restarts, says so, and keeps delivering events', async () => {
    const { started: first, url: firstUrl } = await start();
    const port = Number(new URL(firstUrl).port);
    let reconnections = 0;
    const client = createClient({ url: firstUrl, apiKey: editorKey, webSocket: WebSocket, onReconnected: () => (reconnections += 1) });
    const events = client.subscribe(CompanyChangedDocument, { ticker: 'CANG' });
    const pending = events.next();
    await listening(first, 1);
    // The server goes away (1001) and comes back on the same port: the client retries until it answers.
    await first.close();
    const { started: second } = await start(port);
    try {
      await listening(second, 1);
      expect(reconnections).toBe(1);
      const today = new Date().toISOString().slice(0, 10);
      const { recordTreasuryTransaction } = await client.recordTreasuryTransaction({
        input: { ticker: 'CANG', kind: 'MINED', btc: '0.5', occurredOn: today, source: { title: 'A test source' } },
      });
      expect(recordTreasuryTransaction.userErrors).toEqual([]);
      const { value } = await pending;
      expect(value.companyChanged).toMatchObject({ ticker: 'CANG', record: 'TREASURY_TRANSACTION', ids: [expect.stringMatching(/^\d+$/)] });
      await client.close();
    } finally {
      await second.close();
    }
  });
});

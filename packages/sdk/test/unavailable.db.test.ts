import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../server/src/db/connect.js';
import { createServer, type MinerGraphServer } from '../../server/src/http/app.js';
import { createLogger } from '../../server/src/logger.js';
import { createClient } from '../src/index.js';
import { failure } from './support/failure.js';

// The real server over a database it cannot reach (nothing listens on port 1): every call
// fails the same way, and the client says so with a kind of its own.
let database: DatabaseHandle;
let server: MinerGraphServer;
let url: string;

beforeAll(async () => {
  database = await openDatabase({ databaseUrl: 'postgres://postgres@127.0.0.1:1/minergraph' });
  server = await createServer({ database, logger: createLogger('silent', false) });
  url = await server.listen(0, '127.0.0.1');
});

afterAll(async () => {
  await server?.close();
  await database?.close();
});

const MESSAGE = 'The database is not answering right now; try again in a few seconds.';

describe('a server whose database is unavailable', () => {
  it('makes a query fail with kind unavailable, the status, the code and the seconds to wait', async () => {
    const error = await failure(createClient({ url }).assets());
    expect(error).toMatchObject({
      kind: 'unavailable',
      status: 503,
      retryAfter: 5,
      codes: ['DATABASE_UNAVAILABLE'],
      operationName: 'Assets',
      message: `Assets failed: ${MESSAGE} (DATABASE_UNAVAILABLE) The server asks to retry in 5 s.`,
    });
    expect(error.errors?.[0]).toMatchObject({
      message: MESSAGE,
      extensions: { code: 'DATABASE_UNAVAILABLE', requestId: expect.any(String) },
    });
  });

  it('makes a write fail the same way, never as userErrors', async () => {
    const editor = createClient({ url, apiKey: 'mg_an-editor-key' });
    const error = await failure(editor.createAsset({ input: { symbol: 'HUT', name: 'Hut 8 Corp. common shares', kind: 'EQUITY' } }));
    expect(error).toMatchObject({
      kind: 'unavailable',
      status: 503,
      retryAfter: 5,
      codes: ['DATABASE_UNAVAILABLE'],
      operationName: 'CreateAsset',
    });
  });

  it('fails the same way with persisted operations', async () => {
    const error = await failure(createClient({ url, persisted: true }).assets());
    expect(error).toMatchObject({ kind: 'unavailable', status: 503, retryAfter: 5, codes: ['DATABASE_UNAVAILABLE'] });
  });
});

describe('a 503 from something in front of the server', () => {
  it('is unavailable too, with Retry-After read as a date, and no GraphQL errors', async () => {
    const inFront = http.createServer((_req, res) => {
      res.writeHead(503, { 'content-type': 'text/html', 'retry-after': new Date(Date.now() + 120_000).toUTCString() });
      res.end('<h1>Service Unavailable</h1>');
    });
    await new Promise<void>((resolve) => inFront.listen(0, '127.0.0.1', resolve));
    try {
      const proxied = `http://127.0.0.1:${(inFront.address() as AddressInfo).port}/graphql`;
      const error = await failure(createClient({ url: proxied }).assets());
      expect(error).toMatchObject({ kind: 'unavailable', status: 503, codes: [], errors: undefined });
      expect(error.retryAfter).toBeGreaterThanOrEqual(118);
      expect(error.retryAfter).toBeLessThanOrEqual(120);
      expect(error.message).toMatch(
        /^Assets failed: http:\/\/127\.0\.0\.1:\d+\/graphql answered HTTP 503 Service Unavailable\. The server asks to retry in 1\d\d s\.$/,
      );
    } finally {
      inFront.closeAllConnections();
      await new Promise((resolve) => inFront.close(resolve));
    }
  });
});

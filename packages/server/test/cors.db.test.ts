import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { engine, type TestServer, useTestDatabase } from '@minergraph/test-support';

// A browser on another origin asks before it sends what the SDK sends (a preflight), and lets a
// page read the answer only when the server names that origin. Nothing here depends on the
// database engine, so it runs once.
const SDK_HEADERS = 'accept,authorization,content-type,apollo-require-preflight';
const HOLDINGS = '{ company(ticker: "CANG") { holdings(on: "2026-02-09") { btc } } }';

/** What a browser sends before a cross-origin POST from the SDK. */
function preflight(url: string, origin: string): Promise<Response> {
  return fetch(url, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': SDK_HEADERS },
  });
}

/** The POST itself, as the SDK sends it, from a page on `origin`. */
function post(url: string, origin: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { origin, 'content-type': 'application/json', 'apollo-require-preflight': 'true' },
    body: JSON.stringify({ query: HOLDINGS }),
  });
}

const corsHeaders = (response: Response) =>
  Object.fromEntries([...response.headers].filter(([name]) => name.startsWith('access-control-') || name === 'vary'));

describe.skipIf(engine !== 'pglite')('CORS: which pages on other origins may call the API', () => {
  const used = useTestDatabase();
  const start = (env: Record<string, string>) => used.serve({ corsOrigins: loadConfig(env).corsOrigins });
  let development: TestServer;

  beforeAll(async () => {
    development = await start({});
  });

  it("answers a localhost page's preflight outside production with the SDK's headers, cached for 10 minutes", async () => {
    const response = await preflight(development.url, 'http://localhost:5173');
    expect(response.status).toBe(204);
    expect(corsHeaders(response)).toEqual({
      'access-control-allow-origin': 'http://localhost:5173',
      'access-control-allow-methods': 'GET,POST',
      'access-control-allow-headers':
        'accept,authorization,content-type,apollo-require-preflight,x-apollo-operation-name,x-request-id,minergraph-min-lsn',
      'access-control-expose-headers': 'Retry-After,X-Request-Id,MinerGraph-Wal-Lsn',
      'access-control-max-age': '600',
      vary: 'Origin',
    });
  });

  it("lets the page read the answer, its Retry-After, its X-Request-Id and a write's MinerGraph-Wal-Lsn", async () => {
    const response = await post(development.url, 'http://127.0.0.1:8080');
    expect(response.status).toBe(200);
    expect(corsHeaders(response)).toEqual({
      'access-control-allow-origin': 'http://127.0.0.1:8080',
      'access-control-expose-headers': 'Retry-After,X-Request-Id,MinerGraph-Wal-Lsn',
      vary: 'Origin',
    });
    expect(await response.json()).toEqual({ data: { company: { holdings: { btc: '3023.6' } } } });
  });

  it('names no origin for a page elsewhere, so its browser keeps the answer from it', async () => {
    const asked = await preflight(development.url, 'https://evil.example');
    expect(asked.headers.get('access-control-allow-origin')).toBeNull();
    const answered = await post(development.url, 'https://evil.example');
    expect(answered.headers.get('access-control-allow-origin')).toBeNull();
    // Nor does a page on localhost's look-alike pass.
    expect((await preflight(development.url, 'http://localhost.evil.example')).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('lets no page on another origin call it in production unless MINERGRAPH_CORS_ORIGINS says so', async () => {
    const production = await start({ NODE_ENV: 'production' });
    expect((await preflight(production.url, 'http://localhost:5173')).headers.get('access-control-allow-origin')).toBeNull();
    expect((await post(production.url, 'http://localhost:5173')).headers.get('access-control-allow-origin')).toBeNull();

    const listed = await start({ NODE_ENV: 'production', MINERGRAPH_CORS_ORIGINS: 'https://app.example.com' });
    expect((await preflight(listed.url, 'https://app.example.com')).headers.get('access-control-allow-origin')).toBe(
      'https://app.example.com',
    );
    expect((await post(listed.url, 'https://app.example.com')).headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect((await preflight(listed.url, 'http://localhost:5173')).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('allows every origin with *, without varying on it', async () => {
    const any = await start({ NODE_ENV: 'production', MINERGRAPH_CORS_ORIGINS: '*' });
    const asked = await preflight(any.url, 'https://anywhere.example');
    expect(asked.status).toBe(204);
    expect(corsHeaders(asked)).toEqual({
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'GET,POST',
      'access-control-allow-headers':
        'accept,authorization,content-type,apollo-require-preflight,x-apollo-operation-name,x-request-id,minergraph-min-lsn',
      'access-control-expose-headers': 'Retry-After,X-Request-Id,MinerGraph-Wal-Lsn',
      'access-control-max-age': '600',
    });
    const answered = await post(any.url, 'https://anywhere.example');
    expect(answered.headers.get('access-control-allow-origin')).toBe('*');
    expect(await answered.json()).toEqual({ data: { company: { holdings: { btc: '3023.6' } } } });
  });

  it("keeps Apollo's CSRF prevention: an allowed origin's simple request, which needs no preflight, is still refused", async () => {
    const response = await fetch(`${development.url}?query=${encodeURIComponent(HOLDINGS)}`, {
      headers: { origin: 'http://localhost:5173', accept: 'application/json' },
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('This operation has been blocked as a potential Cross-Site Request Forgery (CSRF).');
  });
});

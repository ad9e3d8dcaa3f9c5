import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { inflateSync } from 'node:zlib';
import express from 'express';
import { parse, print } from 'graphql';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { docsRouter, readmeApiSection } from '../src/http/docs.js';
import { FAVICON_SVG, faviconRouter } from '../src/http/favicon.js';
import { playgroundRouter } from '../src/http/playground.js';

const FALL_THROUGH_STATUS = 418;

const CONTENT_SECURITY_POLICY =
  "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'";

const CDN_HOSTS = /(^|\.)(unpkg\.com|jsdelivr\.net|cdnjs\.com|esm\.sh|googleapis\.com|gstatic\.com|cloudflare\.com)$/i;

let server: http.Server;
let origin: string;

beforeAll(async () => {
  const app = express();
  // As app.ts mounts them: the icon and the README's API section are served beside the playground.
  app.use(faviconRouter());
  app.use(docsRouter(readmeApiSection()!));
  app.use(playgroundRouter({ graphqlPath: '/graphql', docsPath: '/docs' }));
  // Stands in for the GraphQL middleware and the app's own 404: anything the router
  // declines ends up here, recognisably.
  app.use((_req, res) => {
    res.status(FALL_THROUGH_STATUS).type('text/plain').send('fell through');
  });
  server = await new Promise<http.Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
});

function get(path: string, accept?: string): Promise<Response> {
  return fetch(`${origin}${path}`, { headers: accept === undefined ? {} : { accept } });
}

/** Sends the path byte for byte: fetch() would resolve `..` before the server saw it. */
function getRawPath(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get(`${origin}/`, { path }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
  });
}

function referencedUrls(html: string): string[] {
  return [...html.matchAll(/\s(?:src|href)\s*=\s*"([^"]*)"/gi)].map((match) => match[1] ?? '');
}

interface Element {
  type: unknown;
  props: Record<string, unknown> | null;
  children: unknown[];
}

interface Render {
  container: unknown;
  element: Element & { props: Record<string, unknown> };
}

type Fetcher = (params: { query: string }, options?: { headers?: Record<string, string> }) => unknown;

/** The `storage` prop GraphiQL accepts (the DOM's Storage, minus key()). */
interface GraphiQLStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
  clear(): void;
  readonly length: number;
}

/** Behaves like the DOM's Storage: stored items are the object's own enumerable keys. */
class FakeLocalStorage {
  [key: string]: unknown;
  getItem(key: string): string | null {
    return Object.hasOwn(this, key) ? String(this[key]) : null;
  }
  setItem(key: string, value: string): void {
    this[key] = String(value);
  }
  removeItem(key: string): void {
    delete this[key];
  }
}

/** Runs the served init.js against stand-ins for the browser globals it uses. */
async function runInitScript(dataset: Record<string, string> = { graphqlUrl: '/graphql', docsUrl: '/docs' }) {
  const script = await (await get('/playground/init.js')).text();
  const mountPoint = { dataset };
  const renders: Render[] = [];
  /** What GraphiQL's own fetcher was made with and sent. */
  const sent: { url: string; params: unknown; options: unknown }[] = [];
  // Stand-ins for the components, never rendered: the page's script only passes them to React.
  // biome-ignore lint/correctness/noComponentHookFactories: not a component factory, a named stand-in
  const GraphiQL = Object.assign(function GraphiQL() {}, {
    createFetcher: (options: { url: string }) => (params: unknown, fetcherOptions: unknown) => {
      sent.push({ url: options.url, params, options: fetcherOptions });
      return 'sent';
    },
    // biome-ignore lint/correctness/noComponentHookFactories: a named stand-in, never rendered
    Logo: function Logo() {},
  });
  const localStorage = new FakeLocalStorage();
  /** The WebSocket clients init.js made with graphql-ws, and what each was asked to subscribe to. */
  const sockets: { options: { url: string; connectionParams: unknown }; subscribed: unknown[]; disposed: boolean }[] = [];
  const graphqlWs = {
    createClient: (options: { url: string; connectionParams: unknown }) => {
      const socket = {
        options: { url: options.url, connectionParams: options.connectionParams },
        subscribed: [] as unknown[],
        disposed: false,
      };
      sockets.push(socket);
      return {
        iterate: (payload: unknown) => {
          socket.subscribed.push(payload);
          return 'subscribed';
        },
        dispose: () => {
          socket.disposed = true;
        },
      };
    },
  };
  vm.runInNewContext(script, {
    document: { getElementById: (id: string) => (id === 'graphiql' ? mountPoint : null) },
    location: { href: 'https://minergraph.example/graphql' },
    URL,
    graphqlWs,
    localStorage,
    GraphiQL,
    React: { createElement: (type: unknown, props: Record<string, unknown> | null, ...children: unknown[]) => ({ type, props, children }) },
    ReactDOM: {
      createRoot: (container: unknown) => ({ render: (element: Render['element']) => renders.push({ container, element }) }),
    },
  });
  return { mountPoint, renders, GraphiQL, localStorage, sent, sockets };
}

async function page(): Promise<string> {
  return (await get('/', 'text/html')).text();
}

describe('playgroundRouter page', () => {
  for (const path of ['/', '/graphql']) {
    it(`serves the GraphiQL page at ${path} to a client that accepts HTML`, async () => {
      const response = await get(path, 'text/html');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
      expect(response.headers.get('vary')).toBe('Accept');
      const html = await response.text();
      expect(html).toMatch(/^<!doctype html>/);
      expect(html).toContain('<div id="graphiql" data-graphql-url="/graphql" data-docs-url="/docs">');
    });
  }

  it('serves the page to a browser Accept header', async () => {
    const response = await get('/graphql', 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
  });

  it('leaves GraphQL requests to the next handler', async () => {
    for (const accept of ['application/json', 'application/graphql-response+json', '*/*']) {
      const response = await get('/graphql', accept);
      expect(response.status).toBe(FALL_THROUGH_STATUS);
      expect(await response.text()).toBe('fell through');
    }
    const withoutAccept = await fetch(`${origin}/graphql`, { headers: { accept: '' } });
    expect(withoutAccept.status).toBe(FALL_THROUGH_STATUS);
    const withQuery = await get('/graphql?query=%7B__typename%7D', 'text/html');
    expect(withQuery.status).toBe(FALL_THROUGH_STATUS);
  });

  it('has no inline script, so the CSP needs no unsafe-inline for scripts', async () => {
    const html = await page();
    const scriptTags = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    // React, ReactDOM, GraphiQL, graphql-ws's client and init.js.
    expect(scriptTags).toHaveLength(5);
    for (const [, attributes, body] of scriptTags) {
      expect(attributes).toMatch(/\ssrc="\/playground\/[^"]+\.js"/);
      expect(body).toBe('');
    }
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
  });
});

describe('playgroundRouter assets', () => {
  it('references only local paths, each served with its content type and cache policy', async () => {
    const urls = referencedUrls(await page()).filter((url) => url !== '/favicon.svg');
    expect(urls).toHaveLength(6);
    expect(urls.filter((url) => url.endsWith('.css'))).toHaveLength(1);
    expect(urls.filter((url) => url.endsWith('.js'))).toHaveLength(5);
    expect(urls).toContain('/playground/init.js');

    for (const url of urls) {
      expect(url).toMatch(/^\/playground\/[A-Za-z0-9._-]+\.(js|css)$/);
      expect(url.startsWith('//')).toBe(false);
      const response = await get(url);
      expect(response.status, url).toBe(200);
      expect(response.headers.get('content-type'), url).toBe(
        url.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8',
      );
      expect(response.headers.get('cache-control'), url).toBe(
        url === '/playground/init.js' ? 'no-cache' : 'public, max-age=31536000, immutable',
      );
      expect((await response.text()).length, url).toBeGreaterThan(0);
    }
  });

  it('names vendor files by version, so the immutable cache survives upgrades', async () => {
    const vendorUrls = referencedUrls(await page()).filter((url) => url.startsWith('/playground/') && url !== '/playground/init.js');
    expect(vendorUrls).toHaveLength(5);
    for (const url of vendorUrls) {
      expect(url).toMatch(/-\d+\.\d+\.\d+\./);
    }
  });

  it('mounts GraphiQL from init.js with the local endpoint, the default query and the headers editor', async () => {
    const { mountPoint, renders, GraphiQL } = await runInitScript();
    expect(renders).toHaveLength(1);
    const [{ container, element }] = renders as [Render];
    expect(container).toBe(mountPoint);
    expect(element.type).toBe(GraphiQL);
    const props = element.props;
    expect(typeof props.fetcher).toBe('function');
    expect(print(parse(String(props.defaultQuery)))).toBe(
      print(parse('{ company(ticker: "CANG") { name ticker holdings { on btc valueUsd } } }')),
    );
    expect(props.isHeadersEditorEnabled).toBe(true);
    expect(props.defaultEditorToolsVisibility).toBe('headers');
    expect(props.shouldPersistHeaders).toBe(false);
  });

  it('starts the headers tab with {"Authorization": "Bearer "} and sends no Authorization header until a key is typed in', async () => {
    const { renders, sent } = await runInitScript();
    const props = (renders[0] as Render).element.props;
    expect(props.defaultHeaders).toBe('{"Authorization": "Bearer "}');
    const fetcher = props.fetcher as Fetcher;
    const params = { query: '{ __typename }' };

    expect(fetcher(params, { headers: { Authorization: 'Bearer ', 'X-Request-Id': 'mine' } })).toBe('sent');
    fetcher(params, { headers: { authorization: 'bearer' } });
    fetcher(params, { headers: { Authorization: 'Bearer mg_key' } });
    fetcher(params);
    expect(sent).toEqual([
      { url: '/graphql', params, options: { headers: { 'X-Request-Id': 'mine' } } },
      { url: '/graphql', params, options: { headers: {} } },
      { url: '/graphql', params, options: { headers: { Authorization: 'Bearer mg_key' } } },
      { url: '/graphql', params, options: { headers: {} } },
    ]);
  });

  it("runs subscriptions over WebSocket (wss: beside https:), with the headers tab's key as the connection's", async () => {
    const { renders, sent, sockets } = await runInitScript();
    const fetcher = (renders[0] as Render).element.props.fetcher as (params: object, options?: object) => unknown;
    const subscription = 'subscription Prices { pricesRecorded(symbol: "BTC") { inserted } }';
    const documentAST = parse(`${subscription} query Other { __typename }`);
    expect(fetcher({ query: subscription, operationName: 'Prices' }, { headers: { Authorization: 'Bearer ' }, documentAST })).toBe(
      'subscribed',
    );
    expect(fetcher({ query: subscription, operationName: 'Prices', variables: { a: 1 } }, { headers: {}, documentAST })).toBe('subscribed');
    expect(fetcher({ query: subscription }, { headers: { authorization: 'Bearer mg_key' } })).toBe('subscribed');
    // A query of the same document still goes over HTTP.
    expect(fetcher({ query: subscription, operationName: 'Other' }, { headers: {}, documentAST })).toBe('sent');
    expect(sent).toHaveLength(1);
    expect(sockets).toEqual([
      {
        options: { url: 'wss://minergraph.example/graphql', connectionParams: {} },
        subscribed: [
          { query: subscription, variables: {}, operationName: 'Prices' },
          { query: subscription, variables: { a: 1 }, operationName: 'Prices' },
        ],
        disposed: true,
      },
      {
        options: { url: 'wss://minergraph.example/graphql', connectionParams: { authorization: 'Bearer mg_key' } },
        subscribed: [{ query: subscription, variables: {} }],
        disposed: false,
      },
    ]);
  });

  it("names the playground MinerGraph in GraphiQL's logo, with a link to the README's API section", async () => {
    const { renders, GraphiQL } = await runInitScript();
    const [logo] = (renders[0] as Render).element.children as [Element];
    expect(logo.type).toBe(GraphiQL.Logo);
    expect(logo.children).toEqual([
      { type: 'span', props: { className: 'minergraph-name' }, children: ['MinerGraph'] },
      {
        type: 'a',
        props: { className: 'minergraph-docs', href: '/docs', target: '_blank', rel: 'noopener' },
        children: ['API docs (README)'],
      },
    ]);
    expect(await page()).toContain('<title>MinerGraph playground</title>');
    expect(await page()).toContain('<div id="graphiql" data-graphql-url="/graphql" data-docs-url="/docs">');

    const withoutDocs = await runInitScript({ graphqlUrl: '/graphql' });
    const [bareLogo] = (withoutDocs.renders[0] as Render).element.children as [Element];
    expect(bareLogo.children).toEqual([{ type: 'span', props: { className: 'minergraph-name' }, children: ['MinerGraph'] }, null]);
  });

  it('keeps request headers out of the history GraphiQL writes to localStorage', async () => {
    const { renders, localStorage } = await runInitScript();
    const storage = (renders[0] as Render).element.props.storage as GraphiQLStorage;
    const headers = '{"Authorization": "Bearer secret"}';

    storage.setItem('graphiql:queries', JSON.stringify({ queries: [{ query: '{ a }', variables: '', headers }] }));
    storage.setItem('graphiql:favorites', JSON.stringify({ favorites: [{ query: '{ b }', headers, favorite: true }] }));
    storage.setItem('graphiql:query', '{ a }');
    expect(JSON.parse(localStorage.getItem('graphiql:queries') ?? '')).toEqual({ queries: [{ query: '{ a }', variables: '' }] });
    expect(JSON.parse(localStorage.getItem('graphiql:favorites') ?? '')).toEqual({ favorites: [{ query: '{ b }', favorite: true }] });
    expect(storage.getItem('graphiql:query')).toBe('{ a }');

    localStorage.setItem('another-app', 'kept');
    expect(storage.length).toBe(3);
    storage.removeItem('graphiql:query');
    expect(storage.length).toBe(2);
    storage.clear();
    expect(storage.length).toBe(0);
    expect(localStorage.getItem('another-app')).toBe('kept');
  });

  it('loads nothing from outside the server: no absolute URL in the page or init.js', async () => {
    const html = await page();
    const init = await (await get('/playground/init.js')).text();
    for (const text of [html, init]) {
      expect(text).not.toMatch(/[a-z][a-z0-9+.-]*:\/\//i);
      expect(text).not.toMatch(/["'(]\/\//);
    }
  });

  it('loads nothing from outside the server: CSS url() and @import are local or data:', async () => {
    const cssUrls = referencedUrls(await page()).filter((url) => url.endsWith('.css'));
    for (const cssUrl of cssUrls) {
      const css = await (await get(cssUrl)).text();
      const references = [
        ...[...css.matchAll(/url\(\s*(['"]?)(.*?)\1\s*\)/gi)].map((match) => match[2] ?? ''),
        ...[...css.matchAll(/@import\s+(?:url\(\s*)?(['"]?)([^'")\s;]+)\1/gi)].map((match) => match[2] ?? ''),
      ];
      // GraphiQL inlines its fonts and icons; a CSS file with no url() at all would mean
      // this scan is not looking at the real stylesheet.
      expect(references.length).toBeGreaterThan(0);
      const external = references.filter((reference) => !/^(data:|\/(?!\/)|#)/i.test(reference));
      expect(external).toEqual([]);
    }
  });

  it('loads nothing from outside the server: no CDN or font host URL in the scripts', async () => {
    const scriptUrls = referencedUrls(await page()).filter((url) => url.endsWith('.js'));
    for (const scriptUrl of scriptUrls) {
      const script = await (await get(scriptUrl)).text();
      const cdnUrls = [...script.matchAll(/(?:https?:)?\/\/([a-z0-9.-]+\.[a-z]{2,})(?=[/:"'`\s)]|$)/gi)]
        .filter((match) => CDN_HOSTS.test(match[1] ?? ''))
        .map((match) => match[0]);
      expect(cdnUrls, scriptUrl).toEqual([]);
    }
  });
});

describe('playgroundRouter allowlist', () => {
  it('serves no file outside its fixed list', async () => {
    for (const path of [
      '/playground/nope.js',
      '/playground/',
      '/playground/graphiql.min.js',
      '/playground/graphiql.min.js.map',
      '/playground/package.json',
    ]) {
      const response = await get(path);
      expect(response.status, path).toBe(FALL_THROUGH_STATUS);
    }
    for (const path of [
      '/playground/../package.json',
      '/playground/..%2Fpackage.json',
      '/playground/%2e%2e%2fpackage.json',
      '/playground/%2e%2e/%2e%2e/package.json',
    ]) {
      const response = await getRawPath(path);
      expect(response.status, path).toBe(FALL_THROUGH_STATUS);
      expect(response.body, path).toBe('fell through');
    }
  });
});

describe('the icon', () => {
  it('is linked from the page and served as SVG at /favicon.svg', async () => {
    expect(await page()).toContain('<link rel="icon" href="/favicon.svg" type="image/svg+xml">');
    const response = await get('/favicon.svg');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
    expect(await response.text()).toBe(FAVICON_SVG);
    expect(FAVICON_SVG).toBe(
      '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#f7931a"/>' +
        '<polygon points="5,25 12,10 16,17 21,7 27,25" fill="#fff"/></svg>\n',
    );
  });

  it('is served at /favicon.ico as a real ICO: one 32×32 PNG of the same picture', async () => {
    const response = await get('/favicon.ico');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/x-icon');
    const ico = Buffer.from(await response.arrayBuffer());
    // ICONDIR: reserved 0, type 1 (icon), 1 image; its entry: 32×32, 32 bits, the PNG at byte 22.
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2), ico.readUInt16LE(4), ico[6], ico[7], ico.readUInt16LE(12)]).toEqual([
      0, 1, 1, 32, 32, 32,
    ]);
    expect(ico.readUInt32LE(18)).toBe(22);
    const png = ico.subarray(22);
    expect(ico.readUInt32LE(14)).toBe(png.length);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect([png.readUInt32BE(16), png.readUInt32BE(20), png[24], png[25]]).toEqual([32, 32, 8, 6]);

    const idatLength = png.readUInt32BE(33);
    expect(png.subarray(37, 41).toString('ascii')).toBe('IDAT');
    const rows = inflateSync(png.subarray(41, 41 + idatLength));
    const pixel = (x: number, y: number) => [...rows.subarray(y * 129 + 1 + x * 4, y * 129 + 1 + x * 4 + 4)];
    expect(pixel(0, 0)[3]).toBe(0); // outside the rounded corner
    expect(pixel(2, 16)).toEqual([0xf7, 0x93, 0x1a, 255]); // the orange ground
    expect(pixel(20, 14)).toEqual([255, 255, 255, 255]); // inside the right-hand peak
  });
});

describe("the README's API section at /docs", () => {
  it('is served as plain text: the "Running it" section, up to the next section', async () => {
    const response = await get('/docs');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    const text = await response.text();
    expect(text.startsWith("MinerGraph: using the API (from the project's README.md)\n\n## Running it\n")).toBe(true);
    expect(text).toContain('### Writing: API keys');
    expect(text).toContain('### Limits');
    expect(text).not.toContain('## Working on it');
  });

  it("is found beside the image's dist/ as the Dockerfile copies it, and is absent without a README", () => {
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const image = mkdtempSync(path.join(tmpdir(), 'minergraph-docs-'));
    try {
      mkdirSync(path.join(image, 'app/dist/http'), { recursive: true });
      expect(readmeApiSection(path.join(image, 'app/dist/http'))).toBeNull();
      cpSync(path.join(root, 'README.md'), path.join(image, 'app/README.md'));
      expect(readmeApiSection(path.join(image, 'app/dist/http'))).toBe(readmeApiSection());
      expect(readmeApiSection()?.startsWith('## Running it\n')).toBe(true);
    } finally {
      rmSync(image, { recursive: true, force: true });
    }
  });
});

import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectWithPackedSdk } from '../../sdk/test/support/packed-sdk.js';
import { loadConfig } from '../src/config.js';
import { engine, keyHeaders, type TestServer, useTestDatabase } from '@minergraph/test-support';

// The SDK as a front end uses it: packed and installed from its tarball into a plain npm
// project, bundled by esbuild for the browser, and run by a page in headless Chromium that is
// served from one port while the API listens on another.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const MINUTES = 60_000;

/** The page's script: renders Cango's holdings on 2026-02-09 from the API named in `?api=`, or the error. */
const PAGE_SCRIPT = `import { createClient, MinerGraphError } from '@minergraph/sdk';

const out = document.getElementById('out');
try {
  const client = createClient({ url: new URLSearchParams(location.search).get('api') });
  const { company } = await client.request('query Held { company(ticker: "CANG") { holdings(on: "2026-02-09") { btc } } }');
  out.textContent = client.url + ': Cango held ' + company.holdings.btc + ' BTC on 2026-02-09';
} catch (error) {
  out.textContent = error instanceof MinerGraphError ? error.name + ' (' + error.kind + '): ' + error.message : 'not a MinerGraphError: ' + String(error);
}
out.dataset.done = 'true';
`;

const PAGE = '<!doctype html><title>Holdings</title><p id="out">loading</p><script type="module" src="/page.js"></script>';

/** A page that subscribes through `@minergraph/sdk/subscriptions` and shows the first BTC price recorded. */
const SUBSCRIBE_SCRIPT = `import { createClient, PricesRecordedDocument } from '@minergraph/sdk/subscriptions';

const out = document.getElementById('out');
const client = createClient({ url: new URLSearchParams(location.search).get('api') });
try {
  for await (const { pricesRecorded } of client.subscribe(PricesRecordedDocument, { symbol: 'BTC' })) {
    out.textContent = pricesRecorded.symbol + ' ' + pricesRecorded.asset.latestPrice.priceUsd + ' at ' + pricesRecorded.asset.latestPrice.at;
    break;
  }
} catch (error) {
  out.textContent = error.name + ': ' + error.message;
}
await client.close();
out.dataset.done = 'true';
`;

const SUBSCRIBE_PAGE = '<!doctype html><title>Prices</title><p id="out">loading</p><script type="module" src="/subscribe.js"></script>';

/** A page's own server: the page, its bundle, and /graphql passed on to the API as a same-origin app's proxy would. */
function pageServer(bundle: string, api: string, subscribeBundle = ''): Promise<{ origin: string; close(): Promise<void> }> {
  const server = http.createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://page').pathname;
    if (path === '/graphql') {
      const forwarded = http.request(
        api,
        { method: request.method, headers: { ...request.headers, host: new URL(api).host } },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      forwarded.on('error', () => response.writeHead(502).end());
      request.pipe(forwarded);
    } else if (path === '/page.js') {
      response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(bundle);
    } else if (path === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
    } else if (path === '/subscribe.js') {
      response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(subscribeBundle);
    } else if (path === '/subscribe') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(SUBSCRIBE_PAGE);
    } else {
      response.writeHead(404).end();
    }
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

describe.skipIf(engine !== 'pglite' || (!existsSync(CHROMIUM) && !process.env.CI))(
  `the packed SDK in a page on another origin, in headless Chromium (${CHROMIUM})`,
  () => {
    const used = useTestDatabase();
    let api: TestServer;
    let elsewhere: TestServer;
    let project: string;
    let bundleInputs: string[];
    let page: { origin: string; close(): Promise<void> };
    let browser: import('playwright-core').Browser;

    /** What the page shows once its script is done. */
    async function rendered(apiUrl: string): Promise<string> {
      const tab = await browser.newPage();
      try {
        await tab.goto(`${page.origin}/?api=${encodeURIComponent(apiUrl)}`);
        await tab.locator('#out[data-done="true"]').waitFor({ timeout: 15_000 });
        return await tab.locator('#out').innerText();
      } finally {
        await tab.close();
      }
    }

    beforeAll(async () => {
      // As `minergraph serve` would start them: outside production (pages on localhost and
      // 127.0.0.1 may call it), and with MINERGRAPH_CORS_ORIGINS naming another site.
      api = await used.serve({ corsOrigins: loadConfig({}).corsOrigins });
      elsewhere = await used.serve({
        corsOrigins: loadConfig({ MINERGRAPH_CORS_ORIGINS: 'https://app.example.com' }).corsOrigins,
      });

      project = await projectWithPackedSdk();
      await writeFile(join(project, 'page.js'), PAGE_SCRIPT);
      await writeFile(join(project, 'subscribe.js'), SUBSCRIBE_SCRIPT);
      const { build } = await import('esbuild');
      const bundleOf = (entry: string) =>
        build({
          entryPoints: [entry],
          absWorkingDir: project,
          bundle: true,
          platform: 'browser',
          format: 'esm',
          target: 'es2022',
          minify: true,
          write: false,
          logLevel: 'silent',
        });
      const subscribeBundle = (await bundleOf('subscribe.js')).outputFiles[0]!.text;
      const bundled = await build({
        entryPoints: ['page.js'],
        absWorkingDir: project,
        bundle: true,
        platform: 'browser',
        format: 'esm',
        target: 'es2022',
        minify: true,
        write: false,
        metafile: true,
        logLevel: 'silent',
      });
      bundleInputs = Object.keys(bundled.metafile.inputs).sort();
      page = await pageServer(bundled.outputFiles[0]!.text, api.url, subscribeBundle);

      const { chromium } = await import('playwright-core');
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--no-sandbox', '--disable-background-networking'],
      });
    }, 4 * MINUTES);

    afterAll(async () => {
      await browser?.close();
      await page?.close();
      if (project) await rm(project, { recursive: true, force: true });
    });

    it('bundles the page against the installed tarball', () => {
      // The installed package's entry (and any chunk it shares with its other entries), and the page.
      expect(bundleInputs.filter((input) => !input.startsWith('node_modules/@minergraph/sdk/dist/'))).toEqual(['page.js']);
      expect(bundleInputs).toContain('node_modules/@minergraph/sdk/dist/index.js');
    });

    it("renders Cango's holdings from the API on another port", async () => {
      expect(new URL(api.url).origin).not.toBe(page.origin);
      expect(await rendered(api.url)).toBe(`${api.url}: Cango held 3023.6 BTC on 2026-02-09`);
    });

    it('resolves a relative URL, /graphql, against the page, whose server passes it on to the API', async () => {
      expect(await rendered('/graphql')).toBe(`${page.origin}/graphql: Cango held 3023.6 BTC on 2026-02-09`);
    });

    it('subscribes from the page over WebSocket and shows a price recorded meanwhile', async () => {
      const tab = await browser.newPage();
      try {
        await tab.goto(`${page.origin}/subscribe?api=${encodeURIComponent(api.url)}`);
        for (let waited = 0; api.server.subscriptions!.stats().listening === 0 && waited < 15_000; waited += 50) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        expect(api.server.subscriptions!.stats().listening).toBe(1);
        const { key } = await keyHeaders(used.database, 'editor');
        const written = await api.graphql(
          'mutation ($input: RecordPricesInput!) { recordPrices(input: $input) { inserted } }',
          { input: { symbol: 'BTC', points: [{ at: '2032-03-04T05:06:07Z', close: '77777.7' }] } },
          { authorization: `Bearer ${key}` },
        );
        expect(written.data).toEqual({ recordPrices: { inserted: 1 } });
        await tab.locator('#out[data-done="true"]').waitFor({ timeout: 15_000 });
        expect(await tab.locator('#out').textContent()).toBe('BTC 77777.7 at 2032-03-04T05:06:07.000Z');
      } finally {
        await tab.close();
      }
    });

    it('says that a request to an API that does not allow the page was probably blocked by CORS, naming MINERGRAPH_CORS_ORIGINS', async () => {
      const apiOrigin = new URL(elsewhere.url).origin;
      expect(await rendered(elsewhere.url)).toBe(
        `MinerGraphError (network): Held failed: could not reach ${elsewhere.url} (Failed to fetch). ` +
          `This page's origin (${page.origin}) is not the API's (${apiOrigin}), so the request was probably blocked by CORS: ` +
          `the server must allow ${page.origin} (a MinerGraph server lists the origins it allows in MINERGRAPH_CORS_ORIGINS). ` +
          "The browser's console names the cause.",
      );
    });
  },
);

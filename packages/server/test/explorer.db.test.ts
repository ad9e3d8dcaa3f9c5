import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { createClient } from '@minergraph/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { defaultManifestPath, loadManifest } from '../src/http/persisted.js';
import { seed } from '../src/seed/seed.js';
import { engine, keyHeaders, REPOSITORY_DATA, startTestServer, useTestServer } from '@minergraph/test-support';

// The explorer page (packages/explorer) as a visitor sees it: built as `pnpm start` builds it,
// served by the real server at / in persisted-only mode (so every operation it sends must be in
// the SDK's manifest), over the whole data set, in headless Chromium. On both engines: the page's
// live updates come from PGlite's in-process change feed or PostgreSQL's LISTEN; the first-render
// figure is taken on the embedded database only.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const MINUTES = 60_000;
/** Screenshots and the first-render timing, kept by CI as artefacts (gitignored). */
const OUTPUT = fileURLToPath(new URL('../test-output/explorer/', import.meta.url));
/** What the page's script and stylesheet may weigh together, gzipped. */
const GZIP_BUDGET_BYTES = 150 * 1024;

/** "53822" -> "53,822", "-0.02" -> "−0.02": how the page prints an exact decimal. */
function grouped(decimal: string): string {
  const negative = decimal.startsWith('-');
  const [whole, fraction] = (negative ? decimal.slice(1) : decimal).split('.');
  return `${negative ? '−' : ''}${whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${fraction === undefined ? '' : `.${fraction}`}`;
}

interface Expected {
  ticker: string;
  name: string;
  /** The latest figure of the file's holdings and production reports; null when it has none. */
  latest: { on: string; btc: string; url: string; quote: string } | null;
}

/** Each company of data/companies and its latest reported holdings, read from the files themselves. */
function expectedCompanies(): Expected[] {
  const dir = join(REPOSITORY_DATA, 'companies');
  return readdirSync(dir)
    .filter((name) => name.endsWith('.yaml'))
    .map((name) => {
      const file = parse(readFileSync(join(dir, name), 'utf8')) as {
        ticker: string;
        name: string;
        sources: Record<string, { url: string }>;
        holdings?: { on: string; btc: string; citation: { source: string; quote: string } }[];
        production?: { periodEnd: string; heldBtc: string | null; citations: Record<string, { source: string; quote: string }> }[];
      };
      const figures = [
        ...(file.holdings ?? []).map((held) => ({ on: String(held.on), btc: held.btc, citation: held.citation })),
        ...(file.production ?? [])
          .filter((report) => report.heldBtc !== null)
          .map((report) => ({ on: String(report.periodEnd), btc: report.heldBtc!, citation: report.citations.heldBtc! })),
      ].sort((a, b) => (a.on < b.on ? -1 : a.on > b.on ? 1 : 0));
      const last = figures.at(-1);
      if (last && figures.some((figure) => figure.on === last.on && figure.btc !== last.btc))
        throw new Error(`${name} gives two figures for ${last.on}`);
      return {
        ticker: file.ticker,
        name: file.name,
        latest: last ? { on: last.on, btc: last.btc, url: file.sources[last.citation.source]!.url, quote: last.citation.quote } : null,
      };
    });
}

describe(`the explorer page on ${engine}`, () => {
  const served = useTestServer({
    start: 'migrated',
    setup: async (database) => {
      expect(await seed(database.db, { dataDir: REPOSITORY_DATA })).toBe('loaded');
    },
    server: async () => {
      built = mkdtempSync(join(tmpdir(), 'minergraph-explorer-'));
      // As pnpm start builds it (scripts/minergraph.mjs), into a folder of this test's own.
      const { buildExplorer } = (await import(fileURLToPath(new URL('../../explorer/build.mjs', import.meta.url)))) as {
        buildExplorer(outdir: string): Promise<{ script: string; stylesheet: string }>;
      };
      manifest = await buildExplorer(built);
      return { explorer: { directory: built }, manifest: loadManifest(defaultManifestPath()!), persistedOnly: true };
    },
  });
  let origin: string;
  let built: string;
  let manifest: { script: string; stylesheet: string };
  let browser: import('playwright-core').Browser | undefined;
  /** Every URL any page of the test asked for. */
  const requested: string[] = [];
  const consoleErrors: string[] = [];

  async function open(hash: string, viewport = { width: 1280, height: 900 }) {
    const context = await browser!.newContext({ viewport });
    const page = await context.newPage();
    page.on('request', (request) => {
      requested.push(request.url());
    });
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(`${hash}: ${message.text()}`);
    });
    page.on('pageerror', (error) => {
      consoleErrors.push(`${hash}: ${error.message}`);
    });
    await page.goto(`${origin}/${hash}`);
    await page.locator('body[data-rendered]').waitFor({ timeout: 20_000 });
    expect(await page.locator('body').getAttribute('data-rendered')).not.toBe('error');
    return { page, close: () => context.close() };
  }

  beforeAll(async () => {
    origin = new URL(served.server.url).origin;
    mkdirSync(OUTPUT, { recursive: true });
    if (existsSync(CHROMIUM)) {
      const { chromium } = await import('playwright-core');
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--no-sandbox', '--disable-background-networking'],
      });
    }
  }, 4 * MINUTES);

  afterAll(async () => {
    await browser?.close();
    if (built) rmSync(built, { recursive: true, force: true });
  });

  it('is built into one script and one stylesheet within 150 KB gzipped, and served with a long cache', async () => {
    const sizes = [manifest.script, manifest.stylesheet].map((name) => gzipSync(readFileSync(join(built, name))).length);
    expect(sizes[0]! + sizes[1]!).toBeLessThanOrEqual(GZIP_BUDGET_BYTES);
    const script = await fetch(`${origin}/explorer/${manifest.script}`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await fetch(`${origin}/explorer/manifest.json`)).status).toBe(404);
  });

  it('is the page a browser gets at /, under a policy that allows this origin only; /graphql stays the API', async () => {
    const page = await fetch(`${origin}/`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await page.text();
    expect(html).toContain(`<script type="module" src="/explorer/${manifest.script}"></script>`);
    expect(html).not.toMatch(/https?:\/\//);
    const api = await fetch(`${origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{ __typename }"}',
    });
    // Persisted-only: text the manifest does not hold is refused, which is how the page's own operations are known to be in it.
    expect(api.status).toBe(400);
  });

  it('leaves / to the playground when it is off (MINERGRAPH_EXPLORER=false), and says when it is not built', async () => {
    const without = await startTestServer(served.database, { explorer: null });
    const unbuilt = await startTestServer(served.database, { explorer: { directory: join(built, 'missing') } });
    try {
      const playground = await fetch(new URL('/', without.url), { headers: { accept: 'text/html' } });
      expect(await playground.text()).toContain('<title>MinerGraph playground</title>');
      expect((await fetch(new URL(`/explorer/${manifest.script}`, without.url))).status).toBe(404);
      const page = await fetch(new URL('/', unbuilt.url), { headers: { accept: 'text/html' } });
      expect(page.status).toBe(503);
      expect(await page.text()).toContain('The explorer page has not been built. <code>pnpm start</code> builds it');
    } finally {
      await without.close();
      await unbuilt.close();
    }
  });

  describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)(`in headless Chromium (${CHROMIUM})`, () => {
    it('lists every company of data/companies, ranked by its latest reported BTC, each number linked to its source with its quote', async () => {
      const { page, close } = await open('#/');
      try {
        const expected = expectedCompanies();
        const ranked = [...expected].sort((a, b) => {
          if (a.latest === null || b.latest === null) return a.latest === b.latest ? 0 : a.latest === null ? 1 : -1;
          return Number(b.latest.btc) - Number(a.latest.btc);
        });
        const shown = await page
          .locator('table.overview tbody tr')
          .evaluateAll((rows) => rows.map((row) => (row as HTMLElement).dataset.ticker));
        expect(shown.slice(0, ranked.filter((company) => company.latest).length)).toEqual(
          ranked.filter((company) => company.latest).map((company) => company.ticker),
        );
        expect([...shown].sort()).toEqual(expected.map((company) => company.ticker).sort());
        expect(shown.length).toBeGreaterThanOrEqual(13);

        for (const company of expected) {
          const row = page.locator(`tr[data-ticker="${company.ticker}"]`);
          expect(await row.locator('th a').first().textContent()).toBe(`${company.name}${company.ticker}`);
          if (company.latest === null) {
            expect(await row.locator('td[data-column="btc"]').textContent()).toBe('none reported');
            continue;
          }
          const held = row.getByTestId(`held-${company.ticker}`);
          expect(await held.evaluate((link) => link.firstChild!.textContent)).toBe(grouped(company.latest.btc));
          expect(await held.getAttribute('href')).toBe(company.latest.url);
          expect(await held.getAttribute('title')).toContain(`“${company.latest.quote}”`);
          expect(await row.getByTestId(`asof-${company.ticker}`).evaluate((link) => link.firstChild!.textContent)).toBe(company.latest.on);
        }

        // Cango: its Q1 2026 report, the quarter's 1,266 BTC; its loan's collateral was never disclosed.
        expect(await page.getByTestId('mined-CANG').evaluate((link) => link.firstChild!.textContent)).toBe('1,266');
        const period = page.locator('tr[data-ticker="CANG"] td[data-column="mined"] .sub');
        expect([await period.textContent(), await period.getAttribute('title')]).toEqual(['Q1 2026', 'quarter 2026-01-01 to 2026-03-31']);
        expect(await page.locator('tr[data-ticker="BTDR"] td[data-column="mined"] .sub').textContent()).toBe('2026-05');
        expect(await page.getByTestId('pledged-CANG').evaluate((link) => link.firstChild!.textContent)).toBe('undisclosed');
        // Canaan: two loans, 330 and 200 BTC pledged.
        // innerText: what is shown, without the tooltips hidden until focus.
        // innerText, not textContent: the hidden tooltips must be left out
        expect(await page.locator('tr[data-ticker="CAN"] td[data-column="pledged"]').innerText()).toBe('530 = 330 + 200');
        expect(await page.locator('tr[data-ticker="MARA"] td[data-column="basis"] summary').textContent()).toBe(
          'with portions loaned and pledged (9,377 BTC loaned to…',
        );

        // The quote also shows on keyboard focus, not only on hover.
        const cango = page.getByTestId('held-CANG');
        await cango.focus();
        expect(await cango.locator('.tip').isVisible()).toBe(true);
        expect(await cango.locator('.tip').textContent()).toContain(
          '“As of quarter-end, the Company held 1,026 Bitcoin in digital asset reserves.”',
        );
        await page.screenshot({ path: join(OUTPUT, 'overview.png'), fullPage: true });
      } finally {
        await close();
      }
    });

    it('sorts from the keyboard: the header buttons, with aria-sort saying which way', async () => {
      const { page, close } = await open('#/');
      try {
        const tickers = () =>
          page.locator('table.overview tbody tr').evaluateAll((rows) => rows.map((row) => (row as HTMLElement).dataset.ticker));
        const byName = expectedCompanies()
          .map((company) => company)
          .sort((a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : 1))
          .map((company) => company.ticker);
        await page.locator('button[data-sort="name"]').focus();
        await page.keyboard.press('Enter');
        expect(await tickers()).toEqual(byName);
        expect(await page.locator('th:has(button[data-sort="name"])').getAttribute('aria-sort')).toBe('ascending');
        await page.keyboard.press('Space');
        expect(await tickers()).toEqual([...byName].reverse());
        expect(await page.locator('th:has(button[data-sort="name"])').getAttribute('aria-sort')).toBe('descending');
        // Largest first; companies without a figure stay last whichever the direction.
        await page.locator('button[data-sort="btc"]').press('Enter');
        expect((await tickers()).slice(0, 2)).toEqual(['MARA', 'RIOT']);
        await page.locator('button[data-sort="btc"]').press('Enter');
        const ascending = await tickers();
        expect(ascending[0]).toBe('BTDR');
        expect(ascending.slice(-3).sort()).toEqual(['CORZ', 'IREN', 'WULF']);
      } finally {
        await close();
      }
    });

    it("shows Cango's history: January's unexplained −0.02 BTC, February's sale of 4,451 BTC, and March's unexplained fall", async () => {
      const { page, close } = await open('#/company/CANG');
      try {
        expect(await page.locator('h1').textContent()).toBe('Cango Inc. (CANG)');
        expect(await page.getByTestId('unexplained-2026-01-31').textContent()).toBe('⚠ −0.02 BTC unexplained');
        expect(await page.getByTestId('unexplained-2026-02-28').textContent()).toBe('⚠ −165.03 BTC unexplained');
        expect(await page.getByTestId('unexplained-2026-03-31').textContent()).toBe('⚠ −2,287.4 BTC unexplained');
        expect(await page.getByTestId('unexplained-2025-12-31').textContent()).toBe('0 (explained)');
        const january = page.locator('[data-testid="between-reports"] tr', { has: page.getByTestId('unexplained-2026-01-31') });
        expect(await january.locator('td').allTextContents()).toEqual([
          '2026-01-01 to 2026-01-31',
          '7,528.3',
          '+496.35',
          '0',
          '−550.03',
          '0',
          '7,474.6',
          '⚠ −0.02 BTC unexplained',
        ]);

        const sale = page.locator('[data-testid="flows"] tr', { has: page.getByTestId('flow-SOLD-2026-02-08') });
        expect((await sale.locator('td').allInnerTexts()).slice(0, 5)).toEqual([
          '2026-02-08',
          'sold',
          '−4,451 BTC',
          '$305,000,000',
          '3,023.6',
        ]);
        const saleLink = page.getByTestId('flow-SOLD-2026-02-08').locator('a');
        expect(await saleLink.getAttribute('href')).toBe(
          'https://grafa.com/pt-BR/news/united-states/cango-sells-4451-bitcoin-miner-pressure',
        );
        expect(await saleLink.getAttribute('title')).toContain('Cango sold 4,451 bitcoin over Feb. 7–8');

        // The charts are drawn, and described in words for those who cannot see them.
        expect(await page.locator('section[aria-labelledby="holdings-title"] canvas').count()).toBe(1);
        expect(await page.locator('section[aria-labelledby="holdings-title"] .plot').getAttribute('aria-label')).toContain(
          '−0.02 BTC between 2026-01-01 and 2026-01-31',
        );
        expect(await page.locator('section[aria-labelledby="production-title"] canvas').count()).toBe(1);
        expect(await page.locator('section[aria-labelledby="debt-title"]').textContent()).toContain(
          'No margin-call or liquidation price can be drawn',
        );
        expect(await page.locator('section[aria-labelledby="people-title"]').textContent()).toContain('Jack Jin, CTO');
        await page.screenshot({ path: join(OUTPUT, 'company-CANG.png'), fullPage: true });

        // The share price: adjusted by default, raw on the toggle.
        const toggle = page.getByTestId('raw-toggle');
        expect(await toggle.getAttribute('aria-pressed')).toBe('false');
        await toggle.press('Enter');
        await page.locator('[data-testid="raw-toggle"][aria-pressed="true"]').waitFor();
        expect(await page.locator('section[aria-labelledby="share-title"] figcaption').textContent()).toBe(
          'CANG daily close, raw, as observed',
        );
      } finally {
        await close();
      }
    });

    it('reads /company/CANG, a link without the #, as the Cango page', async () => {
      const context = await browser!.newContext();
      const page = await context.newPage();
      page.on('request', (request) => {
        requested.push(request.url());
      });
      try {
        await page.goto(`${origin}/company/CANG`);
        await page.locator('body[data-rendered="company"]').waitFor({ timeout: 20_000 });
        expect(new URL(page.url()).hash).toBe('#/company/CANG');
        expect(await page.locator('h1').textContent()).toBe('Cango Inc. (CANG)');
      } finally {
        await context.close();
      }
    });

    it('draws BTC and share candles for a chosen window and interval', async () => {
      const { page, close } = await open('#/prices?symbol=CANG&from=2025-09-01&to=2026-03-31&interval=DAY&adjusted=true');
      try {
        // One candle per day (and per month) that data/prices/BTC.yaml has a price for in the window.
        const { prices } = parse(readFileSync(join(REPOSITORY_DATA, 'prices', 'BTC.yaml'), 'utf8')) as { prices: { on: string }[] };
        const days = [...new Set(prices.map((price) => String(price.on)).filter((on) => on >= '2025-09-01' && on <= '2026-03-31'))].sort();
        expect(days.length).toBeGreaterThanOrEqual(5);
        expect(await page.locator('figure').first().locator('tbody tr td:first-child').allTextContents()).toEqual(days.slice(-60));
        await page.locator('select[name="interval"]').selectOption('MONTH');
        await page.locator('form.controls button[type="submit"]').press('Enter');
        await page.waitForURL(/interval=MONTH/);
        await page.locator('body[data-rendered="prices"]').waitFor();
        await page.locator('figcaption', { hasText: 'BTC, USD per month' }).waitFor();
        const months = await page.locator('figure').first().locator('tbody tr td:first-child').allTextContents();
        expect(months).toEqual([...new Set(days.map((on) => `${on.slice(0, 7)}-01`))]);
        expect(months).toContain('2026-02-01');
        await page.screenshot({ path: join(OUTPUT, 'prices.png'), fullPage: true });
      } finally {
        await close();
      }
    });

    it('fits a 375 px wide screen: the page never scrolls sideways (wide tables scroll in their own box)', async () => {
      for (const hash of ['#/', '#/company/CANG', '#/prices']) {
        const { page, close } = await open(hash, { width: 375, height: 800 });
        try {
          expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
          if (hash === '#/') await page.screenshot({ path: join(OUTPUT, 'overview-375.png'), fullPage: true });
        } finally {
          await close();
        }
      }
    });

    it.skipIf(engine !== 'pglite')('renders the overview first (measured; the figure goes to BENCHMARKS.md)', async () => {
      // Each in a new browser context (no cache): from navigation start to the table on the page,
      // and of that, the MinersOverview request from its start to its last byte.
      const runs: { renderedMs: number; apiMs: number }[] = [];
      for (let run = 0; run < 5; run += 1) {
        const { page, close } = await open('#/');
        try {
          runs.push(
            await page.evaluate(() => {
              const api = performance.getEntriesByType('resource').find((entry) => entry.name.endsWith('/graphql'))!;
              return {
                renderedMs: Math.round(performance.getEntriesByName('overview-rendered')[0]!.startTime),
                apiMs: Math.round(api.duration),
              };
            }),
          );
        } finally {
          await close();
        }
      }
      expect(runs.every((entry) => entry.renderedMs > entry.apiMs && entry.apiMs > 0)).toBe(true);
      const sorted = runs.map((entry) => entry.renderedMs).sort((a, b) => a - b);
      const report = { runs, medianRenderedMs: sorted[2], loadAverage: loadavg().map((load) => Number(load.toFixed(2))) };
      writeFileSync(join(OUTPUT, 'first-render.json'), `${JSON.stringify(report, null, 2)}\n`);
      console.log(`explorer overview, first render from navigation start: ${JSON.stringify(report)}`);
    });

    // Last: these write, and the tests above read the seeded data.
    describe('live: a write through the API shows on the open page without a reload', () => {
      /** A source whose quote states the figures recorded (the API checks that it does). */
      const source = (quote: string) => ({ title: 'Live update test source', url: 'https://example.com/live-update-test', quote });

      const PRODUCTION = source('In October 2026 the Company mined 40.25 BTC and held 1,234.5 BTC at month-end.');
      const PURCHASE = source('On November 20, 2026 the Company bought 2.5 BTC for $250,000.');

      /** Waits until the server has exactly `count` subscriptions listening (the page's, once it subscribed). */
      async function listening(count: number) {
        for (let attempt = 0; attempt < 400 && served.server.server.subscriptions!.stats().listening !== count; attempt += 1) {
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
        expect(served.server.server.subscriptions!.stats().listening).toBe(count);
      }

      let editor: { key: string } | undefined;
      /** A client of the SDK with an editor's key, sending operations by hash as the page does. */
      const editorClient = () => createClient({ url: served.server.url, apiKey: editor!.key, persisted: true });
      beforeAll(async () => {
        editor = await keyHeaders(served.database, 'editor');
      });

      /** Marks the page's window: a reload would lose the mark. */
      const mark = (page: import('playwright-core').Page) => page.evaluate(() => Object.assign(window, { notReloaded: true }));
      const stillMarked = (page: import('playwright-core').Page) =>
        page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded === true);

      it("the overview: a production report's holdings, as-of day and BTC mined replace Cango's", async () => {
        const { page, close } = await open('#/');
        try {
          const tickers = expectedCompanies().length;
          // factsChanged, pricesRecorded(BTC) and companyChanged of each company shown.
          await listening(2 + tickers);
          await mark(page);
          // A keyboard user's place: the re-read puts the focus back on the same figure.
          await page.getByTestId('held-MARA').focus();
          expect(await page.getByTestId('held-CANG').evaluate((link) => link.firstChild!.textContent)).not.toBe('1,234.5');
          // Through the SDK, by hash: the server runs the manifest's operations only.
          const data = await editorClient().recordProductionReport({
            input: {
              ticker: 'CANG',
              periodStart: '2026-10-01',
              periodEnd: '2026-10-31',
              minedBtc: '40.25',
              heldBtc: '1234.5',
              source: PRODUCTION,
            },
          });
          expect(data.recordProductionReport.userErrors).toEqual([]);
          await page.locator('body[data-refreshed="1"]').waitFor({ timeout: 10_000 });
          expect(await page.getByTestId('held-CANG').evaluate((link) => link.firstChild!.textContent)).toBe('1,234.5');
          expect(await page.getByTestId('held-CANG').getAttribute('href')).toBe('https://example.com/live-update-test');
          expect(await page.getByTestId('asof-CANG').evaluate((link) => link.firstChild!.textContent)).toBe('2026-10-31');
          expect(await page.getByTestId('mined-CANG').evaluate((link) => link.firstChild!.textContent)).toBe('40.25');
          expect(await page.evaluate(() => (document.activeElement as HTMLElement).dataset.testid)).toBe('held-MARA');
          // The re-read keeps the page's subscriptions: as many as before.
          expect(served.server.server.subscriptions!.stats().listening).toBe(2 + tickers);
          expect(await stillMarked(page)).toBe(true);
          // The re-read is quiet: no "Loading…", and the page stays rendered.
          expect(await page.locator('#status').textContent()).toBe('');
          expect(await page.locator('body').getAttribute('data-rendered')).toBe('overview');
        } finally {
          await close();
        }
      });

      it("Cango's page: a purchase shows in its recorded flows, with its source", async () => {
        const { page, close } = await open('#/company/CANG');
        try {
          // factsChanged, companyChanged(CANG), pricesRecorded of BTC and of CANG.
          await listening(4);
          await mark(page);
          expect(await page.getByTestId('flow-PURCHASED-2026-11-20').count()).toBe(0);
          const data = await editorClient().recordTreasuryTransaction({
            input: { ticker: 'CANG', kind: 'PURCHASED', btc: '2.5', usd: '250000', occurredOn: '2026-11-20', source: PURCHASE },
          });
          expect(data.recordTreasuryTransaction.userErrors).toEqual([]);
          const row = page.locator('[data-testid="flows"] tr', { has: page.getByTestId('flow-PURCHASED-2026-11-20') });
          await row.waitFor({ timeout: 10_000 });
          expect((await row.locator('td').allInnerTexts()).slice(0, 4)).toEqual(['2026-11-20', 'purchased', '2.5 BTC', '$250,000']);
          expect(await page.getByTestId('flow-PURCHASED-2026-11-20').locator('a').getAttribute('href')).toBe(
            'https://example.com/live-update-test',
          );
          expect(await stillMarked(page)).toBe(true);
        } finally {
          await close();
        }
      });

      const NOVEMBER = '#/prices?symbol=CANG&from=2026-11-01&to=2026-11-30&interval=DAY&adjusted=true';
      /** The days and closes of the BTC candles shown. */
      const btcCandles = (page: import('playwright-core').Page) =>
        page
          .locator('figure')
          .first()
          .locator('tbody tr')
          .evaluateAll((rows) =>
            rows.map((row) =>
              [...row.querySelectorAll('td')].filter((_, index) => index === 0 || index === 4).map((cell) => cell.textContent),
            ),
          );
      const recordBtcClose = (at: string, close: string, quote: string) =>
        editorClient().recordPrices({ input: { symbol: 'BTC', points: [{ at, close }], source: source(quote) } });

      it('the prices view: a BTC close recorded in its window becomes a candle', async () => {
        const { page, close } = await open(NOVEMBER);
        try {
          // factsChanged, pricesRecorded of BTC and of CANG.
          await listening(3);
          await mark(page);
          const before = await btcCandles(page);
          expect(before.map(([day]) => day)).not.toContain('2026-11-21');
          const { recordPrices } = await recordBtcClose('2026-11-21T12:00:00Z', '91234', 'Bitcoin closed at $91,234 on November 21, 2026.');
          expect(recordPrices.userErrors).toEqual([]);
          await page.locator('body[data-refreshed="1"]').waitFor({ timeout: 10_000 });
          expect((await btcCandles(page)).find(([day]) => day === '2026-11-21')).toEqual(['2026-11-21', '$91,234']);
          expect(await stillMarked(page)).toBe(true);
        } finally {
          await close();
        }
      });

      it('after the WebSocket is lost and back, the page re-reads what it missed meanwhile', async () => {
        const context = await browser!.newContext();
        // Playwright stands between the page and the server's WebSocket, to cut it and hold reconnects off.
        let holdOff = false;
        const sockets: { page: import('playwright-core').WebSocketRoute; server: import('playwright-core').WebSocketRoute }[] = [];
        await context.routeWebSocket(/\/graphql$/, (socket) => {
          if (holdOff) void socket.close({ code: 1013, reason: 'held off by the test' });
          else {
            sockets.push({ page: socket, server: socket.connectToServer() });
          }
        });
        const page = await context.newPage();
        try {
          await page.goto(`${origin}/${NOVEMBER}`);
          await page.locator('body[data-rendered="prices"]').waitFor({ timeout: 20_000 });
          await listening(3);
          await mark(page);
          holdOff = true;
          await sockets[0]!.server.close({ code: 1000, reason: 'the test cut it' });
          await sockets[0]!.page.close({ code: 1012, reason: 'the test cut it' });
          await listening(0);
          // No page is listening: this write's event reaches no one.
          const { recordPrices } = await recordBtcClose('2026-11-22T12:00:00Z', '92345', 'Bitcoin closed at $92,345 on November 22, 2026.');
          expect(recordPrices.userErrors).toEqual([]);
          expect(await page.locator('body').getAttribute('data-refreshed')).toBe('0');
          holdOff = false;
          await page.locator('body[data-refreshed="1"]').waitFor({ timeout: 20_000 });
          expect((await btcCandles(page)).find(([day]) => day === '2026-11-22')).toEqual(['2026-11-22', '$92,345']);
          await listening(3);
          expect(await stillMarked(page)).toBe(true);
        } finally {
          await context.close();
        }
      });
    });

    it('asked no other host for anything, and logged no error', () => {
      expect(requested.length).toBeGreaterThan(0);
      expect(requested.filter((url) => new URL(url).origin !== origin)).toEqual([]);
      expect(consoleErrors).toEqual([]);
    });
  });
});

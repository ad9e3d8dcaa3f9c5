// The server as the Docker image runs it (NODE_ENV=production), started as a real process:
// first with nothing else set, then with the environment docker-compose.yml adds, in a real
// headless Chromium. There is no Docker here, so the compose file's environment is read and
// given to the same command the image runs.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, engine, preparePgliteDataDir, type TestDatabase } from '@minergraph/test-support';
import { runCli, servingUrl, type CliRun } from './support/process.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const POST_MESSAGE =
  "This is MinerGraph's GraphQL API. Send GraphQL as a POST to /graphql with a JSON body, e.g.\n" +
  `  curl -X POST -H 'content-type: application/json' -d '{"query":"{ companies { totalCount } }"}' <this URL>\n`;
const TURN_ON =
  'The playground is off on this server. Start it with MINERGRAPH_PLAYGROUND=true (and MINERGRAPH_INTROSPECTION=true for the docs and autocompletion) to use it from a browser.';
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

let temporary: string;
let postgres: TestDatabase | undefined;
const running: CliRun[] = [];

beforeAll(async () => {
  temporary = mkdtempSync(join(tmpdir(), 'minergraph-production-'));
  if (engine === 'postgres') postgres = await createTestDatabase('seeded');
});

afterAll(async () => {
  for (const run of running) {
    if (run.child.exitCode === null) {
      run.child.kill('SIGTERM');
      await run.exited;
    }
  }
  await postgres?.destroy();
  rmSync(temporary, { recursive: true, force: true });
});

/** `minergraph serve` with NODE_ENV=production (the image's ENV) and `env` on top, on port 0. */
async function serveInProduction(name: string, env: Record<string, string>): Promise<{ url: string; origin: string; run: CliRun }> {
  let database: Record<string, string>;
  if (engine === 'postgres') {
    database = { DATABASE_URL: postgres!.url! };
  } else {
    const dataDir = join(temporary, name);
    await preparePgliteDataDir(dataDir);
    database = { MINERGRAPH_DATA_DIR: dataDir, DATABASE_URL: '' };
  }
  const run = runCli(['serve'], {
    NODE_ENV: 'production',
    MINERGRAPH_PLAYGROUND: '',
    MINERGRAPH_INTROSPECTION: '',
    ...env,
    ...database,
    HOST: '127.0.0.1',
    PORT: '0',
  });
  running.push(run);
  const url = await servingUrl(run);
  return { url, origin: new URL(url).origin, run };
}

async function stop(run: CliRun) {
  run.child.kill('SIGTERM');
  expect(await run.exited).toBe(0);
}

describe(`NODE_ENV=production with nothing else set, on ${engine}`, () => {
  let server: { url: string; origin: string; run: CliRun };
  beforeAll(async () => {
    server = await serveInProduction('bare', {});
  });
  afterAll(() => stop(server.run));

  it("a browser opening /graphql gets a short page saying how to turn the playground on, not Apollo's CSRF error", async () => {
    const response = await fetch(server.url, { headers: { accept: BROWSER_ACCEPT } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; img-src 'self'");
    const html = await response.text();
    expect(html).toContain('<title>MinerGraph: the playground is off</title>');
    expect(html).toContain('<p>To turn it on, start the server with <code>MINERGRAPH_PLAYGROUND=true</code>');
    expect(html).toContain('<a href="/docs">');
    expect(html).not.toContain('CSRF');
    expect(html).not.toMatch(/<script/i);
  });

  it('a bare GET as curl sends it (Accept: */*) gets a plain 400 saying to POST GraphQL; a JSON client gets it as a GraphQL error', async () => {
    for (const path of ['/graphql', '/']) {
      const response = await fetch(`${server.origin}${path}`, { headers: { accept: '*/*' } });
      expect(response.status, path).toBe(400);
      expect(response.headers.get('content-type'), path).toBe('text/plain; charset=utf-8');
      expect(await response.text(), path).toBe(`${POST_MESSAGE}${TURN_ON}\n`);
    }
    const json = await fetch(server.url, { headers: { accept: 'application/json' } });
    expect(json.status).toBe(400);
    expect(await json.json()).toEqual({ errors: [{ message: `${POST_MESSAGE}${TURN_ON}`, extensions: { code: 'BAD_REQUEST' } }] });
  });

  it('a GET with a query string still reaches GraphQL, CSRF protection included; POST answers as before', async () => {
    const query = `${server.url}?query=${encodeURIComponent('{ company(ticker: "CANG") { name } }')}`;
    const preflighted = await fetch(query, { headers: { 'apollo-require-preflight': 'true' } });
    expect([preflighted.status, await preflighted.json()]).toEqual([200, { data: { company: { name: 'Cango Inc.' } } }]);
    const simple = await fetch(query);
    expect(simple.status).toBe(400);
    expect(((await simple.json()) as { errors: { message: string }[] }).errors[0]!.message).toMatch(
      /^This operation has been blocked as a potential Cross-Site Request Forgery/,
    );

    const posted = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __schema { queryType { name } } }' }),
    });
    expect(posted.status).toBe(400);
    expect(((await posted.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe(
      'GRAPHQL_VALIDATION_FAILED',
    );
  });

  it('serves neither the playground page nor its assets', async () => {
    const asset = await fetch(`${server.origin}/playground/init.js`);
    expect(asset.status).toBe(404);
  });
});

interface ComposeServer {
  environment: Record<string, string>;
}

/** The server service's environment in docker-compose.yml, less what only makes sense inside Compose's network. */
function composeEnvironment(): Record<string, string> {
  const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as { services: { server: ComposeServer } };
  const { DATABASE_URL: _database, HOST: _host, PORT: _port, ...rest } = compose.services.server.environment;
  return rest;
}

describe(`NODE_ENV=production with the environment docker-compose.yml sets, on ${engine}`, () => {
  let server: { url: string; origin: string; run: CliRun };
  beforeAll(async () => {
    server = await serveInProduction('compose', composeEnvironment());
  });
  afterAll(() => stop(server.run));

  it('serves the playground at /graphql to a browser, with introspection on for its docs', async () => {
    const page = await fetch(server.url, { headers: { accept: BROWSER_ACCEPT } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>MinerGraph playground</title>');
    const schema = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __schema { queryType { name } } }' }),
    });
    expect(await schema.json()).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
    const bare = await fetch(server.url, { headers: { accept: '*/*' } });
    expect([bare.status, await bare.text()]).toEqual([400, `${POST_MESSAGE}Open this URL in a browser for the playground.\n`]);
  });

  describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)(`in headless Chromium (${CHROMIUM})`, () => {
    it('renders the MinerGraph playground from this server alone, with the headers tab ready for a key, and runs the default query', async () => {
      const { chromium } = await import('playwright-core');
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--no-sandbox', '--disable-background-networking'],
      });
      try {
        const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
        const elsewhere: string[] = [];
        const failed: string[] = [];
        const consoleErrors: string[] = [];
        page.on('request', (request) => {
          if (new URL(request.url()).origin !== server.origin && !request.url().startsWith('data:')) elsewhere.push(request.url());
        });
        page.on('requestfailed', (request) => failed.push(request.url()));
        page.on('console', (message) => {
          if (message.type() === 'error') consoleErrors.push(message.text());
        });

        await page.goto(server.url);
        expect(await page.title()).toBe('MinerGraph playground');
        await page.locator('.graphiql-logo .minergraph-name').waitFor();
        expect(await page.locator('.graphiql-logo').innerText()).toBe('MinerGraph\nAPI docs (README)');
        const docsHref = await page.locator('.graphiql-logo a.minergraph-docs').getAttribute('href');
        expect(docsHref).toBe('/docs');
        const docs = await fetch(`${server.origin}${docsHref}`);
        expect(docs.status).toBe(200);
        expect(await docs.text()).toContain('### Writing: API keys');

        const headers = await page.evaluate(() => {
          const editors = [...document.querySelectorAll('.graphiql-editor-tool .CodeMirror')] as (Element & {
            CodeMirror: { getValue(): string };
          })[];
          return editors.map((editor) => editor.CodeMirror.getValue());
        });
        expect(headers).toContain('{"Authorization": "Bearer "}');

        await page.locator('.graphiql-execute-button').click();
        await page.locator('.result-window', { hasText: 'Cango Inc.' }).waitFor({ timeout: 15_000 });
        const result = JSON.parse(
          await page.evaluate(() =>
            (
              document.querySelector('.result-window .CodeMirror') as Element & { CodeMirror: { getValue(): string } }
            ).CodeMirror.getValue(),
          ),
        );
        expect(result.data.company.name).toBe('Cango Inc.');
        expect(result.errors).toBeUndefined();

        const icon = await page.evaluate(() => document.querySelector('link[rel="icon"]')?.getAttribute('href'));
        expect(icon).toBe('/favicon.svg');
        const favicon = await fetch(`${server.origin}${icon}`);
        expect([favicon.status, favicon.headers.get('content-type')]).toEqual([200, 'image/svg+xml; charset=utf-8']);

        const screenshots = process.env.MINERGRAPH_SCREENSHOT_DIR ?? join(temporary, 'screenshots');
        mkdirSync(screenshots, { recursive: true });
        const png = await page.screenshot({ path: join(screenshots, `playground-${engine}.png`) });
        expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');

        expect(elsewhere).toEqual([]);
        expect(failed).toEqual([]);
        expect(consoleErrors).toEqual([]);
      } finally {
        await browser.close();
      }
    });
  });
});

import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, engine, preparePgliteDataDir, type TestDatabase } from '@minergraph/test-support';
import { runCli, servingUrl, type CliRun } from './support/process.js';

// Issue #14, as a user sees it: `pnpm minergraph serve` runs, its playground in headless Chromium
// runs a subscription over WebSocket, and a price imported by the CLI beside the server (through
// the embedded database's socket on PGlite, through DATABASE_URL on PostgreSQL) shows in the
// playground's result pane.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUTPUT = fileURLToPath(new URL('../test-output/playground-subscription/', import.meta.url));

describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)(`the playground runs a subscription, on ${engine}`, () => {
  let dir: string;
  let postgres: TestDatabase | undefined;
  let env: Record<string, string | undefined>;
  let server: CliRun;
  let url: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'minergraph-playground-subscription-'));
    if (engine === 'postgres') postgres = await createTestDatabase('seeded');
    else await preparePgliteDataDir(join(dir, 'data'));
    env = engine === 'postgres' ? { DATABASE_URL: postgres!.url } : { MINERGRAPH_DATA_DIR: join(dir, 'data'), DATABASE_URL: '' };
    server = runCli(['serve'], env);
    url = await servingUrl(server);
  });

  afterAll(async () => {
    if (server?.child.exitCode === null) server.child.kill('SIGTERM');
    await server?.exited;
    await postgres?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Waits until the server has `count` subscriptions listening for changes (its /metrics say). */
  async function listening(count: number) {
    let seen = -1;
    for (let waited = 0; waited < 15_000; waited += 100) {
      const text = await (await fetch(url.replace('/graphql', '/metrics'))).text();
      seen = Number(/^minergraph_subscriptions (\d+)$/m.exec(text)?.[1] ?? -1);
      if (seen === count) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(seen).toBe(count);
  }

  it('shows pricesRecorded for a price imported by the CLI beside `serve`, over WebSocket from its own origin', async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-background-networking'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      const consoleErrors: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') consoleErrors.push(message.text());
      });
      await page.goto(url, { waitUntil: 'load' });
      await page.locator('.graphiql-query-editor .CodeMirror').waitFor();
      await page.evaluate(() => {
        const editor = document.querySelector('.graphiql-query-editor .CodeMirror') as Element & {
          CodeMirror: { setValue(text: string): void };
        };
        editor.CodeMirror.setValue(
          'subscription Watch { pricesRecorded(symbol: "BTC") { symbol inserted asset { latestPrice { at priceUsd } } } }',
        );
      });
      await page.locator('.graphiql-execute-button').click();
      await listening(1);

      const file = join(dir, 'btc.csv');
      writeFileSync(file, 'at,open,high,low,close,volume\n2033-01-02T03:04:05Z,88000,89000,87000,88888.8,12\n');
      const imported = runCli(['prices', 'import', file, '--symbol', 'BTC'], env);
      expect([await imported.exited, imported.stdout().trim(), imported.stderr()]).toEqual([
        0,
        `BTC: 1 rows from ${file} (plain CSV): 1 inserted, 0 updated, 0 unchanged.`,
        '',
      ]);

      await page.locator('.result-window', { hasText: '88888.8' }).waitFor({ timeout: 15_000 });
      const result = JSON.parse(
        await page.evaluate(() =>
          (document.querySelector('.result-window .CodeMirror') as Element & { CodeMirror: { getValue(): string } }).CodeMirror.getValue(),
        ),
      );
      expect(result).toEqual({
        data: {
          pricesRecorded: { symbol: 'BTC', inserted: 1, asset: { latestPrice: { at: '2033-01-02T03:04:05.000Z', priceUsd: '88888.8' } } },
        },
      });
      mkdirSync(OUTPUT, { recursive: true });
      await page.screenshot({ path: join(OUTPUT, `cli-import-${engine}.png`) });
      expect(consoleErrors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});

import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, engine, type TestDatabase } from './support/database.js';
import { startTestServer, type TestServer } from './support/server.js';
import { keyHeaders } from './support/writes.js';

// The playground in headless Chromium runs a subscription over WebSocket and shows the event of
// a price recorded while it listens.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)(`the playground runs a subscription, on ${engine}`, () => {
  let database: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    database = await createTestDatabase('seeded');
    server = await startTestServer(database);
  });

  afterAll(async () => {
    await server?.close();
    await database?.destroy();
  });

  it('shows pricesRecorded for a price recorded while it listens, over WebSocket from its own origin', async () => {
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
      await page.goto(server.url, { waitUntil: 'load' });
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
      for (let waited = 0; server.server.subscriptions!.stats().listening === 0 && waited < 15_000; waited += 50) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(server.server.subscriptions!.stats().listening).toBe(1);

      const { headers } = await keyHeaders(database, 'editor');
      const written = await server.graphql(
        'mutation ($input: RecordPricesInput!) { recordPrices(input: $input) { inserted } }',
        { input: { symbol: 'BTC', points: [{ at: '2033-01-02T03:04:05Z', close: '88888.8' }] } },
        headers,
      );
      expect(written.data).toEqual({ recordPrices: { inserted: 1 } });
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
      expect(consoleErrors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import {
  bundleForBrowser,
  GZIP_BUDGET_BYTES,
  ONE_QUERY_ENTRY,
  ONE_QUERY_GZIP_BUDGET_BYTES,
  SUBSCRIBE_ENTRY,
  SUBSCRIBE_GZIP_BUDGET_BYTES,
  writeBundleReport,
  type BrowserBundle,
} from '../scripts/browser-bundle.js';

let bundle: BrowserBundle;
let oneQuery: BrowserBundle;
let subscribing: BrowserBundle;

beforeAll(async () => {
  bundle = await bundleForBrowser();
  oneQuery = await bundleForBrowser(ONE_QUERY_ENTRY);
  subscribing = await bundleForBrowser(SUBSCRIBE_ENTRY);
  writeBundleReport(bundle, oneQuery);
});

describe('a browser bundle of createClient and one call', () => {
  it("pulls in nothing but the entry and the sdk's own sources", () => {
    expect(bundle.inputs.filter((input) => input !== 'browser-entry.ts' && !input.startsWith('src/'))).toEqual([]);
    expect(bundle.inputs).toContain('src/client.ts');
  });

  it('imports no Node built-in and no graphql package at run time, nor anything else', () => {
    expect(bundle.code).not.toMatch(/(?:require\(|import\s*\(?|from)\s*["']node:/);
    expect(bundle.code).not.toMatch(
      /(?:require\(|import\s*\(?|from)\s*["'](?:graphql|@graphql-typed-document-node\/core)(?:\/[^"']*)?["']/,
    );
    expect(bundle.code).not.toMatch(/\brequire\(|\bimport\s*[\s{*("']|\bfrom\s*["']/);
  });

  it('contains none of graphql-js: no GraphQLError class, no lexer, no parser', () => {
    expect(bundle.code).not.toContain('GraphQLError');
    expect(bundle.code).not.toContain('Unexpected character');
    expect(bundle.code).not.toContain('Syntax Error');
    // The operations travel as text, ready to send.
    expect(bundle.code).toContain('query Company($ticker: String!, $from: Date, $to: Date)');
  });

  it('carries no WebSocket client and no subscription: an app that does not subscribe pays nothing for them', () => {
    expect(bundle.inputs.filter((input) => /graphql-ws|subscriptions/.test(input))).toEqual([]);
    expect(bundle.code).not.toContain('graphql-transport-ws');
    expect(bundle.code).not.toContain('connection_init');
    expect(bundle.code).not.toContain('subscription PricesRecorded');
  });

  it(`stays within ${GZIP_BUDGET_BYTES} bytes minified and gzipped`, () => {
    expect(bundle.gzipBytes).toBeLessThanOrEqual(GZIP_BUDGET_BYTES);
  });
});

describe('a browser bundle of one query from @minergraph/sdk/operations', () => {
  it("carries that query's text and none of the other operations, mutations included", () => {
    expect(oneQuery.code).toContain('query Company($ticker: String!, $from: Date, $to: Date)');
    expect(oneQuery.code).not.toMatch(/\bmutation \w+/);
    expect(oneQuery.code).not.toContain('query Asset(');
    expect(oneQuery.code).not.toContain('query TreasuryReport(');
  });

  it('imports nothing at run time, neither graphql nor a Node built-in', () => {
    expect(oneQuery.code).not.toMatch(/\brequire\(|\bimport\s*[\s{*("']|\bfrom\s*["']/);
    expect(oneQuery.code).not.toContain('GraphQLError');
  });

  it(`stays within ${ONE_QUERY_GZIP_BUDGET_BYTES} bytes minified and gzipped, and under half the whole client minified`, () => {
    expect(oneQuery.gzipBytes).toBeLessThanOrEqual(ONE_QUERY_GZIP_BUDGET_BYTES);
    expect(oneQuery.minifiedBytes * 2).toBeLessThan(bundle.minifiedBytes);
  });
});

describe('a browser bundle of createClient from @minergraph/sdk/subscriptions and one subscription', () => {
  it("carries graphql-ws's client and the subscription's text, and still none of graphql-js", () => {
    expect(subscribing.inputs.some((input) => input.includes('graphql-ws'))).toBe(true);
    expect(subscribing.code).toContain('graphql-transport-ws');
    expect(subscribing.code).toContain('subscription PricesRecorded($symbol: String)');
    expect(subscribing.code).not.toContain('GraphQLError');
    // Bundled whole: no require or import of its own (graphql-ws's error text mentions `import WebSocket from 'ws'`, hence no broader pattern).
    expect(subscribing.code).not.toMatch(/\brequire\(|\bimport\s*\(|\bfrom\s*["'](?:graphql|graphql-ws)["']/);
  });

  it(`stays within ${SUBSCRIBE_GZIP_BUDGET_BYTES} bytes minified and gzipped`, () => {
    expect(subscribing.gzipBytes).toBeLessThanOrEqual(SUBSCRIBE_GZIP_BUDGET_BYTES);
    expect(subscribing.gzipBytes).toBeGreaterThan(bundle.gzipBytes);
  });
});

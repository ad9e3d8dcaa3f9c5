import { beforeAll, describe, expect, it } from 'vitest';
import { bundleForBrowser, GZIP_BUDGET_BYTES, writeBundleReport, type BrowserBundle } from '../scripts/browser-bundle.js';

let bundle: BrowserBundle;

beforeAll(async () => {
  bundle = await bundleForBrowser();
  writeBundleReport(bundle);
});

describe('a browser bundle of createClient and one call', () => {
  it("pulls in nothing but the entry and the sdk's own sources", () => {
    expect(bundle.inputs.filter((input) => input !== 'browser-entry.ts' && !input.startsWith('src/'))).toEqual([]);
    expect(bundle.inputs).toContain('src/client.ts');
  });

  it('imports no Node built-in and no graphql package at run time, nor anything else', () => {
    expect(bundle.code).not.toMatch(/(?:require\(|import\s*\(?|from)\s*["']node:/);
    expect(bundle.code).not.toMatch(/(?:require\(|import\s*\(?|from)\s*["'](?:graphql|@graphql-typed-document-node\/core)(?:\/[^"']*)?["']/);
    expect(bundle.code).not.toMatch(/\brequire\(|\bimport\s*[\s{*("']|\bfrom\s*["']/);
  });

  it("contains none of graphql-js: no GraphQLError class, no Kind enum, no parser", () => {
    expect(bundle.code).not.toContain('GraphQLError');
    expect(bundle.code).not.toContain('OperationDefinition');
    expect(bundle.code).not.toContain('Syntax Error');
    // The operations travel as text, ready to send.
    expect(bundle.code).toContain('query Company($ticker: String!, $from: Date, $to: Date)');
  });

  it(`stays within ${GZIP_BUDGET_BYTES} bytes minified and gzipped`, () => {
    expect(bundle.gzipBytes).toBeLessThanOrEqual(GZIP_BUDGET_BYTES);
  });
});

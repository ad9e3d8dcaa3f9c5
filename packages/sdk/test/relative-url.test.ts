import { describe, expect, it } from 'vitest';
import { createClient, MinerGraphError } from '../src/index.js';

// In a browser page a relative URL is resolved against the page (see the browser test in
// packages/server/test/browser-sdk.db.test.ts); here, in Node, there is no page to resolve it against.
describe('createClient outside a browser page', () => {
  it('refuses a relative URL, saying it works only in a browser page', () => {
    const attempt = () => createClient({ url: '/graphql' });
    expect(attempt).toThrow(MinerGraphError);
    expect(attempt).toThrow(
      'createClient got url "/graphql", which is not an absolute URL (a relative URL such as "/graphql" works only in a browser page, which it is resolved against): createClient({ url: "http://127.0.0.1:4000/graphql" }).',
    );
  });

  it('keeps an absolute URL as it is', () => {
    expect(createClient({ url: 'http://127.0.0.1:4000/graphql' }).url).toBe('http://127.0.0.1:4000/graphql');
  });
});

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defaultManifestPath, loadManifest } from '../../server/src/http/persisted.js';
import { useTestServer } from '@minergraph/test-support';
import { createClient, MinerGraphError } from '../src/index.js';

const served = useTestServer({
  server: () => {
    const path = defaultManifestPath();
    expect(path).toMatch(/packages\/server\/persisted-operations\.json$/);
    return { manifest: loadManifest(path!), persistedOnly: true };
  },
});

describe('persisted operations', () => {
  it("the server's own copy of the manifest, which it trusts by default, is the SDK's", () => {
    const sdkManifest = fileURLToPath(new URL('../persisted-operations.json', import.meta.url));
    expect(readFileSync(defaultManifestPath()!, 'utf8')).toBe(readFileSync(sdkManifest, 'utf8'));
  });

  it("the SDK's manifest holds every operation it sends, so a persisted-only server runs them by hash", async () => {
    const bodies: string[] = [];
    const client = createClient({
      url: served.server.url,
      persisted: true,
      fetch: (url, init) => {
        bodies.push(init.body);
        return fetch(url, init);
      },
    });
    const { asset } = await client.asset({
      symbol: 'BTC',
      from: '2025-10-01T00:00:00Z',
      to: '2026-03-01T00:00:00Z',
      at: '2026-02-09T00:00:00Z',
    });
    expect(asset?.symbol).toBe('BTC');
    expect(bodies).toHaveLength(1);
    expect(JSON.parse(bodies[0]!)).not.toHaveProperty('query');
    expect(JSON.parse(bodies[0]!).extensions.persistedQuery.sha256Hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a document outside the manifest is refused by a persisted-only server', async () => {
    const client = createClient({ url: served.server.url, persisted: true });
    const failure = await client.request('query Mine { assets { symbol } }').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MinerGraphError);
    expect((failure as MinerGraphError).codes).toEqual(['PERSISTED_QUERY_REQUIRED']);
  });
});

import { QueryClient } from '@tanstack/query-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestServer } from '@minergraph/test-support';
import { createRequestClient, type RequestClient } from '../src/client.js';
import { assetsQueryOptions, companyQueryOptions, queryKeyPrefix } from '../src/tanstack.js';

let client: RequestClient;

const served = useTestServer();

beforeAll(async () => {
  client = createRequestClient({ url: served.server.url });
});

describe('TanStack Query options from @minergraph/sdk/tanstack', () => {
  it('keys a query by endpoint, operation and variables, whatever order the variables come in', () => {
    const a = companyQueryOptions(client, { ticker: 'CANG', from: '2026-01-01', to: '2026-01-31' });
    const b = companyQueryOptions(client, { to: '2026-01-31', ticker: 'CANG', from: '2026-01-01' });
    expect(a.queryKey).toEqual(['minergraph', served.server.url, 'Company', { from: '2026-01-01', ticker: 'CANG', to: '2026-01-31' }]);
    expect(JSON.stringify(b.queryKey)).toBe(JSON.stringify(a.queryKey));
    expect(assetsQueryOptions(client).queryKey).toEqual(['minergraph', served.server.url, 'Assets', {}]);
    expect(assetsQueryOptions(client, { kind: undefined }).queryKey).toEqual(['minergraph', served.server.url, 'Assets', {}]);
    expect(queryKeyPrefix(client, 'Company')).toEqual(a.queryKey.slice(0, 3));
  });

  it("fetches Cango's January through a real QueryClient, and serves the second call from its cache", async () => {
    const queryClient = new QueryClient();
    const options = companyQueryOptions(client, { ticker: 'CANG', from: '2026-01-01', to: '2026-01-31' });
    const data = await queryClient.fetchQuery({ ...options, staleTime: Infinity });
    expect(data.company?.holdings.btc).toBe('7474.6');
    expect(data.company?.treasuryFlow.unexplainedBtc).toBe('-0.02');
    const again = await queryClient.fetchQuery({
      ...companyQueryOptions(client, { to: '2026-01-31', from: '2026-01-01', ticker: 'CANG' }),
      staleTime: Infinity,
    });
    expect(again).toBe(data);
    expect(
      queryClient
        .getQueryCache()
        .getAll()
        .map((query) => query.queryKey),
    ).toEqual([options.queryKey]);
  });

  it("passes TanStack's abort signal to the request, so a cancelled query stops its fetch", async () => {
    const controller = new AbortController();
    controller.abort(new Error('cancelled by the query cache'));
    const { queryFn } = assetsQueryOptions(client);
    await expect(queryFn({ signal: controller.signal })).rejects.toThrow('cancelled by the query cache');
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { revokeApiKey } from '../src/repositories/api-key.repository.js';
import { keyHeaders, type TestServer, useTestServer } from '@minergraph/test-support';

const served = useTestServer();
let locked: TestServer;

const CREATE = `mutation ($symbol: String!) { createAsset(input: { symbol: $symbol, name: "Test coin", kind: CRYPTO }) {
  asset { symbol kind quoteCurrency } userErrors { field message code } } }`;

beforeAll(async () => {
  locked = await served.serve({ requireAuth: true });
});

describe('writes need an editor key', () => {
  it('without a key: UNAUTHENTICATED, and nothing is written', async () => {
    const { data, errors } = await served.server.graphql(CREATE, { symbol: 'TSTX' });
    expect(data).toBeNull();
    expect(errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    expect(await served.database.db.selectFrom('assets').where('symbol', '=', 'TSTX').selectAll().execute()).toEqual([]);
  });

  it('with a reader key: FORBIDDEN', async () => {
    const { headers } = await keyHeaders(served.database, 'reader');
    const { errors } = await served.server.graphql(CREATE, { symbol: 'TSTX' }, headers);
    expect(errors?.[0]).toMatchObject({
      message: 'The "reader" role may not do this; it needs an editor key.',
      extensions: { code: 'FORBIDDEN' },
    });
  });

  it('with an editor key: done, and the row records which key wrote it', async () => {
    const { headers, keyId } = await keyHeaders(served.database, 'editor');
    const data = await served.server.query(CREATE, { symbol: 'tstx' }, headers);
    expect(data.createAsset).toEqual({ asset: { symbol: 'TSTX', kind: 'CRYPTO', quoteCurrency: 'USD' }, userErrors: [] });
    const row = await served.database.db
      .selectFrom('assets')
      .select(['created_by_api_key_id', 'created_at'])
      .where('symbol', '=', 'TSTX')
      .executeTakeFirstOrThrow();
    expect(row.created_by_api_key_id).toBe(keyId);
    expect(Date.now() - row.created_at.getTime()).toBeLessThan(60_000);
  });

  it('an admin key may write too', async () => {
    const { headers } = await keyHeaders(served.database, 'admin');
    const data = await served.server.query(CREATE, { symbol: 'TSTY' }, headers);
    expect(data.createAsset.userErrors).toEqual([]);
  });

  it('with a revoked key: UNAUTHENTICATED', async () => {
    const { headers } = await keyHeaders(served.database, 'editor', 'soon-revoked');
    expect(await revokeApiKey(served.database.db, 'soon-revoked')).toBe(true);
    const { status, errors } = await served.server.graphql(CREATE, { symbol: 'TSTZ' }, headers);
    expect(status).toBe(401);
    expect(errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('reads', () => {
  it('are public by default, and need a key when the server requires it', async () => {
    expect((await served.server.graphql('{ company(ticker: "CANG") { ticker } }')).data).toEqual({ company: { ticker: 'CANG' } });
    const refused = await locked.graphql('{ company(ticker: "CANG") { ticker } }');
    expect(refused.status).toBe(401);
    expect(refused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const { headers } = await keyHeaders(served.database, 'reader');
    expect((await locked.graphql('{ company(ticker: "CANG") { ticker } }', undefined, headers)).data).toEqual({
      company: { ticker: 'CANG' },
    });
  });
});

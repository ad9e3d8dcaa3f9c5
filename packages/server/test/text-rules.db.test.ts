import { beforeAll, describe, expect, it } from 'vitest';
import { keyHeaders, snapshot, useTestServer } from '@minergraph/test-support';

let headers: Record<string, string>;
let cango: string;

const served = useTestServer();

beforeAll(async () => {
  headers = (await keyHeaders(served.database, 'editor')).headers;
  cango = (await served.server.query('{ company(ticker: "CANG") { id } }')).company.id;
});

const RECORD = `mutation ($input: RecordTreasuryTransactionInput!) { recordTreasuryTransaction(input: $input) {
  transaction { id note source { title url publisher } } userErrors { field message code } } }`;
const CREATE_COMPANY = `mutation ($input: CreateCompanyInput!) { createCompany(input: $input) { company { name ticker } userErrors { field message code } } }`;
const CREATE_ASSET = `mutation ($input: CreateAssetInput!) { createAsset(input: $input) { asset { symbol } userErrors { field message code } } }`;

const mined = (extra: Record<string, unknown>) => ({
  companyId: cango,
  kind: 'MINED',
  btc: '0.00000001',
  occurredOn: '2026-02-10',
  ...extra,
});

async function send(query: string, input: Record<string, unknown>) {
  // The facts it records carry their source (issue 12); a case's own source replaces this one.
  const data = await served.server.query(
    query,
    { input: query === RECORD ? { source: { title: 'A test source' }, ...input } : input },
    headers,
  );
  return Object.values(data)[0] as any;
}

/** Sends each input, which must be refused with exactly the given userError, and shows nothing changed. */
async function refusedEach(query: string, cases: [label: string, input: Record<string, unknown>, field: string[], message: string][]) {
  const before = await snapshot(served.database);
  const failures: string[] = [];
  for (const [label, input, field, message] of cases) {
    const payload = await send(query, input);
    const expected = [{ field, code: 'VALIDATION_FAILED', message }];
    if (
      JSON.stringify(payload.userErrors.map((e: any) => ({ field: e.field, code: e.code, message: e.message }))) !==
      JSON.stringify(expected)
    ) {
      failures.push(`${label}: ${JSON.stringify(payload.userErrors)}`);
    }
  }
  expect(failures).toEqual([]);
  expect(await snapshot(served.database)).toEqual(before);
}

describe('source URLs', () => {
  it('are refused unless they read as the http(s) URL they are, naming the reason', async () => {
    const url = ['input', 'source', 'url'];
    const withUrl = (value: string) => mined({ source: { title: 'A source', url: value } });
    await refusedEach(RECORD, [
      ['user and password', withUrl('https://user:pass@evil.example/'), url, 'url must not carry a user name or password ("user:pass@").'],
      ['an empty user', withUrl('https://@evil.example/'), url, 'url must not carry a user name or password ("user:pass@").'],
      ['backslashes for slashes', withUrl('https:\\\\evil.example'), url, 'url must be an http(s) URL starting with http:// or https://.'],
      ['no slashes', withUrl('https:evil.example'), url, 'url must be an http(s) URL starting with http:// or https://.'],
      [
        'a backslash in the path',
        withUrl('https://evil.example\\@good.example/'),
        url,
        'url must not contain "\\" (parsers read it as "/").',
      ],
      ['leading spaces', withUrl('  https://evil.example/'), url, 'url must not contain spaces; percent-encode them (%20).'],
      ['a space in the path', withUrl('https://evil.example/a b'), url, 'url must not contain spaces; percent-encode them (%20).'],
      ['a tab inside', withUrl('https://evil.ex\tample/'), url, 'url must not contain control characters; it has U+0009.'],
      [
        'a right-to-left override',
        withUrl('https://evil.example/\u202efdp.exe'),
        url,
        'url must not contain bidirectional-formatting characters; it has U+202E.',
      ],
      [
        'a lone surrogate',
        withUrl('https://evil.example/\ud800'),
        url,
        'url is not well-formed Unicode: it has a lone surrogate (U+D800).',
      ],
      ['javascript:', withUrl('javascript:alert(1)'), url, 'url must be an http(s) URL starting with http:// or https://.'],
      ['ftp:', withUrl('ftp://example.com/'), url, 'url must be an http(s) URL starting with http:// or https://.'],
      ['no host', withUrl('http:///path'), url, 'url must name a host.'],
      ['a port out of range', withUrl('https://example.com:99999/'), url, 'url is not a URL the WHATWG URL parser accepts.'],
      ['2001 characters', withUrl(`https://example.com/${'a'.repeat(1981)}`), url, 'url must be at most 2000 characters.'],
    ]);
  });

  it('are stored as the WHATWG parser normalises them: a homograph host in punycode, scheme and host lower-case', async () => {
    const cases: [string, string][] = [
      ['https://аррӏе.com/News?x=1#top', 'https://xn--80ak6aa92e.com/News?x=1#top'],
      ['HTTPS://Example.COM', 'https://example.com/'],
      ['http://example.com:80/a/../b', 'http://example.com/b'],
    ];
    for (const [sent, stored] of cases) {
      const payload = await send(RECORD, mined({ note: `url ${sent}`, source: { title: 'A source', url: sent } }));
      expect(payload.userErrors).toEqual([]);
      expect(payload.transaction.source.url).toBe(stored);
    }
  });
});

describe('names, notes and descriptions', () => {
  it('refuse lone surrogates and control characters instead of storing them altered', async () => {
    await refusedEach(CREATE_COMPANY, [
      [
        'a lone high surrogate',
        { name: 'Cango\ud800', ticker: 'LONE' },
        ['input', 'name'],
        'name is not well-formed Unicode: it has a lone surrogate (U+D800).',
      ],
      [
        'a lone low surrogate',
        { name: '\udfffCango', ticker: 'LONE' },
        ['input', 'name'],
        'name is not well-formed Unicode: it has a lone surrogate (U+DFFF).',
      ],
      ['a NUL', { name: 'Cango\u0000', ticker: 'LONE' }, ['input', 'name'], 'name must not contain control characters; it has U+0000.'],
      [
        'a line break in a name',
        { name: 'Can\ngo', ticker: 'LONE' },
        ['input', 'name'],
        'name must not contain control characters; it has U+000A.',
      ],
      [
        'a C1 control',
        { name: 'Cango\u0085', ticker: 'LONE' },
        ['input', 'name'],
        'name must not contain control characters; it has U+0085.',
      ],
      [
        'an escape in the exchange',
        { name: 'Cango', ticker: 'LONE', exchange: 'NY\u001bSE' },
        ['input', 'exchange'],
        'exchange must not contain control characters; it has U+001B.',
      ],
    ]);
    await refusedEach(RECORD, [
      ['a bell in a note', mined({ note: 'ding\u0007' }), ['input', 'note'], 'note must not contain control characters; it has U+0007.'],
      [
        'a lone surrogate in a note',
        mined({ note: 'half \ud83d' }),
        ['input', 'note'],
        'note is not well-formed Unicode: it has a lone surrogate (U+D83D).',
      ],
      [
        'a DEL in a title',
        mined({ source: { title: 'Title\u007f' } }),
        ['input', 'source', 'title'],
        'title must not contain control characters; it has U+007F.',
      ],
      [
        'a lone surrogate in a publisher',
        mined({ source: { title: 'T', publisher: '\udc00' } }),
        ['input', 'source', 'publisher'],
        'publisher is not well-formed Unicode: it has a lone surrogate (U+DC00).',
      ],
    ]);
  });

  it('store well-formed text exactly as sent: a note keeps its tabs and line breaks, emoji and scripts stay whole', async () => {
    const note = 'Line one\n\tLine two\r\n👨‍👩‍👧‍👦 شركة كانغو e\u0301';
    const payload = await send(RECORD, mined({ note, source: { title: '₿ report 🚀', publisher: 'קאנגו' } }));
    expect(payload.userErrors).toEqual([]);
    expect(payload.transaction).toMatchObject({ note, source: { title: '₿ report 🚀', url: null, publisher: 'קאנגו' } });
  });
});

describe('idempotency keys', () => {
  it('with a lone surrogate are refused, so keys that differ only there can never replay each other', async () => {
    await refusedEach(RECORD, [
      [
        'a lone high surrogate',
        mined({ idempotencyKey: 'retry-\ud800' }),
        ['input', 'idempotencyKey'],
        'idempotencyKey is not well-formed Unicode: it has a lone surrogate (U+D800).',
      ],
      [
        'another lone surrogate',
        mined({ idempotencyKey: 'retry-\udbff' }),
        ['input', 'idempotencyKey'],
        'idempotencyKey is not well-formed Unicode: it has a lone surrogate (U+DBFF).',
      ],
      [
        'a control character',
        mined({ idempotencyKey: 'retry-\u0001' }),
        ['input', 'idempotencyKey'],
        'idempotencyKey must not contain control characters; it has U+0001.',
      ],
    ]);
  });

  it('are compared exactly as sent: two keys of different emoji are two writes, the same key a replay', async () => {
    const first = await send(RECORD, mined({ note: 'keyed', idempotencyKey: 'retry-😀' }));
    const again = await send(RECORD, mined({ note: 'keyed', idempotencyKey: 'retry-😀' }));
    const other = await send(RECORD, mined({ note: 'keyed', idempotencyKey: 'retry-😁' }));
    expect([first.userErrors, again.userErrors, other.userErrors]).toEqual([[], [], []]);
    expect(again.transaction.id).toBe(first.transaction.id);
    expect(other.transaction.id).not.toBe(first.transaction.id);
  });
});

describe('tickers and symbols', () => {
  it('must be ASCII letters, digits, "." or "-", starting and ending with a letter or digit', async () => {
    const ticker = ['input', 'ticker'];
    const message = (sent: string) =>
      `ticker must be 1 to 12 ASCII letters, digits, "." or "-", starting and ending with a letter or digit; it was ${JSON.stringify(sent)}.`;
    const cases = ['.-', '-', '.', 'ABC.', '-ABC', 'ß', 'straße', 'ı', 'ＣＡＮＧ', 'CA NG', 'A'.repeat(13), '', '\tABC'];
    await refusedEach(
      CREATE_COMPANY,
      cases.map((sent) => [sent, { name: 'Symbol test', ticker: sent }, ticker, message(sent)]),
    );
    await refusedEach(CREATE_ASSET, [
      ['ß', { symbol: 'ß', name: 'x', kind: 'CRYPTO' }, ['input', 'symbol'], message('ß').replace('ticker', 'symbol')],
    ]);
  });

  it('are stored upper-case without the spaces around them', async () => {
    expect((await send(CREATE_COMPANY, { name: 'Berkshire', ticker: ' brk.b ' })).company).toEqual({ name: 'Berkshire', ticker: 'BRK.B' });
    expect((await send(CREATE_ASSET, { symbol: 'btc-usd', name: 'Pair', kind: 'CRYPTO' })).asset).toEqual({ symbol: 'BTC-USD' });
  });
});

/**
 * Malicious and malformed requests for hostile-input.db.test.ts, generated from tables: each
 * argument of the schema crossed with the values that attack it, plus attacks on the shape of
 * the HTTP request and of the GraphQL document. Seeded, so every run sends the same requests.
 */
import {
  asSymbol,
  BAD_AMOUNTS,
  BAD_BTC,
  BAD_DAYS,
  BAD_DECIMALS,
  BAD_IDS,
  BAD_INSTANTS,
  GOOD_DAYS,
  GOOD_PRICES,
  GOOD_INSTANTS,
  HOSTILE_STRINGS,
  OUT_OF_RANGE_PRICES,
  seededRandom,
  writableSymbol,
} from './hostile-values.js';

const base64 = (text: string) => Buffer.from(text).toString('base64');
const cursor = (...parts: unknown[]) => Buffer.from(JSON.stringify(parts)).toString('base64url');
const preview = (value: unknown) => {
  const text = value === undefined ? 'undefined' : JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}…(${text.length})` : text;
};

export interface GraphQLBody {
  data?: any;
  errors?: { message?: unknown; extensions?: Record<string, unknown> }[];
}

export interface HostileRequest {
  category: string;
  label: string;
  method: string;
  /** Appended to the GraphQL URL, e.g. `?query=...`. */
  search?: string;
  headers: Record<string, string>;
  body?: string | Uint8Array<ArrayBuffer> | FormData;
  /** What this request must get beyond the rules every response obeys: a problem, or null. */
  expect?: (body: GraphQLBody, status: number) => string | null;
  /** Only for the writes that may be accepted: what an accepted one must have stored. */
  accepted?: AcceptedWrite;
  /** Refused by Node's HTTP parser before express runs (headers over 16 KB): this status, and no body. */
  refusedByNode?: number;
}

export interface AcceptedWrite {
  /** May this value be stored, by the rules of the field it went into? */
  storable: boolean;
  /** The stored fields an accepted write must answer with. */
  stored: Record<string, unknown>;
  /** Rows an accepted write adds besides its treasury transaction. */
  adds: { sources: number; idempotencyKeys: number };
}

export interface HostileContext {
  /** CANG's global id, and the global id of its loan. */
  companyId: string;
  loanId: string;
  editor: Record<string, string>;
  reader: Record<string, string>;
  editorKey: string;
  maxBodyBytes: number;
  maxQueryLength: number;
}

const CODES_OF = (body: GraphQLBody) => (body.errors ?? []).map((error) => error.extensions?.code);

/** A refusal: errors, one of them with one of these codes (any code when none is given). */
const refused =
  (...codes: string[]) =>
  (body: GraphQLBody): string | null => {
    const got = CODES_OF(body);
    if (got.length === 0) return `expected a refusal${codes.length ? ` (${codes.join('/')})` : ''}, got ${preview(body.data)}`;
    if (codes.length && !got.some((code) => codes.includes(code as string))) return `expected ${codes.join('/')}, got ${got.join(',')}`;
    return null;
  };

const answered = (body: GraphQLBody): string | null => (body.errors ? `expected an answer, got ${CODES_OF(body).join(',')}` : null);

/** A value is either refused as BAD_USER_INPUT or answered: which one the table says. */
const byValidity = (valid: boolean | undefined) => (valid === undefined ? undefined : valid ? answered : refused('BAD_USER_INPUT'));

/** A write that wrote nothing: errors instead of a payload, or a payload with userErrors and no result. */
const writeRefused =
  (mutation: string, entity: string | null) =>
  (body: GraphQLBody): string | null => {
    const payload = body.data?.[mutation];
    if (payload === null || payload === undefined) return body.errors?.length ? null : 'neither a payload nor errors';
    const wrote = entity ? payload[entity] !== null : payload.inserted + payload.updated > 0;
    return !wrote && payload.userErrors?.length > 0 ? null : `the write was not refused: ${preview(payload)}`;
  };

function setPath(target: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(target);
  const keys = path.split('.');
  let node: any = copy;
  for (const key of keys.slice(0, -1)) node = node[key] ??= {};
  node[keys.at(-1)!] = value;
  return copy;
}

export function hostileRequests(ctx: HostileContext, seed = 20_260_209): { refusedOrRead: HostileRequest[]; writes: HostileRequest[] } {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  /** Reads go out with no key, a reader key or an editor key, so key lookup is attacked too. */
  const anyKey = () => pick([{}, {}, ctx.reader, ctx.editor]);
  const json = { 'content-type': 'application/json' };

  const requests: HostileRequest[] = [];
  const post = (
    category: string,
    label: string,
    query: string,
    variables?: Record<string, unknown>,
    options: { headers?: Record<string, string>; expect?: HostileRequest['expect'] } = {},
  ) =>
    requests.push({
      category,
      label,
      method: 'POST',
      headers: { ...json, ...(options.headers ?? anyKey()) },
      body: JSON.stringify({ query, variables }),
      ...(options.expect ? { expect: options.expect } : {}),
    });
  const raw = (
    category: string,
    label: string,
    body: HostileRequest['body'],
    headers: Record<string, string>,
    expect?: HostileRequest['expect'],
    method = 'POST',
    search?: string,
  ) => requests.push({ category, label, method, headers, body, ...(expect ? { expect } : {}), ...(search ? { search } : {}) });

  const READ = '{ company(ticker: "CANG") { name } }';
  // Refused once it runs (BTC exists), so content types that do run it write nothing either.
  const WRITE =
    'mutation { createAsset(input: { symbol: "BTC", name: "Hostile", kind: CRYPTO }) { asset { id } userErrors { code message } } }';

  // ---- the HTTP request ---------------------------------------------------------------
  const malformed: (string | Uint8Array<ArrayBuffer>)[] = [
    '',
    ' ',
    '{',
    '}',
    '{"query":',
    '{"query": "{ __typename }"',
    '{"query": "{ __typename }"}}',
    "{'query': '{ __typename }'}",
    '{query: "{ __typename }"}',
    'null',
    'true',
    '0',
    '-1',
    '1e308',
    '"{ __typename }"',
    '{"query": "{ __typename }",}',
    '{"query": "{ __typename }" "variables": {}}',
    '{"query": "\\u00"}',
    '{"query": "\\ud800"}',
    '{"query": NaN}',
    '{"query": undefined}',
    '\ufeff{"query": "{ __typename }"}',
    'query { __typename }',
    '<?xml version="1.0"?><query/>',
    `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
    `${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`,
    '{"__proto__": {"query": "{ __typename }"}}',
    '{"constructor": {"prototype": {"query": "{ __typename }"}}}',
    new Uint8Array([0x7b, 0x22, 0x71, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc0, 0x80, 0x22, 0x7d]),
    new Uint8Array(Buffer.from('{"query": "{ __typename }"}', 'utf16le')),
    new Uint8Array([0, 0, 0, 0]),
  ];
  for (const body of malformed)
    raw('malformed JSON body', `body ${preview(typeof body === 'string' ? body : `bytes ${body.length}`)}`, body, { ...json, ...anyKey() });

  // A mutation with an editor key in each content type: only JSON may run it (CSRF prevention).
  const csrfTypes = ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', undefined];
  for (const type of csrfTypes) {
    for (const [what, query] of [
      ['read', READ],
      ['write', WRITE],
    ] as const) {
      const form = new FormData();
      form.set('query', query);
      const body =
        type === 'multipart/form-data'
          ? form
          : type === 'application/x-www-form-urlencoded'
            ? `query=${encodeURIComponent(query)}`
            : JSON.stringify({ query });
      // fetch writes multipart's content type itself, with the boundary.
      const headers: Record<string, string> = {
        ...ctx.editor,
        ...(type && type !== 'multipart/form-data' ? { 'content-type': type } : {}),
      };
      raw('content type', `${what} as ${type ?? 'no content type'}`, body, headers, (b) =>
        b.data ? 'ran without a JSON content type' : refused('BAD_REQUEST')(b),
      );
    }
  }
  for (const type of [
    'application/graphql',
    'application/json; charset=utf-16',
    'application/json; charset=latin1',
    'application/json, text/plain',
    'APPLICATION/JSON',
    'application/jsonx',
    'application/graphql-response+json',
    '*/*',
    'text/html',
    'application/xml',
    'application/json; charset=utf-8; boundary=x',
  ]) {
    raw('content type', `write as ${type}`, JSON.stringify({ query: WRITE }), { ...ctx.editor, 'content-type': type }, (b) =>
      b.data?.createAsset?.asset ? 'a write succeeded' : null,
    );
  }

  const get = (label: string, params: Record<string, string>, headers: Record<string, string>, expect: HostileRequest['expect']) =>
    raw('GET and other methods', label, undefined, headers, expect, 'GET', `?${new URLSearchParams(params)}`);
  get('GET without preflight', { query: READ }, {}, refused('BAD_REQUEST'));
  get('GET mutation without preflight, editor key', { query: WRITE }, ctx.editor, refused('BAD_REQUEST'));
  get(
    'GET mutation with preflight, editor key',
    { query: WRITE },
    { ...ctx.editor, 'apollo-require-preflight': 'true' },
    refused('BAD_REQUEST'),
  );
  get('GET with preflight', { query: READ }, { 'apollo-require-preflight': 'true' }, answered);
  get(
    'GET with variables that are not JSON',
    { query: READ, variables: '{' },
    { 'apollo-require-preflight': 'true' },
    refused('BAD_REQUEST'),
  );
  get(
    'GET with extensions that are not JSON',
    { query: READ, extensions: '[' },
    { 'apollo-require-preflight': 'true' },
    refused('BAD_REQUEST'),
  );
  get('GET with a 15 KB query', { query: `{ __typename ${' '.repeat(15_000)}}` }, { 'apollo-require-preflight': 'true' }, answered);
  // A GET cannot carry a query over the length limit: Node refuses a request line over 16 KB first.
  requests.push({
    category: 'GET and other methods',
    label: 'GET with a 20 KB URL',
    method: 'GET',
    search: `?query=${'x'.repeat(20_000)}`,
    headers: {},
    refusedByNode: 431,
  });
  get(
    'GET with a hostile operation-name header',
    { query: READ },
    { 'apollo-require-preflight': 'true', 'x-apollo-operation-name': "' OR 1=1" },
    answered,
  );
  for (const method of ['PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
    raw(
      'GET and other methods',
      `${method} with a mutation`,
      method === 'OPTIONS' ? undefined : JSON.stringify({ query: WRITE }),
      { ...json, ...ctx.editor },
      refused(),
      method,
    );
  }

  // ---- the shape of the JSON body -----------------------------------------------------
  const shapes: [string, unknown, HostileRequest['expect']?][] = [
    ['batched array of two', [{ query: READ }, { query: READ }], refused('BAD_REQUEST')],
    ['batched array of two mutations', [{ query: WRITE }, { query: WRITE }], refused('BAD_REQUEST')],
    ['empty batch', [], refused('BAD_REQUEST')],
    ['nested batch', [[{ query: READ }]], refused('BAD_REQUEST')],
    ['batch of 1,000', Array.from({ length: 1000 }, () => ({ query: READ })), refused('BAD_REQUEST')],
    ['empty object', {}, refused('BAD_REQUEST')],
    ['unknown keys beside the query', { query: READ, foo: 1, id: "' OR 1=1", sql: 'drop table companies' }, answered],
    ['query is a number', { query: 5 }, refused('BAD_REQUEST')],
    ['query is an array', { query: [READ] }, refused('BAD_REQUEST')],
    ['query is an object', { query: { kind: 'Document' } }, refused('BAD_REQUEST')],
    ['query is null', { query: null }, refused('BAD_REQUEST')],
    ['variables is a string', { query: READ, variables: '{}' }, refused('BAD_REQUEST')],
    ['variables is an array', { query: READ, variables: [1] }, refused('BAD_REQUEST')],
    ['variables is null', { query: READ, variables: null }, answered],
    ['operationName is an object', { query: READ, operationName: {} }, refused('BAD_REQUEST')],
    ['operationName names no operation', { query: READ, operationName: "' OR 1=1 --" }, refused()],
    ['extensions is an array', { query: READ, extensions: [] }, refused('BAD_REQUEST')],
    [
      'a persisted query hash that is unknown',
      { extensions: { persistedQuery: { version: 1, sha256Hash: "' OR 1=1 --" } } },
      refused('PERSISTED_QUERY_NOT_FOUND'),
    ],
    [
      'a persisted query of an unknown version',
      { query: READ, extensions: { persistedQuery: { version: 99, sha256Hash: '0'.repeat(64) } } },
      refused('BAD_REQUEST'),
    ],
    [
      'a persisted query hash that is not the query',
      { query: WRITE, extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } } },
      refused('BAD_REQUEST'),
    ],
  ];
  for (const [label, body, expect] of shapes) raw('JSON body shape', label, JSON.stringify(body), { ...json, ...ctx.editor }, expect);

  // ---- oversized ------------------------------------------------------------------------
  const big = (label: string, body: string, expect: HostileRequest['expect']) =>
    raw('oversized', label, body, { ...json, ...anyKey() }, expect);
  big(
    'a body one byte over the limit',
    JSON.stringify({ query: READ, variables: { pad: 'x'.repeat(ctx.maxBodyBytes) } }).slice(0, ctx.maxBodyBytes + 1),
    refused('PAYLOAD_TOO_LARGE'),
  );
  big('a 3 MB body', JSON.stringify({ query: READ, variables: { pad: 'x'.repeat(3_000_000) } }), refused('PAYLOAD_TOO_LARGE'));
  big(
    'a query one character over the limit',
    JSON.stringify({ query: `{ __typename ${' '.repeat(ctx.maxQueryLength)}}`.slice(0, ctx.maxQueryLength + 1) }),
    refused('QUERY_TOO_LONG'),
  );
  big('an unused 1.9 MB variable', JSON.stringify({ query: READ, variables: { pad: 'x'.repeat(1_900_000) } }), answered);
  big(
    'a 1.9 MB ticker',
    JSON.stringify({ query: 'query ($v: String!) { company(ticker: $v) { name } }', variables: { v: 'x'.repeat(1_900_000) } }),
    answered,
  );
  const list = (query: string, item: (i: number) => unknown) =>
    JSON.stringify({ query, variables: { v: Array.from({ length: 70_000 }, (_, i) => item(i)) } });
  big(
    '70,000 tickers',
    list('query ($v: [String!]) { companies(filter: { tickers: $v }) { totalCount } }', (i) => `T${i}`),
    answered,
  );
  big(
    '70,000 regions',
    list('query ($v: [String!]) { company(ticker: "CANG") { sites(filter: { regions: $v }) { totalCount } } }', (i) => `R${i}`),
    answered,
  );
  big(
    '70,000 kinds',
    list(
      'query ($v: [TreasuryTransactionKind!]) { company(ticker: "CANG") { treasuryTransactions(filter: { kinds: $v }) { totalCount } } }',
      () => 'SOLD',
    ),
    answered,
  );
  big(
    'a variable nested 100,000 deep',
    `{"query":"query ($v: CompanyFilter) { companies(filter: $v) { totalCount } }","variables":{"v":{"tickers":${'['.repeat(100_000)}${']'.repeat(100_000)}}}}`,
    refused('BAD_USER_INPUT'),
  );
  big(
    'an input object nested 20,000 deep',
    `{"query":"query ($v: CompanyFilter) { companies(filter: $v) { totalCount } }","variables":{"v":${'{"nameContains":'.repeat(20_000)}"x"${'}'.repeat(20_000)}}}`,
    refused('BAD_USER_INPUT'),
  );

  // ---- fuzzed bodies: valid requests with seeded random damage -------------------------
  // Mutations go without a key (or with a reader's), so no edit can turn one into a write that succeeds.
  const fuzzBases = [
    {
      body: JSON.stringify({
        query: 'query ($t: String!, $on: Date) { company(ticker: $t) { holdings(on: $on) { btc } loans { ltv(btcPriceUsd: "70000") } } }',
        variables: { t: 'CANG', on: '2026-02-09' },
      }),
      headers: () => anyKey(),
    },
    {
      body: JSON.stringify({
        query:
          '{ companies(first: 5, filter: { nameContains: "an" }) { edges { cursor node { ticker sites(first: 2) { totalCount } } } } }',
      }),
      headers: () => anyKey(),
    },
    {
      body: JSON.stringify({
        query: `mutation ($i: RecordTreasuryTransactionInput!) { recordTreasuryTransaction(input: $i) { transaction { id } userErrors { code } } }`,
        variables: {
          i: { companyId: ctx.companyId, kind: 'MINED', btc: '1', occurredOn: '2026-02-10', note: 'fuzz', source: { title: 'fuzz' } },
        },
      }),
      headers: () => pick([{}, ctx.reader]),
    },
  ];
  const junk = ['{', '}', '[', ']', '"', ':', ',', '\\', '\u0000', "'", '\ud800', '🚀', 'e', '-', '9', ' ', 'null', '{"a":', '"\\u'];
  for (let i = 0; i < 150; i += 1) {
    const base = pick(fuzzBases);
    let text = base.body;
    const edits = 1 + Math.floor(random() * 4);
    for (let e = 0; e < edits; e += 1) {
      const at = Math.floor(random() * text.length);
      const kind = Math.floor(random() * 4);
      if (kind === 0) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 5));
      else if (kind === 1) text = text.slice(0, at) + pick(junk) + text.slice(at);
      else if (kind === 2) text = text.slice(0, at) + text.slice(at, at + 20) + text.slice(at);
      else text = text.slice(0, at);
    }
    raw('fuzzed body', `fuzz #${i}`, text, { ...json, ...base.headers() });
  }

  // ---- every string argument of the reads x hostile strings ---------------------------
  const nul = (value: unknown) => typeof value === 'string' && value.includes('\u0000');
  /** With NUL, a request must be refused as BAD_USER_INPUT; otherwise, if answered, it must mean what it says. */
  const meaning =
    (value: string, check: (data: any) => string | null) =>
    (body: GraphQLBody): string | null =>
      nul(value) ? refused('BAD_USER_INPUT')(body) : body.data && !body.errors ? check(body.data) : null;
  type Meaning = (value: string) => (data: any) => string | null;
  // Tickers and symbols are trimmed and upper-cased before the lookup (a BOM is whitespace to JavaScript).
  const noCompany: Meaning = (v) => (d) => (d.company === null || d.company.ticker === asSymbol(v) ? null : `found ${d.company.ticker}`);
  const noAsset: Meaning = (v) => (d) => (d.asset === null || d.asset.symbol === asSymbol(v) ? null : `found ${d.asset.symbol}`);
  // Wildcards and backslashes match themselves: only a true substring of "Cango Inc." matches.
  const nameMatches: Meaning = (v) => (d) => {
    const want = 'cango inc.'.includes(v.toLowerCase()) ? 1 : 0;
    return d.companies.totalCount === want ? null : `matched ${d.companies.totalCount} companies, expected ${want}`;
  };
  const noSites: Meaning = () => (d) => (d.company.sites.totalCount === 0 ? null : 'matched sites');
  const stringArguments: [string, string, Meaning][] = [
    ['company(ticker)', 'query ($v: String!) { company(ticker: $v) { ticker } }', noCompany],
    ['asset(symbol)', 'query ($v: String!) { asset(symbol: $v) { symbol } }', noAsset],
    ['companies(filter.nameContains)', 'query ($v: String) { companies(filter: { nameContains: $v }) { totalCount } }', nameMatches],
    [
      'companies(filter.tickers)',
      'query ($v: String!) { companies(filter: { tickers: [$v, "CANG"] }) { totalCount } }',
      () => (d) => (d.companies.totalCount === 1 ? null : `matched ${d.companies.totalCount}`),
    ],
    [
      'companies(after)',
      'query ($v: String) { companies(after: $v) { totalCount } }',
      (v) => () => (v === '' ? null : 'a hostile string was taken as a cursor'),
    ],
    [
      'companies(after: cursor with the string as its ticker)',
      'query ($v: String) { companies(after: $v) { edges { node { ticker } } } }',
      () => () => null,
    ],
    [
      'companies(orderBy: NAME_ASC, after: cursor with the string as its name)',
      'query ($v: String) { companies(orderBy: NAME_ASC, after: $v) { edges { node { ticker } } } }',
      () => () => null,
    ],
    [
      'Company.sites(filter.regions)',
      'query ($v: String!) { company(ticker: "CANG") { sites(filter: { regions: [$v] }) { totalCount } } }',
      noSites,
    ],
    [
      'Company.sites(after: cursor with the string as its name)',
      'query ($v: String) { company(ticker: "CANG") { sites(after: $v) { totalCount } } }',
      () => () => null,
    ],
    [
      'Company.productionReports(after)',
      'query ($v: String) { company(ticker: "CANG") { productionReports(after: $v) { totalCount } } }',
      (v) => () => (v === '' ? null : 'a hostile string was taken as a cursor'),
    ],
    [
      'Company.treasuryTransactions(after: cursor with the string as its day)',
      'query ($v: String) { company(ticker: "CANG") { treasuryTransactions(after: $v) { totalCount } } }',
      () => () => 'a hostile day was taken',
    ],
    ['node(id)', 'query ($v: ID!) { node(id: $v) { id } }', () => (d) => (d.node === null ? null : 'found a node')],
  ];
  const wrapped: Record<string, (v: string) => string> = {
    'companies(after: cursor with the string as its ticker)': (v) => cursor('companies:TICKER_ASC', v),
    'companies(orderBy: NAME_ASC, after: cursor with the string as its name)': (v) => cursor('companies:NAME_ASC', v, '1'),
    'Company.sites(after: cursor with the string as its name)': (v) => cursor('sites', v, '1'),
    'Company.treasuryTransactions(after: cursor with the string as its day)': (v) => cursor('treasuryTransactions', v, '1'),
  };
  // Inside a cursor the text is JSON-escaped and base64url-encoded, and still reaches SQL.
  for (const [path, query, check] of stringArguments) {
    for (const value of HOSTILE_STRINGS) {
      const sent = wrapped[path]?.(value) ?? value;
      post('string argument x hostile string', `${path} = ${preview(value)}`, query, { v: sent }, { expect: meaning(value, check(value)) });
    }
  }
  // The same strings as literals in the document, where the GraphQL lexer reads them first.
  const literalArguments: [string, (literal: string) => string, Meaning][] = [
    ['company(ticker: literal)', (l) => `{ company(ticker: ${l}) { ticker } }`, noCompany],
    ['companies(filter: { nameContains: literal })', (l) => `{ companies(filter: { nameContains: ${l} }) { totalCount } }`, nameMatches],
    [
      'Company.sites(filter: { regions: [literal] })',
      (l) => `{ company(ticker: "CANG") { sites(filter: { regions: [${l}] }) { totalCount } } }`,
      noSites,
    ],
  ];
  for (const [path, query, check] of literalArguments) {
    for (const value of HOSTILE_STRINGS) {
      // JSON's string escapes are GraphQL's too; a lone surrogate's escape is a syntax error there.
      post('string literal x hostile string', `${path} = ${preview(value)}`, query(JSON.stringify(value)), undefined, {
        expect: meaning(value, check(value)),
      });
    }
    post('string literal x hostile string', `${path} = block string with quotes`, query('"""\\""" \' OR 1=1 -- """'), undefined, {});
  }

  // ---- variables of the wrong type -------------------------------------------------------
  const typed: [string, string][] = [
    ['String!', '{ company(ticker: $v) { ticker } }'],
    ['ID!', '{ node(id: $v) { id } }'],
    ['Int', '{ companies(first: $v) { totalCount } }'],
    ['Decimal', '{ company(ticker: "CANG") { loans { ltv(btcPriceUsd: $v) } } }'],
    ['Date', '{ company(ticker: "CANG") { holdings(on: $v) { btc } } }'],
    ['DateTime!', '{ asset(symbol: "BTC") { priceAt(at: $v) { priceUsd } } }'],
    ['CompanyOrder', '{ companies(orderBy: $v) { totalCount } }'],
    [
      'CandleInterval!',
      '{ asset(symbol: "BTC") { candles(from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z", interval: $v) { close } } }',
    ],
    ['Boolean', '{ asset(symbol: "CANG") { latestPrice(adjusted: $v) { priceUsd } } }'],
    ['[String!]', '{ companies(filter: { tickers: $v }) { totalCount } }'],
    ['CompanyFilter', '{ companies(filter: $v) { totalCount } }'],
    ['[TreasuryTransactionKind!]', '{ company(ticker: "CANG") { treasuryTransactions(filter: { kinds: $v }) { totalCount } } }'],
  ];
  const wrongValues: unknown[] = [
    1,
    -1,
    1.5,
    true,
    null,
    [],
    {},
    ['x'],
    [null],
    { $ne: 1 },
    { $gt: '' },
    'MINED',
    'mined',
    'DAY',
    2 ** 53,
    '1',
    [[['x']]],
    { tickers: 'x' },
  ];
  for (const [type, selection] of typed) {
    for (const value of wrongValues) {
      const query = `query ($v: ${type}) ${selection}`;
      post('variable of the wrong type', `$v: ${type} = ${preview(value)}`, query, { v: value });
    }
  }
  // Input objects with keys they do not have, as variables and as literals.
  const unknownKeys: [string, string, unknown][] = [
    ['CompanyFilter', 'companies(filter: $v) { totalCount }', { nameContains: 'a', foo: 1 }],
    ['CompanyFilter', 'companies(filter: $v) { totalCount }', { constructor: { prototype: { polluted: true } } }],
    ['CompanyFilter', 'companies(filter: $v) { totalCount }', JSON.parse('{"__proto__": {"tickers": ["CANG"]}}')],
    ['SiteFilter', 'company(ticker: "CANG") { sites(filter: $v) { totalCount } }', { regions: ['x'], region: 'x' }],
    [
      'TreasuryTransactionFilter',
      'company(ticker: "CANG") { treasuryTransactions(filter: $v) { totalCount } }',
      { from: '2026-01-01', sql: "' OR 1=1" },
    ],
  ];
  for (const [type, selection, value] of unknownKeys) {
    post(
      'unknown input field',
      `${type} with ${preview(value)}`,
      `query ($v: ${type}) { ${selection} }`,
      { v: value },
      { expect: refused('BAD_USER_INPUT') },
    );
  }
  post(
    'unknown input field',
    'a literal CompanyFilter with an unknown field',
    '{ companies(filter: { nameContains: "a", where: "1=1" }) { totalCount } }',
    undefined,
    { expect: refused('GRAPHQL_VALIDATION_FAILED') },
  );
  post('unknown input field', 'an unknown argument', '{ company(ticker: "CANG", where: "1=1") { name } }', undefined, {
    expect: refused('GRAPHQL_VALIDATION_FAILED'),
  });

  // ---- Int arguments: first --------------------------------------------------------------
  const connections: [string, string][] = [
    ['companies', '{ companies(first: $n) { totalCount } }'],
    ['sites', '{ company(ticker: "CANG") { sites(first: $n) { totalCount } } }'],
    ['productionReports', '{ company(ticker: "CANG") { productionReports(first: $n) { totalCount } } }'],
    ['treasuryTransactions', '{ company(ticker: "CANG") { treasuryTransactions(first: $n) { totalCount } } }'],
  ];
  // Raw JSON, so that 1e5, 1E2 and 1.0 arrive written that way: true where the value is a valid first.
  const firsts: [string, boolean][] = [
    ['-1', false],
    ['101', false],
    ['2147483647', false],
    ['2147483648', false],
    ['-2147483649', false],
    ['9007199254740992', false],
    ['1e308', false],
    ['-1e308', false],
    ['1.5', false],
    ['1e5', false],
    ['"10"', false],
    ['[10]', false],
    ['1E2', true],
    ['1.0', true],
    ['0', true],
    ['100', true],
    ['null', true],
  ];
  for (const [name, selection] of connections) {
    for (const [value, valid] of firsts) {
      raw(
        'Int argument (first)',
        `${name}(first: ${value})`,
        `{"query": ${JSON.stringify(`query ($n: Int) ${selection}`)}, "variables": {"n": ${value}}}`,
        { ...json, ...anyKey() },
        byValidity(valid),
      );
    }
    for (const literal of ['-1', '1e5', '99999999999999999999', '1.5', '"10"', '101']) {
      post('Int argument (first)', `${name}(first: ${literal}) as a literal`, selection.replace('$n', literal), undefined, {
        expect: refused(),
      });
    }
  }

  // ---- Decimal arguments ------------------------------------------------------------------
  const LTV = 'query ($v: Decimal) { company(ticker: "CANG") { loans { ltv(btcPriceUsd: $v) marginCallPriceUsd } } }';
  for (const value of BAD_DECIMALS)
    post('Decimal argument', `ltv(btcPriceUsd: ${preview(value)})`, LTV, { v: value }, { expect: refused('BAD_USER_INPUT') });
  for (const value of OUT_OF_RANGE_PRICES)
    post('Decimal argument', `ltv(btcPriceUsd: ${preview(value)})`, LTV, { v: value }, { expect: refused('BAD_USER_INPUT') });
  for (const value of GOOD_PRICES) post('Decimal argument', `ltv(btcPriceUsd: ${preview(value)})`, LTV, { v: value }, { expect: answered });
  for (const [literal, valid] of [
    ['1.5', false],
    ['1e5', false],
    ['"1e5"', false],
    ['99999999999999999999', false],
    ['70000', true],
    ['-1', false],
    ['"70000.5"', true],
  ] as const) {
    post(
      'Decimal argument',
      `ltv(btcPriceUsd: ${literal}) as a literal`,
      `{ company(ticker: "CANG") { loans { ltv(btcPriceUsd: ${literal}) } } }`,
      undefined,
      { expect: byValidity(valid) },
    );
  }

  // ---- days and instants -------------------------------------------------------------------
  const dayArguments: [string, string][] = [
    ['holdings(on)', '{ company(ticker: "CANG") { holdings(on: $v) { btc valueUsd pledgedBtc } } }'],
    [
      'treasuryFlow(from)',
      '{ company(ticker: "CANG") { treasuryFlow(from: $v, to: "9999-12-31") { openingBtc closingBtc unexplainedBtc } } }',
    ],
    ['treasuryFlow(to)', '{ company(ticker: "CANG") { treasuryFlow(from: "0001-01-01", to: $v) { openingBtc closingBtc } } }'],
    ['holdingsHistory(from)', '{ company(ticker: "CANG") { holdingsHistory(from: $v, to: "9999-12-31", interval: YEAR) { on btc } } }'],
    ['holdingsHistory(to)', '{ company(ticker: "CANG") { holdingsHistory(from: "2026-01-01", to: $v, interval: WEEK) { on btc } } }'],
    ['treasuryTransactions(filter.from)', '{ company(ticker: "CANG") { treasuryTransactions(filter: { from: $v }) { totalCount } } }'],
    ['treasuryTransactions(filter.to)', '{ company(ticker: "CANG") { treasuryTransactions(filter: { to: $v }) { totalCount } } }'],
  ];
  for (const [path, selection] of dayArguments) {
    const query = `query ($v: Date!) ${selection}`;
    for (const value of BAD_DAYS)
      post('Date and DateTime arguments', `${path} = ${preview(value)}`, query, { v: value }, { expect: refused('BAD_USER_INPUT') });
    // A day that exists may still make too long a window; whichever, never an internal error.
    for (const value of GOOD_DAYS) post('Date and DateTime arguments', `${path} = ${preview(value)}`, query, { v: value });
  }
  // The calendar's edges: the week and year holding 9999-12-31 end in year 10000; years 0-99.
  const history = (from: string, to: string, interval: string, want: string[] | null) =>
    post(
      'Date and DateTime arguments',
      `holdingsHistory(${from}..${to}, ${interval})`,
      `{ company(ticker: "CANG") { holdingsHistory(from: "${from}", to: "${to}", interval: ${interval}) { on } } }`,
      undefined,
      {
        expect: (body) => {
          if (want === null) return refused('BAD_USER_INPUT')(body);
          const got = body.data?.company?.holdingsHistory?.map((point: { on: string }) => point.on);
          return JSON.stringify(got) === JSON.stringify(want) ? null : `points ${preview(got)}, expected ${preview(want)}`;
        },
      },
    );
  history('9999-12-20', '9999-12-31', 'WEEK', ['9999-12-26', '9999-12-31']);
  history('9999-12-31', '9999-12-31', 'YEAR', ['9999-12-31']);
  history('9999-10-15', '9999-12-31', 'QUARTER', ['9999-12-31']);
  history('9999-12-01', '9999-12-31', 'MONTH', ['9999-12-31']);
  history('0050-01-01', '0050-03-31', 'MONTH', ['0050-01-31', '0050-02-28', '0050-03-31']);
  history('0001-01-01', '0001-01-02', 'DAY', ['0001-01-01', '0001-01-02']);
  history('0001-01-01', '9999-12-31', 'DAY', null);
  history('0001-01-01', '9999-12-31', 'WEEK', null);
  history('2026-02-09', '2026-01-01', 'DAY', null);

  const instantArguments: [string, string][] = [
    ['priceAt(at)', '{ asset(symbol: "BTC") { priceAt(at: $v) { priceUsd } } }'],
    ['candles(from)', '{ asset(symbol: "BTC") { candles(from: $v, to: "2026-03-01T00:00:00Z", interval: MONTH) { close } } }'],
    ['candles(to)', '{ asset(symbol: "BTC") { candles(from: "2025-01-01T00:00:00Z", to: $v, interval: MONTH) { close } } }'],
    ['change(from)', '{ asset(symbol: "CANG") { change(from: $v) { changePercent } } }'],
    ['change(to)', '{ asset(symbol: "BTC") { change(from: "2025-01-01T00:00:00Z", to: $v) { changePercent high low } } }'],
  ];
  for (const [path, selection] of instantArguments) {
    const query = `query ($v: DateTime!) ${selection}`;
    for (const value of BAD_INSTANTS)
      post('Date and DateTime arguments', `${path} = ${preview(value)}`, query, { v: value }, { expect: refused('BAD_USER_INPUT') });
    for (const value of GOOD_INSTANTS) post('Date and DateTime arguments', `${path} = ${preview(value)}`, query, { v: value });
  }
  for (const interval of ['HOUR', 'DAY', 'WEEK', 'MONTH']) {
    post(
      'Date and DateTime arguments',
      `candles over 9,999 years by ${interval}`,
      `{ asset(symbol: "BTC") { candles(from: "0001-01-01T00:00:00Z", to: "9999-12-31T23:59:59Z", interval: ${interval}) { close } } }`,
    );
  }

  // ---- ids and cursors -----------------------------------------------------------------------
  for (const id of BAD_IDS) {
    post(
      'global ids and cursors',
      `node(id: ${preview(id)})`,
      'query ($v: ID!) { node(id: $v) { id } }',
      { v: id },
      {
        expect: (body) => (body.data?.node ? 'found a node' : null),
      },
    );
  }
  const cursorKeys: unknown[][] = [
    [],
    ['x'],
    [1],
    [null],
    [{}],
    [[]],
    ['2026-02-30', '1'],
    ['2026-01-31', '-1'],
    ['2026-01-31', '99999999999999999999'],
    ['2026-01-31', '1 OR 1=1'],
    ['2026-01-31', '1', 'extra'],
    ['9999-12-31', '999999999999999999'],
    ['\u0000', '1'],
    ["' OR 1=1 --", '1'],
    ['1e5', '1'],
    ['NaN', '1'],
    ['9'.repeat(31), '1'],
    ['2026-01-31', '1\u0000'],
  ];
  const cursorConnections: [string, string][] = [
    ['companies:TICKER_ASC', '{ companies(after: $v) { totalCount } }'],
    ['companies:NAME_ASC', '{ companies(orderBy: NAME_ASC, after: $v) { totalCount } }'],
    ['companies:HOLDINGS_DESC', '{ companies(orderBy: HOLDINGS_DESC, after: $v) { totalCount } }'],
    ['sites', '{ company(ticker: "CANG") { sites(after: $v) { totalCount } } }'],
    ['productionReports', '{ company(ticker: "CANG") { productionReports(after: $v) { totalCount } } }'],
    ['treasuryTransactions', '{ company(ticker: "CANG") { treasuryTransactions(after: $v) { totalCount } } }'],
  ];
  for (const [connection, selection] of cursorConnections) {
    for (const key of cursorKeys) {
      post(
        'global ids and cursors',
        `${connection} cursor ${preview(key)}`,
        `query ($v: String) ${selection}`,
        { v: cursor(connection, ...key) },
        {
          expect: (body) => (key.some(nul) ? refused('BAD_USER_INPUT')(body) : null),
        },
      );
    }
  }
  for (const text of [
    '{"a":1}',
    'null',
    '"companies:TICKER_ASC"',
    '["companies:TICKER_ASC","__proto__"]',
    '['.repeat(10_000),
    '["sites"]',
    '[]',
  ]) {
    post('global ids and cursors', `cursor of ${preview(text)}`, 'query ($v: String) { companies(after: $v) { totalCount } }', {
      v: Buffer.from(text).toString('base64url'),
    });
  }

  // ---- the shape of the document -------------------------------------------------------------
  const nested = (rounds: number) => {
    let selection = 'name';
    for (let i = 0; i < rounds; i += 1) selection = `sites(first: 1) { edges { node { company { ${selection} } } } }`;
    return `{ company(ticker: "CANG") { ${selection} } }`;
  };
  const fanOut = (root: boolean, levels: number, width: number) => {
    let document = root ? 'query { ...F0 }' : 'query { company(ticker: "CANG") { ...F0 } }';
    for (let i = 0; i < levels; i += 1) {
      const spreads = Array.from({ length: width }, () => (i === levels - 1 ? (root ? '__typename' : 'name') : `...F${i + 1}`)).join(' ');
      document += ` fragment F${i} on ${root ? 'Query' : 'Company'} { ${spreads} }`;
    }
    return document;
  };
  const repeat = (count: number, make: (i: number) => string, joiner = ' ') =>
    Array.from({ length: count }, (_, i) => make(i)).join(joiner);
  const documents: [string, string, HostileRequest['expect'], Record<string, unknown>?][] = [
    ['14 levels deep', nested(3), refused('QUERY_TOO_DEEP')],
    ['as deep as the length limit allows', nested(180).slice(0, ctx.maxQueryLength), refused()],
    ['31 aliases', `{ ${repeat(31, (i) => `a${i}: __typename`)} }`, refused('TOO_MANY_ALIASES')],
    ['1,000 aliases', `{ ${repeat(1000, (i) => `a${i}: __typename`)} }`, refused('TOO_MANY_ALIASES')],
    [
      'aliases of a costly field',
      `{ company(ticker: "CANG") { ${repeat(29, (i) => `h${i}: holdingsHistory(from: "2024-01-01", to: "2026-09-26", interval: DAY) { btc valueUsd }`)} } }`,
      refused('QUERY_TOO_COMPLEX'),
    ],
    ['21 root fields', `{ ${repeat(21, () => '__typename')} }`, refused('TOO_MANY_ROOT_FIELDS')],
    ['fragments fanning out at the root, 6^12', fanOut(true, 12, 6), refused('TOO_MANY_ROOT_FIELDS')],
    ['fragments fanning out in a company, 10^40', fanOut(false, 40, 10), refused('QUERY_TOO_BROAD')],
    [
      'fragments fanning out, each level aliased',
      `query { ...F0 } ${repeat(10, (i) => `fragment F${i} on Query { a: __typename ${i < 9 ? `...F${i + 1} ...F${i + 1}` : ''} }`)}`,
      refused(),
    ],
    ['cyclic fragments', 'query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }', refused('GRAPHQL_VALIDATION_FAILED')],
    ['a self-spreading fragment', 'query { ...A } fragment A on Query { __typename ...A }', refused('GRAPHQL_VALIDATION_FAILED')],
    [
      'a cycle through a nested selection',
      '{ company(ticker: "CANG") { ...C } } fragment C on Company { sites { edges { node { company { ...C } } } } }',
      refused('GRAPHQL_VALIDATION_FAILED'),
    ],
    ['an unknown fragment', '{ ...Nope }', refused('GRAPHQL_VALIDATION_FAILED')],
    [
      'a fragment on the wrong type',
      '{ company(ticker: "CANG") { ...A } } fragment A on Asset { symbol }',
      refused('GRAPHQL_VALIDATION_FAILED'),
    ],
    [
      '1,000 unused fragments',
      `{ __typename } ${repeat(1000, (i) => `fragment U${i} on Query { __typename }`)}`.slice(0, ctx.maxQueryLength),
      refused(),
    ],
    ['a field repeated 3,900 times', `{ company(ticker: "CANG") { ${'name '.repeat(3900)}} }`, refused()],
    [
      'a field repeated with 600 different arguments',
      `${`{ company(ticker: "CANG") { ${repeat(600, (i) => `holdings(on: "2026-01-${String((i % 28) + 1).padStart(2, '0')}") { btc }`)} } }`.slice(0, ctx.maxQueryLength - 4)} } }`,
      refused(),
    ],
    [
      'a directive repeated 1,000 times',
      `{ company(ticker: "CANG") { name${' @include(if: true)'.repeat(1000)} } }`,
      refused('GRAPHQL_VALIDATION_FAILED'),
    ],
    [
      'an unknown directive',
      '{ company(ticker: "CANG") @sql(query: "drop table companies") { name } }',
      refused('GRAPHQL_VALIDATION_FAILED'),
    ],
    [
      '@include with a string',
      'query ($v: Boolean!) { company(ticker: "CANG") @include(if: $v) { name } }',
      refused('BAD_USER_INPUT'),
      { v: 'yes' },
    ],
    ['a list literal nested 9,000 deep', `{ company(ticker: ${'['.repeat(9000)}"x"${']'.repeat(9000)}) { name } }`, refused()],
    [
      'an object literal nested 3,000 deep',
      `{ companies(filter: ${'{ a: '.repeat(3000)}1${' }'.repeat(3000)}) { totalCount } }`,
      refused(),
    ],
    // Inline fragments add no depth: this one is a plain company { name }.
    [
      'inline fragments nested 1,000 deep',
      `{ company(ticker: "CANG") { ${'... on Company { '.repeat(1000)}name${' }'.repeat(1000)} } }`,
      answered,
    ],
    ['selection sets nested 4,000 deep', `${'{ a '.repeat(4000)}${'}'.repeat(4000)}`, refused()],
    ['500 operations and no operationName', repeat(500, (i) => `query Q${i} { __typename }`), refused('OPERATION_RESOLUTION_FAILURE')],
    // Subscriptions are served over WebSocket only: by HTTP, even a valid one is refused.
    ['a subscription over HTTP', 'subscription { factsChanged { reason } }', refused('BAD_REQUEST')],
    ['a mutation selecting nothing', 'mutation { __typename }', undefined],
    [
      'introspection 12 levels deep',
      '{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } } } }',
      undefined,
    ],
    ['introspection of a hostile type name', '{ __type(name: "\' OR 1=1 --") { name } }', answered],
    ['1,000 unused variables', `query (${repeat(1000, (i) => `$v${i}: Int`)}) { __typename }`, refused('GRAPHQL_VALIDATION_FAILED')],
    ['a variable of an unknown type', 'query ($v: Sql) { __typename }', refused('GRAPHQL_VALIDATION_FAILED')],
    [
      'a variable defined twice',
      'query ($v: Int, $v: String) { companies(first: $v) { totalCount } }',
      refused('GRAPHQL_VALIDATION_FAILED'),
    ],
    ['an undefined variable', '{ companies(first: $nope) { totalCount } }', refused('GRAPHQL_VALIDATION_FAILED')],
    ['19,000 characters of comments', `${'#'.repeat(19_000)}\n{ __typename }`, answered],
    ['19,000 commas', `{ ${','.repeat(19_000)} __typename }`, answered],
    ['a 19,000-character block string', `{ company(ticker: """${'x'.repeat(19_000)}""") { name } }`, answered],
    ['an empty document', '', refused()],
    ['only whitespace', ' \n\t ', refused()],
    ['a byte-order mark before the document', '\ufeff{ __typename }', answered],
    [
      'lists multiplied past the cost limit',
      '{ companies(first: 100) { edges { node { productionReports(first: 100) { edges { node { minedBtc } } } treasuryTransactions(first: 100) { edges { node { btc } } } } } } }',
      refused('QUERY_TOO_COMPLEX'),
    ],
  ];
  for (const [label, query, expect, variables] of documents) {
    post('document shape', label, query, variables, { headers: pick([{}, ctx.editor]), ...(expect ? { expect } : {}) });
  }

  // ---- API keys -----------------------------------------------------------------------------
  const authorizations = [
    'Bearer',
    'Bearer ',
    'Bearer mg_',
    'Bearer mg_not-a-key',
    "Bearer ' OR 1=1 --",
    'Bearer %',
    `Bearer ${'x'.repeat(8000)}`,
    'Basic dXNlcjpwYXNz',
    `Bearer ${ctx.editorKey.toUpperCase()}`,
    `Bearer ${ctx.editorKey} extra`,
    `Token ${ctx.editorKey}`,
    ctx.editorKey,
    `Bearer ${ctx.editorKey.slice(0, -1)}`,
  ];
  for (const authorization of authorizations) {
    for (const [what, query] of [
      ['read', READ],
      ['write', WRITE],
    ]) {
      post('API keys', `${what} with Authorization: ${preview(authorization)}`, query!, undefined, {
        headers: { authorization },
        expect: refused('UNAUTHENTICATED'),
      });
    }
  }
  for (const requestId of ["' OR 1=1 --", 'x'.repeat(8000), '../../etc/passwd', '%00', '<script>']) {
    post('API keys', `X-Request-Id: ${preview(requestId)}`, READ, undefined, { headers: { 'x-request-id': requestId }, expect: answered });
  }

  // ---- writes that must be refused ---------------------------------------------------------
  const nowhere = base64('Company:999999999999999999');
  const mutations: Record<string, { entity: string | null; input: Record<string, unknown>; refusedInput: Record<string, unknown> }> = {
    recordTreasuryTransaction: {
      entity: 'transaction',
      input: {
        companyId: ctx.companyId,
        kind: 'MINED',
        btc: '0.00000001',
        occurredOn: '2026-02-10',
        source: { title: 'Hostile-input test' },
      },
      // Reaches the INSERT, then the holdings check rolls it back: CANG never held a million BTC.
      refusedInput: {
        companyId: ctx.companyId,
        kind: 'SOLD',
        btc: '1000000',
        occurredOn: '2026-02-09',
        note: 'x',
        source: { title: 'x', publisher: 'x' },
      },
    },
    createCompany: {
      entity: 'company',
      input: { name: 'Hostile Co', ticker: 'HSTL' },
      refusedInput: { name: 'x', ticker: 'CANG', exchange: 'x' },
    },
    createAsset: {
      entity: 'asset',
      input: { symbol: 'HSTLA', name: 'Hostile', kind: 'CRYPTO' },
      refusedInput: { symbol: 'BTC', name: 'x', kind: 'CRYPTO' },
    },
    createSite: {
      entity: 'site',
      input: {
        companyId: ctx.companyId,
        name: 'Hostile site',
        region: 'North America',
        status: 'OPERATING',
        purpose: 'MIXED',
        source: { title: 'Hostile-input test' },
      },
      refusedInput: {
        companyId: nowhere,
        name: 'x',
        region: 'x',
        country: 'x',
        status: 'OPERATING',
        purpose: 'MIXED',
        source: { title: 'x', publisher: 'x' },
      },
    },
    recordProductionReport: {
      entity: 'report',
      input: {
        companyId: ctx.companyId,
        periodStart: '2026-03-01',
        periodEnd: '2026-03-31',
        minedBtc: '1',
        source: { title: 'Hostile-input test' },
      },
      refusedInput: {
        companyId: nowhere,
        periodStart: '2026-03-01',
        periodEnd: '2026-03-31',
        minedBtc: '1',
        idempotencyKey: 'x',
        source: { title: 'x' },
      },
    },
    createLoan: {
      entity: 'loan',
      input: { companyId: ctx.companyId, collateralBtc: '1', principalUsd: '1000', source: { title: 'Hostile-input test' } },
      refusedInput: { companyId: nowhere, collateralBtc: '1', lender: 'x', source: { title: 'x' } },
    },
    repayLoan: {
      entity: 'repayment',
      input: { loanId: ctx.loanId, amountUsd: '1', paidOn: '2026-02-10', source: { title: 'Hostile-input test' } },
      refusedInput: {
        loanId: ctx.loanId,
        amountUsd: '1',
        paidOn: '2026-02-10',
        fundedBySale: { btc: '1000000', usd: '1' },
        idempotencyKey: 'x',
        source: { title: 'x' },
      },
    },
    recordPrices: {
      entity: null,
      input: { symbol: 'BTC', points: [{ at: '2026-03-01T00:00:00Z', close: '1' }] },
      refusedInput: { symbol: 'NOPE0', points: [{ at: '2026-03-01T00:00:00Z', close: '1' }], source: { title: 'x' } },
    },
    recordCorporateAction: {
      entity: 'corporateAction',
      input: { symbol: 'CANG', effectiveOn: '2026-03-02', ratio: '2', description: 'Hostile split' },
      refusedInput: { symbol: 'NOPE0', effectiveOn: '2026-03-02', ratio: '2', description: 'x' },
    },
  };
  const selection: Record<string, string> = { recordPrices: 'inserted updated', recordCorporateAction: 'corporateAction { ratio }' };
  const mutate = (mutation: string, label: string, input: unknown, headers: Record<string, string>, expect?: HostileRequest['expect']) => {
    const type = `${mutation[0]!.toUpperCase()}${mutation.slice(1)}Input`;
    const { entity } = mutations[mutation]!;
    post(
      'refused write',
      `${mutation} ${label}`,
      `mutation ($input: ${type}!) { ${mutation}(input: $input) { ${selection[mutation] ?? `${entity} { id }`} userErrors { code field message } } }`,
      { input },
      {
        headers,
        expect: (body, status) => writeRefused(mutation, entity)(body) ?? expect?.(body, status) ?? null,
      },
    );
  };
  // Without a key and with a reader's key: refused before anything runs (keys that are no keys: above).
  for (const [mutation, { input }] of Object.entries(mutations)) {
    mutate(mutation, 'without a key', input, {}, refused('UNAUTHENTICATED'));
    mutate(mutation, 'with a reader key', input, ctx.reader, refused('FORBIDDEN'));
  }
  const refusedSymbols = HOSTILE_STRINGS.filter((value) => !writableSymbol(value));
  const writeAttacks: [string, string, readonly unknown[], 'valid' | 'refused'][] = [
    ['recordTreasuryTransaction', 'companyId', BAD_IDS, 'valid'],
    ['recordTreasuryTransaction', 'btc', BAD_BTC, 'valid'],
    ['recordTreasuryTransaction', 'usd', BAD_AMOUNTS, 'valid'],
    ['recordTreasuryTransaction', 'occurredOn', BAD_DAYS, 'valid'],
    ['recordTreasuryTransaction', 'kind', ['mined', 'BURNED', '', 1, null, ['MINED']], 'valid'],
    ['recordTreasuryTransaction', 'note', HOSTILE_STRINGS, 'refused'],
    ['recordTreasuryTransaction', 'idempotencyKey', HOSTILE_STRINGS, 'refused'],
    ['recordTreasuryTransaction', 'source.title', HOSTILE_STRINGS, 'refused'],
    [
      'recordTreasuryTransaction',
      'source.url',
      [
        'javascript:alert(1)',
        'file:///etc/passwd',
        'http://[::1',
        'ftp://example.test/',
        `https://example.test/${'a'.repeat(2000)}`,
        '//evil.test/x',
        'not a url',
        '',
        'https://user:pass@evil.test/',
        'https:\\\\evil.test',
        'https:evil.test',
        '  https://evil.test/',
        'https://evil.test/\u202efdp.exe',
        'http:///path',
        'https://evil.test/\ud800',
      ],
      'valid',
    ],
    ['recordTreasuryTransaction', 'source.publishedOn', BAD_DAYS, 'valid'],
    ['recordTreasuryTransaction', 'unknownField', ["' OR 1=1 --"], 'valid'],
    ['createCompany', 'ticker', [...refusedSymbols, 'CANG', 'cang', ' CANG ', 'A'.repeat(13)], 'valid'],
    ['createCompany', 'name', HOSTILE_STRINGS, 'refused'],
    ['createCompany', 'exchange', HOSTILE_STRINGS, 'refused'],
    ['createCompany', 'businessLines', [['MINING'], ['bitcoin_mining'], [1], 'BITCOIN', [null]], 'valid'],
    ['createAsset', 'symbol', [...refusedSymbols, 'BTC', 'btc'], 'valid'],
    ['createAsset', 'name', HOSTILE_STRINGS, 'refused'],
    ['createAsset', 'quoteCurrency', HOSTILE_STRINGS.filter((value) => !/^[A-Z]{3,5}$/.test(asSymbol(value))), 'valid'],
    ['createAsset', 'kind', ['crypto', 'STOCK', ''], 'valid'],
    ['createSite', 'companyId', BAD_IDS, 'valid'],
    ['createSite', 'powerCapacityMw', BAD_AMOUNTS, 'valid'],
    ['createSite', 'commissionedOn', BAD_DAYS, 'valid'],
    ['createSite', 'status', ['operating', 'BURNING'], 'valid'],
    ['createSite', 'name', HOSTILE_STRINGS, 'refused'],
    ['createSite', 'region', HOSTILE_STRINGS, 'refused'],
    ['recordProductionReport', 'periodStart', BAD_DAYS, 'valid'],
    ['recordProductionReport', 'periodEnd', [...BAD_DAYS, '2026-02-01'], 'valid'],
    ['recordProductionReport', 'minedBtc', BAD_BTC.filter((value) => value !== '0' && value !== '-0'), 'valid'],
    ['recordProductionReport', 'heldBtc', ['0.000000001', '-1', '1e5', 1.5], 'valid'],
    ['recordProductionReport', 'idempotencyKey', ['A'.repeat(256), 'incompressible'], 'valid'],
    ['createLoan', 'collateralBtc', BAD_BTC.filter((value) => value !== '0' && value !== '-0'), 'valid'],
    ['createLoan', 'principalUsd', ['0', ...BAD_AMOUNTS], 'valid'],
    ['createLoan', 'marginCallLtv', [0, -1, 1e308, 11, '0.7'], 'valid'],
    ['createLoan', 'lender', HOSTILE_STRINGS, 'refused'],
    ['repayLoan', 'loanId', BAD_IDS, 'valid'],
    ['repayLoan', 'amountUsd', ['0', ...BAD_AMOUNTS], 'valid'],
    ['repayLoan', 'paidOn', BAD_DAYS, 'valid'],
    ['repayLoan', 'collateralReleasedBtc', ['0.000000001', '-1', '1e5'], 'valid'],
    ['repayLoan', 'fundedBySale', [{ btc: '-1', usd: '1' }, { btc: '1', usd: '0' }, { btc: '1e5', usd: '1' }, {}], 'valid'],
    ['repayLoan', 'idempotencyKey', HOSTILE_STRINGS, 'refused'],
    ['recordPrices', 'symbol', HOSTILE_STRINGS.filter((value) => !['BTC', 'CANG'].includes(asSymbol(value))), 'valid'],
    [
      'recordPrices',
      'points',
      [
        [{ at: '2026-03-01T00:00:00Z', close: '0' }],
        [{ at: '2026-03-01T00:00:00Z', close: '1', high: '1', low: '2' }],
        [{ at: '2026-03-01T00:00:00Z', close: '1', volume: '-1' }],
        [{ at: '0001-01-01T00:00:00+14:00', close: '1' }],
        [{ at: '2026-03-01T00:00:00Z', close: '1e5' }],
        [
          { at: '2026-03-01T00:00:00Z', close: '1' },
          { at: '2026-03-01T00:00:00.000Z', close: '2' },
        ],
        Array.from({ length: 10_001 }, (_, i) => ({ at: new Date(Date.UTC(2001, 0, 1) + i * 60_000).toISOString(), close: '1' })),
      ],
      'valid',
    ],
    ['recordCorporateAction', 'ratio', ['1', '1.0', '0', '-2', '1e5', 1.5], 'valid'],
    ['recordCorporateAction', 'effectiveOn', BAD_DAYS, 'valid'],
    ['recordCorporateAction', 'symbol', [...refusedSymbols, 'BTC'], 'valid'],
    ['recordCorporateAction', 'description', HOSTILE_STRINGS, 'refused'],
  ];
  for (const [mutation, path, values, base] of writeAttacks) {
    const { input, refusedInput } = mutations[mutation]!;
    for (const value of values) {
      const sent =
        value === 'incompressible' ? Buffer.from(Array.from({ length: 4500 }, () => Math.floor(random() * 256))).toString('base64') : value;
      mutate(mutation, `${path} = ${preview(sent)}`, setPath(base === 'valid' ? input : refusedInput, path, sent), ctx.editor);
    }
  }

  // ---- writes that may be accepted: hostile text stored as sent, or refused ---------------
  const writes: HostileRequest[] = [];
  // Text is stored exactly as sent or refused: a lone surrogate or a control character (but tab,
  // LF and CR in a note) is refused, never altered.
  const loneSurrogate = (value: string) => /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(value);
  const storableText = (value: string, multiline = false) =>
    !loneSurrogate(value) &&
    !(multiline ? /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/ : /[\u0000-\u001f\u007f-\u009f]/).test(value);
  const RECORD =
    'mutation ($input: RecordTreasuryTransactionInput!) { recordTreasuryTransaction(input: $input) { transaction { id note source { title publisher } } userErrors { code field message } } }';
  // A fact written through the API carries its source: each accepted write adds its source row.
  const mined = {
    companyId: ctx.companyId,
    kind: 'MINED',
    btc: '0.00000001',
    occurredOn: '2026-02-10',
    source: { title: 'Hostile-input test' },
  };
  for (const value of HOSTILE_STRINGS) {
    const variants: [string, Record<string, unknown>, AcceptedWrite][] = [
      [
        'note',
        { ...mined, note: value },
        { storable: storableText(value, true) && value.length <= 1000, stored: { note: value }, adds: { sources: 1, idempotencyKeys: 0 } },
      ],
      [
        'source title and publisher',
        { ...mined, note: 'source', source: { title: value, publisher: value } },
        {
          storable: storableText(value) && value.trim() !== '' && value.length <= 200,
          stored: { source: { title: value.trim(), publisher: value } },
          adds: { sources: 1, idempotencyKeys: 0 },
        },
      ],
      [
        'idempotencyKey',
        { ...mined, note: 'keyed', idempotencyKey: value },
        {
          storable: storableText(value) && value.length <= 255,
          stored: { note: 'keyed' },
          adds: { sources: 1, idempotencyKeys: value === '' ? 0 : 1 },
        },
      ],
    ];
    for (const [field, input, accepted] of variants) {
      writes.push({
        category: 'accepted write with hostile text',
        label: `recordTreasuryTransaction ${field} = ${preview(value)}`,
        method: 'POST',
        headers: { ...json, ...ctx.editor },
        body: JSON.stringify({ query: RECORD, variables: { input } }),
        accepted,
      });
    }
  }

  // Sent in a seeded random order, so reads, refusals and attacks interleave.
  for (let i = requests.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [requests[i], requests[j]] = [requests[j]!, requests[i]!];
  }
  return { refusedOrRead: requests, writes };
}

import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../src/config.js';
import { engine, keyHeaders, snapshot, useTestServer } from '@minergraph/test-support';
import { hostileRequests, type GraphQLBody, type HostileRequest } from './support/hostile-requests.js';

/** What an error message must never show: a stack frame, a path on disk, SQL, a connection string. */
const LEAK_MARKERS = [
  /^\s*at \S/m,
  /\bat .*\(?(\/|file:|node:)\S*:\d+:\d+\)?/,
  /\/work\//,
  /node_modules/,
  /\bselect\s/i,
  /\binsert\s/i,
  /postgres(ql)?:\/\//i,
  /syntax error at or near|violates .* constraint|relation "|SQLSTATE/i,
];
/** No request may take this long; a pg_sleep(5) that reached SQL would. */
const SLOW_MS = 4500;
const CONCURRENCY = 8;

const served = useTestServer();
let requests: { refusedOrRead: HostileRequest[]; writes: HostileRequest[] };

interface Outcome {
  status: number;
  text: string;
  ms: number;
}

beforeAll(async () => {
  const editor = await keyHeaders(served.database, 'editor');
  const reader = await keyHeaders(served.database, 'reader');
  const data = await served.server.query('{ company(ticker: "CANG") { id loans { id } } }');
  requests = hostileRequests({
    companyId: data.company.id,
    loanId: data.company.loans[0].id,
    editor: editor.headers,
    reader: reader.headers,
    editorKey: editor.key,
    maxBodyBytes: DEFAULT_LIMITS.maxBodyBytes,
    maxQueryLength: DEFAULT_LIMITS.maxQueryLength,
  });
});

async function send(request: HostileRequest): Promise<Outcome> {
  const started = performance.now();
  const response = await fetch(`${served.server.url}${request.search ?? ''}`, {
    method: request.method,
    headers: request.headers,
    ...(request.body !== undefined ? { body: request.body } : {}),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  return { status: response.status, text, ms: performance.now() - started };
}

/** Sends every request, CONCURRENCY at a time, in the given order. */
async function sendAll(list: HostileRequest[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = new Array(list.length);
  let next = 0;
  const worker = async () => {
    while (next < list.length) {
      const index = next++;
      outcomes[index] = await send(list[index]!).catch((error: Error) => ({ status: 0, text: `request failed: ${error.message}`, ms: 0 }));
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return outcomes;
}

function leaked(message: string): string | null {
  const marker = LEAK_MARKERS.find((pattern) => pattern.test(message));
  return marker ? `a message shows internals (${marker}): ${message.slice(0, 160)}` : null;
}

function* userErrorsIn(value: unknown): Generator<{ code?: unknown; message?: unknown }> {
  if (Array.isArray(value)) for (const item of value) yield* userErrorsIn(item);
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key === 'userErrors' && Array.isArray(item)) yield* item;
      else yield* userErrorsIn(item);
    }
  }
}

/** The rules every response obeys, then the request's own expectation. */
function problemsOf(request: HostileRequest, outcome: Outcome): string[] {
  const problems: string[] = [];
  if (request.refusedByNode) {
    return outcome.status === request.refusedByNode && outcome.text === ''
      ? []
      : [`expected Node's own ${request.refusedByNode}, got ${outcome.status}`];
  }
  if (outcome.status === 0 || outcome.status >= 500) problems.push(`HTTP ${outcome.status}: ${outcome.text.slice(0, 200)}`);
  if (outcome.ms > SLOW_MS) problems.push(`took ${Math.round(outcome.ms)} ms`);
  let body: GraphQLBody;
  try {
    body = JSON.parse(outcome.text) as GraphQLBody;
  } catch {
    // OPTIONS is answered by express with the allowed methods, as text; every other answer is JSON.
    if (request.method === 'OPTIONS' && outcome.status < 400) return problems;
    return [...problems, `the body is not JSON: ${outcome.text.slice(0, 120)}`];
  }
  if (outcome.status >= 400 && !(Array.isArray(body.errors) && body.errors.length > 0))
    problems.push(`HTTP ${outcome.status} without errors[]`);
  for (const error of body.errors ?? []) {
    const code = error?.extensions?.code;
    if (typeof code !== 'string') problems.push(`an error without extensions.code: ${JSON.stringify(error).slice(0, 160)}`);
    // An unexpected error is a bug even in a 200: every one of these requests is the client's mistake.
    if (code === 'INTERNAL_SERVER_ERROR') problems.push('INTERNAL_SERVER_ERROR');
    if (error?.extensions && ('stacktrace' in error.extensions || 'exception' in error.extensions))
      problems.push('a stack trace in extensions');
    if (typeof error?.message !== 'string') problems.push('an error without a message');
    else if (leaked(error.message)) problems.push(leaked(error.message)!);
  }
  for (const { message } of userErrorsIn(body.data)) {
    if (typeof message === 'string' && leaked(message)) problems.push(leaked(message)!);
  }
  const own = request.expect?.(body, outcome.status);
  if (own) problems.push(own);
  return problems;
}

/**
 * PGlite decodes each text value with a TextDecoder that drops a leading U+FEFF: the row holds
 * it (PostgreSQL returns it), reading it back through PGlite loses it.
 */
function withoutLeadingBom<T>(value: T): T {
  if (typeof value === 'string') return value.replace(/^\ufeff/, '') as T;
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withoutLeadingBom(item)])) as T;
  return value;
}

const countBy = (list: HostileRequest[]) =>
  list.reduce<Record<string, number>>((counts, request) => {
    counts[request.category] = (counts[request.category] ?? 0) + 1;
    return counts;
  }, {});

describe('hostile and malformed requests', () => {
  it('are generated from the tables: over a thousand, in every category', () => {
    const total = requests.refusedOrRead.length + requests.writes.length;
    expect(total).toBeGreaterThan(1000);
    expect(Object.keys(countBy([...requests.refusedOrRead, ...requests.writes])).sort()).toEqual([
      'API keys',
      'Date and DateTime arguments',
      'Decimal argument',
      'GET and other methods',
      'Int argument (first)',
      'JSON body shape',
      'accepted write with hostile text',
      'content type',
      'document shape',
      'fuzzed body',
      'global ids and cursors',
      'malformed JSON body',
      'oversized',
      'refused write',
      'string argument x hostile string',
      'string literal x hostile string',
      'unknown input field',
      'variable of the wrong type',
    ]);
  });

  it('get a JSON error with a code, never a 5xx or an internal error, and change nothing', async () => {
    const before = await snapshot(served.database);
    const outcomes = await sendAll(requests.refusedOrRead);
    const failures = requests.refusedOrRead.flatMap((request, index) =>
      problemsOf(request, outcomes[index]!).map((problem) => `${request.category} / ${request.label}: ${problem}`),
    );
    expect(failures).toEqual([]);
    expect(await snapshot(served.database)).toEqual(before);
  });

  it('with hostile text in a write: stored exactly as sent, or refused, and nothing else written', async () => {
    const before = await snapshot(served.database);
    const outcomes = await sendAll(requests.writes);
    const failures: string[] = [];
    const transactions = new Set<string>();
    const added = { sources: 0, idempotencyKeys: new Set<string>() };
    requests.writes.forEach((request, index) => {
      const outcome = outcomes[index]!;
      const fail = (problem: string): void => {
        failures.push(`${request.label}: ${problem}`);
      };
      problemsOf(request, outcome).forEach(fail);
      const { storable, stored, adds } = request.accepted!;
      const body = JSON.parse(outcome.text) as GraphQLBody;
      const transaction = body.data?.recordTreasuryTransaction?.transaction;
      if (!transaction) {
        // A value the field may hold must be taken: refusing "' OR 1=1 --" as a note would be a bug too.
        if (storable) fail(`refused: ${outcome.text.slice(0, 200)}`);
        return;
      }
      if (!storable) {
        fail('accepted a value the field may not hold');
        return;
      }
      expect(transaction, request.label).toMatchObject(engine === 'pglite' ? withoutLeadingBom(stored) : stored);
      // A retry (the same key) answers with the first transaction: one row, counted once.
      if (transactions.has(transaction.id)) return;
      transactions.add(transaction.id);
      added.sources += adds.sources;
      if (adds.idempotencyKeys) added.idempotencyKeys.add(transaction.id);
    });
    expect(failures).toEqual([]);

    const after = await snapshot(served.database);
    const grown: Record<string, number> = {};
    for (const [table, rows] of Object.entries(before)) {
      const now = new Set(after[table]);
      expect(
        rows.filter((row) => !now.has(row)),
        `rows of ${table} changed or went away`,
      ).toEqual([]);
      if (after[table]!.length !== rows.length) grown[table] = after[table]!.length - rows.length;
    }
    expect(grown).toEqual({
      treasury_transactions: transactions.size,
      ...(added.sources ? { sources: added.sources } : {}),
      ...(added.idempotencyKeys.size ? { idempotency_keys: added.idempotencyKeys.size } : {}),
    });
    // Most hostile text is plain text to a database that never builds SQL from it.
    expect(transactions.size).toBeGreaterThan(requests.writes.length / 2);
  });

  it('leave the server up, ready, and answering the founding story as before', async () => {
    const ready = await fetch(served.server.url.replace(/\/graphql$/, '/readyz'));
    expect([ready.status, await ready.json()]).toEqual([
      200,
      { status: 'ready', database: served.database.engine, migration: '2026-11-28T00-50_price-hours' },
    ]);
    const { data, errors } = await served.server.graphql(
      '{ company(ticker: "CANG") { holdings(on: "2026-02-09") { btc } treasuryFlow(from: "2026-01-01", to: "2026-01-31") { unexplainedBtc } } companies { totalCount } }',
    );
    expect(errors).toBeUndefined();
    expect(data).toEqual({
      company: { holdings: { btc: '3023.6' }, treasuryFlow: { unexplainedBtc: '-0.02' } },
      companies: { totalCount: 1 },
    });
  });
});

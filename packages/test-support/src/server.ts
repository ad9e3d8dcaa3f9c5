import { afterAll, beforeAll } from 'vitest';
import { createServer, type MinerGraphServer, type ServerOptions } from '@minergraph/server/http/app';
import { createLogger } from '@minergraph/server/logger';
import { createTestDatabase, type Start, type TestDatabase } from './database.js';

export interface GraphQLResponse<T = any> {
  status: number;
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
}

export interface TestServer {
  url: string;
  server: MinerGraphServer;
  /** POSTs one operation and returns the HTTP status and the parsed body, errors and all. */
  graphql<T = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResponse<T>>;
  /**
   * POSTs one operation that must succeed and returns its data. Any error fails the test with
   * what the server said: each message, code, path and the request id to find in the log.
   */
  query<T = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<T>;
  /** POSTs one operation that must fail and returns its errors; an answer without errors fails the test. */
  errorsOf(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<NonNullable<GraphQLResponse['errors']>>;
  close(): Promise<void>;
}

/** Why an answer that should have succeeded did not, in one readable message. */
export function describeFailure(response: GraphQLResponse): string {
  const errors = (response.errors ?? []).map((error) => {
    const { code, requestId, ...rest } = error.extensions ?? {};
    const more = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
    return `  ${String(code ?? 'no code')}: ${error.message}${error.path ? ` (at ${error.path.join('.')})` : ''}${requestId ? ` [requestId ${String(requestId)}]` : ''}${more}`;
  });
  return [`HTTP ${response.status} with ${errors.length} error(s):`, ...errors].join('\n');
}

/** What a test may set on its server: everything but the database and the (silent) logger. */
export type TestServerOptions = Omit<Partial<ServerOptions>, 'database' | 'logger'>;

/** The real HTTP server, on a free port of 127.0.0.1. */
export async function startTestServer(database: TestDatabase, options: TestServerOptions = {}): Promise<TestServer> {
  const server = await createServer({ database, logger: createLogger('silent', false), ...options });
  const url = await server.listen(0, '127.0.0.1');
  const graphql = async (
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<GraphQLResponse> => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as Omit<GraphQLResponse, 'status'>;
    return { status: response.status, ...body };
  };
  return {
    url,
    server,
    graphql,
    async query(query, variables, headers) {
      const response = await graphql(query, variables, headers);
      if (response.errors?.length || response.status !== 200 || response.data === undefined) throw new Error(describeFailure(response));
      return response.data;
    },
    async errorsOf(query, variables, headers) {
      const response = await graphql(query, variables, headers);
      if (!response.errors?.length)
        throw new Error(`expected errors, got HTTP ${response.status} with data ${JSON.stringify(response.data)}`);
      return response.errors;
    },
    close: () => server.close(),
  };
}

/** A database for the tests of one file or describe block, and the servers they start on it. */
export interface UsedDatabase {
  /** The file's own database (see database.ts). */
  readonly database: TestDatabase;
  /** A real HTTP server on the database with the given options, closed after the tests. */
  serve(options?: TestServerOptions): Promise<TestServer>;
}

export interface UseTestDatabaseOptions {
  /** What the database holds at first: nothing, the schema, or the schema and the seed (the default). */
  start?: Start;
  /** Rows the tests need, written before any server starts. */
  setup?: (database: TestDatabase) => Promise<void>;
}

/**
 * A database of its own for the tests of one file (or one describe block), made before its
 * tests and destroyed after them with every server started on it by `serve`. For tests that
 * start servers of their own, each with other options; most want `useTestServer`. Read
 * `database` inside tests and hooks, not at import time.
 */
export function useTestDatabase(options: UseTestDatabaseOptions = {}): UsedDatabase {
  let database: TestDatabase | undefined;
  const servers: TestServer[] = [];
  beforeAll(async () => {
    database = await createTestDatabase(options.start ?? 'seeded');
    await options.setup?.(database);
  });
  afterAll(async () => {
    await Promise.all(servers.map((running) => running.close()));
    await database?.destroy();
  });
  const ready = (): TestDatabase => {
    if (database === undefined) throw new Error('useTestDatabase: the database is made in beforeAll; read it inside a test or hook.');
    return database;
  };
  return {
    get database() {
      return ready();
    },
    async serve(serverOptions = {}) {
      const started = await startTestServer(ready(), serverOptions);
      servers.push(started);
      return started;
    },
  };
}

export interface ServedDatabase extends UsedDatabase {
  /** The real HTTP server on it, on a free port. */
  readonly server: TestServer;
}

export interface UseTestServerOptions extends UseTestDatabaseOptions {
  /**
   * The server's options (limits, manifest, metrics, ...), or a function that makes them once
   * the database is ready, for options that need it or that must be made in a hook.
   */
  server?: TestServerOptions | ((database: TestDatabase) => TestServerOptions | Promise<TestServerOptions>);
}

/**
 * A database of its own and the real HTTP server on it, for the tests of one file (or one
 * describe block): made before its tests, closed after them. Read `database` and `server`
 * inside tests and hooks, not at import time.
 */
export function useTestServer(options: UseTestServerOptions = {}): ServedDatabase {
  const used = useTestDatabase(options);
  let server: TestServer | undefined;
  beforeAll(async () => {
    const serverOptions = typeof options.server === 'function' ? await options.server(used.database) : options.server;
    server = await used.serve(serverOptions);
  });
  return {
    get database() {
      return used.database;
    },
    get server() {
      if (server === undefined) throw new Error('useTestServer: the server is made in beforeAll; read it inside a test or hook.');
      return server;
    },
    serve: (serverOptions) => used.serve(serverOptions),
  };
}

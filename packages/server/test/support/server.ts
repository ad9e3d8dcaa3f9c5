import { createServer, type MinerGraphServer, type ServerOptions } from '../../src/http/app.js';
import { createLogger } from '../../src/logger.js';
import type { TestDatabase } from './database.js';

export interface GraphQLResponse<T = any> {
  status: number;
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
}

export interface TestServer {
  url: string;
  server: MinerGraphServer;
  /** POSTs one operation and returns the HTTP status and the parsed body. */
  graphql<T = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResponse<T>>;
  close(): Promise<void>;
}

/** The real HTTP server, on a free port of 127.0.0.1. */
export async function startTestServer(
  database: TestDatabase,
  options: Omit<Partial<ServerOptions>, 'database' | 'logger'> = {},
): Promise<TestServer> {
  const server = await createServer({ database, logger: createLogger('silent', false), ...options });
  const url = await server.listen(0, '127.0.0.1');
  return {
    url,
    server,
    async graphql(query, variables, headers) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as Omit<GraphQLResponse, 'status'>;
      return { status: response.status, ...body };
    },
    close: () => server.close(),
  };
}

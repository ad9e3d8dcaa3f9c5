// The floor: the dashboard (at /graphql) and the list (at /list) served by the least a Node.js
// server can do for them, one SQL statement that builds the JSON and a node:http handler that
// writes it. No GraphQL, no validation, no logging. Our server's throughput, latency and CPU
// per request are reported as ratios to it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DatabaseHandle } from '../src/db/connect.js';
import { DASHBOARD_COMPANIES, DASHBOARD_DAY, DASHBOARD_SQL, LIST_SQL } from './dashboard.js';

export interface FloorServer {
  listen(port: number, host: string): Promise<string>;
  close(): Promise<void>;
}

/** Straight to the driver, without Kysely: the cheapest path from SQL to a socket. */
async function answerJson(database: DatabaseHandle, statement: string, parameters: unknown[]): Promise<string> {
  if (database.pgPool) {
    const { rows } = await database.pgPool.query<{ body: string }>({ text: `select body::text from (${statement}) d`, values: parameters });
    return rows[0]!.body;
  }
  const { rows } = await database.pglite!.query<{ body: string }>(`select body::text from (${statement}) d`, parameters);
  return rows[0]!.body;
}

const dashboardJson = (database: DatabaseHandle) => answerJson(database, DASHBOARD_SQL, [DASHBOARD_COMPANIES, DASHBOARD_DAY]);
const listJson = (database: DatabaseHandle) => answerJson(database, LIST_SQL, [DASHBOARD_COMPANIES]);

export function createFloorServer(database: DatabaseHandle, countStatement: () => void): FloorServer {
  const server = http.createServer((req, res) => {
    // The request body is read and ignored: the path says which answer is asked for.
    const answer = req.url === '/list' ? listJson : dashboardJson;
    req.resume();
    req.on('end', () => {
      countStatement();
      answer(database).then(
        (body) => {
          res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
          res.end(body);
        },
        () => {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end('{"errors":[{"message":"floor query failed","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}');
        },
      );
    });
  });
  return {
    listen: (port, host) =>
      new Promise((resolve) => {
        server.listen(port, host, () => resolve(`http://${host}:${(server.address() as AddressInfo).port}/graphql`));
      }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

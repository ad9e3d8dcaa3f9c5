import type pg from 'pg';
import { isDatabaseUnavailable } from './unavailable.js';

/** Set on a client once its connection has failed; such a client is never handed out again. */
export const BROKEN = Symbol('broken connection');
type PoolClient = pg.PoolClient & { [BROKEN]?: true };

/**
 * Statements that change nothing and whose answer does not depend on having run before on this
 * connection: safe to send again, on another connection, when the first one proves dead.
 * `begin` opens a checkout's transaction (Kysely's and the bulk loader's), `start transaction`
 * one with an isolation level.
 */
const REPEATABLE = /^\s*(select|begin|start\s+transaction|show)\b/i;

/** What a pooled connection looks like to Kysely and to the bulk loader. */
export interface LiveClient {
  query(text: string, values?: readonly unknown[]): Promise<pg.QueryResult>;
  query<T extends pg.Submittable>(submittable: T): T;
  release(error?: Error | boolean): void;
}

export interface LivePool {
  connect(): Promise<LiveClient>;
  end(): Promise<void>;
}

/** A pooled connection, passing over (and dropping) those already known to be broken. */
export async function checkoutUnbroken(pool: pg.Pool): Promise<pg.PoolClient> {
  for (;;) {
    const client = (await pool.connect()) as PoolClient;
    if (!client[BROKEN]) return client;
    client.release(new Error('The connection had been ended by the server.'));
  }
}

/**
 * Hands out pooled connections that survive PostgreSQL having ended them while idle (a
 * failover, a pooler's restart, pg_terminate_backend, idle_session_timeout). The server's
 * goodbye may sit unread in the socket while the pool hands that connection to the next
 * request. So when a checkout's first statement is one that changes nothing (a read, or the
 * `begin` of a transaction) and fails because its connection is gone, and that connection had
 * sat in the pool, the statement is sent again on another one: the request never pays for a
 * connection that died before it came. A fresh connection failing is the database's answer
 * (it is down) and reaches the caller, as does a failure after the first statement (the
 * connection died under a transaction that had begun): it costs the request using the
 * connection, no more. Writes outside a transaction are never resent, as whether they ran
 * cannot be known. Idle connections are finite, so the resending ends.
 */
export function liveConnections(pool: pg.Pool): LivePool {
  // Connections that have been handed out and given back: they may have died while idle.
  const pooled = new WeakSet<pg.PoolClient>();
  const checkout = () => checkoutUnbroken(pool);
  return {
    async connect() {
      let client = await checkout();
      let first = true;
      // Given back after its first statement failed, while no other could be had: Kysely's own
      // release must not give it back twice (pg-pool throws, and that error hides the real one).
      let released = false;
      return {
        query(textOrSubmittable: string | pg.Submittable, values?: readonly unknown[]): never {
          const resend = first && typeof textOrSubmittable === 'string' && REPEATABLE.test(textOrSubmittable);
          first = false;
          if (typeof textOrSubmittable !== 'string') return client.query(textOrSubmittable) as never;
          const text = textOrSubmittable;
          const run = () => client.query(text, values as unknown[] | undefined);
          if (!resend) return run() as never;
          const again = async (error: unknown): Promise<pg.QueryResult> => {
            if (!isDatabaseUnavailable(error) || !pooled.has(client)) throw error;
            client.release(error as Error);
            released = true;
            client = await checkout();
            released = false;
            return run().catch(again);
          };
          return run().catch(again) as never;
        },
        release(error?: Error | boolean) {
          if (released) return;
          if (!error) pooled.add(client);
          client.release(error);
        },
      } as LiveClient;
    },
    end: () => pool.end(),
  };
}

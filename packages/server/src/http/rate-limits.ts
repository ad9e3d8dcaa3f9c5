import { HeaderMap } from '@apollo/server';
import { clientError } from '@minergraph/schema';
import type { GraphQLError } from 'graphql';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { DatabaseHandle } from '../db/connect.js';

/** How much one client may ask; 0 turns a limit off. */
export interface RateLimits {
  /** Requests a minute with one API key. */
  readonly perKeyPerMinute: number;
  /** Requests a minute from one address without a key. */
  readonly perAddressPerMinute: number;
  /** Requests at once from one client (an API key, or an address without one), in this process. */
  readonly concurrentPerClient: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = Object.freeze({ perKeyPerMinute: 600, perAddressPerMinute: 300, concurrentPerClient: 8 });

/** Who is asking, as the limits count: an API key (by id) or, without one, the client's address. */
export type Client = { kind: 'key'; id: string; name: string } | { kind: 'address'; address: string };

export interface ClientLimiter {
  /** Counts the request, or throws RATE_LIMITED (HTTP 429, Retry-After); call the returned function when it is answered. */
  admit(client: Client): Promise<() => void>;
}

/**
 * Per-minute limits live where every server process sees them: in PostgreSQL's `rate_limits`
 * table when the server runs on PostgreSQL (rate-limiter-flexible's store, falling back to
 * memory if the database does not answer), in memory on PGlite, which only one server uses.
 * Concurrency is per process: it protects this process's memory and CPU.
 */
export function createClientLimiter(database: DatabaseHandle, limits: RateLimits): ClientLimiter {
  const perMinute = (points: number, keyPrefix: string): RateLimiterAbstract | null => {
    if (points === 0) return null;
    const options = { points, duration: 60, keyPrefix };
    if (database.engine === 'postgres' && database.pgPool) {
      return new RateLimiterPostgres({
        ...options,
        storeClient: database.pgPool,
        storeType: 'pool',
        tableName: 'rate_limits',
        tableCreated: true, // by the migration, so the schema stays the migrations' own
        clearExpiredByTimeout: false,
        insuranceLimiter: new RateLimiterMemory(options),
      });
    }
    return new RateLimiterMemory(options);
  };
  const byKey = perMinute(limits.perKeyPerMinute, 'key');
  const byAddress = perMinute(limits.perAddressPerMinute, 'address');
  const inFlight = new Map<string, number>();

  return {
    async admit(client) {
      const id = client.kind === 'key' ? `key:${client.id}` : `address:${client.address}`;
      const running = inFlight.get(id) ?? 0;
      if (limits.concurrentPerClient > 0 && running >= limits.concurrentPerClient) {
        throw rateLimited(`${describe(client)} has ${running} requests running, the most at once; send the next when one is answered.`, 1);
      }
      const limiter = client.kind === 'key' ? byKey : byAddress;
      const perMinuteLimit = client.kind === 'key' ? limits.perKeyPerMinute : limits.perAddressPerMinute;
      if (limiter) {
        try {
          await limiter.consume(client.kind === 'key' ? client.id : client.address);
        } catch (refusal) {
          if (!(refusal instanceof RateLimiterRes)) throw refusal;
          const seconds = Math.max(1, Math.ceil(refusal.msBeforeNext / 1000));
          throw rateLimited(
            `${describe(client)} sent more than ${perMinuteLimit} requests this minute. Retry after ${seconds} s.`,
            seconds,
          );
        }
      }
      inFlight.set(id, running + 1);
      let done = false;
      return () => {
        if (done) return;
        done = true;
        const left = (inFlight.get(id) ?? 1) - 1;
        if (left === 0) inFlight.delete(id);
        else inFlight.set(id, left);
      };
    },
  };
}

const describe = (client: Client) => (client.kind === 'key' ? `The API key "${client.name}"` : `The address ${client.address}`);

function rateLimited(message: string, retryAfterSeconds: number): GraphQLError {
  return clientError('RATE_LIMITED', message, {
    extensions: { retryAfter: retryAfterSeconds },
    endsRequest: true,
    headers: new HeaderMap([['retry-after', String(retryAfterSeconds)]]),
  });
}

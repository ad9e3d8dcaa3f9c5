import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { sql } from 'kysely';
import { createContext, type DataSources } from '@minergraph/schema';
import type { DatabaseHandle } from '../db/connect.js';
import { LSN_PATTERN, type ReadReplica, type ReadTarget } from '../db/read-replica.js';
import type { RequestContext } from './app.js';

/** On the answer to a mutation: the primary's WAL position once it had committed (`pg_current_wal_lsn()`). */
export const WAL_LSN_HEADER = 'MinerGraph-Wal-Lsn';
/** On a request: the highest WAL_LSN_HEADER the client has seen; a read then sees at least that write. */
export const MIN_LSN_HEADER = 'MinerGraph-Min-Lsn';

/** The request's MIN_LSN_HEADER, checked; null when absent. */
export function minLsnOf(header: string | string[] | undefined): string | null {
  if (header === undefined || header === '') return null;
  const value = Array.isArray(header) ? header.at(-1)! : header;
  if (!LSN_PATTERN.test(value.trim())) {
    throw new GraphQLError(
      `The ${MIN_LSN_HEADER} header must be a WAL position as a response's ${WAL_LSN_HEADER} header gives it, such as 0/16B3748.`,
      { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } },
    );
  }
  return value.trim();
}

/**
 * Sends queries to the read replica and everything else (mutations, the API key lookup, rate
 * limits) to the primary, and tells a client where its writes are in the WAL so that its next
 * reads can ask to see them. Without a replica every read is counted as the primary's.
 */
export function readRouting(options: {
  primary: DatabaseHandle;
  replica: { replica: ReadReplica; data: DataSources } | null;
  countRead?: (target: ReadTarget) => void;
}): ApolloServerPlugin<RequestContext> {
  const { primary, replica } = options;
  // Nothing to route and nothing to count: no hooks on any request.
  if (replica === null && !options.countRead) return {};
  return {
    async requestDidStart() {
      let routed: { target: ReadTarget; outages: number } | undefined;
      return {
        async didResolveOperation({ operation, contextValue }) {
          if (operation?.operation !== 'query') return;
          const target = replica ? await replica.replica.targetFor(contextValue.minLsn) : 'primary';
          routed = { target, outages: replica?.replica.outages ?? 0 };
          if (target === 'replica' && replica) {
            // Before execution: every loader of the request reads from the replica.
            const onReplica = createContext({ data: replica.data });
            contextValue.data = onReplica.data;
            contextValue.loaders = onReplica.loaders;
          }
        },
        async willSendResponse({ operation, response }) {
          if (routed) {
            // The replica went down under this read: its statements ran on the primary.
            const lost = routed.target === 'replica' && (replica?.replica.outages ?? 0) > routed.outages;
            options.countRead?.(lost ? 'primary' : routed.target);
          }
          if (replica === null || operation?.operation !== 'mutation') return;
          // Asked after the mutation's transactions committed, so the position is at or past every one.
          const position = await sql<{ lsn: string }>`select pg_current_wal_lsn()::text as lsn`.execute(primary.db).then(
            (result) => result.rows[0]?.lsn,
            () => undefined,
          );
          if (position !== undefined) response.http.headers.set(WAL_LSN_HEADER.toLowerCase(), position);
        },
      };
    },
  };
}

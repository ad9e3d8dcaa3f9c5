import { createHash } from 'node:crypto';
import { HeaderMap, type ApolloServerPlugin, type GraphQLResponse } from '@apollo/server';
import type { FormattedExecutionResult } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { ChangeBus } from '../changes/bus.js';
import type { RequestContext } from './app.js';
import { answerText, JsonText } from '../look-ahead/json-text.js';

/**
 * Answers to reads, kept in memory and given again while nothing was written: keyed by the
 * data version (changes/bus.ts), the operation (its document's hash and name), its variables,
 * the UTC day (the default of "as of" arguments), and the role asking. Never stale: every
 * write moves the version before it returns, and a read asks for the version first. Not kept:
 * mutations, answers with errors, answers that read the instant of the request (`now`, the
 * default of "at" arguments), and anything while the bus may be missing changes.
 *
 * A hit passes the same admission as any request (auth, cost limits, rate limits: it counts
 * as a request), then skips execution. An answer to GET carries an ETag, the hash of the
 * answer, so a client (or proxy) sending it back in If-None-Match gets 304 while it holds.
 */
export interface ResponseCache {
  /**
   * A kept answer's data is its JSON text (a JsonText, look-ahead/json-text.ts): written once,
   * when it is kept, and sent as it is on every hit by the server's stringifyResult (answerText).
   */
  plugin(): ApolloServerPlugin<RequestContext>;
  /** Bytes and answers held (metrics). */
  stats(): { bytes: number; entries: number };
}

export interface ResponseCacheOptions {
  /** Bytes of answers (their JSON) and keys the cache may hold. */
  maxBytes: number;
}

/**
 * Whether a request reads where the bus's version holds. A read sent to a replica does not:
 * the replica may not yet have replayed the writes the primary's version counts.
 */
export type ReadsThePrimary = (context: RequestContext) => boolean;

export interface ResponseCacheCounters {
  hit(): void;
  miss(): void;
}

interface Entry {
  result: FormattedExecutionResult;
  etag: string;
  bytes: number;
}

export const DEFAULT_RESPONSE_CACHE_BYTES = 64 * 1024 * 1024;

export function createResponseCache(
  bus: ChangeBus,
  options: ResponseCacheOptions,
  counters?: ResponseCacheCounters,
  readsThePrimary: ReadsThePrimary = () => true,
): ResponseCache {
  const entries = new LRUCache<string, Entry>({
    maxSize: options.maxBytes,
    sizeCalculation: (entry, key) => entry.bytes + key.length,
  });
  // Older versions' answers can never be asked for again: free them at once.
  bus.onChange(() => entries.clear());
  bus.onGap(() => entries.clear());

  return {
    stats: () => ({ bytes: entries.calculatedSize, entries: entries.size }),
    plugin: () => ({
      async requestDidStart() {
        let key: string | null = null;
        let served: Entry | undefined;
        return {
          async responseForOperation({ operation, request, contextValue, queryHash, operationName }): Promise<GraphQLResponse | null> {
            if (operation?.operation !== 'query' || !bus.listening || !readsThePrimary(contextValue)) return null;
            let version: string;
            try {
              version = await bus.version();
            } catch {
              // The database does not answer: run the operation, which reports that as usual.
              return null;
            }
            key = `${version}\n${contextValue.today}\n${contextValue.viewer.role ?? ''}\n${queryHash}\n${operationName ?? ''}\n${JSON.stringify(request.variables ?? {})}`;
            served = entries.get(key);
            if (!served) {
              counters?.miss();
              return null;
            }
            counters?.hit();
            return { body: { kind: 'single', singleResult: served.result }, http: { status: undefined, headers: new HeaderMap() } };
          },
          async willSendResponse({ response, request, contextValue }) {
            if (key === null || response.body.kind !== 'single') return;
            let entry = served;
            if (!entry) {
              const result = response.body.singleResult;
              const status = response.http.status ?? 200;
              if (result.errors?.length || status !== 200 || contextValue.clock.read || !bus.listening) return;
              if (!result.data || result.extensions !== undefined) return;
              // Written once: this response is sent from the same text (answerText).
              const data = result.data instanceof JsonText ? result.data : new JsonText(JSON.stringify(result.data));
              result.data = data as unknown as typeof result.data;
              const json = answerText(result);
              entry = {
                result: { data: result.data },
                etag: `"${createHash('sha256').update(json).digest('base64url').slice(0, 27)}"`,
                bytes: json.length,
              };
              entries.set(key, entry);
            }
            if (request.http?.method !== 'GET') return;
            response.http.headers.set('etag', entry.etag);
            // The client holds this very answer: 304, sent without a body (node-handlers.ts).
            const held = request.http.headers.get('if-none-match');
            if (held?.split(',').some((tag) => tag.trim() === entry.etag)) response.http.status = 304;
          },
        };
      },
    }),
  };
}

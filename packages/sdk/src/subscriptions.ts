// `@minergraph/sdk/subscriptions`: createClient with `subscribe`, over WebSocket (the graphql-ws
// protocol). A subpath of its own, so that an app that does not subscribe bundles no WebSocket
// client: `@minergraph/sdk` stays as it was.
import { createClient as createWebSocketClient, type Client as WebSocketClient } from 'graphql-ws/client';
import { createRequestClient, type ClientOptions } from './client.js';
import { documentText, operationNameOf, type TypedDocument } from './documents.js';
import { MinerGraphError, type GraphQLErrorEntry } from './errors.js';
import { createClient as createFullClient, type MinerGraphClient } from './full-client.js';

export interface SubscriptionOptions {
  /**
   * The WebSocket class to connect with; by default the global one (browsers, Deno, Node 22+).
   * On Node 20: `import WebSocket from 'ws'` and pass it.
   */
  webSocket?: unknown;
  /**
   * How many times in a row to reconnect after the connection is lost (the server restarted,
   * a process died behind a load balancer), waiting 1, 2, 4 ... up to 30 seconds between tries;
   * then the subscriptions throw. Default 10.
   */
  retryAttempts?: number | undefined;
  /**
   * Called each time the connection is back after it was lost: events written meanwhile were
   * not delivered, so re-read what you show. Subscriptions go on by themselves.
   */
  onReconnected?: (() => void) | undefined;
}

export interface SubscribeOptions {
  /** Which operation of a document with several to run. */
  operationName?: string | undefined;
  /** Aborting it ends the subscription: the loop over it ends without an error. */
  signal?: AbortSignal | undefined;
}

/** Variables are optional exactly when the document needs none. */
// biome-ignore lint/complexity/noBannedTypes: `{}` is exactly "no variables needed" in this conditional type
export type SubscribeArgs<TVariables> = {} extends TVariables
  ? [variables?: TVariables, options?: SubscribeOptions]
  : [variables: TVariables, options?: SubscribeOptions];

export interface Subscriber {
  /**
   * Subscribes to a subscription document (a generated `...Document` such as
   * `PricesRecordedDocument`): each event's data, as the loop asks for it, until the loop
   * ends (`break` unsubscribes). Errors throw a MinerGraphError.
   */
  subscribe<TResult = unknown, TVariables = Record<string, unknown>>(
    document: TypedDocument<TResult, TVariables> | string,
    ...args: SubscribeArgs<TVariables>
  ): AsyncIterableIterator<TResult>;
  /** Closes the WebSocket; subscriptions running end. */
  close(): Promise<void>;
}

/** The client of `@minergraph/sdk`, plus `subscribe` and `close`. */
export type SubscribingClient = MinerGraphClient & Subscriber;

const MAX_WAIT_MS = 30_000;

const describe = (errors: readonly GraphQLErrorEntry[]) =>
  errors.map((e) => (e.extensions?.code ? `${e.message} (${e.extensions.code})` : e.message)).join('; ');

function isCloseEvent(value: unknown): value is { code: number; reason: string } {
  return typeof value === 'object' && value !== null && typeof (value as { code?: unknown }).code === 'number' && 'reason' in value;
}

function failure(error: unknown, label: string, operationName: string | undefined, url: string): MinerGraphError {
  if (error instanceof MinerGraphError) return error;
  if (Array.isArray(error)) {
    const errors = error as GraphQLErrorEntry[];
    return new MinerGraphError(`${label} failed: ${describe(errors)}`, { kind: 'graphql', errors, operationName });
  }
  if (isCloseEvent(error)) {
    const reason = error.reason ? `: ${error.reason}` : '';
    return new MinerGraphError(`${label} failed: the WebSocket to ${url} closed with ${error.code}${reason}`, {
      kind: 'network',
      operationName,
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new MinerGraphError(`${label} failed: ${message}`, { kind: 'network', operationName, cause: error });
}

/** The WebSocket address of an http(s) GraphQL endpoint: same host and path, ws(s). */
const webSocketUrl = (url: string) => url.replace(/^http/, 'ws');

/**
 * Subscriptions only, for the endpoint and key of `options` (the same options as createClient):
 * one WebSocket, opened at the first subscription and closed when none is left.
 */
export function createSubscriber(options: ClientOptions & SubscriptionOptions): Subscriber {
  const url = createRequestClient(options).url;
  const webSocketImpl = options.webSocket ?? (globalThis as { WebSocket?: unknown }).WebSocket;
  if (typeof webSocketImpl !== 'function') {
    throw new MinerGraphError(
      "This runtime has no global WebSocket (Node before 22): pass one, createClient({ url, webSocket: WebSocket }) with `import WebSocket from 'ws'`.",
      { kind: 'config' },
    );
  }
  const retryAttempts = options.retryAttempts ?? 10;
  let socket: WebSocketClient | null = null;
  let connectedBefore = false;
  const connection = (): WebSocketClient => {
    socket ??= createWebSocketClient({
      url: webSocketUrl(url),
      webSocketImpl,
      connectionParams: options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {},
      retryAttempts,
      retryWait: (retries) =>
        new Promise((resolve) => setTimeout(resolve, Math.min(MAX_WAIT_MS, 1000 * 2 ** retries) * (0.5 + Math.random() / 2))),
      on: {
        connected: () => {
          if (connectedBefore) options.onReconnected?.();
          connectedBefore = true;
        },
      },
    });
    return socket;
  };

  function subscribe(document: unknown, variables?: unknown, subscribeOptions: SubscribeOptions = {}): AsyncIterableIterator<unknown> {
    const query = documentText(document);
    const operationName = subscribeOptions.operationName ?? (query === undefined ? undefined : operationNameOf(query));
    const label = operationName ?? 'The subscription';
    type Source = AsyncIterableIterator<{ data?: unknown; errors?: readonly GraphQLErrorEntry[] }>;
    let source: Source | null = null;
    let ended = false;
    const end = async () => {
      ended = true;
      subscribeOptions.signal?.removeEventListener('abort', onAbort);
      await source?.return?.();
    };
    const onAbort = () => void end();
    subscribeOptions.signal?.addEventListener('abort', onAbort, { once: true });
    const iterator: AsyncIterableIterator<unknown> = {
      async next() {
        if (ended || subscribeOptions.signal?.aborted) return { done: true, value: undefined };
        if (query === undefined) {
          throw new MinerGraphError(
            'This is not a GraphQL document the client can send: pass a string, a TypedDocumentString, or a parsed document.',
            {
              kind: 'config',
              operationName,
            },
          );
        }
        source ??= connection().iterate({
          query,
          variables: (variables ?? {}) as Record<string, unknown>,
          ...(subscribeOptions.operationName ? { operationName } : {}),
        }) as unknown as Source;
        let result: IteratorResult<{ data?: unknown; errors?: readonly GraphQLErrorEntry[] }>;
        try {
          result = await source!.next();
        } catch (error) {
          ended = true;
          if (subscribeOptions.signal?.aborted) return { done: true, value: undefined };
          throw failure(error, label, operationName, url);
        }
        if (result.done) return { done: true, value: undefined };
        const { data, errors } = result.value;
        if (errors && errors.length > 0) {
          await end();
          throw new MinerGraphError(`${label} failed: ${describe(errors)}`, { kind: 'graphql', errors, data, operationName });
        }
        return { done: false, value: data };
      },
      async return() {
        await end();
        return { done: true, value: undefined };
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  return Object.freeze({
    subscribe: subscribe as Subscriber['subscribe'],
    close: async () => {
      const open = socket;
      socket = null;
      await open?.dispose();
    },
  });
}

/** createClient of `@minergraph/sdk`, plus `subscribe(document, variables)` and `close()`. */
export function createClient(options: ClientOptions & SubscriptionOptions): SubscribingClient {
  const client = createFullClient(options);
  const subscriber = createSubscriber(options);
  return Object.freeze({ ...client, subscribe: subscriber.subscribe, close: subscriber.close });
}

export { MinerGraphError } from './errors.js';
export type { ResultOf, TypedDocument, VariablesOf } from './documents.js';
export type { ClientOptions } from './client.js';
export {
  CompanyChangedDocument,
  FactsChangedDocument,
  PricesRecordedDocument,
  type CompanyChangedSubscription,
  type CompanyChangedSubscriptionVariables,
  type FactsChangedSubscription,
  type PricesRecordedSubscription,
  type PricesRecordedSubscriptionVariables,
} from './_generated/graphql.js';

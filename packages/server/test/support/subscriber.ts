import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/** The WebSocket URL of a server's GraphQL URL (http://host:port/graphql). */
export const wsUrl = (graphqlUrl: string) => graphqlUrl.replace(/^http/, 'ws');

/** A graphql-ws client of the server, as a subscriber would use it; no retries unless asked. */
export function wsClient(graphqlUrl: string, options: { authorization?: string; retryAttempts?: number } = {}): Client {
  return createClient({
    url: wsUrl(graphqlUrl),
    webSocketImpl: WebSocket,
    retryAttempts: options.retryAttempts ?? 0,
    connectionParams: options.authorization ? { authorization: options.authorization } : {},
  });
}

export interface Subscription<T = any> {
  /** The next event, or the error the subscription ended with (rejects). */
  next(timeoutMs?: number): Promise<T>;
  /** Resolves once the server has acknowledged the subscription's connection. */
  stop(): Promise<void>;
}

/**
 * Subscribes and collects events as they come; `next()` takes them in order. Errors (the
 * server's `error` message, a close) reject the pending and later `next()` calls.
 */
export function subscribe<T = any>(client: Client, query: string, variables: Record<string, unknown> = {}): Subscription<T> {
  const events: T[] = [];
  let failure: unknown;
  let wake: (() => void) | null = null;
  const unsubscribe = client.subscribe<T>(
    { query, variables },
    {
      next: (value) => {
        events.push(value as T);
        wake?.();
      },
      error: (error) => {
        failure = error ?? new Error('the subscription failed');
        wake?.();
      },
      complete: () => {
        failure ??= new Error('the subscription completed');
        wake?.();
      },
    },
  );
  return {
    async next(timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (events.length === 0) {
        if (failure) throw failure;
        if (Date.now() > deadline) throw new Error(`no event within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 50);
        });
      }
      return events.shift()!;
    },
    async stop() {
      unsubscribe();
    },
  };
}

export interface RawSocket {
  socket: WebSocket;
  /** Messages received so far, parsed. */
  messages: any[];
  /** Resolves with the close code and reason. */
  closed: Promise<{ code: number; reason: string }>;
  send(message: unknown): void;
  /** Waits for a message that satisfies `test`. */
  waitFor(test: (message: any) => boolean, timeoutMs?: number): Promise<any>;
}

/** A bare graphql-ws connection: connection_init with these params, nothing else done for you. */
export async function rawSocket(graphqlUrl: string, connectionParams: Record<string, unknown> = {}): Promise<RawSocket> {
  const socket = new WebSocket(wsUrl(graphqlUrl), 'graphql-transport-ws');
  const messages: any[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  socket.on('message', (data) => messages.push(JSON.parse(String(data))));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ type: 'connection_init', payload: connectionParams }));
  return {
    socket,
    messages,
    closed,
    send: (message) => socket.send(JSON.stringify(message)),
    async waitFor(test, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = messages.find(test);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no such message within ${timeoutMs} ms: ${JSON.stringify(messages).slice(0, 500)}`);
        if (socket.readyState === WebSocket.CLOSED) throw new Error(`closed before such a message: ${JSON.stringify(await closed)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}

// autocannon for GraphQL: POSTs a cycle of calls from many connections and counts, besides
// non-2xx answers and socket errors, every answer with GraphQL `errors` or non-empty `userErrors`.
import autocannon from 'autocannon';

export interface Call {
  /** What the call does, to count answers by kind. */
  kind: string;
  /** The JSON body; called for every request, so a write can carry a fresh idempotency key. */
  body: () => string;
  headers?: Record<string, string>;
}

export interface CannonRun {
  seconds: number;
  requests: number;
  /** Requests sent, the completed ones and those still in flight when the run ended (which the server still answers). */
  sent: number;
  /** Completed requests per second over the run. */
  perSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  socketErrors: number;
  timeouts: number;
  graphqlErrors: number;
  byKind: Record<string, number>;
  /** The first failing answer, to say what went wrong. */
  firstFailure: string | null;
}

/** An answer that is not a clean success: top-level errors, or a write's userErrors. */
export function failureIn(body: string): boolean {
  return body.includes('"errors":') || body.includes('"userErrors":[{');
}

/** Runs `calls` in order, over and over, on each of `connections` connections, for `seconds`. */
export async function cannon(url: string, calls: Call[], options: { connections: number; seconds: number }): Promise<CannonRun> {
  const byKind: Record<string, number> = {};
  let graphqlErrors = 0;
  let firstFailure: string | null = null;
  const { pathname } = new URL(url);
  const result = await autocannon({
    url,
    connections: options.connections,
    duration: options.seconds,
    timeout: 30,
    requests: calls.map((call) => ({
      method: 'POST',
      path: pathname,
      headers: { 'content-type': 'application/json', ...call.headers },
      setupRequest: (request) => ({ ...request, body: call.body() }),
      onResponse: (status, body) => {
        byKind[call.kind] = (byKind[call.kind] ?? 0) + 1;
        if (status >= 200 && status < 300 && failureIn(body)) {
          graphqlErrors += 1;
          firstFailure ??= `${call.kind}: ${body.slice(0, 300)}`;
        } else if (status >= 300) firstFailure ??= `${call.kind}: HTTP ${status} ${body.slice(0, 300)}`;
      },
    })),
  });
  return {
    seconds: result.duration,
    requests: result.requests.total,
    sent: result.requests.sent,
    perSecond: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    socketErrors: result.errors,
    timeouts: result.timeouts,
    graphqlErrors,
    byKind,
    firstFailure,
  };
}

/** Sends one call and answers its parsed body, failing loudly on anything but a clean success. */
export async function callOnce(url: string, call: Call): Promise<any> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...call.headers },
    body: call.body(),
  });
  const text = await response.text();
  if (!response.ok || failureIn(text)) throw new Error(`${call.kind} failed (HTTP ${response.status}): ${text.slice(0, 500)}`);
  return JSON.parse(text);
}

export const graphqlBody = (query: string, variables?: Record<string, unknown>) => JSON.stringify({ query, variables });

import { Decimal } from '@minergraph/schema';
import type { CoinGeckoConfig } from '../config.js';

/** One point of CoinGecko's `prices` series: an instant and a USD price as exact decimal text. */
export interface CoinGeckoPrice {
  at: Date;
  price: string;
}

export interface RetryPolicy {
  /** Requests in all, the first included. */
  maxAttempts: number;
  /** The wait after the first failure; it doubles after each further one. */
  baseDelayMs: number;
  /** No wait is longer, whatever Retry-After asks. */
  maxDelayMs: number;
}

/**
 * The Demo plan allows about 30 calls a minute and answers 429 with a Retry-After of up to a
 * minute; six attempts with waits up to two minutes ride out a busy minute without hanging.
 */
export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 2_000, maxDelayMs: 120_000 };

export interface CoinGeckoClientOptions extends Pick<CoinGeckoConfig, 'baseUrl' | 'apiKey' | 'plan'> {
  retry?: Partial<RetryPolicy>;
  /** How waits happen; tests pass one that records them and returns at once. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  timeoutMs?: number;
  /** Hears of each retry before its wait, e.g. to tell the user. */
  onRetry?: (retry: { attempt: number; maxAttempts: number; delayMs: number; reason: string }) => void;
}

export class CoinGeckoError extends Error {
  override name = 'CoinGeckoError';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface CoinGeckoClient {
  /** `/coins/{id}/market_chart/range` in USD between two instants (CoinGecko takes whole seconds). */
  marketChartRange(coinId: string, from: Date, to: Date): Promise<CoinGeckoPrice[]>;
}

const RETRYABLE = new Set([429, 500, 502, 503, 504]);

export function createCoinGeckoClient(options: CoinGeckoClientOptions): CoinGeckoClient {
  const retry = { ...DEFAULT_RETRY, ...options.retry };
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? Date.now;
  const headers: Record<string, string> = { accept: 'application/json' };
  // CoinGecko's documented headers; each plan's key works only with its own header and root URL.
  if (options.apiKey) headers[options.plan === 'pro' ? 'x-cg-pro-api-key' : 'x-cg-demo-api-key'] = options.apiKey;

  return {
    async marketChartRange(coinId, from, to) {
      const window = `${coinId} ${from.toISOString()} → ${to.toISOString()}`;
      const url =
        `${options.baseUrl}/coins/${encodeURIComponent(coinId)}/market_chart/range` +
        `?vs_currency=usd&from=${Math.floor(from.getTime() / 1000)}&to=${Math.ceil(to.getTime() / 1000)}`;
      for (let attempt = 1; ; attempt += 1) {
        let response: Response | undefined;
        let reason: string;
        try {
          response = await fetch(url, { headers, signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) });
          const body = await response.text();
          if (response.ok) return parseMarketChart(body, window);
          if (!RETRYABLE.has(response.status)) throw new CoinGeckoError(failure(window, response.status, body), response.status);
          reason = `HTTP ${response.status}`;
        } catch (error) {
          if (error instanceof CoinGeckoError) throw error;
          const unreachable = unreachableBecause(error);
          // Nothing answers there: waiting will not change that, so say so now.
          if (unreachable)
            throw new CoinGeckoError(
              `Cannot reach CoinGecko at ${new URL(options.baseUrl).host}: ${unreachable}. Check your network, or COINGECKO_BASE_URL.`,
            );
          reason = (error as Error).name === 'TimeoutError' ? 'no answer in time' : `${(error as Error).message}`;
        }
        if (attempt >= retry.maxAttempts) {
          throw new CoinGeckoError(
            `CoinGecko gave no usable answer for ${window} in ${attempt} attempts (last: ${reason}).`,
            response?.status,
          );
        }
        const asked = response ? retryAfterMs(response.headers.get('retry-after'), now()) : null;
        const delayMs = Math.min(asked ?? retry.baseDelayMs * 2 ** (attempt - 1), retry.maxDelayMs);
        options.onRetry?.({ attempt, maxAttempts: retry.maxAttempts, delayMs, reason });
        await sleep(delayMs);
      }
    },
  };
}

const TLS_FAILURE = /^(CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_TLS_|ERR_SSL_|EPROTO$)/;

/** Why a fetch could not reach the server at all, for failures that retrying will not mend; null otherwise. */
function unreachableBecause(error: unknown): string | null {
  const cause = (error as { cause?: { code?: string; hostname?: string } }).cause;
  const code = cause?.code ?? '';
  if (code === 'ECONNREFUSED') return 'the connection was refused';
  if (code === 'ENOTFOUND') return `the host name does not resolve (DNS)`;
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'there is no route to it';
  if (TLS_FAILURE.test(code)) return `its TLS certificate or handshake failed (${code})`;
  return null;
}

/** Retry-After as seconds or as an HTTP date (RFC 9110); null when absent or unreadable. */
export function retryAfterMs(header: string | null, nowMs: number): number | null {
  if (header === null || header.trim() === '') return null;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : Math.max(0, date - nowMs);
}

function failure(window: string, status: number, body: string): string {
  const hint =
    status === 401 || status === 403
      ? ' Check COINGECKO_API_KEY and COINGECKO_API_PLAN (a demo key goes to api.coingecko.com, a pro key to pro-api.coingecko.com); the Demo plan only serves the past 365 days.'
      : status === 404
        ? ' Is the coin id right? Pass --coin-id with the "API ID" from the coin\'s CoinGecko page.'
        : '';
  return `CoinGecko refused ${window}: HTTP ${status} ${excerpt(body)}.${hint}`;
}

/**
 * Reads `{ prices: [[ms, price], ...], market_caps, total_volumes }`. Prices arrive as JSON
 * numbers; they are kept as the text CoinGecko sent (never a JavaScript float), so the stored
 * decimal is exactly the one published.
 */
export function parseMarketChart(body: string, window: string): CoinGeckoPrice[] {
  const malformed = (why: string) =>
    new CoinGeckoError(`CoinGecko's answer for ${window} is malformed: ${why}. It began: ${excerpt(body)}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(numbersAsStrings(body));
  } catch {
    throw malformed('it is not JSON');
  }
  const prices = (parsed as { prices?: unknown } | null)?.prices;
  if (!Array.isArray(prices)) throw malformed('it has no "prices" array');
  return prices.map((entry: unknown, index) => {
    const time = Array.isArray(entry) ? numberText(entry[0]) : null;
    const price = Array.isArray(entry) ? numberText(entry[1]) : null;
    if (time === null || price === null || !/^\d+$/.test(time)) throw malformed(`prices[${index}] is not [milliseconds, price]`);
    // A JSON number may use an exponent (1.5e-7); decimal.js turns it into plain digits exactly.
    return { at: new Date(Number(time)), price: /[eE]/.test(price) ? new Decimal(price).toFixed() : price };
  });
}

/** Marks a number rewritten by numbersAsStrings, so that it is never mistaken for a JSON string. */
const NUMBER_MARK = '\u0000';

/** The digits of a JSON number as sent, or null for anything else. */
function numberText(value: unknown): string | null {
  return typeof value === 'string' && value.startsWith(NUMBER_MARK) ? value.slice(NUMBER_MARK.length) : null;
}

/** A JSON string (left alone) or a JSON number (to be quoted); strings match first, whole. */
const JSON_STRING_OR_NUMBER = /"(?:[^"\\]|\\.)*"|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

/**
 * Rewrites every number of a JSON text as a marked string of its exact digits, so JSON.parse
 * never rounds one to a float. (JSON.parse's reviver sees the source text only from Node 21
 * on.) Anything that is not JSON stays not JSON.
 */
export function numbersAsStrings(text: string): string {
  return text.replace(JSON_STRING_OR_NUMBER, (token) => (token.startsWith('"') ? token : `"\\u0000${token}"`));
}

function excerpt(body: string): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 300)}…` : flat || '(an empty body)';
}

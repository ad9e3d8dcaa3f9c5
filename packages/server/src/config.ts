import { availableParallelism } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { DEFAULT_RATE_LIMITS, type RateLimits } from './http/rate-limits.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const COINGECKO_PLANS = ['demo', 'pro'] as const;

/** CoinGecko serves each plan from its own root URL and accepts only that plan's key there. */
const COINGECKO_ROOTS: Record<CoinGeckoPlan, string> = {
  demo: 'https://api.coingecko.com/api/v3',
  pro: 'https://pro-api.coingecko.com/api/v3',
};

const unsetIfEmpty = (value: string | undefined) => (value === undefined || value.trim() === '' ? undefined : value.trim());

const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .optional()
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

/** A flag that is on unless set to false, 0 or no. */
const onUnlessOff = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .optional()
  .transform((value) => !(value === 'false' || value === '0' || value === 'no'));

/** A whole number from the environment, or its default when unset. */
const count = (fallback: number, min = 1) =>
  z
    .string()
    .optional()
    .transform((value) => (value === undefined || value.trim() === '' ? fallback : Number(value)))
    .pipe(z.number().int('must be a whole number').min(min));

/** Unset means "the default for this NODE_ENV", so production can switch things off by default. */
const optionalFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .optional()
  .transform((value) => (value === undefined || value === '' ? undefined : value === 'true' || value === '1' || value === 'yes'));

/** What one request may ask for; every limit is checked before any SQL runs. */
export interface Limits {
  readonly maxDepth: number;
  readonly maxComplexity: number;
  readonly maxBreadth: number;
  readonly maxAliases: number;
  readonly maxRootFields: number;
  /** Characters of the GraphQL document. */
  readonly maxQueryLength: number;
  readonly maxBodyBytes: number;
  /** PostgreSQL cancels a statement that runs longer; 0 means no limit. */
  readonly statementTimeoutMs: number;
}

export const DEFAULT_LIMITS: Limits = Object.freeze({
  maxDepth: 12,
  maxComplexity: 25_000,
  maxBreadth: 400,
  maxAliases: 30,
  maxRootFields: 20,
  maxQueryLength: 20_000,
  maxBodyBytes: 2_000_000,
  statementTimeoutMs: 10_000,
});

/** What WebSocket subscribers may hold open (MINERGRAPH_MAX_SUBSCRIPTIONS_PER_CONNECTION, ...). */
export interface SubscriptionLimits {
  /** Subscriptions at once on one connection; one more gets a TOO_MANY_SUBSCRIPTIONS error. */
  readonly maxPerConnection: number;
  /** Connections at once per API key, or per address without one; one more is closed (1008). */
  readonly maxConnectionsPerClient: number;
  /** Events one subscription may have waiting unsent; one more closes its connection (1013). */
  readonly bufferSize: number;
}

export const DEFAULT_SUBSCRIPTION_LIMITS: SubscriptionLimits = Object.freeze({
  maxPerConnection: 20,
  maxConnectionsPerClient: 20,
  bufferSize: 100,
});

/**
 * How long the HTTP server waits on a client before it closes the connection, so that silent
 * or slow sockets (a scanner, a slowloris) do not pile up. Milliseconds.
 */
export interface ServerTimeouts {
  /** A new connection that has not sent a byte. */
  readonly idleSocketMs: number;
  /** From a request's first byte to the end of its headers (HTTP 408 after). */
  readonly headersMs: number;
  /** From a request's first byte to the end of its body (HTTP 408 after); not the time to answer it. */
  readonly requestMs: number;
  /** A kept-alive connection between two requests. */
  readonly keepAliveMs: number;
}

export const DEFAULT_TIMEOUTS: ServerTimeouts = Object.freeze({
  idleSocketMs: 10_000,
  headersMs: 20_000,
  requestMs: 60_000,
  keepAliveMs: 5_000,
});

/** Defaults of the variables the CLI's help names (see also the README's table). */
export const DEFAULT_SETTINGS = Object.freeze({
  port: 4000,
  host: '127.0.0.1',
  workers: 1,
  dataDir: '.minergraph/data',
  logLevel: 'info',
} as const satisfies { port: number; host: string; workers: number; dataDir: string; logLevel: LogLevel });

const environment = z.object({
  PORT: z
    .string()
    .optional()
    .transform((value) => (value === undefined || value === '' ? DEFAULT_SETTINGS.port : Number(value)))
    .pipe(z.number().int('must be a whole number').min(0).max(65535)),
  HOST: z.string().min(1).default(DEFAULT_SETTINGS.host),
  DATABASE_URL: z
    .string()
    .optional()
    .transform((value) => (value === '' ? undefined : value))
    .refine((value) => value === undefined || /^postgres(ql)?:\/\/.+/.test(value), {
      message: 'must be a PostgreSQL URL such as postgres://user@host:5432/db (or unset for the embedded database)',
    }),
  DATABASE_READ_URL: z
    .string()
    .optional()
    .transform(unsetIfEmpty)
    .refine((value) => value === undefined || /^postgres(ql)?:\/\/.+/.test(value), {
      message: 'must be the PostgreSQL URL of a streaming replica of DATABASE_URL, such as postgres://user@replica:5432/db (or unset)',
    }),
  MINERGRAPH_READ_REPLICA_WAIT_MS: count(500, 0),
  MINERGRAPH_WORKERS: z
    .string()
    .optional()
    .transform((value) => unsetIfEmpty(value)?.toLowerCase() ?? String(DEFAULT_SETTINGS.workers))
    .refine((value) => value === 'auto' || /^[1-9]\d{0,2}$/.test(value), {
      message: 'must be a whole number of processes from 1 to 999, or auto (one per available CPU)',
    })
    .transform((value): number | 'auto' => (value === 'auto' ? 'auto' : Number(value))),
  MINERGRAPH_DATA_DIR: z.string().min(1).default(DEFAULT_SETTINGS.dataDir),
  LOG_LEVEL: z.enum(LOG_LEVELS).default(DEFAULT_SETTINGS.logLevel),
  MINERGRAPH_REQUIRE_AUTH: flag,
  NODE_ENV: z.string().default('development'),
  MINERGRAPH_MAX_DEPTH: count(DEFAULT_LIMITS.maxDepth),
  MINERGRAPH_MAX_COMPLEXITY: count(DEFAULT_LIMITS.maxComplexity),
  MINERGRAPH_MAX_BREADTH: count(DEFAULT_LIMITS.maxBreadth),
  MINERGRAPH_MAX_ALIASES: count(DEFAULT_LIMITS.maxAliases),
  MINERGRAPH_MAX_ROOT_FIELDS: count(DEFAULT_LIMITS.maxRootFields),
  MINERGRAPH_MAX_QUERY_LENGTH: count(DEFAULT_LIMITS.maxQueryLength),
  MINERGRAPH_MAX_BODY_BYTES: count(DEFAULT_LIMITS.maxBodyBytes),
  MINERGRAPH_STATEMENT_TIMEOUT_MS: count(DEFAULT_LIMITS.statementTimeoutMs, 0),
  MINERGRAPH_IDLE_SOCKET_TIMEOUT_MS: count(DEFAULT_TIMEOUTS.idleSocketMs),
  MINERGRAPH_HEADERS_TIMEOUT_MS: count(DEFAULT_TIMEOUTS.headersMs),
  MINERGRAPH_REQUEST_TIMEOUT_MS: count(DEFAULT_TIMEOUTS.requestMs),
  MINERGRAPH_KEEP_ALIVE_TIMEOUT_MS: count(DEFAULT_TIMEOUTS.keepAliveMs),
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .string()
    .optional()
    .transform(unsetIfEmpty)
    .refine((value) => value === undefined || isHttpUrl(value), {
      message: 'must be an http(s) URL of an OTLP/HTTP collector, e.g. http://127.0.0.1:4318',
    }),
  OTEL_SERVICE_NAME: z.string().optional().transform(unsetIfEmpty),
  MINERGRAPH_METRICS_TOKEN: z
    .string()
    .optional()
    .transform(unsetIfEmpty)
    .refine((value) => value === undefined || value.length >= 16, { message: 'must be at least 16 characters' }),
  MINERGRAPH_RATE_LIMIT_PER_KEY: count(DEFAULT_RATE_LIMITS.perKeyPerMinute, 0),
  MINERGRAPH_RATE_LIMIT_PER_ADDRESS: count(DEFAULT_RATE_LIMITS.perAddressPerMinute, 0),
  MINERGRAPH_MAX_CONCURRENT_PER_CLIENT: count(DEFAULT_RATE_LIMITS.concurrentPerClient, 0),
  MINERGRAPH_MAX_SUBSCRIPTIONS_PER_CONNECTION: count(DEFAULT_SUBSCRIPTION_LIMITS.maxPerConnection),
  MINERGRAPH_MAX_WS_CONNECTIONS_PER_CLIENT: count(DEFAULT_SUBSCRIPTION_LIMITS.maxConnectionsPerClient),
  MINERGRAPH_SUBSCRIPTION_BUFFER: count(DEFAULT_SUBSCRIPTION_LIMITS.bufferSize),
  MINERGRAPH_INTROSPECTION: optionalFlag,
  MINERGRAPH_PLAYGROUND: optionalFlag,
  MINERGRAPH_EXPLORER: optionalFlag,
  MINERGRAPH_PERSISTED_ONLY: flag,
  MINERGRAPH_RESPONSE_CACHE: onUnlessOff,
  MINERGRAPH_RESPONSE_CACHE_MB: count(64),
  MINERGRAPH_LOOK_AHEAD: onUnlessOff,
  MINERGRAPH_PERSISTED_MANIFEST: z.string().optional().transform(unsetIfEmpty),
  MINERGRAPH_CORS_ORIGINS: z
    .string()
    .optional()
    .transform((value, context) => {
      const listed = unsetIfEmpty(value);
      if (listed === undefined) return undefined;
      const parsed = parseCorsOrigins(listed);
      if ('problem' in parsed) {
        context.addIssue({ code: 'custom', message: parsed.problem });
        return z.NEVER;
      }
      return parsed.origins;
    }),
  COINGECKO_BASE_URL: z
    .string()
    .optional()
    .transform(unsetIfEmpty)
    .refine((value) => value === undefined || isHttpUrl(value), {
      message: 'must be an http(s) URL such as https://api.coingecko.com/api/v3',
    }),
  COINGECKO_API_KEY: z.string().optional().transform(unsetIfEmpty),
  COINGECKO_API_PLAN: z
    .string()
    .optional()
    .transform((value) => unsetIfEmpty(value)?.toLowerCase() ?? 'demo')
    .pipe(z.enum(COINGECKO_PLANS, { message: 'must be demo or pro' })),
});

export type LogLevel = (typeof LOG_LEVELS)[number];
export type CoinGeckoPlan = (typeof COINGECKO_PLANS)[number];

/**
 * Which web pages may call the API from their own origin (CORS): `'*'` any page, `'local'` a
 * page on localhost, 127.0.0.1 or [::1] at any port (a front end's dev server), or exactly
 * these origins (none when empty).
 */
export type CorsOrigins = '*' | 'local' | readonly string[];

export interface CoinGeckoConfig {
  /** Root of the API, without a trailing slash. */
  readonly baseUrl: string;
  readonly apiKey: string | undefined;
  /** Which header carries the key: x-cg-demo-api-key or x-cg-pro-api-key. */
  readonly plan: CoinGeckoPlan;
}

export interface Config {
  readonly port: number;
  readonly host: string;
  /** PostgreSQL through `pg`; when absent, the embedded PGlite in `dataDir`. */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  /**
   * DATABASE_READ_URL: a streaming replica of DATABASE_URL that serves read-only operations;
   * a read that must see a client's own write waits up to `maxWaitMs` for the replica to have
   * replayed it, or goes to the primary.
   */
  readonly readReplica: { readonly url: string; readonly maxWaitMs: number } | null;
  /**
   * Server processes on PostgreSQL (MINERGRAPH_WORKERS; `auto`: one per available CPU). Always
   * 1 on PGlite, which one process has open.
   */
  readonly workers: number;
  readonly logLevel: LogLevel;
  readonly requireAuth: boolean;
  readonly production: boolean;
  readonly coingecko: CoinGeckoConfig;
  readonly limits: Limits;
  readonly subscriptions: SubscriptionLimits;
  readonly timeouts: ServerTimeouts;
  /** Requests a client may send a minute and at once (0: no limit). */
  readonly rateLimits: RateLimits;
  /** GET /metrics needs it as a Bearer token; without one, /metrics is served only outside production. */
  readonly metricsToken: string | null;
  /** Traces go to this OTLP/HTTP collector (OTEL_EXPORTER_OTLP_ENDPOINT); none when null. */
  readonly tracing: { readonly endpoint: string; readonly serviceName: string } | null;
  /** Schema introspection; off in production unless MINERGRAPH_INTROSPECTION=true. */
  readonly introspection: boolean;
  /** The GraphiQL playground; off in production unless MINERGRAPH_PLAYGROUND=true. */
  readonly playground: boolean;
  /** The explorer page at `/`; on unless MINERGRAPH_EXPLORER=false, in production too. */
  readonly explorer: boolean;
  /**
   * "Did you mean ...?" in error messages, which name fields, arguments and types a client did
   * not ask about: only outside production, and only when introspection shows them anyway.
   */
  readonly suggestions: boolean;
  /** Only operations of the SDK's persisted-operation manifest run. */
  readonly persistedOnly: boolean;
  /** Where the manifest is; by default the copy of the SDK's in this package (persisted-operations.json). */
  readonly persistedManifest: string | undefined;
  /** MINERGRAPH_CORS_ORIGINS; unset: local pages outside production, none in production. */
  readonly corsOrigins: CorsOrigins;
  /** Answers to reads kept in memory until a write (MINERGRAPH_RESPONSE_CACHE, on by default); null when off. */
  readonly responseCache: { readonly maxBytes: number } | null;
  /** Queries compiled into one SQL statement where they can be (MINERGRAPH_LOOK_AHEAD, on by default; look-ahead/compile.ts). */
  readonly lookAhead: boolean;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment once; every problem is named with the variable to fix. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const parsed = environment.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      const value = env[name];
      return `  ${name}=${JSON.stringify(value ?? '')}: ${issue.message}`;
    });
    throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  }
  const e = parsed.data;
  // Node refuses a headers timeout longer than the request timeout it is part of.
  if (e.MINERGRAPH_HEADERS_TIMEOUT_MS > e.MINERGRAPH_REQUEST_TIMEOUT_MS) {
    throw new ConfigError(
      `Invalid configuration:\n  MINERGRAPH_HEADERS_TIMEOUT_MS=${JSON.stringify(env.MINERGRAPH_HEADERS_TIMEOUT_MS ?? '')}: must not exceed MINERGRAPH_REQUEST_TIMEOUT_MS (${e.MINERGRAPH_REQUEST_TIMEOUT_MS})`,
    );
  }
  if (e.DATABASE_READ_URL !== undefined && e.DATABASE_URL === undefined) {
    throw new ConfigError(
      'Invalid configuration:\n  DATABASE_READ_URL is set without DATABASE_URL: a read replica serves beside a PostgreSQL primary; set DATABASE_URL to the primary, or unset DATABASE_READ_URL.',
    );
  }
  // The embedded database is open in one process only: asking for more is a mistake to fix,
  // `auto` is not (it means "as many as make sense here").
  if (e.DATABASE_URL === undefined && typeof e.MINERGRAPH_WORKERS === 'number' && e.MINERGRAPH_WORKERS > 1) {
    throw new ConfigError(
      `Invalid configuration:\n  MINERGRAPH_WORKERS=${JSON.stringify(env.MINERGRAPH_WORKERS ?? '')}: the embedded PGlite database can be served by one process only; set DATABASE_URL to a PostgreSQL database to run several, or set MINERGRAPH_WORKERS=1.`,
    );
  }
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    readReplica: e.DATABASE_READ_URL ? Object.freeze({ url: e.DATABASE_READ_URL, maxWaitMs: e.MINERGRAPH_READ_REPLICA_WAIT_MS }) : null,
    workers: e.DATABASE_URL === undefined ? 1 : e.MINERGRAPH_WORKERS === 'auto' ? availableParallelism() : e.MINERGRAPH_WORKERS,
    dataDir: isAbsolute(e.MINERGRAPH_DATA_DIR) ? e.MINERGRAPH_DATA_DIR : resolve(cwd, e.MINERGRAPH_DATA_DIR),
    logLevel: e.LOG_LEVEL,
    requireAuth: e.MINERGRAPH_REQUIRE_AUTH,
    production: e.NODE_ENV === 'production',
    limits: Object.freeze({
      maxDepth: e.MINERGRAPH_MAX_DEPTH,
      maxComplexity: e.MINERGRAPH_MAX_COMPLEXITY,
      maxBreadth: e.MINERGRAPH_MAX_BREADTH,
      maxAliases: e.MINERGRAPH_MAX_ALIASES,
      maxRootFields: e.MINERGRAPH_MAX_ROOT_FIELDS,
      maxQueryLength: e.MINERGRAPH_MAX_QUERY_LENGTH,
      maxBodyBytes: e.MINERGRAPH_MAX_BODY_BYTES,
      statementTimeoutMs: e.MINERGRAPH_STATEMENT_TIMEOUT_MS,
    }),
    subscriptions: Object.freeze({
      maxPerConnection: e.MINERGRAPH_MAX_SUBSCRIPTIONS_PER_CONNECTION,
      maxConnectionsPerClient: e.MINERGRAPH_MAX_WS_CONNECTIONS_PER_CLIENT,
      bufferSize: e.MINERGRAPH_SUBSCRIPTION_BUFFER,
    }),
    timeouts: Object.freeze({
      idleSocketMs: e.MINERGRAPH_IDLE_SOCKET_TIMEOUT_MS,
      headersMs: e.MINERGRAPH_HEADERS_TIMEOUT_MS,
      requestMs: e.MINERGRAPH_REQUEST_TIMEOUT_MS,
      keepAliveMs: e.MINERGRAPH_KEEP_ALIVE_TIMEOUT_MS,
    }),
    metricsToken: e.MINERGRAPH_METRICS_TOKEN ?? null,
    tracing: e.OTEL_EXPORTER_OTLP_ENDPOINT
      ? Object.freeze({ endpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: e.OTEL_SERVICE_NAME ?? 'minergraph' })
      : null,
    rateLimits: Object.freeze({
      perKeyPerMinute: e.MINERGRAPH_RATE_LIMIT_PER_KEY,
      perAddressPerMinute: e.MINERGRAPH_RATE_LIMIT_PER_ADDRESS,
      concurrentPerClient: e.MINERGRAPH_MAX_CONCURRENT_PER_CLIENT,
    }),
    introspection: e.MINERGRAPH_INTROSPECTION ?? e.NODE_ENV !== 'production',
    playground: e.MINERGRAPH_PLAYGROUND ?? e.NODE_ENV !== 'production',
    explorer: e.MINERGRAPH_EXPLORER ?? true,
    suggestions: e.NODE_ENV !== 'production' && (e.MINERGRAPH_INTROSPECTION ?? true),
    persistedOnly: e.MINERGRAPH_PERSISTED_ONLY,
    persistedManifest: e.MINERGRAPH_PERSISTED_MANIFEST === undefined ? undefined : resolve(cwd, e.MINERGRAPH_PERSISTED_MANIFEST),
    corsOrigins: e.MINERGRAPH_CORS_ORIGINS ?? (e.NODE_ENV === 'production' ? Object.freeze<string[]>([]) : 'local'),
    responseCache: e.MINERGRAPH_RESPONSE_CACHE ? Object.freeze({ maxBytes: e.MINERGRAPH_RESPONSE_CACHE_MB * 1024 * 1024 }) : null,
    lookAhead: e.MINERGRAPH_LOOK_AHEAD,
    coingecko: Object.freeze({
      baseUrl: (e.COINGECKO_BASE_URL ?? COINGECKO_ROOTS[e.COINGECKO_API_PLAN]).replace(/\/+$/, ''),
      apiKey: e.COINGECKO_API_KEY,
      plan: e.COINGECKO_API_PLAN,
    }),
  });
}

/**
 * `*`, or origins separated by commas, each as a browser sends it in `Origin`:
 * scheme://host[:port], no path. Returns the origins as browsers spell them (lower-case host,
 * no default port), or the sentence that says what is wrong.
 */
function parseCorsOrigins(value: string): { origins: '*' | readonly string[] } | { problem: string } {
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.includes('*')) {
    return entries.length === 1
      ? { origins: '*' }
      : { problem: 'lists * (every origin) with other origins; write * alone, or only the origins' };
  }
  const origins: string[] = [];
  for (const entry of entries) {
    const url = URL.canParse(entry) ? new URL(entry) : undefined;
    const afterScheme = entry.slice(entry.indexOf('//') + 2);
    const bare = entry.includes('//') && !/[?#@\\]/.test(afterScheme) && !afterScheme.replace(/\/$/, '').includes('/');
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !bare) {
      return {
        problem: `${JSON.stringify(entry)} is not an origin: write each as scheme://host[:port] with no path, e.g. https://app.example.com,http://localhost:5173, or * for every origin`,
      };
    }
    origins.push(url.origin);
  }
  return { origins: Object.freeze([...new Set(origins)]) };
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** A database URL with any password replaced, safe for logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(unparseable url)';
  }
}

import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_LIMITS, loadConfig, redactUrl } from '../src/config.js';

describe('configuration', () => {
  it('defaults to port 4000 on loopback with the embedded database under the working directory', () => {
    expect(loadConfig({}, '/srv/app')).toEqual({
      port: 4000,
      host: '127.0.0.1',
      databaseUrl: undefined,
      readReplica: null,
      workers: 1,
      dataDir: '/srv/app/.minergraph/data',
      logLevel: 'info',
      requireAuth: false,
      production: false,
      coingecko: { baseUrl: 'https://api.coingecko.com/api/v3', apiKey: undefined, plan: 'demo' },
      limits: DEFAULT_LIMITS,
      timeouts: { idleSocketMs: 10_000, headersMs: 20_000, requestMs: 60_000, keepAliveMs: 5_000 },
      metricsToken: null,
      tracing: null,
      rateLimits: { perKeyPerMinute: 600, perAddressPerMinute: 300, concurrentPerClient: 8 },
      introspection: true,
      playground: true,
      explorer: true,
      suggestions: true,
      persistedOnly: false,
      persistedManifest: undefined,
      corsOrigins: 'local',
      responseCache: { maxBytes: 64 * 1024 * 1024 },
      lookAhead: true,
      subscriptions: { maxPerConnection: 20, maxConnectionsPerClient: 20, bufferSize: 100 },
    });
  });

  it('reads every variable it documents', () => {
    const config = loadConfig(
      {
        PORT: '8080',
        HOST: '0.0.0.0',
        DATABASE_URL: 'postgres://postgres@db:5432/minergraph',
        MINERGRAPH_DATA_DIR: '/var/lib/minergraph',
        LOG_LEVEL: 'debug',
        MINERGRAPH_REQUIRE_AUTH: 'true',
        NODE_ENV: 'production',
        COINGECKO_BASE_URL: 'http://127.0.0.1:9999/api/v3/',
        COINGECKO_API_KEY: 'CG-key',
        COINGECKO_API_PLAN: 'pro',
        MINERGRAPH_MAX_DEPTH: '8',
        MINERGRAPH_MAX_COMPLEXITY: '5000',
        MINERGRAPH_MAX_BREADTH: '100',
        MINERGRAPH_MAX_ALIASES: '10',
        MINERGRAPH_MAX_ROOT_FIELDS: '5',
        MINERGRAPH_MAX_QUERY_LENGTH: '4000',
        MINERGRAPH_MAX_BODY_BYTES: '100000',
        MINERGRAPH_STATEMENT_TIMEOUT_MS: '2000',
        MINERGRAPH_IDLE_SOCKET_TIMEOUT_MS: '3000',
        MINERGRAPH_HEADERS_TIMEOUT_MS: '4000',
        MINERGRAPH_REQUEST_TIMEOUT_MS: '30000',
        MINERGRAPH_KEEP_ALIVE_TIMEOUT_MS: '65000',
        MINERGRAPH_METRICS_TOKEN: 'a-metrics-token-for-prometheus',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
        OTEL_SERVICE_NAME: 'minergraph-eu',
        MINERGRAPH_RATE_LIMIT_PER_KEY: '1200',
        MINERGRAPH_RATE_LIMIT_PER_ADDRESS: '0',
        MINERGRAPH_MAX_CONCURRENT_PER_CLIENT: '4',
        MINERGRAPH_MAX_SUBSCRIPTIONS_PER_CONNECTION: '5',
        MINERGRAPH_MAX_WS_CONNECTIONS_PER_CLIENT: '3',
        MINERGRAPH_SUBSCRIPTION_BUFFER: '50',
        MINERGRAPH_PERSISTED_ONLY: 'true',
        MINERGRAPH_PERSISTED_MANIFEST: 'ops.json',
        MINERGRAPH_EXPLORER: 'false',
        MINERGRAPH_CORS_ORIGINS: 'https://app.example.com, HTTP://LOCALHOST:5173/',
        DATABASE_READ_URL: 'postgres://reader:pw@replica:5432/minergraph',
        MINERGRAPH_READ_REPLICA_WAIT_MS: '250',
        MINERGRAPH_WORKERS: '3',
        MINERGRAPH_RESPONSE_CACHE_MB: '16',
        MINERGRAPH_LOOK_AHEAD: 'false',
      },
      '/srv/app',
    );
    expect(config).toEqual({
      port: 8080,
      host: '0.0.0.0',
      databaseUrl: 'postgres://postgres@db:5432/minergraph',
      readReplica: { url: 'postgres://reader:pw@replica:5432/minergraph', maxWaitMs: 250 },
      workers: 3,
      dataDir: '/var/lib/minergraph',
      logLevel: 'debug',
      requireAuth: true,
      production: true,
      coingecko: { baseUrl: 'http://127.0.0.1:9999/api/v3', apiKey: 'CG-key', plan: 'pro' },
      limits: {
        maxDepth: 8,
        maxComplexity: 5000,
        maxBreadth: 100,
        maxAliases: 10,
        maxRootFields: 5,
        maxQueryLength: 4000,
        maxBodyBytes: 100000,
        statementTimeoutMs: 2000,
      },
      timeouts: { idleSocketMs: 3000, headersMs: 4000, requestMs: 30000, keepAliveMs: 65000 },
      metricsToken: 'a-metrics-token-for-prometheus',
      tracing: { endpoint: 'http://collector:4318/', serviceName: 'minergraph-eu' },
      rateLimits: { perKeyPerMinute: 1200, perAddressPerMinute: 0, concurrentPerClient: 4 },
      introspection: false,
      playground: false,
      explorer: false,
      suggestions: false,
      persistedOnly: true,
      persistedManifest: '/srv/app/ops.json',
      corsOrigins: ['https://app.example.com', 'http://localhost:5173'],
      responseCache: { maxBytes: 16 * 1024 * 1024 },
      lookAhead: false,
      subscriptions: { maxPerConnection: 5, maxConnectionsPerClient: 3, bufferSize: 50 },
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.coingecko)).toBe(true);
  });

  it('turns the response cache off with MINERGRAPH_RESPONSE_CACHE=false, and names a bad size', () => {
    expect(loadConfig({ MINERGRAPH_RESPONSE_CACHE: 'false' }).responseCache).toBeNull();
    expect(loadConfig({ MINERGRAPH_RESPONSE_CACHE: '0', MINERGRAPH_RESPONSE_CACHE_MB: '8' }).responseCache).toBeNull();
    expect(loadConfig({ MINERGRAPH_RESPONSE_CACHE: 'true' }).responseCache).toEqual({ maxBytes: 64 * 1024 * 1024 });
    expect(() => loadConfig({ MINERGRAPH_RESPONSE_CACHE_MB: '0' })).toThrow(
      'Invalid configuration:\n  MINERGRAPH_RESPONSE_CACHE_MB="0": Too small: expected number to be >=1',
    );
    expect(() => loadConfig({ MINERGRAPH_RESPONSE_CACHE: 'maybe' })).toThrow('MINERGRAPH_RESPONSE_CACHE="maybe"');
  });

  it('compiles queries with look-ahead unless MINERGRAPH_LOOK_AHEAD=false', () => {
    expect(loadConfig({}).lookAhead).toBe(true);
    expect(loadConfig({ MINERGRAPH_LOOK_AHEAD: 'false' }).lookAhead).toBe(false);
  });

  it("uses CoinGecko's Pro root for a pro key when no base URL is given", () => {
    expect(loadConfig({ COINGECKO_API_PLAN: 'pro', COINGECKO_API_KEY: 'CG-key' }).coingecko).toEqual({
      baseUrl: 'https://pro-api.coingecko.com/api/v3',
      apiKey: 'CG-key',
      plan: 'pro',
    });
  });

  it('refuses a CoinGecko base URL that is not http(s) and an unknown plan', () => {
    const attempt = () => loadConfig({ COINGECKO_BASE_URL: 'ftp://example.com', COINGECKO_API_PLAN: 'gold' });
    expect(attempt).toThrow(/COINGECKO_BASE_URL="ftp:\/\/example.com": must be an http\(s\) URL/);
    expect(attempt).toThrow(/COINGECKO_API_PLAN="gold": must be demo or pro/);
  });

  it('names each bad variable and its value in one message', () => {
    const attempt = () => loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/PORT="eighty"/);
    expect(attempt).toThrow(/LOG_LEVEL="loud"/);
    expect(attempt).toThrow(/DATABASE_URL="mysql:\/\/x": must be a PostgreSQL URL/);
  });

  it('serves the explorer page in production too, unless MINERGRAPH_EXPLORER=false', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).explorer).toBe(true);
    expect(loadConfig({ MINERGRAPH_EXPLORER: 'false' }).explorer).toBe(false);
    expect(loadConfig({ MINERGRAPH_EXPLORER: '' }).explorer).toBe(true);
    expect(() => loadConfig({ MINERGRAPH_EXPLORER: 'off' })).toThrow(/MINERGRAPH_EXPLORER="off"/);
  });

  it('keeps introspection and the playground on in production only when asked to', () => {
    const config = loadConfig({ NODE_ENV: 'production', MINERGRAPH_INTROSPECTION: 'true', MINERGRAPH_PLAYGROUND: 'yes' });
    expect([config.introspection, config.playground]).toEqual([true, true]);
    expect(() => loadConfig({ MINERGRAPH_MAX_DEPTH: '0' })).toThrow(/MINERGRAPH_MAX_DEPTH="0"/);
  });

  it('keeps "Did you mean" suggestions off in production, even with introspection on, and wherever introspection is off', () => {
    expect(loadConfig({ NODE_ENV: 'production', MINERGRAPH_INTROSPECTION: 'true' }).suggestions).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production' }).suggestions).toBe(false);
    expect(loadConfig({ MINERGRAPH_INTROSPECTION: 'false' }).suggestions).toBe(false);
    expect(loadConfig({ NODE_ENV: 'development' }).suggestions).toBe(true);
  });

  it('refuses a port out of range', () => {
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT="70000"/);
  });

  it('refuses a zero idle-socket timeout, and a headers timeout longer than the request timeout', () => {
    expect(() => loadConfig({ MINERGRAPH_IDLE_SOCKET_TIMEOUT_MS: '0' })).toThrow(/MINERGRAPH_IDLE_SOCKET_TIMEOUT_MS="0"/);
    expect(() => loadConfig({ MINERGRAPH_HEADERS_TIMEOUT_MS: '90000' })).toThrow(
      /MINERGRAPH_HEADERS_TIMEOUT_MS="90000": must not exceed MINERGRAPH_REQUEST_TIMEOUT_MS \(60000\)/,
    );
  });

  it('lets pages on localhost call the API outside production, and no page in production unless origins are listed', () => {
    expect(loadConfig({ NODE_ENV: 'development' }).corsOrigins).toBe('local');
    expect(loadConfig({ NODE_ENV: 'production' }).corsOrigins).toEqual([]);
    expect(loadConfig({ NODE_ENV: 'production', MINERGRAPH_CORS_ORIGINS: '' }).corsOrigins).toEqual([]);
    expect(loadConfig({ NODE_ENV: 'production', MINERGRAPH_CORS_ORIGINS: '*' }).corsOrigins).toBe('*');
    expect(
      loadConfig({ MINERGRAPH_CORS_ORIGINS: 'https://a.example.com:443,http://[::1]:8080,https://a.example.com' }).corsOrigins,
    ).toEqual(['https://a.example.com', 'http://[::1]:8080']);
  });

  it('refuses a CORS origin with a path, a scheme other than http(s), or * beside other origins, naming the variable', () => {
    const withPath = () => loadConfig({ MINERGRAPH_CORS_ORIGINS: 'https://app.example.com/graphql' });
    expect(withPath).toThrow(ConfigError);
    expect(withPath).toThrow(
      'Invalid configuration:\n  MINERGRAPH_CORS_ORIGINS="https://app.example.com/graphql": "https://app.example.com/graphql" is not an origin: write each as scheme://host[:port] with no path, e.g. https://app.example.com,http://localhost:5173, or * for every origin',
    );
    expect(() => loadConfig({ MINERGRAPH_CORS_ORIGINS: 'http://localhost:5173,ftp://files.example.com' })).toThrow(
      /MINERGRAPH_CORS_ORIGINS="http:\/\/localhost:5173,ftp:\/\/files.example.com": "ftp:\/\/files.example.com" is not an origin/,
    );
    expect(() => loadConfig({ MINERGRAPH_CORS_ORIGINS: 'localhost:5173' })).toThrow(
      /MINERGRAPH_CORS_ORIGINS="localhost:5173": "localhost:5173" is not an origin/,
    );
    expect(() => loadConfig({ MINERGRAPH_CORS_ORIGINS: 'https://app.example.com?x=1' })).toThrow(/is not an origin/);
    expect(() => loadConfig({ MINERGRAPH_CORS_ORIGINS: '*,https://app.example.com' })).toThrow(
      'MINERGRAPH_CORS_ORIGINS="*,https://app.example.com": lists * (every origin) with other origins; write * alone, or only the origins',
    );
  });

  it('waits 500 ms for a read replica by default, and refuses one without a primary or that is not PostgreSQL', () => {
    const primary = 'postgres://app@db:5432/minergraph';
    expect(loadConfig({ DATABASE_URL: primary, DATABASE_READ_URL: 'postgres://app@replica/minergraph' }).readReplica).toEqual({
      url: 'postgres://app@replica/minergraph',
      maxWaitMs: 500,
    });
    expect(loadConfig({ DATABASE_URL: primary, DATABASE_READ_URL: ' ' }).readReplica).toBeNull();
    expect(() => loadConfig({ DATABASE_READ_URL: 'postgres://app@replica/minergraph' })).toThrow(
      'Invalid configuration:\n  DATABASE_READ_URL is set without DATABASE_URL: a read replica serves beside a PostgreSQL primary; set DATABASE_URL to the primary, or unset DATABASE_READ_URL.',
    );
    expect(() => loadConfig({ DATABASE_URL: primary, DATABASE_READ_URL: 'mysql://replica/db' })).toThrow(
      /DATABASE_READ_URL="mysql:\/\/replica\/db": must be the PostgreSQL URL of a streaming replica of DATABASE_URL/,
    );
    expect(() => loadConfig({ DATABASE_URL: primary, MINERGRAPH_READ_REPLICA_WAIT_MS: '-1' })).toThrow(
      /MINERGRAPH_READ_REPLICA_WAIT_MS="-1"/,
    );
  });

  it('runs one server process per CPU with MINERGRAPH_WORKERS=auto on PostgreSQL, and only ever one on PGlite', () => {
    const primary = 'postgres://app@db:5432/minergraph';
    expect(loadConfig({ DATABASE_URL: primary, MINERGRAPH_WORKERS: 'auto' }).workers).toBe(availableParallelism());
    expect(loadConfig({ DATABASE_URL: primary, MINERGRAPH_WORKERS: '2' }).workers).toBe(2);
    expect(loadConfig({ MINERGRAPH_WORKERS: 'AUTO' }).workers).toBe(1);
    expect(loadConfig({ MINERGRAPH_WORKERS: '1' }).workers).toBe(1);
    expect(() => loadConfig({ MINERGRAPH_WORKERS: '2' })).toThrow(
      'Invalid configuration:\n  MINERGRAPH_WORKERS="2": the embedded PGlite database can be served by one process only; set DATABASE_URL to a PostgreSQL database to run several, or set MINERGRAPH_WORKERS=1.',
    );
    for (const bad of ['0', 'two', '1.5', '1000']) {
      expect(() => loadConfig({ DATABASE_URL: primary, MINERGRAPH_WORKERS: bad })).toThrow(
        `MINERGRAPH_WORKERS=${JSON.stringify(bad)}: must be a whole number of processes from 1 to 999, or auto (one per available CPU)`,
      );
    }
  });

  it('treats an empty DATABASE_URL as unset', () => {
    expect(loadConfig({ DATABASE_URL: '' }).databaseUrl).toBeUndefined();
  });

  it('never logs a database password', () => {
    expect(redactUrl('postgres://app:s3cret@db:5432/minergraph')).toBe('postgres://app:***@db:5432/minergraph');
  });
});

/**
 * The README's tables of variables, as [variable, documented default]: each row whose default
 * cell starts with a value (`info`, `4000` or a bare 12), not with words ("unset", "any ...").
 */
function readmeDefaults(): [string, string][] {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const rows: [string, string][] = [];
  let defaultColumn = -1;
  for (const line of readme.split('\n')) {
    if (!line.startsWith('|')) {
      defaultColumn = -1;
      continue;
    }
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim());
    if (cells[0] === 'variable') defaultColumn = cells.indexOf('default');
    const variable = /^`([A-Z][A-Z0-9_]+)`/.exec(cells[0] ?? '')?.[1];
    const value = /^`([^`]+)`|^(\d+)$/.exec(cells[defaultColumn] ?? '');
    if (defaultColumn > 0 && variable && value) rows.push([variable, value[1] ?? value[2]!]);
  }
  return rows;
}

describe('documented defaults', () => {
  it("are the configuration's: setting each variable of the README to its stated default changes nothing", () => {
    const defaults = readmeDefaults();
    expect(defaults.map(([variable]) => variable)).toEqual(
      expect.arrayContaining(['PORT', 'MINERGRAPH_MAX_DEPTH', 'MINERGRAPH_STATEMENT_TIMEOUT_MS']),
    );
    for (const [variable, value] of defaults) {
      expect(loadConfig({ [variable]: value }, '/srv/app'), `${variable}=${value}`).toEqual(loadConfig({}, '/srv/app'));
    }
  });
});

import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactUrl } from '../src/config.js';

describe('configuration', () => {
  it('defaults to port 4000 on loopback with the embedded database under the working directory', () => {
    expect(loadConfig({}, '/srv/app')).toEqual({
      port: 4000,
      host: '127.0.0.1',
      databaseUrl: undefined,
      dataDir: '/srv/app/.minergraph/data',
      logLevel: 'info',
      requireAuth: false,
      production: false,
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
      },
      '/srv/app',
    );
    expect(config).toEqual({
      port: 8080,
      host: '0.0.0.0',
      databaseUrl: 'postgres://postgres@db:5432/minergraph',
      dataDir: '/var/lib/minergraph',
      logLevel: 'debug',
      requireAuth: true,
      production: true,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('names each bad variable and its value in one message', () => {
    const attempt = () => loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/PORT="eighty"/);
    expect(attempt).toThrow(/LOG_LEVEL="loud"/);
    expect(attempt).toThrow(/DATABASE_URL="mysql:\/\/x": must be a PostgreSQL URL/);
  });

  it('refuses a port out of range', () => {
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT="70000"/);
  });

  it('treats an empty DATABASE_URL as unset', () => {
    expect(loadConfig({ DATABASE_URL: '' }).databaseUrl).toBeUndefined();
  });

  it('never logs a database password', () => {
    expect(redactUrl('postgres://app:s3cret@db:5432/minergraph')).toBe('postgres://app:***@db:5432/minergraph');
  });
});

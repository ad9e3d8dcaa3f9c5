import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .optional()
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const environment = z.object({
  PORT: z
    .string()
    .optional()
    .transform((value) => (value === undefined || value === '' ? 4000 : Number(value)))
    .pipe(z.number().int('must be a whole number').min(0).max(65535)),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .optional()
    .transform((value) => (value === '' ? undefined : value))
    .refine((value) => value === undefined || /^postgres(ql)?:\/\/.+/.test(value), {
      message: 'must be a PostgreSQL URL such as postgres://user@host:5432/db (or unset for the embedded database)',
    }),
  MINERGRAPH_DATA_DIR: z.string().min(1).default('.minergraph/data'),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  MINERGRAPH_REQUIRE_AUTH: flag,
  NODE_ENV: z.string().default('development'),
});

export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  readonly port: number;
  readonly host: string;
  /** PostgreSQL through `pg`; when absent, the embedded PGlite in `dataDir`. */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly logLevel: LogLevel;
  readonly requireAuth: boolean;
  readonly production: boolean;
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
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: isAbsolute(e.MINERGRAPH_DATA_DIR) ? e.MINERGRAPH_DATA_DIR : resolve(cwd, e.MINERGRAPH_DATA_DIR),
    logLevel: e.LOG_LEVEL,
    requireAuth: e.MINERGRAPH_REQUIRE_AUTH,
    production: e.NODE_ENV === 'production',
  });
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

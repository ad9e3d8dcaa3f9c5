import type { Config } from './config.js';

/**
 * The sentence for a failure a user can fix from the environment (the database is
 * unreachable, missing or refuses us; the port is taken; the data directory cannot be
 * written), naming what to change; null for anything else, which is a bug to report.
 */
export function explainEnvironmentFailure(error: unknown, config: Config): string | null {
  const code = errorCode(error);
  const syscall = (error as { syscall?: string }).syscall;

  if (syscall === 'listen') {
    const where = `${config.host}:${config.port}`;
    if (code === 'EADDRINUSE')
      return `Port ${config.port} on ${config.host} is already in use by another program. Stop it, or set PORT to a free port (PORT=0 picks one).`;
    if (code === 'EACCES') return `This user may not listen on ${where} (ports below 1024 need privileges). Set PORT to 1024 or above.`;
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
      return `${config.host} is not an address of this machine. Set HOST to one, e.g. 127.0.0.1 or 0.0.0.0.`;
  }

  if (config.databaseUrl) {
    const url = safeUrl(config.databaseUrl);
    const server = url ? `${url.hostname || 'localhost'}:${url.port || '5432'}` : 'the server in DATABASE_URL';
    const database = url ? decodeURIComponent(url.pathname.slice(1)) || (url.username ? decodeURIComponent(url.username) : 'postgres') : '';
    const user = url?.username ? decodeURIComponent(url.username) : 'the default user';
    if (code === 'ECONNREFUSED')
      return `Cannot reach PostgreSQL at ${server}: the connection was refused. Start PostgreSQL there, or fix the host and port in DATABASE_URL.`;
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
      return `Cannot reach PostgreSQL: the host ${url?.hostname ?? ''} does not resolve. Fix the host in DATABASE_URL.`;
    if (code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH')
      return `Cannot reach PostgreSQL at ${server}: no answer. Check that it runs and is reachable, or fix DATABASE_URL.`;
    if (code === 'ENOENT' && syscall === 'connect')
      return `Cannot reach PostgreSQL at ${server}: there is no such socket. Fix DATABASE_URL.`;
    if (code === '3D000')
      return `PostgreSQL at ${server} has no database "${database}". Create it (createdb ${database}), or name another in DATABASE_URL.`;
    if (code === '28P01' || code === '28000')
      return `PostgreSQL at ${server} refused ${user}: authentication failed. Fix the user or password in DATABASE_URL.`;
    if (code === '57P03') return `PostgreSQL at ${server} is starting up or shutting down. Try again in a moment.`;
    if (code === '53300') return `PostgreSQL at ${server} has no free connections. Try again later, or raise its max_connections.`;
  }

  if (!config.databaseUrl && code && DIRECTORY_FAILURES.has(code) && pathIn(error, config.dataDir)) {
    return `Cannot create or write the data directory ${config.dataDir} (${code}: ${DIRECTORY_FAILURES.get(code)}). Set MINERGRAPH_DATA_DIR to a writable directory.`;
  }
  return null;
}

const DIRECTORY_FAILURES = new Map([
  ['EACCES', 'permission denied'],
  ['EPERM', 'not permitted'],
  ['EROFS', 'read-only file system'],
  ['ENOTDIR', 'a file is in the way'],
  ['EEXIST', 'a file is in the way'],
  ['ENOSPC', 'the disk is full'],
]);

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  // A host with several addresses fails with an AggregateError of one error per address.
  const first = (error as { errors?: unknown[] } | null)?.errors?.[0];
  return first ? errorCode(first) : undefined;
}

function pathIn(error: unknown, dataDir: string): boolean {
  const path = (error as { path?: unknown }).path;
  if (typeof path !== 'string') return false;
  const parent = dataDir.slice(0, dataDir.lastIndexOf('/'));
  return path.startsWith(dataDir) || dataDir.startsWith(path) || path.startsWith(parent);
}

function safeUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

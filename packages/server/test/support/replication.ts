// A PostgreSQL primary and a streaming replica of it, made for one test file from PostgreSQL's
// own binaries: initdb, pg_basebackup -R, pg_ctl, in temporary directories, on free ports, as
// the postgres user. The system's server (5432) is never touched.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface Replication {
  primaryUrl: string;
  replicaUrl: string;
  /** Runs SQL on the replica, as the superuser (pg_wal_replay_pause() and friends). */
  onReplica(sql: string): Promise<pg.QueryResultRow[]>;
  /** Waits until the replica has replayed everything the primary has written so far. */
  caughtUp(timeoutMs?: number): Promise<void>;
  /** Stops the replica at once, as a crash would (`pg_ctl stop -m immediate`). */
  stopReplica(): void;
  /** Stops the primary at once. */
  stopPrimary(): void;
  /** Stops both servers and removes their directories. */
  destroy(): void;
}

/** PostgreSQL's server binaries (initdb, pg_ctl, pg_basebackup), newest version first; null when absent. */
function binaries(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const bin = join(root, version, 'bin');
    if (['initdb', 'pg_ctl', 'pg_basebackup'].every((tool) => existsSync(join(bin, tool)))) return bin;
  }
  return null;
}

function postgresUser(): { uid: number; gid: number } | null {
  try {
    const [uid, gid] = ['-u', '-g'].map((flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim()));
    return { uid: uid!, gid: gid! };
  } catch {
    return null;
  }
}

/** Why a replication set-up cannot be made here, or null when it can. */
export function replicationUnavailable(): string | null {
  if (binaries() === null) return 'no PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup) under /usr/lib/postgresql/*/bin';
  const postgres = postgresUser();
  if (postgres === null) return 'there is no postgres user to run PostgreSQL as';
  const me = userInfo().uid;
  if (me !== 0 && me !== postgres.uid) return 'PostgreSQL must run as the postgres user, and this process is neither root nor postgres';
  return null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startReplication(): Promise<Replication> {
  const bin = binaries()!;
  const postgres = postgresUser()!;
  const asPostgres = (tool: string, args: string[]) => {
    const command =
      userInfo().uid === 0
        ? (['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]] as const)
        : ([join(bin, tool), args] as const);
    execFileSync(command[0], command[1], { stdio: ['ignore', 'pipe', 'pipe'], cwd: tmpdir() });
  };
  const root = mkdtempSync(join(tmpdir(), 'minergraph-replication-'));
  chownSync(root, postgres.uid, postgres.gid);
  const primaryDir = join(root, 'primary');
  const replicaDir = join(root, 'replica');
  const [primaryPort, replicaPort] = [await freePort(), await freePort()];
  // Identical on both: a hot standby refuses to start with fewer connections or senders than its primary.
  const options = (port: number) =>
    [
      `-c port=${port}`,
      '-c listen_addresses=127.0.0.1',
      `-c unix_socket_directories=${root}`,
      '-c wal_level=replica',
      '-c max_wal_senders=4',
      '-c hot_standby=on',
      '-c max_connections=40',
      // A throwaway cluster: no need to wait for the disk.
      '-c fsync=off',
    ].join(' ');
  const started: string[] = [];
  const stop = (dir: string) => {
    try {
      asPostgres('pg_ctl', ['-D', dir, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // Already stopped.
    }
  };
  const destroy = () => {
    for (const dir of started) stop(dir);
    rmSync(root, { recursive: true, force: true });
  };
  try {
    asPostgres('initdb', ['-D', primaryDir, '--auth=trust', '--username=postgres', '--no-sync', '--encoding=UTF8', '--locale=C']);
    asPostgres('pg_ctl', ['-D', primaryDir, '-l', join(root, 'primary.log'), '-o', options(primaryPort), '-w', 'start']);
    started.push(primaryDir);
    // -R writes standby.signal and primary_conninfo: the copy starts as a streaming replica.
    asPostgres('pg_basebackup', [
      '-h',
      '127.0.0.1',
      '-p',
      String(primaryPort),
      '-U',
      'postgres',
      '-D',
      replicaDir,
      '-R',
      '-X',
      'stream',
      '--checkpoint=fast',
      '--no-sync',
    ]);
    asPostgres('pg_ctl', ['-D', replicaDir, '-l', join(root, 'replica.log'), '-o', options(replicaPort), '-w', 'start']);
    started.push(replicaDir);
  } catch (error) {
    destroy();
    throw error;
  }
  const primaryUrl = `postgres://postgres@127.0.0.1:${primaryPort}/postgres`;
  const replicaUrl = `postgres://postgres@127.0.0.1:${replicaPort}/postgres`;
  const run = async (url: string, sql: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  };
  return {
    primaryUrl,
    replicaUrl,
    onReplica: (sql) => run(replicaUrl, sql),
    async caughtUp(timeoutMs = 10_000) {
      const [{ lsn }] = (await run(primaryUrl, 'select pg_current_wal_lsn()::text as lsn')) as [{ lsn: string }];
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const [{ replayed }] = (await run(replicaUrl, `select pg_last_wal_replay_lsn() >= '${lsn}'::pg_lsn as replayed`)) as [
          { replayed: boolean },
        ];
        if (replayed) return;
        if (Date.now() > deadline) throw new Error(`The replica did not replay up to ${lsn} within ${timeoutMs} ms.`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    stopReplica: () => stop(replicaDir),
    stopPrimary: () => stop(primaryDir),
    destroy,
  };
}

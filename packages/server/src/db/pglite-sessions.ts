import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { Mutex } from 'async-mutex';
import type { DatabaseConnection, Dialect, Driver, Kysely, TransactionSettings } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';

/**
 * PGlite is one PostgreSQL session. To let other processes (the CLI beside a running server)
 * use it, the server takes turns: one session at a time holds the gate, from its first
 * statement until the database is idle again (no open transaction, nothing half-sent), so a
 * CLI's transaction never interleaves with the server's own. @electric-sql/pglite-socket
 * serialises single messages instead of sessions, which would let the server's statements
 * land inside a CLI's transaction; hence this small wire-level handler of our own.
 */
export class SessionGate {
  readonly #mutex = new Mutex();
  acquire(): Promise<() => void> {
    return this.#mutex.acquire();
  }
}

/** A Kysely dialect over PGlite whose connections are turns of the gate. */
export class GatedPGliteDialect implements Dialect {
  readonly #inner: PGliteDialect;
  constructor(
    pglite: PGlite,
    private readonly gate: SessionGate,
  ) {
    this.#inner = new PGliteDialect(pglite);
  }
  createAdapter() {
    return this.#inner.createAdapter();
  }
  createQueryCompiler() {
    return this.#inner.createQueryCompiler();
  }
  // biome-ignore lint/suspicious/noExplicitAny: Kysely's Dialect interface declares it so
  createIntrospector(db: Kysely<any>) {
    return this.#inner.createIntrospector(db);
  }
  createDriver(): Driver {
    return new GatedDriver(this.#inner.createDriver(), this.gate);
  }
}

class GatedDriver implements Driver {
  readonly #turns = new WeakMap<DatabaseConnection, () => void>();
  constructor(
    private readonly inner: Driver,
    private readonly gate: SessionGate,
  ) {}
  init() {
    return this.inner.init();
  }
  async acquireConnection(): Promise<DatabaseConnection> {
    const release = await this.gate.acquire();
    try {
      const connection = await this.inner.acquireConnection();
      this.#turns.set(connection, release);
      return connection;
    } catch (error) {
      release();
      throw error;
    }
  }
  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    try {
      await this.inner.releaseConnection(connection);
    } finally {
      this.#turns.get(connection)?.();
      this.#turns.delete(connection);
    }
  }
  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings) {
    return this.inner.beginTransaction(connection, settings);
  }
  commitTransaction(connection: DatabaseConnection) {
    return this.inner.commitTransaction(connection);
  }
  rollbackTransaction(connection: DatabaseConnection) {
    return this.inner.rollbackTransaction(connection);
  }
  destroy() {
    return this.inner.destroy();
  }
}

// Frontend messages that come before a session exists carry no type byte.
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const TERMINATE = 0x58; // 'X'
const READY_FOR_QUERY = 0x5a; // 'Z'
const IDLE = 0x49; // 'I'
const SYNC = Uint8Array.of(0x53, 0, 0, 0, 4); // 'S', length 4
const QUERY = 0x51; // 'Q'
const COPY_DONE = 0x63; // 'c'
const COPY_FAIL = 0x66; // 'f'
const COPY_IN = 0x47; // 'G'
/** CopyInResponse: text format, no per-column formats (clients read only the format). */
const COPY_IN_RESPONSE = Uint8Array.of(COPY_IN, 0, 0, 0, 7, 0, 0, 0);
const COPY_FROM_STDIN = /^\s*copy\b[\s\S]*\bfrom\s+stdin\b/i;

export interface PgliteSocketOptions {
  /** Directory for the socket, `.s.PGSQL.5432` inside it, as libpq and `pg` name it. */
  directory: string;
  /**
   * A session that holds the gate but sends nothing for this long is closed (and rolled
   * back), so a stuck client cannot stall the server.
   */
  idleInTransactionMs?: number;
}

export interface PgliteSocket {
  /** The `host` to give `pg` or psql: the socket's directory. */
  directory: string;
  close(): Promise<void>;
}

/** Serves `pglite` to PostgreSQL clients on a Unix socket only this user may open. */
export async function servePgliteSocket(pglite: PGlite, gate: SessionGate, options: PgliteSocketOptions): Promise<PgliteSocket> {
  const { directory } = options;
  const idleInTransactionMs = options.idleInTransactionMs ?? 30_000;
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  chmodSync(directory, 0o700);
  const path = join(directory, '.s.PGSQL.5432');
  rmSync(path, { force: true });

  const sessions = new Set<Promise<void>>();
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    const session = runSession(socket, pglite, gate, idleInTransactionMs).finally(() => {
      sockets.delete(socket);
      sessions.delete(session);
    });
    sessions.add(session);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  chmodSync(path, 0o600);

  return {
    directory,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await Promise.allSettled([...sessions]);
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** One client connection: reads whole protocol messages and runs each in its turn. */
async function runSession(socket: Socket, pglite: PGlite, gate: SessionGate, idleInTransactionMs: number): Promise<void> {
  let buffer = Buffer.alloc(0);
  let started = false;
  let release: (() => void) | undefined;
  let idleTimer: NodeJS.Timeout | undefined;
  let work = Promise.resolve();
  let closed = false;
  let copying: Buffer[] | undefined;

  const finish = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => socket.destroy());

  const next = (): Buffer | undefined => {
    if (!started) {
      if (buffer.length < 8) return undefined;
      const length = buffer.readInt32BE(0);
      if (buffer.length < length) return undefined;
      const message = buffer.subarray(0, length);
      buffer = buffer.subarray(length);
      return message;
    }
    if (buffer.length < 5) return undefined;
    const length = 1 + buffer.readInt32BE(1);
    if (buffer.length < length) return undefined;
    const message = buffer.subarray(0, length);
    buffer = buffer.subarray(length);
    return message;
  };

  const handle = async (received: Buffer) => {
    let message = received;
    if (closed) return;
    if (!started) {
      const code = message.readInt32BE(4);
      if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
        socket.write('N');
        return;
      }
      if (code === CANCEL_REQUEST) {
        socket.end();
        return;
      }
      started = true;
    } else if (message[0] === TERMINATE) {
      socket.end();
      return;
    }
    // PGlite's backend cannot wait for COPY's data: it must get the COPY statement, its data
    // and its end in one call. So the client is told to go ahead at once, its data is
    // collected, and the whole COPY runs in one turn (with PGlite's own go-ahead dropped).
    let answered = false;
    if (copying) {
      copying.push(message);
      if (message[0] !== COPY_DONE && message[0] !== COPY_FAIL) return;
      message = Buffer.concat(copying);
      copying = undefined;
      answered = true;
    } else if (message[0] === QUERY && COPY_FROM_STDIN.test(message.subarray(5, 5 + 4096).toString('utf8'))) {
      copying = [message];
      socket.write(COPY_IN_RESPONSE);
      return;
    }
    clearTimeout(idleTimer);
    release ??= await gate.acquire();
    if (closed) return;
    let tail = Buffer.alloc(0);
    await pglite.runExclusive(() =>
      pglite.execProtocolRawStream(new Uint8Array(message), {
        onRawData: (raw) => {
          let data = Buffer.from(raw);
          if (answered && data[0] === COPY_IN) {
            data = data.subarray(1 + data.readInt32BE(1));
            answered = false;
          }
          if (data.length === 0) return;
          if (!socket.destroyed) socket.write(data);
          tail = Buffer.concat([tail, data]).subarray(-6);
        },
      }),
    );
    // The turn ends when the backend says it is idle: ReadyForQuery with status 'I'.
    if (tail.length === 6 && tail[0] === READY_FOR_QUERY && tail.readInt32BE(1) === 5 && tail[5] === IDLE) {
      release();
      release = undefined;
    } else {
      idleTimer = setTimeout(() => socket.destroy(), idleInTransactionMs);
    }
  };

  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (let message = next(); message; message = next()) {
      const copy = Buffer.from(message);
      work = work.then(() => handle(copy)).catch(() => void socket.destroy());
    }
  });

  await finish;
  closed = true;
  clearTimeout(idleTimer);
  await work;
  if (release) {
    // The client left mid-turn: end whatever it started before anyone else takes a turn.
    try {
      await pglite.runExclusive(() => pglite.execProtocolRaw(SYNC));
      if (pglite.isInTransaction()) await pglite.runExclusive(() => pglite.execProtocolRaw(simpleQuery('rollback')));
    } finally {
      release();
    }
  }
}

function simpleQuery(text: string): Uint8Array {
  const body = Buffer.from(`${text}\0`, 'utf8');
  const message = Buffer.alloc(5 + body.length);
  message[0] = 0x51; // 'Q'
  message.writeInt32BE(4 + body.length, 1);
  body.copy(message, 5);
  return new Uint8Array(message);
}

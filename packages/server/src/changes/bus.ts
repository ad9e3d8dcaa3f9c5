import type pg from 'pg';
import type { DatabaseHandle } from '../db/connect.js';
import type { Logger } from '../logger.js';
import { CHANGES_CHANNEL, parseChangeEvent, readDataVersion, type ChangeEvent } from './changes.js';

/**
 * One server process's ear on the database's writes. Every write publishes a change in its
 * transaction (publishChange); the bus hears it once it has committed, from any process:
 * PostgreSQL through one dedicated LISTEN connection, PGlite in-process (the CLI beside the
 * server writes through the server's own PGlite, so its notifications arrive here too).
 */
export interface ChangeBus {
  /**
   * The data version, at least as new as every write that had returned when this was called:
   * on PostgreSQL read from the database (one statement shared by the calls waiting at the
   * same time), since a notification may still be on its way; on PGlite the version of the
   * last notification, delivered before the write's commit returns.
   */
  version(): Promise<string>;
  /** False while changes may go unheard (PostgreSQL: the LISTEN connection is down). */
  readonly listening: boolean;
  /** Calls `listener` with every change, in commit order; returns the unsubscribe. */
  onChange(listener: (event: ChangeEvent) => void): () => void;
  /**
   * Calls `listener` when changes may have been missed: the LISTEN connection was lost, and
   * again once it is back. A subscriber re-reads what it shows.
   */
  onGap(listener: () => void): () => void;
  close(): Promise<void>;
}

const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5_000;

export async function startChangeBus(database: DatabaseHandle, logger: Logger): Promise<ChangeBus> {
  const changeListeners = new Set<(event: ChangeEvent) => void>();
  const gapListeners = new Set<() => void>();
  const emit = (event: ChangeEvent) => {
    for (const listener of changeListeners) {
      try {
        listener(event);
      } catch (error) {
        logger.error({ err: error }, 'a change listener failed');
      }
    }
  };
  const gap = () => {
    for (const listener of gapListeners) listener();
  };
  const subscriptions = {
    onChange(listener: (event: ChangeEvent) => void) {
      changeListeners.add(listener);
      return () => void changeListeners.delete(listener);
    },
    onGap(listener: () => void) {
      gapListeners.add(listener);
      return () => void gapListeners.delete(listener);
    },
  };
  if (database.pglite) return pgliteBus(database, emit, subscriptions);
  if (database.listenerClient) return postgresBus(database, database.listenerClient, logger, emit, gap, subscriptions);
  throw new Error(`Changes cannot be heard on this ${database.engine} handle (a CLI's, through another process).`);
}

type Subscriptions = Pick<ChangeBus, 'onChange' | 'onGap'>;

const newer = (a: string, b: string) => (BigInt(a) > BigInt(b) ? a : b);

async function pgliteBus(database: DatabaseHandle, emit: (event: ChangeEvent) => void, subscriptions: Subscriptions): Promise<ChangeBus> {
  const pglite = database.pglite!;
  let version = await readDataVersion(database.db);
  // PGlite reads notifications out of every answer, also those of the socket sessions, and
  // calls listeners before the statement that committed returns.
  const heard = (payload: string) => {
    const event = parseChangeEvent(payload);
    if (!event) return;
    version = newer(version, event.version);
    emit(event);
  };
  // A turn of the session gate, so LISTEN never lands inside a CLI's transaction.
  const unlisten = await database.db.connection().execute(() => pglite.listen(CHANGES_CHANNEL, heard));
  return {
    ...subscriptions,
    version: () => Promise.resolve(version),
    listening: true,
    async close() {
      if (!pglite.closed) await database.db.connection().execute(() => unlisten());
    },
  };
}

function postgresBus(
  database: DatabaseHandle,
  connect: () => pg.Client,
  logger: Logger,
  emit: (event: ChangeEvent) => void,
  gap: () => void,
  subscriptions: Subscriptions,
): Promise<ChangeBus> {
  let client: pg.Client | null = null;
  let listening = false;
  let closed = false;
  let retryMs = RECONNECT_MIN_MS;
  let retry: NodeJS.Timeout | undefined;

  const lost = (client: pg.Client, error?: Error) => {
    if (closed) return;
    client.removeAllListeners();
    client.on('error', () => {});
    void client.end().catch(() => {});
    if (listening) {
      logger.warn({ err: error }, 'the LISTEN connection for changes broke; caching is off until it is back');
      listening = false;
      gap();
    }
    retry = setTimeout(() => void listen(), retryMs);
    retryMs = Math.min(retryMs * 2, RECONNECT_MAX_MS);
  };

  const listen = async () => {
    const next = connect();
    // A broken connection reports both an error and its end: one loss.
    let gone = false;
    const onLost = (error?: Error) => {
      if (gone) return;
      gone = true;
      lost(next, error);
    };
    next.on('error', onLost);
    next.on('end', () => onLost());
    next.on('notification', (message) => {
      if (message.channel !== CHANGES_CHANNEL) return;
      const event = parseChangeEvent(message.payload);
      if (event) emit(event);
    });
    try {
      await next.connect();
      await next.query(`listen ${CHANGES_CHANNEL}`);
    } catch (error) {
      onLost(error as Error);
      return;
    }
    if (closed) {
      await next.end().catch(() => {});
      return;
    }
    client = next;
    retryMs = RECONNECT_MIN_MS;
    if (!listening) {
      listening = true;
      // Whatever was written while nobody listened is unknown: subscribers re-read.
      gap();
    }
  };

  // One version read at a time. A call that arrives while one is under way cannot use its
  // answer (that read may have started before a write that has since returned): it waits for
  // the next read, which every call arriving meanwhile shares.
  let current: Promise<string> | null = null;
  let queued: Promise<string> | null = null;
  const read = (): Promise<string> => {
    const started = readDataVersion(database.db).finally(() => {
      if (current === started) current = null;
    });
    current = started;
    return started;
  };
  const version = (): Promise<string> => {
    if (current === null) return read();
    queued ??= current
      .catch(() => undefined)
      .then(() => {
        queued = null;
        return read();
      });
    return queued;
  };

  return listen().then(() => ({
    ...subscriptions,
    version,
    get listening() {
      return listening;
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      const last = client;
      client = null;
      listening = false;
      if (last) {
        last.removeAllListeners();
        last.on('error', () => {});
        await last.end().catch(() => {});
      }
    },
  }));
}

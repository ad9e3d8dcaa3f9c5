import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import type { DatabaseHandle } from '../db/connect.js';
import { liveConnections } from '../db/live-connections.js';

/**
 * One database transaction on one connection, below Kysely: bulk loads need COPY, which
 * Kysely cannot issue, and every statement of a load must share the transaction so that a
 * failure, or a killed process, leaves the database as it was.
 */
export interface BulkSession {
  query<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<Row[]>;
  /**
   * Streams rows into `target` (a table and its column list) with COPY. `chunks` hold whole
   * lines of COPY's text format: tab-separated, `\N` for null, each line ending in "\n".
   */
  copyInto(target: string, chunks: AsyncIterable<CopyChunk>): Promise<void>;
}

/** Text, or its UTF-8 bytes. */
export type CopyChunk = string | Uint8Array<ArrayBuffer>;

/** Runs `work` in one transaction: committed if it returns, rolled back if it throws. */
export async function inBulkTransaction<T>(database: DatabaseHandle, work: (session: BulkSession) => Promise<T>): Promise<T> {
  // PGlite behind a socket takes a COPY whole (see db/pglite-sessions.ts): send it in slices.
  if (database.pgPool) return inPostgresTransaction(database.pgPool, work, database.throughSocket ? PGLITE_COPY_SLICE : Infinity);
  if (database.pglite) return inPgliteTransaction(database.pglite, work);
  throw new Error(`A bulk load needs the ${database.engine} connection itself, and this handle does not expose it.`);
}

type PgPool = NonNullable<DatabaseHandle['pgPool']>;
type Pglite = NonNullable<DatabaseHandle['pglite']>;

async function inPostgresTransaction<T>(pool: PgPool, work: (session: BulkSession) => Promise<T>, sliceChars: number): Promise<T> {
  const client = await liveConnections(pool).connect();
  let unusable: Error | undefined;
  try {
    await client.query('begin');
    const result = await work({
      query: async (text, params) => (await client.query(text, params)).rows,
      async copyInto(target, chunks) {
        const copy = (rows: AsyncIterable<CopyChunk> | CopyChunk[]) =>
          pipeline(Readable.from(rows), client.query(copyFrom(`copy ${target} from stdin`)));
        // The server reads the rows as they come: nothing is held in memory but a chunk.
        if (sliceChars === Infinity) return copy(chunks);
        for await (const slice of slices(chunks, sliceChars)) await copy(slice);
      },
    });
    await client.query('commit');
    return result;
  } catch (error) {
    try {
      await client.query('rollback');
    } catch (rollbackError) {
      unusable = rollbackError as Error;
    }
    throw error;
  } finally {
    // A connection that could not roll back is closed rather than handed to the next user.
    client.release(unusable);
  }
}

/**
 * PGlite reads COPY's input from its virtual /dev/blob, one Blob per statement, held in
 * memory whole; rows go in slices of this many characters so a large file never is.
 */
const PGLITE_COPY_SLICE = 8 * 1024 * 1024;

async function inPgliteTransaction<T>(pglite: Pglite, work: (session: BulkSession) => Promise<T>): Promise<T> {
  return pglite.transaction((tx) =>
    work({
      query: async <Row>(text: string, params?: unknown[]) => (await tx.query<Row>(text, params)).rows,
      async copyInto(target, chunks) {
        for await (const slice of slices(chunks, PGLITE_COPY_SLICE)) {
          await tx.query(`copy ${target} from '/dev/blob'`, [], { blob: new Blob(slice) });
        }
      },
    }),
  );
}

/** Groups chunks into runs of about `maxChars` characters (bytes, of byte chunks). */
async function* slices(chunks: AsyncIterable<CopyChunk>, maxChars: number): AsyncGenerator<CopyChunk[]> {
  let slice: CopyChunk[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    slice.push(chunk);
    size += chunk.length;
    if (size >= maxChars) {
      yield slice;
      slice = [];
      size = 0;
    }
  }
  if (size > 0) yield slice;
}

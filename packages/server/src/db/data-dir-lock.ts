import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** Who holds a PGlite data directory, as its lock file says. */
export interface LockHolder {
  pid: number;
  hostname: string;
  /** The holder's start time as the kernel counts it (Linux), so a reused pid is not mistaken for it. */
  processStart: string | null;
  /** What the holder is doing: `serve`, `prices import`, ... */
  command: string;
  /** Where it serves the database to other processes (a socket directory), if it does. */
  socket: string | null;
}

export interface DataDirLock {
  readonly path: string;
  /** Records, for other processes, where the holder serves the database. */
  advertise(socket: string | null): void;
  release(): void;
}

export type LockAttempt = { acquired: true; lock: DataDirLock } | { acquired: false; holder: LockHolder };

const heldHere = new Set<string>();

/** The lock file of a data directory: beside it, so that copying the directory never copies a lock. */
export const lockPathOf = (dataDir: string) => `${dataDir}.pid`;

/**
 * Takes the data directory for this process. PGlite is single-process: two processes writing
 * one directory corrupt it. A lock whose holder is gone (same host, no such process, or
 * another process under its pid) is taken over at once, so a restart after a crash or
 * `kill -9` needs no hand step and no waiting.
 */
export function lockDataDir(dataDir: string, command: string): LockAttempt {
  const path = lockPathOf(dataDir);
  if (heldHere.has(path)) return { acquired: false, holder: describeSelf(command, null) };
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const mine = describeSelf(command, null);
    if (tryCreate(path, mine)) {
      heldHere.add(path);
      return { acquired: true, lock: ownLock(path, mine) };
    }
    const holder = readHolder(path);
    if (holder === undefined) continue; // released meanwhile
    if (holder !== null && isAlive(holder)) return { acquired: false, holder };
    takeOver(path, holder);
  }
  throw new Error(`Could not take the lock ${path}: it keeps changing hands.`);
}

function ownLock(path: string, mine: LockHolder): DataDirLock {
  let current = mine;
  return {
    path,
    advertise(socket) {
      current = { ...current, socket };
      const temporary = `${path}.${process.pid}.tmp`;
      writeFileSync(temporary, JSON.stringify(current));
      renameSync(temporary, path);
    },
    release() {
      heldHere.delete(path);
      const holder = readHolder(path);
      if (holder && holder.pid === process.pid && holder.processStart === current.processStart) unlinkQuietly(path);
    },
  };
}

/** Creates the lock file with its whole content, or fails if one exists (link is atomic). */
function tryCreate(path: string, holder: LockHolder): boolean {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(holder));
  try {
    linkSync(temporary, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkQuietly(temporary);
  }
}

/** The holder, null for an unreadable lock (treated as stale), undefined when there is none. */
function readHolder(path: string): LockHolder | null | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (typeof value.pid !== 'number' || typeof value.hostname !== 'string') return null;
    return {
      pid: value.pid,
      hostname: value.hostname,
      processStart: value.processStart ?? null,
      command: value.command ?? 'unknown',
      socket: value.socket ?? null,
    };
  } catch {
    return null;
  }
}

/**
 * Moves a stale lock aside. If, between reading it and moving it, another process had
 * already replaced it with its own, that fresh lock is put back.
 */
function takeOver(path: string, stale: LockHolder | null): void {
  const aside = `${path}.stale.${process.pid}`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const moved = readHolder(aside);
  const same = stale === null ? moved === null : moved != null && moved.pid === stale.pid && moved.processStart === stale.processStart;
  if (!same) {
    try {
      linkSync(aside, path);
    } catch {
      // Someone holds the path again; the next attempt reads who.
    }
  }
  unlinkQuietly(aside);
}

function isAlive(holder: LockHolder): boolean {
  // On another host the process cannot be seen; only its own host can say it is gone.
  if (holder.hostname !== hostname()) return true;
  if (holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  const start = processStartOf(holder.pid);
  return holder.processStart === null || start === null || start === holder.processStart;
}

function describeSelf(command: string, socket: string | null): LockHolder {
  return { pid: process.pid, hostname: hostname(), processStart: processStartOf(process.pid), command, socket };
}

/** Field 22 of /proc/<pid>/stat: when the process started, in clock ticks since boot. */
function processStartOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may itself hold spaces or parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

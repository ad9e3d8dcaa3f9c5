import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lockDataDir, lockPathOf } from '../src/db/data-dir-lock.js';

let dir: string;
let dataDir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'minergraph-lock-'));
  dataDir = join(dir, 'data');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The pid of a process that has exited (and so is, for now, no process at all). */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
}

const writeLock = (holder: object) => writeFileSync(lockPathOf(dataDir), JSON.stringify(holder));

describe('the data directory lock', () => {
  it('is taken, refused to a second taker while held, and gone when released', () => {
    const first = lockDataDir(dataDir, 'serve');
    if (!first.acquired) throw new Error('not acquired');
    expect(JSON.parse(readFileSync(lockPathOf(dataDir), 'utf8'))).toMatchObject({
      pid: process.pid,
      hostname: hostname(),
      command: 'serve',
      socket: null,
    });
    expect(lockDataDir(dataDir, 'keys list')).toMatchObject({ acquired: false, holder: { pid: process.pid } });
    first.lock.release();
    expect(existsSync(lockPathOf(dataDir))).toBe(false);
  });

  it('is taken over at once from a process that no longer exists', () => {
    writeLock({ pid: deadPid(), hostname: hostname(), processStart: '1', command: 'serve', socket: '/nowhere' });
    const attempt = lockDataDir(dataDir, 'serve');
    expect(attempt.acquired).toBe(true);
    expect(JSON.parse(readFileSync(lockPathOf(dataDir), 'utf8'))).toMatchObject({ pid: process.pid, socket: null });
  });

  it("is taken over from a live process that only reuses the dead holder's pid", () => {
    // pid 1 exists, but it did not start at tick 1 after boot.
    writeLock({ pid: 1, hostname: hostname(), processStart: '1', command: 'serve', socket: null });
    expect(lockDataDir(dataDir, 'serve').acquired).toBe(true);
  });

  it('is taken over when its file is unreadable (a crash while writing it)', () => {
    writeFileSync(lockPathOf(dataDir), '{"pid":');
    expect(lockDataDir(dataDir, 'serve').acquired).toBe(true);
  });

  it('is respected when its holder lives on another host, which this host cannot see', () => {
    writeLock({ pid: deadPid(), hostname: 'another-host', processStart: '1', command: 'serve', socket: null });
    expect(lockDataDir(dataDir, 'serve')).toMatchObject({ acquired: false, holder: { hostname: 'another-host' } });
  });
});

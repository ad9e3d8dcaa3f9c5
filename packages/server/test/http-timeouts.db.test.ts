import net from 'node:net';
import { describe, expect, it } from 'vitest';
import type { ServerTimeouts } from '../src/config.js';
import { useTestDatabase } from '@minergraph/test-support';

// Sockets that stall (a port scanner, a slowloris, a client that went away) are closed by the
// server on its own, each after the timeout for the stage it stalled in.

const used = useTestDatabase();

async function serverWith(timeouts: ServerTimeouts): Promise<{ host: string; port: number }> {
  const server = await used.serve({ timeouts });
  const { hostname, port } = new URL(server.url);
  return { host: hostname, port: Number(port) };
}

interface RawConnection {
  socket: net.Socket;
  received(): string;
  /** Resolves with the milliseconds from connecting until the server closed the connection. */
  closed: Promise<number>;
}

async function connect(address: { host: string; port: number }): Promise<RawConnection> {
  const socket = net.connect(address);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const openedAt = Date.now();
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now() - openedAt)));
  socket.on('error', () => {});
  return { socket, received: () => text, closed };
}

/** Fails the test instead of hanging it when the server never closes the connection. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms))]);
}

const BODY = JSON.stringify({ query: '{ company(ticker: "CANG") { name } }' });
const headers = (address: { host: string; port: number }, extra = '') =>
  `POST /graphql HTTP/1.1\r\nHost: ${address.host}:${address.port}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(BODY)}\r\n${extra}\r\n`;

describe('HTTP timeouts', () => {
  it('closes a connection that never sends a byte after the idle-socket timeout', async () => {
    const address = await serverWith({ idleSocketMs: 300, headersMs: 5_000, requestMs: 10_000, keepAliveMs: 5_000 });
    const silent = await connect(address);
    const after = await within(silent.closed, 5_000, 'closing a silent connection');
    expect(after).toBeGreaterThanOrEqual(250);
    expect(silent.received()).toBe('');
  });

  it('answers a request whose body comes later than the idle-socket timeout: once a request has begun, only its own timeouts apply', async () => {
    const address = await serverWith({ idleSocketMs: 200, headersMs: 5_000, requestMs: 10_000, keepAliveMs: 5_000 });
    const slow = await connect(address);
    slow.socket.write(headers(address, 'Connection: close\r\n'));
    await new Promise((resolve) => setTimeout(resolve, 600));
    slow.socket.write(BODY);
    await within(slow.closed, 5_000, 'the answer');
    expect(slow.received()).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(slow.received()).toContain('{"data":{"company":{"name":"Cango Inc."}}}');
  });

  it('answers 408 to a request whose headers stall past the headers timeout, and closes it', async () => {
    const address = await serverWith({ idleSocketMs: 10_000, headersMs: 400, requestMs: 10_000, keepAliveMs: 5_000 });
    const stalled = await connect(address);
    stalled.socket.write(`POST /graphql HTTP/1.1\r\nHost: ${address.host}\r\n`);
    const after = await within(stalled.closed, 5_000, 'closing a connection with stalled headers');
    expect(after).toBeGreaterThanOrEqual(350);
    expect(stalled.received()).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
  });

  it('closes a kept-alive connection after the keep-alive timeout', async () => {
    const address = await serverWith({ idleSocketMs: 10_000, headersMs: 5_000, requestMs: 10_000, keepAliveMs: 300 });
    const kept = await connect(address);
    kept.socket.write(headers(address) + BODY);
    await within(
      (async () => {
        while (!kept.received().includes('Cango Inc.')) await new Promise((resolve) => setTimeout(resolve, 10));
      })(),
      5_000,
      'the answer',
    );
    const answeredAt = Date.now();
    expect(kept.received()).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(kept.received()).toMatch(/\r\nConnection: keep-alive\r\n/i);
    await within(kept.closed, 5_000, 'closing an idle kept-alive connection');
    expect(Date.now() - answeredAt).toBeGreaterThanOrEqual(250);
  });
});

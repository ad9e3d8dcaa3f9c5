import net from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A load balancer in miniature: each new connection goes to the first backend (host:port) that
 * accepts it, in the order given; one that refuses is skipped. Enough to show what clients see
 * when a server process behind a proxy dies.
 */
export async function tcpProxy(backends: { host: string; port: number }[]): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const connect = (client: net.Socket, index: number) => {
    const backend = backends[index];
    if (!backend) {
      client.destroy();
      return;
    }
    const upstream = net.connect(backend.port, backend.host);
    sockets.add(upstream);
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      client.pipe(upstream).pipe(client);
      client.resume();
    });
    upstream.on('error', () => {
      if (!connected) connect(client, index + 1);
      else client.destroy();
    });
    upstream.on('close', () => {
      sockets.delete(upstream);
      if (connected) client.destroy();
    });
  };
  const server = net.createServer((client) => {
    sockets.add(client);
    client.pause();
    client.on('error', () => {});
    client.on('close', () => sockets.delete(client));
    connect(client, 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

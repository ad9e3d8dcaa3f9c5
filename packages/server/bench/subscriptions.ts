// pnpm bench:subscriptions — how long a write takes to reach 1,000 subscribers: the server in a
// child process of its own on a fresh database (PostgreSQL; --pglite for the embedded one) with
// the seed facts, 1,000 WebSocket connections from this process over loopback, each subscribed
// to pricesRecorded(symbol: "BTC"), and one recordPrices mutation at a time. Delivery latency is
// from sending the mutation to each subscriber's receipt of its event (so it includes the write
// and its commit); every subscriber must receive every event.
//
//   pnpm bench:subscriptions [--subscribers 1000] [--events 30] [--pglite]
import { loadavg } from 'node:os';
import WebSocket from 'ws';
import { migrateToLatest } from '../src/db/migrate.js';
import { createApiKey } from '../src/repositories/api-key.repository.js';
import { seed } from '../src/seed/seed.js';
import { describeMachine, freshTarget, startServedProcess, withTarget } from './bench-target.js';
import { flag, option } from './options.js';
import { ms, table } from './report.js';

const SUBSCRIBERS = option('subscribers', 1000);
const EVENTS = option('events', 30);
const SUBSCRIPTION = 'subscription { pricesRecorded(symbol: "BTC") { symbol inserted updated from to } }';
const RECORD = 'mutation ($input: RecordPricesInput!) { recordPrices(input: $input) { inserted userErrors { message } } }';

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

const target = await freshTarget('subscriptions', flag('pglite'));
await withTarget(target, async () => {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  log(`preparing ${target.engine}: migrate, seed, an editor key`);
  const database = await target.open();
  let editor: string;
  try {
    await migrateToLatest(database.db);
    await seed(database.db);
    editor = `Bearer ${(await createApiKey(database.db, 'bench-subscriptions', 'editor')).key}`;
  } finally {
    await database.close();
  }

  const served = await startServedProcess({ serve: 'graphql', target, logLevel: 'warn', webSocketsPerClient: SUBSCRIBERS + 10 });
  const sockets: WebSocket[] = [];
  try {
    /** When each subscriber received each event, by the event's instant (`to`). */
    const received = new Map<string, number[]>();
    let failures = 0;
    const wsUrl = served.url.replace(/^http/, 'ws');
    log(`opening ${SUBSCRIBERS} subscriptions…`);
    for (let i = 0; i < SUBSCRIBERS; i += 1) {
      const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
      sockets.push(socket);
      socket.on('message', (data) => {
        const message = JSON.parse(String(data)) as { type: string; payload?: { data?: { pricesRecorded?: { to: string } } } };
        if (message.type === 'connection_ack') {
          socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: SUBSCRIPTION } }));
        } else if (message.type === 'next') {
          const at = performance.now();
          const key = message.payload?.data?.pricesRecorded?.to;
          if (key) received.set(key, [...(received.get(key) ?? []), at]);
          else failures += 1;
        } else if (message.type === 'error') {
          failures += 1;
        }
      });
      socket.on('close', () => (failures += 1));
      await new Promise<void>((resolve, reject) => {
        socket.once('open', () => resolve());
        socket.once('error', reject);
      });
      socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
    }
    for (let waited = 0; ((await served.subscriptions())?.listening ?? 0) < SUBSCRIBERS; waited += 100) {
      if (waited > 60_000)
        throw new Error(`only ${(await served.subscriptions())?.listening} of ${SUBSCRIBERS} subscriptions listen after 60 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const loadBefore = loadavg();
    const latencies: number[] = [];
    const writes: number[] = [];
    log(`${EVENTS} writes, one at a time…`);
    for (let event = 0; event < EVENTS; event += 1) {
      const at = new Date(Date.UTC(2050, 0, 1) + event * 60_000).toISOString();
      const started = performance.now();
      const response = await fetch(served.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: editor },
        body: JSON.stringify({ query: RECORD, variables: { input: { symbol: 'BTC', points: [{ at, close: String(50_000 + event) }] } } }),
      });
      const body = (await response.json()) as { data?: { recordPrices: { inserted: number } } };
      writes.push(performance.now() - started);
      if (body.data?.recordPrices.inserted !== 1) throw new Error(`the write failed: ${JSON.stringify(body)}`);
      for (let waited = 0; (received.get(at)?.length ?? 0) < SUBSCRIBERS; waited += 5) {
        if (waited > 30_000)
          throw new Error(`event ${event}: ${received.get(at)?.length ?? 0} of ${SUBSCRIBERS} subscribers got it within 30 s`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      for (const time of received.get(at)!) latencies.push(time - started);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const loadAfter = loadavg();
    latencies.sort((a, b) => a - b);
    writes.sort((a, b) => a - b);

    console.log(
      `\npnpm bench:subscriptions: ${SUBSCRIBERS} subscribers (one WebSocket each), ${EVENTS} writes one at a time, over loopback, against the server in a child process`,
    );
    for (const line of describeMachine(target.engine)) console.log(line);
    console.log(
      `load average (1, 5, 15 min): before ${loadBefore.map((n) => n.toFixed(2)).join(', ')}; after ${loadAfter.map((n) => n.toFixed(2)).join(', ')}`,
    );
    console.log('');
    console.log(
      table(
        ['deliveries', 'missed', 'errors', 'p50 ms', 'p99 ms', 'max ms', 'write p50 ms'],
        [
          [
            latencies.length,
            SUBSCRIBERS * EVENTS - latencies.length,
            failures,
            ms(percentile(latencies, 50)),
            ms(percentile(latencies, 99)),
            ms(latencies.at(-1)!),
            ms(percentile(writes, 50)),
          ],
        ],
      ),
    );
    console.log('\nlatency: from sending the mutation to a subscriber receiving its event; "write": the mutation\'s own round trip.');
  } finally {
    for (const socket of sockets) socket.terminate();
    await served.stop();
  }
});

// Live updates: the view on the page subscribes (one WebSocket, same origin, through the SDK) to
// the events that change what it shows, and re-reads itself when one arrives, or when the
// connection comes back after it was lost (events sent meanwhile were missed).
import { CompanyChangedDocument, createSubscriber, FactsChangedDocument, PricesRecordedDocument } from '@minergraph/sdk/subscriptions';

/** What a view shows, as the events that change it. */
export type Topic = { kind: 'facts' } | { kind: 'prices'; symbol: string } | { kind: 'company'; ticker: string };

let reread: () => void = () => {};

// The generated documents are in the persisted manifest, so a persisted-only server accepts them.
const subscriber = createSubscriber({
  url: document.body.dataset.graphqlUrl ?? '/graphql',
  onReconnected: () => reread(),
});

/** The subscriptions running, by topic (its JSON). */
const running = new Map<string, AbortController>();

function events(topic: Topic, signal: AbortSignal): AsyncIterableIterator<unknown> {
  switch (topic.kind) {
    case 'facts':
      return subscriber.subscribe(FactsChangedDocument, {}, { signal });
    case 'prices':
      return subscriber.subscribe(PricesRecordedDocument, { symbol: topic.symbol }, { signal });
    case 'company':
      return subscriber.subscribe(CompanyChangedDocument, { ticker: topic.ticker }, { signal });
  }
}

/**
 * Calls `refresh` whenever one of `topics` fires, and after a reconnect, until the next call.
 * Subscriptions to topics that stay go on (no event is missed across a re-read); those to topics
 * no longer shown end; new ones start. Events while a refresh runs make one more refresh.
 */
export function watch(topics: Topic[], refresh: () => Promise<void>, onStopped: (message: string) => void): void {
  let reading: Promise<void> | null = null;
  let again = false;
  reread = () => {
    if (reading) {
      again = true;
      return;
    }
    reading = refresh().finally(() => {
      reading = null;
      if (again) {
        again = false;
        reread();
      }
    });
  };
  const wanted = new Map(topics.map((topic) => [JSON.stringify(topic), topic]));
  for (const [key, stop] of running) {
    if (!wanted.has(key)) {
      stop.abort();
      running.delete(key);
    }
  }
  for (const [key, topic] of wanted) {
    if (running.has(key)) continue;
    const stop = new AbortController();
    running.set(key, stop);
    void (async () => {
      try {
        for await (const _event of events(topic, stop.signal)) reread();
      } catch (error) {
        if (!stop.signal.aborted) onStopped(error instanceof Error ? error.message : String(error));
      }
    })();
  }
}

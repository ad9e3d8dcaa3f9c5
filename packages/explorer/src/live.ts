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

let watching: { key: string; stop: AbortController } | null = null;

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
 * The same topics as the subscriptions running keep them (a re-read does not resubscribe);
 * others end them and subscribe anew. Several events while a refresh runs make one more.
 */
export function watch(topics: Topic[], refresh: () => Promise<void>, onStopped: (message: string) => void): void {
  let running: Promise<void> | null = null;
  let again = false;
  reread = () => {
    if (running) {
      again = true;
      return;
    }
    running = refresh().finally(() => {
      running = null;
      if (again) {
        again = false;
        reread();
      }
    });
  };
  const key = JSON.stringify(topics);
  if (watching?.key === key) return;
  watching?.stop.abort();
  const stop = new AbortController();
  watching = { key, stop };
  for (const topic of topics) {
    void (async () => {
      try {
        for await (const _event of events(topic, stop.signal)) reread();
      } catch (error) {
        if (!stop.signal.aborted) onStopped(error instanceof Error ? error.message : String(error));
      }
    })();
  }
}

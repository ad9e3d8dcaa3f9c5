/**
 * What a write changed, as the server's change feed hands it to subscriptions: the server
 * publishes each change inside the write's transaction and hears it, from any process, once
 * it has committed. These are the fields subscriptions read; the feed may carry more.
 */
export type FeedEvent =
  /** Price points recorded or replaced for one asset (a mutation, `prices import`, `prices sync`). */
  | {
      kind: 'prices';
      symbol: string;
      assetId: string;
      inserted: number;
      updated: number;
      from: string | null;
      to: string | null;
      version: string;
    }
  /** A company or one of its records; `record` says which kind, `ids` which rows. */
  | { kind: 'company'; companyId: string; ticker?: string | undefined; record: string; ids: string[]; version: string }
  /** Many facts at once: the seed, or a facts sync. */
  | { kind: 'facts'; reason: string; version: string };

/** Which changes one subscription wants. */
export type FeedFilter = { kind: 'prices'; assetId: string | null } | { kind: 'company'; companyId: string } | { kind: 'facts' };

/** The changes of the filter's kind, from the moment of the call; the feed ends them when the server stops listening. */
export interface ChangeFeed {
  /**
   * The matching changes, in commit order, until the iterator is returned. A reader that falls
   * further behind than the server buffers is cut off by the server (its connection closes).
   */
  listen<F extends FeedFilter>(filter: F): AsyncIterableIterator<Extract<FeedEvent, { kind: F['kind'] }>>;
}

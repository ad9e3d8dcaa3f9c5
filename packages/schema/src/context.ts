import DataLoader from 'dataloader';
import type { ChangeFeed } from './changes.js';
import type { AssetInstant, CompanyDay, CompanyWindow, DataSources } from './data-sources.js';

export type Role = 'reader' | 'editor' | 'admin';

/** Who is asking: an API key's holder, or nobody. */
export interface Viewer {
  apiKeyId: string | null;
  keyName: string | null;
  role: Role | null;
}

export const ANONYMOUS: Viewer = Object.freeze({ apiKeyId: null, keyName: null, role: null });

export interface Context {
  data: DataSources;
  viewer: Viewer;
  loaders: Loaders;
  /** The UTC day of the request, the default for "as of" arguments. */
  today: string;
  /** The instant of the request, the default for "at" arguments. */
  clock: Clock;
  /** Loaders made on demand for one argument set (a page size, a filter); see `loaderFor`. */
  loaderCache: Map<string, DataLoader<unknown, unknown, unknown>>;
  /** Where subscriptions hear of writes; only a WebSocket connection's context has it. */
  changes?: ChangeFeed;
}

/** The instant of the request, and whether anything read it. */
export interface Clock {
  readonly now: Date;
  /** An answer that read `now` changes by the instant it was served: the response cache keeps none. */
  readonly read: boolean;
}

export function createContext(options: { data: DataSources; viewer?: Viewer; now?: Date }): Context {
  const now = options.now ?? new Date();
  let read = false;
  return {
    data: options.data,
    viewer: options.viewer ?? ANONYMOUS,
    loaders: createLoaders(options.data),
    today: now.toISOString().slice(0, 10),
    // An object of its own: Apollo copies the context's own fields for each operation.
    clock: {
      get now() {
        read = true;
        return now;
      },
      get read() {
        return read;
      },
    },
    loaderCache: new Map(),
  };
}

function keyed<K, V>(batch: (keys: readonly K[]) => Promise<V[]>, cacheKey: (key: K) => string) {
  return new DataLoader<K, V, string>(batch, { cacheKeyFn: cacheKey, maxBatchSize: 1000 });
}

const companyDay = (key: CompanyDay) => `${key.companyId}|${key.on}`;

/** Loaders whose keys are more than an id; node types load through Pothos' own loaders. */
const LOADER_MAKERS = {
  holdings: (data: DataSources) => keyed((keys) => data.treasury.holdings(keys), companyDay),
  pledgedBtc: (data: DataSources) => keyed((keys) => data.loans.pledgedBtc(keys), companyDay),
  flowTotals: (data: DataSources) =>
    keyed(
      (keys) => data.treasury.flowTotals(keys),
      (key: CompanyWindow) => `${key.companyId}|${key.from}|${key.to}`,
    ),
  priceAt: (data: DataSources) =>
    keyed(
      (keys) => data.assets.pricesAt(keys),
      (key: AssetInstant) => `${key.assetId}|${key.at.toISOString()}`,
    ),
  companyByTicker: (data: DataSources) =>
    keyed(
      (keys) => data.companies.byTickers(keys),
      (ticker: string) => ticker,
    ),
  assetBySymbol: (data: DataSources) =>
    keyed(
      (keys) => data.assets.bySymbols(keys),
      (symbol: string) => symbol,
    ),
  latestPrice: (data: DataSources) =>
    keyed(
      (keys) => data.assets.latestPrices(keys),
      (id: string) => id,
    ),
  allTimeHigh: (data: DataSources) =>
    keyed(
      (keys) => data.assets.allTimeHighs(keys),
      (id: string) => id,
    ),
  corporateActions: (data: DataSources) =>
    keyed(
      (keys) => data.assets.corporateActions(keys),
      (id: string) => id,
    ),
  officers: (data: DataSources) =>
    keyed(
      (keys) => data.officers.byCompanyIds(keys),
      (id: string) => id,
    ),
  regionSummaries: (data: DataSources) =>
    keyed(
      (keys) => data.sites.regionSummaries(keys),
      (id: string) => id,
    ),
  loansByCompany: (data: DataSources) =>
    keyed(
      (keys) => data.loans.byCompanyIds(keys),
      (id: string) => id,
    ),
  holdingsReports: (data: DataSources) =>
    keyed(
      (keys) => data.companies.holdingsReports(keys),
      (id: string) => id,
    ),
  latestHoldingsReport: (data: DataSources) =>
    keyed(
      (keys) => data.companies.latestHoldingsReports(keys),
      (id: string) => id,
    ),
  productionCitations: (data: DataSources) =>
    keyed(
      (keys) => data.production.citations(keys),
      (id: string) => id,
    ),
  loanCitations: (data: DataSources) =>
    keyed(
      (keys) => data.loans.citations(keys),
      (id: string) => id,
    ),
  repayments: (data: DataSources) =>
    keyed(
      (keys) => data.loans.repaymentsByLoanIds(keys),
      (id: string) => id,
    ),
};

export type Loaders = { readonly [K in keyof typeof LOADER_MAKERS]: ReturnType<(typeof LOADER_MAKERS)[K]> };

const DATA = Symbol('data');

/**
 * Each loader is made on first use, by a getter on a shared prototype, and then kept on the
 * request's object: most requests use a few of them, and a query that look-ahead answers uses none.
 */
const LOADERS_PROTOTYPE: object = Object.create(
  null,
  Object.fromEntries(
    Object.entries(LOADER_MAKERS).map(([name, make]) => [
      name,
      {
        get(this: { [DATA]: DataSources }) {
          const loader = make(this[DATA]);
          Object.defineProperty(this, name, { value: loader, enumerable: true });
          return loader;
        },
      },
    ]),
  ),
);

export function createLoaders(data: DataSources): Loaders {
  const loaders = Object.create(LOADERS_PROTOTYPE) as { [DATA]: DataSources };
  loaders[DATA] = data;
  return loaders as unknown as Loaders;
}

/**
 * A loader shared by every resolver call in the request that uses the same arguments, so that
 * e.g. `sites(first: 5)` on 50 companies is one statement, not 50.
 */
export function loaderFor<K, V>(
  context: Context,
  name: string,
  args: unknown,
  batch: (keys: readonly K[]) => Promise<V[]>,
  cacheKey: (key: K) => string = String,
): DataLoader<K, V, string> {
  const id = `${name}:${JSON.stringify(args)}`;
  let loader = context.loaderCache.get(id) as DataLoader<K, V, string> | undefined;
  if (!loader) {
    loader = keyed(batch, cacheKey);
    context.loaderCache.set(id, loader as DataLoader<unknown, unknown, unknown>);
  }
  return loader;
}

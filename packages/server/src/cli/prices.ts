import type { Command } from 'commander';
import { Decimal, normaliseSourceUrl, parseDate, parseDecimal, ScalarInputError } from '@minergraph/schema';
import type { DatabaseHandle } from '../db/connect.js';
import { assetsBySymbols, corporateActionsByAssetIds } from '../repositories/asset.repository.js';
import { createCoinGeckoClient, CoinGeckoError } from '../prices/coingecko.js';
import { UnknownCsvHeaderError } from '../prices/csv-formats.js';
import { importPriceCsv, PriceFileRejectedError, PriceImportInputError } from '../prices/import.js';
import { COINGECKO_IDS, CoinGeckoSyncInputError, syncFromCoinGecko } from '../prices/sync.js';
import { recordCorporateAction } from '../writes/asset.writes.js';
import { UsageError, type CliDeps } from './context.js';
import { importProgress } from './import-progress.js';

const DAY_MS = 86_400_000;
const count = (n: number) => n.toLocaleString('en-US');

interface SourceOptions {
  sourceTitle?: string;
  sourceUrl?: string;
  sourcePublisher?: string;
}

/** `minergraph prices ...`: load and correct price history from the command line. */
export function registerPriceCommands(program: Command, deps: CliDeps): void {
  const prices = program
    .command('prices')
    .description('price history: import CSV files, sync BTC from CoinGecko, record splits')
    .addHelpText(
      'after',
      `
Environment (sync):
  COINGECKO_API_KEY     a CoinGecko API key (optional for the Demo plan's public limits)
  COINGECKO_API_PLAN    demo (header x-cg-demo-api-key, default) or pro (x-cg-pro-api-key)
  COINGECKO_BASE_URL    API root (default https://api.coingecko.com/api/v3, or pro-api... for pro)`,
    );

  prices
    .command('import')
    .description('import a CSV of prices, all or nothing: a CoinGecko export, a Yahoo Finance download, or at,open,high,low,close,volume')
    .argument('<file>', 'the CSV file; its header says which of the three formats it is')
    .requiredOption('--symbol <symbol>', 'the asset the prices are of, e.g. BTC')
    .option('--source-title <title>', 'where the figures come from, e.g. "CoinGecko BTC export, 2026-02-10"')
    .option('--source-url <url>', "the source's URL")
    .option('--source-publisher <name>', "the source's publisher, e.g. CoinGecko")
    .action(async (file: string, options: { symbol: string } & SourceOptions) => {
      const config = deps.loadConfig();
      const source = sourceOf(options);
      await deps.withDatabase(config, async (database) => {
        const progress = importProgress();
        try {
          const summary = await importPriceCsv(database, { file, symbol: options.symbol, source, onProgress: progress.update });
          progress.stop();
          const skipped = summary.skipped > 0 ? ` Skipped ${count(summary.skipped)} ${summary.format.skippedRowsAre ?? 'rows'}.` : '';
          console.log(
            `${summary.symbol}: ${count(summary.rows)} rows from ${file} (${summary.format.label}): ` +
              `${count(summary.inserted)} inserted, ${count(summary.updated)} updated, ${count(summary.unchanged)} unchanged.${skipped}`,
          );
        } catch (error) {
          progress.stop();
          if (error instanceof PriceFileRejectedError || error instanceof UnknownCsvHeaderError || error instanceof PriceImportInputError) {
            throw new UsageError(error.message);
          }
          throw error;
        }
      });
    });

  prices
    .command('sync')
    .description('fetch prices from CoinGecko in 90-day windows (hourly points), continuing where an interrupted run stopped')
    .argument('<symbol>', 'the asset to store them under, e.g. BTC')
    .option('--from <day>', 'first day, YYYY-MM-DD (UTC); default: continue the last sync of this symbol')
    .option('--to <day>', 'last day, YYYY-MM-DD (UTC), included; default: up to now')
    .option(
      '--coin-id <id>',
      `CoinGecko's id of the coin (default for ${Object.keys(COINGECKO_IDS).join(', ')}: ${Object.values(COINGECKO_IDS).join(', ')})`,
    )
    .option('--restart', 'ignore the progress of earlier runs and fetch the whole range again')
    .action(async (symbolArgument: string, options: { from?: string; to?: string; coinId?: string; restart?: boolean }) => {
      const config = deps.loadConfig();
      const symbol = symbolArgument.trim().toUpperCase();
      const coinId = options.coinId ?? COINGECKO_IDS[symbol];
      if (!coinId)
        throw new UsageError(`CoinGecko's id for ${symbol} is not known: pass --coin-id (the "API ID" on the coin's CoinGecko page).`);
      const now = Date.now();
      const from = options.from === undefined ? undefined : new Date(`${day('--from', options.from)}T00:00:00Z`);
      const to = options.to ? new Date(Math.min(Date.parse(`${day('--to', options.to)}T00:00:00Z`) + DAY_MS, now)) : new Date(now);
      if (from !== undefined && from >= to)
        throw new UsageError(`Nothing to fetch: --from (${options.from}) must be before --to and before today's end.`);

      const client = createCoinGeckoClient({
        ...config.coingecko,
        onRetry: ({ attempt, maxAttempts, delayMs, reason }) =>
          console.error(`CoinGecko: ${reason}; waiting ${Math.ceil(delayMs / 1000)} s before attempt ${attempt + 1} of ${maxAttempts}.`),
      });
      await deps.withDatabase(config, async (database) => {
        try {
          const summary = await syncFromCoinGecko(database, {
            symbol,
            coinId,
            from,
            to,
            restart: options.restart ?? false,
            client,
            onWindow: (result) =>
              console.error(
                `${result.window.start.toISOString()} → ${result.window.end.toISOString()}: ${count(result.points)} points ` +
                  `(${count(result.inserted)} inserted, ${count(result.updated)} updated, ${count(result.unchanged)} unchanged)`,
              ),
          });
          if (summary.windows.length === 0) {
            console.log(
              `${symbol}: already synced from CoinGecko (${coinId}) through ${to.toISOString()}; nothing to fetch (--restart fetches again).`,
            );
            return;
          }
          const resumed = summary.resumedFrom ? ` Continued from ${summary.resumedFrom.toISOString()}.` : '';
          console.log(
            `${symbol} from CoinGecko (${coinId}), ${summary.windows.length} window${summary.windows.length === 1 ? '' : 's'}: ` +
              `${count(summary.inserted)} inserted, ${count(summary.updated)} updated, ${count(summary.unchanged)} unchanged.${resumed}`,
          );
        } catch (error) {
          if (error instanceof CoinGeckoError) {
            throw new UsageError(`${error.message}\nWindows stored before this one are kept; run the same command again to continue.`);
          }
          if (error instanceof CoinGeckoSyncInputError) throw new UsageError(error.message);
          throw error;
        }
      });
    });

  prices
    .command('split')
    .description(
      "record a ratio change of an equity's units (a split, reverse split or ADS conversion); earlier prices are served divided by it",
    )
    .argument('<symbol>', 'the equity, e.g. CANG')
    .requiredOption('--on <day>', 'the first day the new units traded, YYYY-MM-DD')
    .requiredOption('--ratio <ratio>', 'new units per old unit, e.g. 2 (each old unit became 2) or 0.1 (a 1-for-10 reverse split)')
    .requiredOption('--description <text>', 'what happened, e.g. "Each ADS became 2 Class A shares"')
    .option('--source-title <title>', 'where this is reported')
    .option('--source-url <url>', "the source's URL")
    .option('--source-publisher <name>', "the source's publisher")
    .action(async (symbol: string, options: { on: string; ratio: string; description: string } & SourceOptions) => {
      const config = deps.loadConfig();
      const input = {
        symbol,
        effectiveOn: day('--on', options.on),
        ratio: decimal('--ratio', options.ratio),
        description: options.description,
        source: sourceOf(options),
      };
      await deps.withDatabase(config, async (database) => {
        const result = await recordCorporateAction(database.db, input, { apiKeyId: null });
        if (!result.ok) {
          // The same change recorded again (the seed already holds Cango's ADS conversion) is no change.
          const recorded =
            result.userErrors.every((error) => error.code === 'ALREADY_EXISTS') && (await recordedAlready(database.db, input));
          if (recorded) {
            console.log(
              `${recorded.symbol}: the ratio change of ${recorded.effectiveOn} (${recorded.ratio} new units per old unit) is recorded already; nothing changed.`,
            );
            return;
          }
          throw new UsageError(result.userErrors.map((error) => `${error.code}: ${error.message}`).join('\n'));
        }
        const action = result.value;
        console.log(
          `${symbol.trim().toUpperCase()}: from ${action.effectiveOn} each old unit is ${action.ratio} new units (${action.description}).`,
        );
      });
    });
}

function sourceOf(options: SourceOptions) {
  if (!options.sourceTitle) {
    if (options.sourceUrl || options.sourcePublisher) throw new UsageError('--source-url and --source-publisher need --source-title.');
    return null;
  }
  // The same rule as a source given through the API: one home for what a source URL may be.
  const checked = options.sourceUrl === undefined ? null : normaliseSourceUrl('--source-url', options.sourceUrl);
  if (checked && 'problem' in checked) throw new UsageError(checked.problem);
  return { title: options.sourceTitle, url: checked?.url ?? null, publisher: options.sourcePublisher ?? null };
}

function day(option: string, value: string): string {
  try {
    return parseDate(value);
  } catch (error) {
    if (error instanceof ScalarInputError) throw new UsageError(`${option}: ${error.message}`);
    throw error;
  }
}

function decimal(option: string, value: string): string {
  try {
    return parseDecimal(value);
  } catch (error) {
    if (error instanceof ScalarInputError) throw new UsageError(`${option}: ${error.message}`);
    throw error;
  }
}

/** The identical ratio change, if the asset has it on that day already. */
async function recordedAlready(db: DatabaseHandle['db'], input: { symbol: string; effectiveOn: string; ratio: string }) {
  const symbol = input.symbol.trim().toUpperCase();
  const [asset] = await assetsBySymbols(db, [symbol]);
  if (!asset) return null;
  const [actions] = await corporateActionsByAssetIds(db, [asset.id]);
  const same = actions?.find((action) => action.effectiveOn === input.effectiveOn && new Decimal(action.ratio).eq(input.ratio));
  return same ? { symbol, effectiveOn: same.effectiveOn, ratio: same.ratio } : null;
}

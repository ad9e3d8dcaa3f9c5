#!/usr/bin/env node
// The command line: `pnpm minergraph <command>`. The one place that reads the environment.
import type { SyncResult } from './facts/load.js';
import cluster from 'node:cluster';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import type { Role } from '@minergraph/schema';
import { registerBackupCommands } from './cli/backup.js';
import { UsageError, withDatabase } from './cli/context.js';
import { registerPriceCommands } from './cli/prices.js';
import { ConfigError, DEFAULT_SETTINGS, loadConfig, type Config } from './config.js';
import { DataDirInUseError } from './db/connect.js';
import { migrateToEmpty, migrateToLatest } from './db/migrate.js';
import { explainEnvironmentFailure } from './failures.js';
import { createLogger } from './logger.js';
import { createApiKey, listApiKeys, revokeApiKey } from './repositories/api-key.repository.js';
import { seed } from './seed/seed.js';
import { FactFilesInvalidError } from './facts/load.js';

export function buildProgram(): Command {
  const program = new Command('minergraph')
    .description('MinerGraph: a GraphQL API for data about publicly listed Bitcoin miners.')
    .showHelpAfterError()
    // Every command, not just this one, throws instead of exiting: main() picks the status.
    .exitOverride()
    .addHelpText(
      'after',
      `
Environment:
  PORT                  port to listen on (default ${DEFAULT_SETTINGS.port})
  HOST                  address to listen on (default ${DEFAULT_SETTINGS.host})
  DATABASE_URL          PostgreSQL URL; unset = the embedded PGlite database
  DATABASE_READ_URL     a streaming replica of DATABASE_URL that serves queries (optional)
  MINERGRAPH_WORKERS    server processes on PostgreSQL: a number or auto (default ${DEFAULT_SETTINGS.workers})
  MINERGRAPH_DATA_DIR   PGlite's directory (default ${DEFAULT_SETTINGS.dataDir})
  LOG_LEVEL             fatal, error, warn, info, debug, trace or silent (default ${DEFAULT_SETTINGS.logLevel})`,
    );

  program
    .command('serve')
    .description('migrate, seed an empty database, and serve GraphQL and the playground')
    .action(async () => {
      const config = loadConfig();
      const logger = createLogger(config.logLevel);
      if (config.workers > 1 && cluster.isPrimary) {
        const { superviseWorkers } = await import('./workers.js');
        await superviseWorkers(config, logger);
        return;
      }
      const { serve, stopOnSignals } = await import('./serve.js');
      const running = await serve(config, logger);
      stopOnSignals(running, logger);
      // A worker's primary process prints it once for all of them.
      if (process.stdout.isTTY && cluster.isPrimary) process.stdout.write(`\n  GraphQL and playground: ${running.url}\n\n`);
    });

  program
    .command('migrate')
    .description('bring the database to the latest migration')
    .option('--down-all', 'undo every migration instead: drops all MinerGraph tables and their data (needs --yes)')
    .option('--yes', 'confirm --down-all')
    .action(async (options: { downAll?: boolean; yes?: boolean }) => {
      const config = loadConfig();
      if (options.downAll && !options.yes) {
        throw new UsageError('migrate --down-all drops every MinerGraph table and all its data. Run it again with --yes to confirm.');
      }
      await withDatabase(
        config,
        async (database) => {
          if (options.downAll && database.throughSocket) {
            throw new UsageError(`A running MinerGraph server uses the database in ${config.dataDir}. Stop it before migrate --down-all.`);
          }
          const results = options.downAll ? await migrateToEmpty(database.db) : await migrateToLatest(database.db);
          if (results.length === 0) console.log('Nothing to do: the database is up to date.');
          for (const result of results) console.log(`${result.direction === 'Up' ? 'applied' : 'undid'} ${result.migrationName}`);
        },
        { prepare: false },
      );
    });

  program
    .command('seed')
    .description('load the data files (data/companies, data/prices; see docs/domain.md) into an empty database (migrates first)')
    .action(async () => {
      const config = loadConfig();
      await withDatabase(
        config,
        async ({ db }) => {
          await migrateToLatest(db);
          const outcome = await seed(db);
          console.log(
            outcome === 'loaded'
              ? 'Loaded the seed facts.'
              : outcome === 'already-loaded'
                ? 'The seed facts are already loaded; nothing changed.'
                : 'The database already holds data, so the seed was not loaded.',
          );
        },
        { prepare: false },
      );
    });

  const keys = program.command('keys').description('API keys: writes need an editor key in "Authorization: Bearer <key>"');

  keys
    .command('create')
    .description('create a key and print it, once, alone on stdout (only its hash is stored)')
    .addOption(new Option('--role <role>', 'what the key may do').choices(['reader', 'editor', 'admin']).makeOptionMandatory())
    .requiredOption('--name <label>', 'a unique label, e.g. who or what uses the key')
    .action(async (options: { role: Role; name: string }) => {
      const config = loadConfig();
      await withDatabase(config, async ({ db }) => {
        try {
          const { key } = await createApiKey(db, options.name, options.role);
          process.stdout.write(`${key}\n`);
          console.error(`Created the ${options.role} key "${options.name}". It is shown only this once.`);
        } catch (error) {
          if ((error as { code?: string }).code === '23505') {
            throw new UsageError(
              `An active key is named "${options.name}" already. Revoke it first (keys revoke ${options.name}), or choose another name.`,
            );
          }
          throw error;
        }
      });
    });

  keys
    .command('list')
    .description('list keys (names, roles, dates; never the keys)')
    .action(async () => {
      const config = loadConfig();
      await withDatabase(config, async ({ db }) => {
        const rows = await listApiKeys(db);
        if (rows.length === 0) console.log('No API keys yet: pnpm minergraph keys create --role editor --name <label>');
        for (const row of rows) {
          const state = row.revoked_at ? `revoked ${row.revoked_at.toISOString()}` : 'active';
          console.log(`${row.name}\t${row.role}\tcreated ${row.created_at.toISOString()}\t${state}`);
        }
      });
    });

  keys
    .command('revoke')
    .description('revoke a key by name; requests with it are refused from then on')
    .argument('<name>', 'the label given at creation')
    .action(async (name: string) => {
      const config = loadConfig();
      await withDatabase(config, async ({ db }) => {
        if (!(await revokeApiKey(db, name))) throw new UsageError(`No active key is named "${name}".`);
        console.log(`Revoked "${name}".`);
      });
    });

  registerPriceCommands(program, { loadConfig, withDatabase });
  registerBackupCommands(program, { loadConfig, withDatabase });

  const facts = program
    .command('facts')
    .description('the reviewed data files in data/companies and data/prices: every number with its source and quote');
  facts
    .command('check')
    .description('check every fact file: its shape, that each quote states its number, its sources, no duplicates')
    .option('--data <dir>', 'the data directory', 'data')
    .action(async (options: { data: string }) => {
      const { loadCompanyFiles, loadPriceFiles } = await import('./facts/fact-file.js');
      const { checkFactFiles, checkPriceFiles } = await import('./facts/check.js');
      if (!existsSync(join(options.data, 'companies')))
        throw new UsageError(`There is no ${join(options.data, 'companies')} directory; pass --data <dir>.`);
      const files = loadCompanyFiles(options.data);
      const priceFiles = loadPriceFiles(options.data);
      const problems = [...checkFactFiles(files), ...checkPriceFiles(priceFiles)];
      if (problems.length > 0) {
        for (const problem of problems) console.error(problem);
        throw new UsageError(
          `${problems.length} problem${problems.length === 1 ? '' : 's'} in the fact files of ${options.data} (listed above).`,
        );
      }
      const count = (pick: (file: NonNullable<(typeof files)[number]['file']>) => unknown[]) =>
        files.reduce((sum, loaded) => sum + (loaded.file ? pick(loaded.file).length : 0), 0);
      console.log(
        `${files.length} companies: ${count((f) => f.holdings)} holdings figures, ${count((f) => f.production)} production reports, ` +
          `${count((f) => f.debt)} debts, ${count((f) => f.officers)} officers, ${count((f) => f.sites)} sites; every quote states its number.`,
      );
      if (priceFiles.length > 0) {
        const prices = priceFiles.reduce((sum, loaded) => sum + (loaded.file ? loaded.file.prices.length : 0), 0);
        console.log(`${priceFiles.length} price files: ${prices} prices; every quote states its price.`);
      }
    });
  facts
    .command('sync')
    .description(
      'apply the data files to the database (migrates first): inserts new facts, updates changed ones, deletes loaded facts no file holds; never touches facts written through the API. Running it twice changes nothing.',
    )
    .option('--data <dir>', "the data directory (default: the repository's data/)")
    .action(async (options: { data?: string }) => {
      const { defaultDataDir } = await import('./facts/fact-file.js');
      const { FactFilesInvalidError, syncFacts } = await import('./facts/load.js');
      const dataDir = options.data ?? defaultDataDir();
      if (!dataDir || !existsSync(join(dataDir, 'companies'))) {
        throw new UsageError(`There is no ${dataDir ? join(dataDir, 'companies') : 'data/companies'} directory; pass --data <dir>.`);
      }
      const config = loadConfig();
      await withDatabase(config, async ({ db }) => {
        let result: SyncResult;
        try {
          result = await syncFacts(db, dataDir);
        } catch (error) {
          if (error instanceof FactFilesInvalidError) {
            for (const problem of error.problems) console.error(problem);
            throw new UsageError(
              `${error.problems.length} problem${error.problems.length === 1 ? '' : 's'} in the fact files of ${dataDir} (listed above); nothing was changed.`,
            );
          }
          throw error;
        }
        for (const file of result.files) {
          console.log(`${file.file}: ${file.inserted} inserted, ${file.updated} updated, ${file.unchanged} unchanged`);
          for (const skipped of file.skipped) console.log(`  left out: ${skipped}`);
        }
        console.log(`${result.deleted} loaded rows deleted (their facts are in no file now).`);
      });
    });

  return program;
}

async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    // Help and --version end here too, with status 0; a usage mistake is the user's to fix: 2.
    if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
    const debug = process.env.LOG_LEVEL === 'debug' || process.env.LOG_LEVEL === 'trace';
    const sentence = userFixable(error);
    if (sentence !== null) {
      console.error(sentence);
      if (debug && error instanceof Error) console.error(error.stack);
      process.exit(2);
    }
    // A bug: the detail goes to the log (standard output), the user gets where to find it.
    createLogger('error').fatal({ err: error }, 'unexpected error');
    console.error(
      `MinerGraph stopped on an unexpected error: ${(error as Error)?.message ?? String(error)}. ` +
        'The log on standard output has the details.',
    );
    process.exit(1);
  }
}

/** The message for a failure the user can fix, or null for a bug. */
function userFixable(error: unknown): string | null {
  if (error instanceof ConfigError || error instanceof DataDirInUseError || error instanceof UsageError) return error.message;
  if (error instanceof FactFilesInvalidError)
    return `${error.message}\nThe data files must pass \`pnpm minergraph facts check\` before they are loaded; nothing was loaded.`;
  let config: Config;
  try {
    config = loadConfig();
  } catch {
    return null;
  }
  return explainEnvironmentFailure(error, config);
}

await main(process.argv);

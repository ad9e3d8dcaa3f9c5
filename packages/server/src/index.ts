export { loadConfig, ConfigError, type Config } from './config.js';
export { openDatabase, DataDirInUseError, type DatabaseHandle, type Engine } from './db/connect.js';
export { migrateToLatest, migrateToEmpty, migrateTo, migrations } from './db/migrate.js';
export { createServer, GRAPHQL_PATH, type MinerGraphServer } from './http/app.js';
export { createLogger, type Logger } from './logger.js';
export { seed } from './seed/seed.js';
export { serve, type RunningServer } from './serve.js';

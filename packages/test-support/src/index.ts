export { aCompany, aLoan, aProductionReport, aRepayment, aSource, aTreasuryTransaction, TEST_SOURCE_URL } from './builders.js';
export { createTestDatabase, engine, preparePgliteDataDir, type Start, type TestDatabase } from './database.js';
export { foundingStoryData, REPOSITORY_DATA } from './founding-data.js';
export { postgresUrl } from './postgres.js';
export {
  describeFailure,
  type GraphQLResponse,
  type ServedDatabase,
  startTestServer,
  type TestServer,
  type TestServerOptions,
  type UsedDatabase,
  type UseTestDatabaseOptions,
  type UseTestServerOptions,
  useTestDatabase,
  useTestServer,
} from './server.js';
export { keyHeaders, priceDays, priceHours, snapshot } from './writes.js';

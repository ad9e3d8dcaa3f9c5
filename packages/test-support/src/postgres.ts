/** The PostgreSQL server the tests use, from TEST_DATABASE_URL, optionally naming another database on it. */
export function postgresUrl(database?: string): string {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) throw new Error('TEST_DATABASE_URL is not set: PostgreSQL tests need a server, e.g. postgres://postgres@127.0.0.1:5432/test');
  const url = new URL(base);
  if (database) url.pathname = `/${database}`;
  return url.toString();
}

/** Names are per run (pid) so that two runs on one server do not collide. */
export function templateName(kind: 'migrated' | 'seeded'): string {
  return `minergraph_template_${kind}_${process.pid}`;
}

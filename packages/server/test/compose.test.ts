// docker-compose.yml and the Dockerfile it builds. The Compose file must be valid against the
// Compose specification (dclint bundles its JSON schema) and pass the dclint rules chosen
// below, and it must state the facts people rely on when they run `docker compose up`.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DCLinter } from 'dclint';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { GRAPHQL_PATH } from '../src/http/app.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const COMPOSE_FILE = path.join(ROOT, 'docker-compose.yml');
const SERVER_DIR = path.join(ROOT, 'packages/server');

type Level = 0 | 1 | 2;
const OFF: Level = 0;
const ERROR: Level = 2;

/**
 * dclint always checks YAML syntax and the Compose schema (neither can be turned off); these
 * are its rules on top. dclint runs every rule that is not set to 0, so all 15 are listed.
 * Each enabled rule is an error, so the test fails on it rather than printing a warning that
 * nobody reads.
 */
const RULES: Record<string, Level> = {
  // Mistakes and security.
  'no-version-field': ERROR, // `version:` is obsolete; Compose v2 ignores it and warns.
  'no-build-and-image': ERROR, // Both on one service: which one runs depends on pull_policy.
  'no-duplicate-container-names': ERROR,
  'no-duplicate-exported-ports': ERROR,
  'service-container-name-regex': ERROR,
  'service-image-require-explicit-tag': ERROR, // postgres:15, never an implicit :latest.
  // Unquoted `a:b` ports with numbers under 60 are base-60 integers to YAML 1.1 parsers.
  'require-quotes-in-ports': ERROR,
  // Without `name:` the project, and so the volume holding the database, is named after
  // whatever directory the repository was cloned into.
  'require-project-name-field': ERROR,
  // Keys in a predictable place (build/image first, healthcheck next to restart);
  // `node_modules/.bin/dclint --fix docker-compose.yml` puts them there.
  'top-level-properties-order': ERROR,
  'service-keys-order': ERROR,

  // Off, deliberately.
  // The API is published as "4000:4000", on every host interface, so that other machines can
  // reach it. For a laptop-only setup publish "127.0.0.1:4000:4000" and turn this rule on.
  'no-unbound-port-interfaces': OFF,
  // Cosmetic only. Alphabetical services would fight the natural db-then-server order.
  'services-alphabetical-order': OFF,
  'service-dependencies-alphabetical-order': OFF,
  'service-ports-alphabetical-order': OFF,
  'no-quotes-in-volumes': OFF,
};

interface LintMessage {
  rule: string;
  type: string;
  message: string;
}

/** The part of dclint's DCLinter used here. Its own .d.ts files use extensionless relative
 * imports, which NodeNext cannot follow, so TypeScript sees DCLinter as `any`. */
interface Linter {
  lintFiles(paths: string[], recursiveSearch: boolean): { filePath: string; messages: LintMessage[] }[];
}

function lint(file: string): LintMessage[] {
  const linter: Linter = new DCLinter({ rules: RULES, quiet: true, debug: false, exclude: [] });
  const results = linter.lintFiles([file], false);
  expect(results).toHaveLength(1);
  return results[0]!.messages.map(({ rule, type, message }) => ({ rule, type, message }));
}

const temporary = mkdtempSync(path.join(tmpdir(), 'minergraph-compose-'));
afterAll(() => rmSync(temporary, { recursive: true, force: true }));

/** The real compose file with one edit, written to a directory of its own. */
function brokenCompose(name: string, from: string, to: string): string {
  const source = readFileSync(COMPOSE_FILE, 'utf8');
  expect(source.includes(from), `docker-compose.yml should contain ${JSON.stringify(from)}`).toBe(true);
  const directory = path.join(temporary, name);
  mkdirSync(directory, { recursive: true });
  const file = path.join(directory, 'docker-compose.yml');
  writeFileSync(file, source.replace(from, to));
  return file;
}

describe('docker-compose.yml, checked by dclint', () => {
  it('is valid against the Compose specification and breaks none of the chosen rules', () => {
    expect(lint(COMPOSE_FILE)).toEqual([]);
  });

  it('rejects a depends_on condition that Compose does not have', () => {
    const file = brokenCompose('bad-condition', 'condition: service_healthy', 'condition: service_happy');
    const messages = lint(file);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.rule).toBe('invalid-schema');
    expect(messages[0]!.type).toBe('error');
    // dclint reports the first schema error only; it names the offending key's path.
    expect(messages[0]!.message).toContain('instancePath="/services/server/depends_on"');
  });

  it('rejects a misspelled service key', () => {
    const file = brokenCompose('misspelled-key', '    environment:\n      DATABASE_URL', '    enviroment:\n      DATABASE_URL');
    const messages = lint(file);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.rule).toBe('invalid-schema');
    expect(messages[0]!.message).toContain('instancePath="/services/server"');
    expect(messages[0]!.message).toContain('must NOT have additional properties');
  });

  it('applies the chosen rules, not just the schema', () => {
    const file = brokenCompose('version-field', 'name: minergraph\n', "version: '3.8'\nname: minergraph\n");
    const messages = lint(file);
    expect(messages.map((message) => message.rule)).toContain('no-version-field');
    expect(messages.find((message) => message.rule === 'no-version-field')).toMatchObject({
      type: 'error',
      message: 'The "version" field should not be present.',
    });
  });
});

// ---------------------------------------------------------------------------------------------
// What `docker compose up` relies on.
// ---------------------------------------------------------------------------------------------

interface Healthcheck {
  test: string[];
}
interface Service {
  image?: string;
  build?: { context: string; dockerfile?: string };
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
  healthcheck?: Healthcheck;
  stop_grace_period?: string;
  restart?: string;
  deploy?: { replicas?: number };
}
interface Compose {
  version?: unknown;
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const compose = parse(readFileSync(COMPOSE_FILE, 'utf8')) as Compose;
const db = compose.services.db!;
const server = compose.services.server!;
const proxy = compose.services.proxy!;
const NGINX_CONF = path.join(ROOT, 'deploy/nginx/default.conf');

describe('docker-compose.yml', () => {
  it('has no obsolete version key', () => {
    expect(compose).not.toHaveProperty('version');
  });

  it('runs PostgreSQL 15 with its data in a named volume', () => {
    expect(db.image).toBe('postgres:15');
    expect(db.environment).toEqual({ POSTGRES_USER: 'minergraph', POSTGRES_PASSWORD: 'minergraph', POSTGRES_DB: 'minergraph' });
    expect(db.volumes).toEqual(['pgdata:/var/lib/postgresql/data']);
    expect(compose.volumes).toHaveProperty('pgdata');
  });

  it('gives the database a pg_isready healthcheck for its own user and database', () => {
    const test = db.healthcheck!.test;
    expect(test.slice(0, 2)).toEqual(['CMD', 'pg_isready']);
    expect(test[test.indexOf('-U') + 1]).toBe(db.environment!.POSTGRES_USER);
    expect(test[test.indexOf('-d') + 1]).toBe(db.environment!.POSTGRES_DB);
  });

  it('starts the server only once the database is healthy', () => {
    expect(server.depends_on).toEqual({ db: { condition: 'service_healthy' } });
  });

  it("points the server's DATABASE_URL at the db service with db's credentials", () => {
    const url = new URL(server.environment!.DATABASE_URL!);
    expect(url.protocol).toBe('postgres:');
    expect(url.hostname).toBe('db');
    expect(Object.keys(compose.services)).toContain(url.hostname);
    expect(url.port).toBe('5432');
    expect(url.username).toBe(db.environment!.POSTGRES_USER);
    expect(url.password).toBe(db.environment!.POSTGRES_PASSWORD);
    expect(url.pathname).toBe(`/${db.environment!.POSTGRES_DB}`);
  });

  it('makes the server listen on all interfaces of its container, on the port the proxy sends to', () => {
    expect(server.environment!.HOST).toBe('0.0.0.0');
    expect(server.environment!.PORT).toBe('4000');
    expect(server.environment!.LOG_LEVEL).toBe('info');
    expect(readFileSync(NGINX_CONF, 'utf8')).toMatch(/^\s*server server:4000 resolve;$/m);
  });

  it('runs two server replicas with no port of their own, behind an nginx proxy that publishes 4000', () => {
    expect(server.deploy).toEqual({ replicas: 2 });
    // Two replicas cannot both publish one host port.
    expect(server.ports).toBeUndefined();
    expect(proxy.image).toBe('nginx:1.27-alpine');
    expect(proxy.ports).toEqual(['4000:4000']);
    expect(proxy.volumes).toEqual(['./deploy/nginx/default.conf:/etc/nginx/conf.d/default.conf:ro']);
    expect(existsSync(path.resolve(ROOT, proxy.volumes![0]!.split(':')[0]!))).toBe(true);
    expect(proxy.depends_on).toEqual({ server: { condition: 'service_healthy' } });
    expect(proxy.healthcheck!.test).toEqual(['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:4000/healthz']);
  });

  it("has nginx find every replica through Docker's DNS and pass bodies as large as the server accepts", () => {
    const conf = readFileSync(NGINX_CONF, 'utf8');
    const directive = (name: string) => new RegExp(`^\\s*${name}\\s+([^;]+);`, 'm').exec(conf)?.[1];
    expect(directive('resolver')).toBe('127.0.0.11 valid=5s ipv6=off');
    expect(directive('listen')).toBe(proxy.ports![0]!.split(':')[1]);
    expect(directive('proxy_pass')).toBe('http://minergraph');
    expect(conf).toMatch(/upstream minergraph \{\n\s+zone minergraph 64k;/);
    expect(Number(directive('client_max_body_size'))).toBe(loadConfig({}).limits.maxBodyBytes);
  });

  it("turns the playground and introspection on, which the image's NODE_ENV=production turns off, and says so in a comment", () => {
    expect(server.environment!.MINERGRAPH_PLAYGROUND).toBe('true');
    expect(server.environment!.MINERGRAPH_INTROSPECTION).toBe('true');
    const source = readFileSync(COMPOSE_FILE, 'utf8');
    expect(source).toMatch(/# The image runs with NODE_ENV=production, where the playground and introspection are\n\s+# off\./);
    // The server's own parsing of the image's environment with the compose file's on top.
    const imageEnvironment = {
      NODE_ENV: 'production',
      HOST: '0.0.0.0',
      PORT: '4000',
      LOG_LEVEL: 'info',
      MINERGRAPH_DATA_DIR: '/data/pglite',
    };
    const config = loadConfig({ ...imageEnvironment, ...server.environment });
    expect([config.production, config.playground, config.introspection]).toEqual([true, true, true]);
    expect([loadConfig(imageEnvironment).playground, loadConfig(imageEnvironment).introspection]).toEqual([false, false]);
  });

  it('names the URL of the playground on its first line: the published port and the GraphQL path', () => {
    const firstLine = readFileSync(COMPOSE_FILE, 'utf8').split('\n')[0]!;
    const [published] = proxy.ports![0]!.split(':');
    expect(firstLine).toContain(`then open http://localhost:${published}${GRAPHQL_PATH}`);
  });

  it('checks the server through /healthz, restarts it, and gives it time to stop', () => {
    expect(server.healthcheck!.test.join(' ')).toContain("fetch('http://127.0.0.1:4000/healthz')");
    expect(server.restart).toBe('unless-stopped');
    // More than the server's own 15 s forced-exit deadline.
    expect(server.stop_grace_period).toBe('20s');
  });
});

// ---------------------------------------------------------------------------------------------
// The Dockerfile the server service builds.
// ---------------------------------------------------------------------------------------------

interface Instruction {
  keyword: string;
  args: string;
  stage: number;
}

/** Instructions with continuation lines joined and comments dropped, each with its stage. */
function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let stage = -1;
  let pending = '';
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed.startsWith('#') || (trimmed === '' && pending === '')) continue;
    if (trimmed.endsWith('\\')) {
      pending += `${trimmed.slice(0, -1)} `;
      continue;
    }
    const full = (pending + trimmed).trim();
    pending = '';
    if (full === '') continue;
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/s.exec(full) ?? [];
    if (keyword.toUpperCase() === 'FROM') stage += 1;
    instructions.push({ keyword: keyword.toUpperCase(), args: args.trim(), stage });
  }
  return instructions;
}

describe('the Dockerfile docker-compose.yml builds', () => {
  const dockerfile = path.resolve(ROOT, server.build!.context, server.build!.dockerfile ?? 'Dockerfile');
  const instructions = existsSync(dockerfile) ? parseDockerfile(readFileSync(dockerfile, 'utf8')) : [];
  const finalStage = Math.max(...instructions.map((instruction) => instruction.stage));
  const inFinal = (keyword: string) => instructions.filter((i) => i.stage === finalStage && i.keyword === keyword);

  it('exists at the build context the server service names', () => {
    expect(server.build).toEqual({ context: '.', dockerfile: 'Dockerfile' });
    expect(existsSync(dockerfile)).toBe(true);
  });

  it('is multi-stage and runs as the unprivileged node user', () => {
    expect(instructions.filter((i) => i.keyword === 'FROM').length).toBeGreaterThanOrEqual(2);
    expect(inFinal('USER').at(-1)?.args).toBe('node');
  });

  it('copies every workspace manifest before the frozen-lockfile install', () => {
    const install = instructions.findIndex((i) => i.keyword === 'RUN' && i.args.includes('pnpm install --frozen-lockfile'));
    expect(install).toBeGreaterThan(-1);
    const copied = instructions
      .slice(0, install)
      .filter((i) => i.keyword === 'COPY')
      .map((i) => i.args);
    const packages = readdirSync(path.join(ROOT, 'packages')).filter((name) =>
      existsSync(path.join(ROOT, 'packages', name, 'package.json')),
    );
    expect(packages.length).toBeGreaterThan(0);
    for (const name of packages) expect(copied).toContain(`packages/${name}/package.json packages/${name}/`);
    expect(copied).toContain('pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./');
  });

  it("starts the CLI the build produces: the server's dist/cli.js, compiled from src/cli.ts", () => {
    const cmd = JSON.parse(inFinal('CMD').at(-1)!.args) as string[];
    expect(cmd).toEqual(['node', 'dist/cli.js', 'serve']);
    // The server package compiles src/ to dist/, and its bin is that file.
    const manifest = JSON.parse(readFileSync(path.join(SERVER_DIR, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(path.posix.normalize(manifest.bin.minergraph!)).toBe(cmd[1]);
    const tsconfig = JSON.parse(readFileSync(path.join(SERVER_DIR, 'tsconfig.json'), 'utf8')) as {
      compilerOptions: { rootDir: string; outDir: string };
    };
    expect(tsconfig.compilerOptions).toMatchObject({ rootDir: 'src', outDir: 'dist' });
    expect(existsSync(path.join(SERVER_DIR, 'src/cli.ts'))).toBe(true);
    // The final stage runs in /app, where the deployed server's dist/ and package.json land.
    expect(inFinal('WORKDIR').at(-1)?.args).toBe('/app');
    expect(inFinal('COPY').map((i) => i.args)).toEqual(
      expect.arrayContaining([
        '--from=build /out/package.json ./package.json',
        '--from=build /out/dist ./dist',
        '--from=build /out/persisted-operations.json ./persisted-operations.json',
      ]),
    );
    expect(
      instructions.some((i) => i.keyword === 'RUN' && i.args.includes('--filter @minergraph/server deploy --prod --legacy /out')),
    ).toBe(true);
  });

  it('copies the README into /app, where the server finds the API section it serves at /docs', () => {
    expect(inFinal('COPY').map((i) => i.args)).toContain('README.md ./README.md');
  });

  it('listens on 0.0.0.0:4000 in production mode, with a healthcheck and a graceful stop signal', () => {
    const env = inFinal('ENV')
      .map((i) => i.args)
      .join(' ');
    expect(env).toMatch(/\bNODE_ENV=production\b/);
    expect(env).toMatch(/\bHOST=0\.0\.0\.0\b/);
    expect(env).toMatch(/\bPORT=4000\b/);
    expect(inFinal('EXPOSE').map((i) => i.args)).toEqual(['4000']);
    expect(inFinal('HEALTHCHECK').at(-1)?.args).toContain('/healthz');
    expect(inFinal('STOPSIGNAL').at(-1)?.args).toBe('SIGTERM');
  });
});

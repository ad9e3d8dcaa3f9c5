// Part of `pnpm generate`: the schema ships inside the package, so that a team can type its own
// documents (codegen, gql.tada) without introspecting a running server, whose introspection is
// off in production. schema.graphql is the printed schema as is; introspection.json is the
// standard introspection result ({ "__schema": ... }) with descriptions.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSchema, introspectionFromSchema } from 'graphql';

const sdl = readFileSync(fileURLToPath(new URL('../../schema/schema.graphql', import.meta.url)), 'utf8');
const introspection = introspectionFromSchema(buildSchema(sdl), { descriptions: true, specifiedByUrl: true });
writeFileSync(fileURLToPath(new URL('../schema.graphql', import.meta.url)), sdl);
writeFileSync(fileURLToPath(new URL('../introspection.json', import.meta.url)), `${JSON.stringify(introspection, null, 1)}\n`);
console.log('wrote schema.graphql and introspection.json');

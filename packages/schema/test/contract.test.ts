import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSchema, findBreakingChanges, printSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../src/index.js';

// The public API contract, committed beside the schema so that a clone of this repository
// alone can check it; ../shared/design/contract.graphql is where it is agreed.
const committedContract = fileURLToPath(new URL('../contract/contract.graphql', import.meta.url));
const sharedContract = fileURLToPath(new URL('../../../../shared/design/contract.graphql', import.meta.url));
const printedSchema = fileURLToPath(new URL('../schema.graphql', import.meta.url));

describe('the API contract', () => {
  it('is met: the schema built from the sources is a compatible superset of the committed contract', () => {
    const contract = buildSchema(readFileSync(committedContract, 'utf8'));
    const breaks = findBreakingChanges(contract, schema).map((change) => `${change.type}: ${change.description}`);
    expect(breaks).toEqual([]);
  });

  it('is checked against the schema the sources print: schema.graphql is what pnpm generate writes', () => {
    expect(readFileSync(printedSchema, 'utf8')).toBe(`${printSchema(schema)}\n`);
  });

  it.runIf(existsSync(sharedContract))('is a faithful copy of the agreed contract in ../shared/design', () => {
    expect(readFileSync(committedContract, 'utf8')).toBe(readFileSync(sharedContract, 'utf8'));
  });
});

import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/questions.ts', import.meta.url));

/** tsc over one file with a consumer's strictest usual settings; its exit code and output. */
async function typeCheck(file: string) {
  const dir = await mkdtemp(join(tmpdir(), 'minergraph-questions-'));
  try {
    const compilerOptions = {
      strict: true,
      noUncheckedIndexedAccess: true,
      exactOptionalPropertyTypes: true,
      noEmit: true,
      target: 'ES2023',
      lib: ['ES2023', 'DOM'],
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      types: [],
      skipLibCheck: true,
    };
    await writeFile(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: [file] }));
    return await promisify(execFile)(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', dir], { cwd: root }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('the obvious calls compile under strict TypeScript', () => {
  it('company({ ticker }), asset({ symbol }), the paging iterator and a write by ticker type-check, and calls without the ticker do not', async () => {
    expect(await typeCheck(fixture)).toEqual({ code: 0, stdout: '', stderr: '' });
  });
});

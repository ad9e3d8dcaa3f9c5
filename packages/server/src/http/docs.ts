import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';

export const DOCS_PATH = '/docs';

const FIRST_LINE = '# MinerGraph\n';
const SECTION = '## Running it';

/**
 * The README's "Running it" section: endpoints, variables, API keys, limits. Found by walking
 * up from this file to the project's README.md (the repository root from the sources, /app in
 * the image, which copies it there); null when there is none, and then nothing links to it.
 */
export function readmeApiSection(from = path.dirname(fileURLToPath(import.meta.url))): string | null {
  for (let directory = from; ; directory = path.dirname(directory)) {
    const file = path.join(directory, 'README.md');
    if (existsSync(file)) {
      const text = readFileSync(file, 'utf8');
      if (text.startsWith(FIRST_LINE)) return sectionOf(text);
    }
    if (path.dirname(directory) === directory) return null;
  }
}

/** From the section's heading to the next heading of the same level. */
function sectionOf(readme: string): string | null {
  const start = readme.indexOf(`\n${SECTION}\n`);
  if (start === -1) return null;
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start + 1, end === -1 ? undefined : end + 1);
}

/** Serves the section as plain text: it is Markdown, which reads well as it is. */
export function docsRouter(section: string): express.Router {
  const router = express.Router();
  const body = `MinerGraph: using the API (from the project's README.md)\n\n${section}`;
  router.get(DOCS_PATH, (_req, res) => {
    res.set({ 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache' }).send(body);
  });
  return router;
}

import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loudSkip } from './skip.js';

/** The repository root (this file compiles to dist/test/support/paths.js). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Third-party test data beside the checkout (see ../shared/corpora/README.txt). */
export const corporaDir = resolve(repoRoot, '..', 'shared', 'corpora');

export const inCI = process.env.CI === 'true' || process.env.CI === '1';

/**
 * Returns true when `path` under the corpora exists. When it does not, a
 * local run prints a loud skip line and the caller skips; in CI it is an
 * error, because CI always has the corpora.
 */
export function haveCorpus(relPath: string): boolean {
  const p = resolve(corporaDir, relPath);
  if (existsSync(p)) return true;
  if (inCI) throw new Error(`corpus ${p} is missing in CI`);
  loudSkip(`corpus ${p} is absent; these tests did not run`);
  return false;
}

export function corpusPath(relPath: string): string {
  return resolve(corporaDir, relPath);
}

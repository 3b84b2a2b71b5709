import { spawnSync } from 'node:child_process';
import { inCI } from './paths.js';
import { loudSkip } from './skip.js';

/**
 * True when an external tool (BIND's named-compilezone, dig, ...) is on
 * PATH. Locally a missing tool prints a loud skip line; in CI it is an
 * error, because .ci/run installs every tool the tests use.
 */
export function haveTool(cmd: string): boolean {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  if (r.status === 0) return true;
  if (inCI) throw new Error(`${cmd} is missing in CI (.ci/run should have installed it)`);
  loudSkip(`${cmd} is not installed; tests that need it did not run`);
  return false;
}

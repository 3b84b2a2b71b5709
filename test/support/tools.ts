import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
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

/**
 * Folders a tool is looked for in when it is not on PATH: where .ci/run
 * unpacks a Debian package whose tool would otherwise need its whole
 * service installed (`dpkg-deb -x prometheus_*.deb /opt/prometheus`).
 */
const UNPACKED: Readonly<Record<string, readonly string[]>> = {
  promtool: ['/opt/prometheus/usr/bin'],
};

/**
 * The path of `cmd`: on PATH, or in the folders .ci/run unpacks it to
 * (UNPACKED). Null (with the loud skip line) when it is in neither; in CI
 * that is an error, as for haveTool.
 */
export function toolPath(cmd: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  if (r.status === 0 && r.stdout.trim() !== '') return r.stdout.trim();
  for (const dir of UNPACKED[cmd] ?? []) {
    const p = join(dir, cmd);
    if (existsSync(p)) return p;
  }
  if (inCI) throw new Error(`${cmd} is missing in CI (.ci/run should have installed it)`);
  loudSkip(`${cmd} is not installed (looked on PATH and in ${(UNPACKED[cmd] ?? []).join(', ') || 'no other folder'}); tests that need it did not run`);
  return null;
}

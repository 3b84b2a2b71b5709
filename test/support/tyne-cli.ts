/**
 * Runs the real `bin/tyne` command (a control command such as `tyne
 * status -s SOCKET`, or `tyne check-config FILE`) as a child process and
 * gives its exit code and output; `json` parses stdout for `--json`.
 */
import { runTyne, type TyneRun } from './tyne-process.js';

export type { TyneRun };

/** Runs `tyne ...args` and resolves once it exits (SIGKILL after `timeoutMs`, default 30 s). `uid`/`gid` run it as another user. */
export function tyneCli(args: readonly string[], opts: { timeoutMs?: number; uid?: number; gid?: number; cwd?: string; input?: string } = {}): Promise<TyneRun> {
  return runTyne(args, { ...opts, timeoutMs: opts.timeoutMs ?? 30_000 });
}

/** Runs `tyne ...args --json`, expects exit code `code` (0 by default), and gives stdout parsed; throws with the output otherwise. */
export async function tyneJson<T = Record<string, unknown>>(args: readonly string[], code = 0): Promise<T> {
  const r = await tyneCli([...args, '--json']);
  if (r.code !== code) throw new Error(`tyne ${args.join(' ')} --json: exit ${r.code}, expected ${code}\nstdout: ${r.out}\nstderr: ${r.err}`);
  try {
    return JSON.parse(r.out) as T;
  } catch {
    throw new Error(`tyne ${args.join(' ')} --json: stdout is not JSON: ${r.out}\nstderr: ${r.err}`);
  }
}

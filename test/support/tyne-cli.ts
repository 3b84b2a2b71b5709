/**
 * Runs the real `bin/tyne` command (a control command such as `tyne
 * status -s SOCKET`, or `tyne check-config FILE`) as a child process and
 * gives its exit code and output; `json` parses stdout for `--json`.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { repoRoot } from './paths.js';
import { TYNE_NODE_FLAGS } from './tyne-process.js';

/** How a `tyne` command ended. */
export interface TyneRun {
  /** Exit code (null: killed after the timeout). */
  code: number | null;
  out: string;
  err: string;
}

/** Runs `tyne ...args` and resolves once it exits (SIGKILL after `timeoutMs`, default 30 s). `uid`/`gid` run it as another user. */
export function tyneCli(args: readonly string[], opts: { timeoutMs?: number; uid?: number; gid?: number; cwd?: string } = {}): Promise<TyneRun> {
  const child = spawn(process.execPath, [...TYNE_NODE_FLAGS, resolve(repoRoot, 'bin', 'tyne'), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(opts.uid !== undefined ? { uid: opts.uid } : {}),
    ...(opts.gid !== undefined ? { gid: opts.gid } : {}),
    ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
  return new Promise((res, rej) => {
    child.once('error', (e) => {
      clearTimeout(timer);
      rej(e);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      res({ code, out, err });
    });
  });
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

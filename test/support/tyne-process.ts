import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { repoRoot } from './paths.js';
import { sleep } from './wait.js';

/**
 * The node flags of the `tyne` command, as its shebang gives them
 * (`#!/usr/bin/env -S node --max-semi-space-size=2`): a daemon started here
 * runs as `tyne serve` and `npm start` do.
 */
export const TYNE_NODE_FLAGS: readonly string[] = (() => {
  const first = readFileSync(resolve(repoRoot, 'bin', 'tyne'), 'utf8').split('\n')[0] ?? '';
  const words = first.replace(/^#!\S+\s+(-S\s+)?/, '').split(/\s+/).filter((w) => w !== '');
  return words[0] === 'node' ? words.slice(1) : [];
})();

/** A running `tyne serve` child process. */
export interface TyneProcess {
  readonly child: ChildProcess;
  /** Parsed pino lines seen on stdout so far (non-JSON lines are kept as { raw }). */
  readonly logs: Record<string, unknown>[];
  /** stderr so far. */
  stderr(): string;
  /** Resolves with the first log line for which `pred` is true (seen before or after the call), or rejects after `timeoutMs`. */
  waitForLog(pred: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** A mark in the log (the number of lines so far), for waitAfter and since. */
  mark(): number;
  /** As waitForLog, but only lines logged at `mark` or later count; a timeout lists what was logged since. */
  waitAfter(mark: number, pred: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** The lines logged at `mark` or later for which `pred` is true. */
  since(mark: number, pred?: (line: Record<string, unknown>) => boolean): Record<string, unknown>[];
  /** Sends `signal` (SIGTERM by default) and resolves with the exit code once the process has exited (SIGKILL after 5 s). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts `bin/tyne serve --config <configPath>` and waits until it logs
 * `serving` (every zone loaded and every listener bound; with `workers`,
 * the primary's line, once every worker serves: a worker's own line says
 * nothing of the others, which may still be loading). Rejects if the
 * process exits first or `timeoutMs` passes; the error carries its stderr.
 * `onSpawn` gets the process at once, to watch its log while it starts.
 * `uid`/`gid` run it as another user (the caller must be root); `wrap`
 * runs it through other commands (a network namespace, setpriv).
 */
export async function startTyne(
  configPath: string,
  opts: {
    timeoutMs?: number; extraArgs?: string[]; onSpawn?: (proc: TyneProcess) => void; uid?: number; gid?: number;
    /** Added to (or, as undefined, removed from) this process's environment, e.g. NOTIFY_SOCKET. */
    env?: NodeJS.ProcessEnv;
    /**
     * A command that runs node in its place, e.g. `['ip', 'netns', 'exec', NS, 'setpriv', ...]`: each must
     * exec the next (as `ip netns exec`, `setpriv` and `env` do), so the child's pid is tyne's.
     */
    wrap?: readonly string[];
  } = {},
): Promise<TyneProcess> {
  const argv = [process.execPath, ...TYNE_NODE_FLAGS, resolve(repoRoot, 'bin', 'tyne'), 'serve', '--config', configPath, ...(opts.extraArgs ?? [])];
  const [cmd, ...args] = [...(opts.wrap ?? []), ...argv] as [string, ...string[]];
  const child = spawn(cmd, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(opts.uid !== undefined ? { uid: opts.uid } : {}),
    ...(opts.gid !== undefined ? { gid: opts.gid } : {}),
    ...(opts.env !== undefined ? { env: { ...process.env, ...opts.env } } : {}),
  });
  const logs: Record<string, unknown>[] = [];
  let err = '';
  let pending = '';
  const waiters: { pred: (l: Record<string, unknown>) => boolean; done: (l: Record<string, unknown>) => void }[] = [];
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    pending += chunk;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const text = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text) as Record<string, unknown>;
      } catch {
        line = { raw: text };
      }
      logs.push(line);
      for (let i = waiters.length - 1; i >= 0; i--) {
        if (waiters[i]!.pred(line)) {
          waiters[i]!.done(line);
          waiters.splice(i, 1);
        }
      }
    }
  });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (c: string) => (err += c));
  let exited: number | null | undefined;
  const exitPromise = new Promise<number | null>((res) => child.once('exit', (code) => { exited = code; res(code); }));

  const proc: TyneProcess = {
    child,
    logs,
    stderr: () => err,
    waitForLog(pred, timeoutMs = 10_000) {
      const seen = logs.find(pred);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((res, rej) => {
        const timer = setTimeout(() => rej(new Error(`timed out waiting for a log line; stderr: ${err}`)), timeoutMs);
        waiters.push({ pred, done: (l) => { clearTimeout(timer); res(l); } });
        void exitPromise.then((code) => {
          clearTimeout(timer);
          rej(new Error(`tyne exited (${code}) before the expected log line; stderr: ${err}; stdout: ${JSON.stringify(logs.slice(-5))}`));
        });
      });
    },
    mark: () => logs.length,
    async waitAfter(mark, pred, timeoutMs = 5000) {
      try {
        return await proc.waitForLog((l) => logs.indexOf(l) >= mark && pred(l), timeoutMs);
      } catch (e) {
        throw new Error(`${(e as Error).message}\nlogged since: ${logs.slice(mark).map((l) => JSON.stringify(l)).join('\n')}`);
      }
    },
    since: (mark, pred = () => true) => logs.slice(mark).filter(pred),
    async stop(signal = 'SIGTERM') {
      if (exited !== undefined) return exited;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      const code = await exitPromise;
      clearTimeout(timer);
      return code;
    },
  };
  opts.onSpawn?.(proc);
  try {
    await proc.waitForLog((l) => l.msg === 'serving' && l.worker === undefined, opts.timeoutMs ?? 15_000);
  } catch (e) {
    await proc.stop('SIGKILL');
    throw e;
  }
  return proc;
}

/** The last `n` log lines of `t` and its stderr, for a failed assertion's message ('' while it has not started). */
export function tyneLogTail(t: TyneProcess | null, n = 30): string {
  return t === null ? '' : t.logs.slice(-n).map((l) => JSON.stringify(l)).join('\n') + `\nstderr: ${t.stderr()}`;
}

/** True when a log line's key field (`transfer out`, `notify received`, ...) names the TSIG key `name` (case and final dot aside). */
export function logNamesKey(value: unknown, name: string): boolean {
  const bare = (s: string): string => s.replace(/\.$/, '').toLowerCase();
  return typeof value === 'string' && bare(value) === bare(name);
}

/** How a `tyne` command ended. */
export interface TyneRun {
  /** Exit code (null: killed after the timeout). */
  code: number | null;
  out: string;
  err: string;
}

/**
 * Runs `bin/tyne ...args` (its shebang's node flags) and resolves once it exits, SIGKILL after `timeoutMs`. `uid`/`gid` run it as another user; `input` is its standard input;
 * `env` is added to (or, as undefined, removed from) this process's environment.
 */
export function runTyne(args: readonly string[], opts: { timeoutMs: number; uid?: number; gid?: number; cwd?: string; input?: string; env?: NodeJS.ProcessEnv }): Promise<TyneRun> {
  const child = spawn(process.execPath, [...TYNE_NODE_FLAGS, resolve(repoRoot, 'bin', 'tyne'), ...args], {
    stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    ...(opts.uid !== undefined ? { uid: opts.uid } : {}),
    ...(opts.gid !== undefined ? { gid: opts.gid } : {}),
    ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
    ...(opts.env !== undefined ? { env: { ...process.env, ...opts.env } } : {}),
  });
  // `input`: written to the command's standard input, then closed.
  if (opts.input !== undefined) child.stdin!.end(opts.input);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
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

/** How a `tyne serve` that was expected to stop on its own ended. */
export interface TyneExit {
  /** Exit code (null: killed after the timeout). */
  code: number | null;
  stderr: string;
  /** Parsed pino lines from stdout (non-JSON lines as { raw }). */
  logs: Record<string, unknown>[];
  /** Time from spawn to exit. */
  ms: number;
}

/**
 * Runs `bin/tyne serve --config <configPath>` for a start that must fail,
 * and resolves once it exits (SIGKILL after `timeoutMs`, default 10 s, code
 * then null). `uid`/`gid` run it as another user (the caller must be root);
 * `env` as runTyne's.
 */
export async function runTyneToExit(configPath: string, opts: { timeoutMs?: number; uid?: number; gid?: number; env?: NodeJS.ProcessEnv } = {}): Promise<TyneExit> {
  const t0 = Date.now();
  const r = await runTyne(['serve', '--config', configPath], { ...opts, timeoutMs: opts.timeoutMs ?? 10_000 });
  const logs = r.out.split('\n').filter((l) => l !== '').map((l) => {
    try {
      return JSON.parse(l) as Record<string, unknown>;
    } catch {
      return { raw: l };
    }
  });
  return { code: r.code, stderr: r.err, logs, ms: Date.now() - t0 };
}

/**
 * Waits until a secondary's next SOA check of `zone` may start at once: Tyne's checks
 * are 1 s apart (start to start), and a NOTIFY inside that second is folded into the
 * next check, with its `notify received` line rate-limited (one folded-in line per
 * zone per 10 s). A test that wants the line of the NOTIFY its edit causes edits after this.
 */
export async function afterSoaCheckInterval(proc: TyneProcess, zone: string): Promise<void> {
  const origin = zone.endsWith('.') ? zone : `${zone}.`;
  const last = proc.logs.filter((l) => typeof l.msg === 'string' && l.msg.startsWith(`transfer of ${origin}`)).at(-1);
  const wait = last === undefined ? 0 : Number(last.time) + 1100 - Date.now();
  if (wait > 0) await sleep(wait);
}

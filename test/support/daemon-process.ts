/**
 * The part knotd-process.ts and nsd-process.ts share: a reference server
 * run in the foreground with its log captured, its temp folder, bounded
 * waits on its log, and a stop that leaves no process behind (NSD forks
 * its xfrd and server children; a SIGKILL of the parent alone would leave
 * them listening). The benchmarks (test/bench/bench-servers.ts) take
 * processTree from here too; the helpers' own smoke tests check that stop
 * with stopLeavesNothing.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { sleep } from './wait.js';

/** Most log octets kept (the start is what a failed start-up needs; later lines are what tests wait for). */
const MAX_LOG = 4_000_000;

export interface DaemonProcess {
  readonly child: ChildProcess;
  /** The temp folder holding its configuration, state and sockets (removed by stop()). */
  readonly dir: string;
  /** Everything it logged so far (stdout and stderr together). */
  log(): string;
  /** A mark in the log (its length now), for logSince and waitForLog. */
  mark(): number;
  /** The log from `mark` on. */
  logSince(mark: number): string;
  /**
   * Resolves with the first match of `re` in the log from `since` (default
   * 0) on; rejects after `timeoutMs` (default 10 s) or when the process
   * exits first, with the log's tail.
   */
  waitForLog(re: RegExp, opts?: { since?: number; timeoutMs?: number }): Promise<RegExpExecArray>;
  /** True once it has exited. */
  exited(): boolean;
  /** SIGTERM to it and its descendants, SIGKILL to whatever is left after 3 s; removes the temp folder (unless spawned with `keepDir`). */
  stop(): Promise<void>;
}

/** The process `pid` and its descendants, from /proc (bounded). */
export function processTree(pid: number): number[] {
  const out: number[] = [];
  const todo = [pid];
  while (todo.length > 0 && out.length < 200) {
    const p = todo.pop()!;
    out.push(p);
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${p}/task`);
    } catch {
      continue;
    }
    for (const t of tasks) {
      try {
        for (const c of readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').trim().split(/\s+/)) {
          if (c !== '') todo.push(Number(c));
        }
      } catch {
        // the thread or process is gone
      }
    }
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    // The state is the field after the parenthesised command name; Z is a zombie.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/**
 * Spawns `cmd args` (foreground mode is the caller's to ask for), logging
 * into memory. `keepDir`: stop() leaves `dir` in place (the caller's
 * folder, so that the server started again finds its state there).
 */
export function spawnDaemon(cmd: string, args: string[], dir: string, opts: { keepDir?: boolean } = {}): DaemonProcess {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const keep = (c: string): void => {
    if (text.length < MAX_LOG) text += c;
  };
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exited = false;
  const exitPromise = new Promise<void>((res) => {
    child.once('exit', () => {
      exited = true;
      res();
    });
    child.once('error', (e) => {
      text += `\n${cmd}: ${e.message}\n`;
      exited = true;
      res();
    });
  });
  const tail = (): string => text.slice(-4000);
  // Should the test process end without calling stop() (a crash, a broken
  // pipe on its output), take the server down with it rather than leave
  // it listening. Synchronous: 'exit' handlers cannot wait.
  const onExit = (): void => {
    if (!exited && child.pid !== undefined) for (const p of processTree(child.pid)) signal(p, 'SIGKILL');
  };
  process.once('exit', onExit);

  return {
    child,
    dir,
    log: () => text,
    mark: () => text.length,
    logSince: (mark) => text.slice(mark),
    async waitForLog(re, opts = {}) {
      const since = opts.since ?? 0;
      const timeoutMs = opts.timeoutMs ?? 10_000;
      const end = Date.now() + timeoutMs;
      for (;;) {
        const m = new RegExp(re.source, re.flags.replace('g', '')).exec(text.slice(since));
        if (m !== null) return m;
        if (exited) throw new Error(`${cmd} exited before logging ${re}; log:\n${tail()}`);
        if (Date.now() > end) throw new Error(`${cmd} did not log ${re} within ${timeoutMs} ms; log:\n${tail()}`);
        await sleep(25);
      }
    },
    exited: () => exited,
    async stop() {
      process.removeListener('exit', onExit);
      const pid = child.pid;
      if (!exited && pid !== undefined) {
        const pids = processTree(pid);
        for (const p of pids) signal(p, 'SIGTERM');
        const deadline = Date.now() + 3000;
        while (Date.now() < deadline && pids.some(alive)) await sleep(25);
        for (const p of pids) if (alive(p)) signal(p, 'SIGKILL');
        await Promise.race([exitPromise, sleep(2000)]);
      }
      if (opts.keepDir !== true) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `body` with the started `proc`, then stops it and asserts that stop() left neither its temp folder nor the process (`what`, in the message). */
export async function stopLeavesNothing<P extends DaemonProcess>(proc: P, what: string, body: (p: P) => Promise<void>): Promise<void> {
  const pid = proc.child.pid!;
  try {
    await body(proc);
  } finally {
    await proc.stop();
  }
  assert.equal(existsSync(proc.dir), false, 'the temp folder is removed');
  assert.throws(() => process.kill(pid, 0), `${what} is gone`);
}

/**
 * Runs a fuzz target in a worker thread under a watchdog. One runner serves
 * every target (fuzz/wire-decode.ts, fuzz/zonefile-parse.ts): each exports a
 * `FuzzTarget` descriptor naming its own module URL and export name, and the
 * worker loads it from there with a dynamic import.
 *
 * Targets are synchronous, so a hang cannot be interrupted from inside.
 * The worker copies each input into shared memory and bumps an execution
 * counter before running it; the parent polls that counter and, when it has
 * not moved for `hangMs`, terminates the worker and reports the input still
 * in shared memory. Each input is also timed; one slower than `slowMs`
 * counts as a failure. Every loop here is bounded by a count and a deadline.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { crashesDir, describe } from './fuzz-kit.js';
import { Rng } from '../test/support/rng.js';

/**
 * What a fuzz target tells the runner. `E` is a pool entry (a named seed),
 * `I` one input; both must survive structured cloning.
 */
export interface FuzzTarget<E extends { name: string }, I> {
  /** The module exporting this descriptor (its `import.meta.url`) and the export's name: the worker imports it. */
  url: string;
  name: string;
  /** Shared memory for the input under test; a longer input is cut in a hang report. */
  maxInput: number;
  /** The in-memory corpus cap; when full, `replaceWhenFull` overwrites a random kept (non-seed) input. */
  maxPool: number;
  replaceWhenFull: boolean;
  /** Watchdog defaults: no progress for `hangMs` is a hang; one input slower than `slowMs` is a failure. */
  hangMs: number;
  slowMs?: number;
  /** Saved crashes: fuzz/crashes/<prefix><hash>.<ext>, holding `crashBody(input)`. */
  crashPrefix: string;
  crashExt: string;
  crashBody(input: I): Uint8Array;
  /** The input a pool entry stands for. */
  input(entry: E): I;
  /** The next fuzz input, made from the PRNG and the pool (seeds plus kept inputs). */
  nextInput(rng: Rng, pool: readonly I[]): I;
  /** Runs one input: returns outcome features joined by '|' (an 'ok' prefix means accepted), throws on a real bug. */
  runOne(input: I): string;
  /** The reported message for something `runOne` threw. */
  failureMessage(e: unknown): string;
  /** The input as octets for shared memory, and back (for a hang; `entry` is the seed it was, if any). */
  toBytes(input: I): Uint8Array;
  fromBytes(bytes: Uint8Array, entry: E | undefined): I;
  /** The progress-log line for a crash (the runner adds where it was saved). */
  describeCrash(c: Crash<I>): string;
}

export interface SessionOptions<E> {
  /** Wall-clock budget for the whole session. */
  seconds: number;
  seed: number;
  /** Seed inputs to mutate (fuzz mode). */
  pool?: E[];
  /** Inputs to run once each, unmutated (replay mode). When set, no fuzzing happens. */
  replay?: E[];
  /** Stop after this many executions (default: unbounded, time only). */
  maxExecs?: number;
  /** No progress for this long is a hang (default: the target's). */
  hangMs?: number;
  /** One input taking longer than this is a failure (default: the target's, else no limit). */
  slowMs?: number;
  /** Write failing inputs to fuzz/crashes/. */
  saveCrashes?: boolean;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

export interface Crash<I> {
  kind: 'crash' | 'hang' | 'slow' | 'worker-died';
  /** Corpus entry name in replay mode. */
  name?: string;
  input: I;
  message: string;
  stack?: string;
  /** Where it was saved, when saved. */
  file?: string;
}

export interface SessionResult<I> {
  execs: number;
  elapsedMs: number;
  /** Unique crashes (by signature) and hangs. */
  crashes: Crash<I>[];
  /** Crashing executions in total, duplicates included. */
  crashingExecs: number;
  /** Distinct outcome features seen (a rough coverage figure). */
  signatures: number;
  /** Size of the in-memory corpus at the end (seeds plus kept inputs). */
  poolSize: number;
  /** Inputs the target accepted (outcome starting with 'ok'). */
  accepted: number;
  slowestMs: number;
  workers: number;
}

/** Shared control words: execution counter, stop flag, current input length, current pool index (-1: a mutant). */
const EXECS = 0;
const STOP = 1;
const CUR_LEN = 2;
const CUR_SEED = 3;
const CONTROL_WORDS = 4;

interface WorkerData<E> {
  tyneFuzzWorker: true;
  targetUrl: string;
  targetName: string;
  mode: 'fuzz' | 'replay';
  seed: number;
  deadline: number;
  maxExecs: number;
  slowMs: number;
  pool: E[];
  control: SharedArrayBuffer;
  input: SharedArrayBuffer;
  /** Replay mode: start at this index (after a hang, the next worker skips the culprit). */
  startAt: number;
}

type FromWorker<I> =
  | { type: 'ready' }
  | { type: 'crash'; kind: 'crash' | 'slow'; name?: string; input: I; message: string; stack?: string }
  | { type: 'done'; execs: number; crashingExecs: number; signatures: number; poolSize: number; accepted: number; slowestMs: number };

const MAX_CRASH_REPORTS = 50;
const MAX_FEATURES = 100_000;

/** The worker body: load the target, then fuzz or replay until the deadline, the exec cap or the stop flag. */
async function workerMain<E extends { name: string }, I>(d: WorkerData<E>): Promise<void> {
  const mod = (await import(d.targetUrl)) as Record<string, FuzzTarget<E, I> | undefined>;
  const target = mod[d.targetName];
  if (target === undefined) throw new Error(`${d.targetUrl} has no export ${d.targetName}`);
  const control = new Int32Array(d.control);
  const shared = new Uint8Array(d.input);
  const port = parentPort!;
  const post = (m: FromWorker<I>): void => port.postMessage(m);
  const replay = d.mode === 'replay';
  const seen = new Set<string>();
  const crashSigs = new Set<string>();
  let crashingExecs = 0;
  let execs = 0;
  let accepted = 0;
  let slowestMs = 0;
  post({ type: 'ready' });

  const exec = (input: I, seedIndex: number): string | null => {
    const bytes = target.toBytes(input);
    const n = Math.min(bytes.length, target.maxInput);
    shared.set(n === bytes.length ? bytes : bytes.subarray(0, n));
    Atomics.store(control, CUR_LEN, n);
    Atomics.store(control, CUR_SEED, seedIndex);
    Atomics.add(control, EXECS, 1);
    execs++;
    const name = replay ? d.pool[seedIndex]?.name : undefined;
    const t0 = performance.now();
    try {
      const sig = target.runOne(input);
      if (sig.startsWith('ok')) accepted++;
      return sig;
    } catch (e) {
      crashingExecs++;
      const err = e instanceof Error ? e : new Error(String(e));
      // Signature: the failure message (first line) without the octets it quotes, plus the throwing frame.
      const cause = err.cause instanceof Error ? err.cause : err;
      const frame = (cause.stack ?? '').split('\n').find((l) => l.includes(' at ')) ?? '';
      const sig = `${err.message.split('\n')[0]!.replace(/[0-9a-f]{4,}|[0-9]+/g, '#')}|${frame.trim()}`;
      if (replay || (!crashSigs.has(sig) && crashSigs.size < MAX_CRASH_REPORTS)) {
        crashSigs.add(sig);
        post({ type: 'crash', kind: 'crash', name, input, message: target.failureMessage(e), stack: cause.stack });
      }
      return null;
    } finally {
      const ms = performance.now() - t0;
      if (ms > slowestMs) slowestMs = ms;
      if (ms > d.slowMs) post({ type: 'crash', kind: 'slow', name, input, message: `one input took ${ms.toFixed(0)} ms (limit ${d.slowMs})` });
    }
  };

  let poolSize = d.pool.length;
  if (replay) {
    for (let i = d.startAt; i < d.pool.length && Atomics.load(control, STOP) === 0; i++) exec(target.input(d.pool[i]!), i);
  } else {
    const rng = new Rng(d.seed);
    const pool: I[] = d.pool.map((e) => target.input(e));
    const seeds = pool.length;
    const isNew = (sig: string): boolean => {
      let fresh = false;
      for (const f of sig.split('|')) {
        if (!seen.has(f) && seen.size < MAX_FEATURES) {
          seen.add(f);
          fresh = true;
        }
      }
      return fresh;
    };
    // Run the seeds themselves first: they are inputs too.
    for (let i = 0; i < seeds; i++) {
      const sig = exec(pool[i]!, i);
      if (sig !== null) isNew(sig);
    }
    for (let i = 0; execs < d.maxExecs; i++) {
      if ((i & 63) === 0 && (Date.now() >= d.deadline || Atomics.load(control, STOP) !== 0)) break;
      const input = target.nextInput(rng, pool);
      const sig = exec(input, -1);
      // Cheap feedback: keep inputs that show a feature not seen before.
      if (sig !== null && isNew(sig)) {
        if (pool.length < target.maxPool) pool.push(input);
        else if (target.replaceWhenFull) pool[seeds + rng.below(target.maxPool - seeds)] = input;
      }
    }
    poolSize = pool.length;
  }
  post({ type: 'done', execs, crashingExecs, signatures: seen.size, poolSize, accepted, slowestMs });
}

if (!isMainThread && (workerData as Partial<WorkerData<unknown>> | null)?.tyneFuzzWorker === true) {
  void workerMain(workerData as WorkerData<{ name: string }>);
}

/** Writes a failing input to fuzz/crashes/<prefix><hash>.<ext>; returns the path. */
export function saveCrash<E extends { name: string }, I>(target: FuzzTarget<E, I>, input: I): string {
  mkdirSync(crashesDir, { recursive: true });
  const body = target.crashBody(input);
  const file = join(crashesDir, `${target.crashPrefix}${createHash('sha256').update(body).digest('hex').slice(0, 16)}.${target.crashExt}`);
  writeFileSync(file, body);
  return file;
}

const MAX_WORKERS = 20;

/** Runs a time-boxed session (or a replay) of `target` with hang detection; resolves when it is over. */
export async function runSession<E extends { name: string }, I>(target: FuzzTarget<E, I>, opts: SessionOptions<E>): Promise<SessionResult<I>> {
  const hangMs = opts.hangMs ?? target.hangMs;
  const log = opts.log ?? ((): void => {});
  const started = Date.now();
  const deadline = started + opts.seconds * 1000;
  const replay = opts.replay !== undefined;
  const inputs = opts.replay ?? opts.pool ?? [];
  const result: SessionResult<I> = {
    execs: 0, elapsedMs: 0, crashes: [], crashingExecs: 0, signatures: 0, poolSize: 0, accepted: 0, slowestMs: 0, workers: 0,
  };
  const seenCrash = new Set<string>();
  const record = (c: Crash<I>): void => {
    // Workers restarted after a hang find the same crashes again: keep one of each (all of them in replay).
    const sig = `${c.kind}:${c.message.replace(/[0-9a-f]{4,}|[0-9]+/g, '#')}`;
    if (!replay && (seenCrash.has(sig) || seenCrash.size >= 100) && c.kind === 'crash') return;
    seenCrash.add(sig);
    if (opts.saveCrashes) c.file = saveCrash(target, c.input);
    result.crashes.push(c);
    log(`${target.describeCrash(c)}${c.file ? `\n  saved ${c.file}` : ''}`);
  };

  let startAt = 0;
  for (let w = 0; w < MAX_WORKERS && Date.now() < deadline; w++) {
    const control = new SharedArrayBuffer(CONTROL_WORDS * 4);
    const inputBuf = new SharedArrayBuffer(target.maxInput);
    const ctl = new Int32Array(control);
    const data: WorkerData<E> = {
      tyneFuzzWorker: true, targetUrl: target.url, targetName: target.name, mode: replay ? 'replay' : 'fuzz',
      seed: (opts.seed + w * 0x9e3779b9) >>> 0, deadline, maxExecs: (opts.maxExecs ?? Number.MAX_SAFE_INTEGER) - result.execs,
      slowMs: opts.slowMs ?? target.slowMs ?? Infinity, pool: inputs, control, input: inputBuf, startAt,
    };
    result.workers++;
    const outcome = await new Promise<'done' | 'hang' | 'died'>((resolveRun) => {
      const worker = new Worker(new URL(import.meta.url), { workerData: data });
      let ready = false;
      let lastExecs = -1;
      let lastMove = Date.now();
      let finished = false;
      const finish = (how: 'done' | 'hang' | 'died'): void => {
        if (finished) return;
        finished = true;
        clearInterval(timer);
        resolveRun(how);
      };
      /** The input in shared memory, and the pool entry it was when it was one. */
      const current = (): { input: I; entry: E | undefined } => {
        const i = Atomics.load(ctl, CUR_SEED);
        const entry = i >= 0 ? inputs[i] : undefined;
        return { input: target.fromBytes(new Uint8Array(inputBuf).slice(0, Atomics.load(ctl, CUR_LEN)), entry), entry };
      };
      const timer = setInterval(() => {
        const now = Date.now();
        if (now >= deadline) Atomics.store(ctl, STOP, 1);
        if (!ready) {
          if (now - lastMove > 30_000) {
            record({ kind: 'worker-died', input: target.fromBytes(new Uint8Array(0), undefined), message: 'worker did not start within 30 s' });
            void worker.terminate();
            finish('died');
          }
          return;
        }
        const execs = Atomics.load(ctl, EXECS);
        if (execs !== lastExecs) {
          lastExecs = execs;
          lastMove = now;
          return;
        }
        if (now - lastMove >= hangMs) {
          // No heartbeat: the input in shared memory is the one that hangs.
          const { input, entry } = current();
          record({ kind: 'hang', name: replay ? entry?.name : undefined, input, message: `no progress for ${hangMs} ms on one input` });
          result.execs += execs;
          startAt += execs; // replay resumes after the culprit
          void worker.terminate();
          finish('hang');
        }
      }, 100);
      worker.on('message', (m: FromWorker<I>) => {
        if (m.type === 'ready') {
          ready = true;
          lastMove = Date.now();
        } else if (m.type === 'crash') {
          record({ kind: m.kind, name: m.name, input: m.input, message: m.message, stack: m.stack });
        } else {
          result.execs += m.execs;
          result.crashingExecs += m.crashingExecs;
          result.signatures = Math.max(result.signatures, m.signatures);
          result.poolSize = Math.max(result.poolSize, m.poolSize);
          result.accepted += m.accepted;
          result.slowestMs = Math.max(result.slowestMs, m.slowestMs);
          finish('done');
        }
      });
      worker.on('error', (e) => {
        const execs = Atomics.load(ctl, EXECS);
        record({ kind: 'worker-died', input: current().input, message: `worker died: ${describe(e)}` });
        result.execs += execs;
        startAt += execs;
        finish('died');
      });
      worker.on('exit', () => finish('died'));
    });
    if (outcome === 'done') break;
    if (replay && startAt >= inputs.length) break;
  }
  result.elapsedMs = Date.now() - started;
  return result;
}

/**
 * Runs the wire-decode fuzz target in a worker thread under a watchdog.
 *
 * The decoder is synchronous, so a hang cannot be interrupted from inside.
 * The worker copies each input into shared memory and bumps an execution
 * counter before running it; the parent polls that counter and, when it has
 * not moved for `hangMs`, terminates the worker and reports the input still
 * in shared memory. Every loop here is bounded by a count and a deadline.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { FuzzFailure, MAX_INPUT, Rng, crashesDir, describe, nextInput, runOne, type CorpusEntry } from './wire-decode.js';

export interface SessionOptions {
  /** Wall-clock budget for the whole session. */
  seconds: number;
  seed: number;
  /** Seed inputs to mutate (fuzz mode). */
  pool?: CorpusEntry[];
  /** Inputs to run once each, unmutated (replay mode). When set, no fuzzing happens. */
  replay?: CorpusEntry[];
  /** Stop after this many executions (default: unbounded, time only). */
  maxExecs?: number;
  /** No progress for this long is a hang (default 5000 ms). */
  hangMs?: number;
  /** Write crashing inputs to fuzz/crashes/<hash>.bin. */
  saveCrashes?: boolean;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

export interface Crash {
  kind: 'crash' | 'hang' | 'worker-died';
  /** Corpus entry name in replay mode. */
  name?: string;
  input: Uint8Array;
  message: string;
  stack?: string;
  /** Where it was saved, when saved. */
  file?: string;
}

export interface SessionResult {
  execs: number;
  elapsedMs: number;
  /** Unique crashes (by signature) and hangs. */
  crashes: Crash[];
  /** Crashing executions in total, duplicates included. */
  crashingExecs: number;
  /** Distinct outcome signatures seen (a rough coverage figure). */
  signatures: number;
  /** Size of the in-memory corpus at the end (seeds plus kept inputs). */
  poolSize: number;
  workers: number;
}

/** Shared control words: execution counter, stop flag, current input length. */
const EXECS = 0;
const STOP = 1;
const CUR_LEN = 2;
const CONTROL_WORDS = 4;

interface WorkerData {
  tyneFuzzWorker: true;
  mode: 'fuzz' | 'replay';
  seed: number;
  deadline: number;
  maxExecs: number;
  pool: CorpusEntry[];
  control: SharedArrayBuffer;
  input: SharedArrayBuffer;
  /** Replay mode: start at this index (after a hang, the next worker skips the culprit). */
  startAt: number;
}

type FromWorker =
  | { type: 'ready' }
  | { type: 'crash'; name?: string; input: Uint8Array; message: string; stack?: string }
  | { type: 'done'; execs: number; crashingExecs: number; signatures: number; poolSize: number };

const MAX_CRASH_REPORTS = 50;
const MAX_POOL = 4096;
const MAX_FEATURES = 100_000;

/** The worker body: fuzz or replay until the deadline, the exec cap or the stop flag. */
function workerMain(d: WorkerData): void {
  const control = new Int32Array(d.control);
  const shared = new Uint8Array(d.input);
  const port = parentPort!;
  const seen = new Set<string>();
  const crashSigs = new Set<string>();
  let crashingExecs = 0;
  let execs = 0;
  port.postMessage({ type: 'ready' } satisfies FromWorker);

  const exec = (bytes: Uint8Array, name?: string): string | null => {
    const n = Math.min(bytes.length, MAX_INPUT);
    shared.set(n === bytes.length ? bytes : bytes.subarray(0, n));
    Atomics.store(control, CUR_LEN, n);
    Atomics.add(control, EXECS, 1);
    execs++;
    try {
      return runOne(bytes);
    } catch (e) {
      crashingExecs++;
      const err = e instanceof Error ? e : new Error(String(e));
      // Signature: the failure message without the octets it quotes, plus the throwing frame.
      const cause = err.cause instanceof Error ? err.cause : err;
      const frame = (cause.stack ?? '').split('\n').find((l) => l.includes(' at ')) ?? '';
      const sig = `${err.message.replace(/[0-9a-f]{4,}|[0-9]+/g, '#')}|${frame.trim()}`;
      if (name !== undefined || (!crashSigs.has(sig) && crashSigs.size < MAX_CRASH_REPORTS)) {
        crashSigs.add(sig);
        const message = e instanceof FuzzFailure ? e.message : `harness error: ${describe(e)}`;
        port.postMessage({ type: 'crash', name, input: bytes.slice(), message, stack: cause.stack } satisfies FromWorker);
      }
      return null;
    }
  };

  if (d.mode === 'replay') {
    for (let i = d.startAt; i < d.pool.length && Atomics.load(control, STOP) === 0; i++) exec(d.pool[i]!.bytes, d.pool[i]!.name);
  } else {
    const rng = new Rng(d.seed);
    const pool: Uint8Array[] = d.pool.map((e) => e.bytes);
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
    for (const b of pool.slice()) isNew(exec(b) ?? '');
    for (let i = 0; execs < d.maxExecs; i++) {
      if ((i & 255) === 0 && (Date.now() >= d.deadline || Atomics.load(control, STOP) !== 0)) break;
      const input = nextInput(rng, pool);
      const sig = exec(input);
      // Cheap feedback: keep inputs that show a feature not seen before.
      if (sig !== null && isNew(sig)) {
        if (pool.length < MAX_POOL) pool.push(input);
        else pool[seeds + rng.below(MAX_POOL - seeds)] = input;
      }
    }
    port.postMessage({ type: 'done', execs, crashingExecs, signatures: seen.size, poolSize: pool.length } satisfies FromWorker);
    return;
  }
  port.postMessage({ type: 'done', execs, crashingExecs, signatures: seen.size, poolSize: d.pool.length } satisfies FromWorker);
}

if (!isMainThread && (workerData as Partial<WorkerData> | null)?.tyneFuzzWorker === true) workerMain(workerData as WorkerData);

function hashName(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex').slice(0, 16);
}

export function saveCrash(input: Uint8Array): string {
  mkdirSync(crashesDir, { recursive: true });
  const file = join(crashesDir, `${hashName(input)}.bin`);
  writeFileSync(file, input);
  return file;
}

const MAX_WORKERS = 20;

/** Runs a time-boxed session with hang detection; resolves when it is over. */
export async function runSession(opts: SessionOptions): Promise<SessionResult> {
  const hangMs = opts.hangMs ?? 5000;
  const log = opts.log ?? ((): void => {});
  const started = Date.now();
  const deadline = started + opts.seconds * 1000;
  const replay = opts.replay !== undefined;
  const inputs = opts.replay ?? opts.pool ?? [];
  const result: SessionResult = { execs: 0, elapsedMs: 0, crashes: [], crashingExecs: 0, signatures: 0, poolSize: 0, workers: 0 };
  const seenCrash = new Set<string>();
  const record = (c: Crash): void => {
    // Workers restarted after a hang find the same crashes again: keep one of each (all of them in replay).
    const sig = `${c.kind}:${c.message.replace(/[0-9a-f]{4,}|[0-9]+/g, '#')}`;
    if (!replay && (seenCrash.has(sig) || seenCrash.size >= 100) && c.kind === 'crash') return;
    seenCrash.add(sig);
    if (opts.saveCrashes) c.file = saveCrash(c.input);
    result.crashes.push(c);
    log(`CRASH ${c.kind}${c.name ? ` [${c.name}]` : ''}: ${c.message}\n  input ${Buffer.from(c.input).toString('hex')}${c.file ? `\n  saved ${c.file}` : ''}`);
  };

  let startAt = 0;
  for (let w = 0; w < MAX_WORKERS && Date.now() < deadline; w++) {
    const control = new SharedArrayBuffer(CONTROL_WORDS * 4);
    const inputBuf = new SharedArrayBuffer(MAX_INPUT);
    const ctl = new Int32Array(control);
    const data: WorkerData = {
      tyneFuzzWorker: true, mode: replay ? 'replay' : 'fuzz', seed: (opts.seed + w * 0x9e3779b9) >>> 0, deadline,
      maxExecs: (opts.maxExecs ?? Number.MAX_SAFE_INTEGER) - result.execs, pool: inputs, control, input: inputBuf, startAt,
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
      const currentInput = (): Uint8Array => new Uint8Array(inputBuf).slice(0, Atomics.load(ctl, CUR_LEN));
      const timer = setInterval(() => {
        const now = Date.now();
        if (now >= deadline) Atomics.store(ctl, STOP, 1);
        if (!ready) {
          if (now - lastMove > 30_000) {
            record({ kind: 'worker-died', input: new Uint8Array(0), message: 'worker did not start within 30 s' });
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
          const input = currentInput();
          const name = replay ? inputs[startAt + execs - 1]?.name : undefined;
          record({ kind: 'hang', name, input, message: `no progress for ${hangMs} ms on one input` });
          result.execs += execs;
          startAt += execs; // replay resumes after the culprit
          void worker.terminate();
          finish('hang');
        }
      }, 100);
      worker.on('message', (m: FromWorker) => {
        if (m.type === 'ready') {
          ready = true;
          lastMove = Date.now();
        } else if (m.type === 'crash') {
          record({ kind: 'crash', name: m.name, input: m.input, message: m.message, stack: m.stack });
        } else {
          result.execs += m.execs;
          result.crashingExecs += m.crashingExecs;
          result.signatures = Math.max(result.signatures, m.signatures);
          result.poolSize = Math.max(result.poolSize, m.poolSize);
          finish('done');
        }
      });
      worker.on('error', (e) => {
        const execs = Atomics.load(ctl, EXECS);
        record({ kind: 'worker-died', input: currentInput(), message: `worker died: ${describe(e)}` });
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

/**
 * Loads a zone file without stalling the event loop: the parsing (most of
 * the work) runs in a worker thread (zone-parse-worker.ts), which sends the
 * records back in compact batches; the main thread adds them to a
 * ZoneBuilder in short slices, yielding between slices, then builds.
 *
 * The result is the one loadZoneFile gives for the same file: the same
 * records, the same diagnostics at the same positions, the same files.
 *
 * Every zone file is read this way, at startup too, whatever its size:
 * what a file costs to read cannot be known from its size ($INCLUDE
 * fan-out, $GENERATE), and the main thread must never be the one stuck
 * reading it (issue 12 item 2). A load costs the main thread slices of at
 * most `sliceMs`, and at most `memoryBudget` octets (estimated from the
 * records received; the worker's heap is capped at the same figure): over
 * it the load is abandoned with ZONE_MEMORY_BUDGET and nothing else is
 * touched.
 */
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { Name, type Diagnostic } from '../wire/index.js';
import type { ZoneParseOptions } from '../zonefile/index.js';
import { ZoneBuilder, estimatedZoneBytes, zoneFileUnreadable, type LoadResult, type ZoneBuildResult } from '../zone/index.js';
import { ZoneLoadError } from './zone-load-error.js';
import type { ZoneParseJob, ZoneParseMessage } from './zone-parse-worker.js';

export interface AsyncLoadOptions extends Omit<ZoneParseOptions, 'origin'> {
  /** Longest run of main-thread work between yields to the event loop, in milliseconds (default 10). */
  sliceMs?: number;
  /** Owners the zone is expected to have (a reload: the version served), for ZoneBuilderOptions.expectedNodes. */
  expectedNodes?: number;
  /** Aborting stops the worker and rejects the load (ZONE_LOAD_ABORTED). */
  signal?: AbortSignal;
  /**
   * Most octets the zone may take in memory (estimated, see
   * estimatedZoneBytes), also the parse worker's heap limit; over it the
   * load is rejected with ZONE_MEMORY_BUDGET. Default: no estimate is
   * checked and the worker has Node's default heap limit.
   */
  memoryBudget?: number;
}


/** The smallest heap a parse worker is given (its modules and one batch fit well under it). */
const MIN_WORKER_HEAP_MB = 64;

/**
 * How long a parse worker is kept, idle, for the next load. Starting one
 * costs a new V8 isolate loading the parser's modules (measured: 80-110 ms
 * before its first batch on a busy 2-core machine), and a fresh one parses
 * with cold code, so the next edit of an editing session is read sooner by
 * the worker kept from the last one. An idle worker holds 15-45 MiB (after
 * a 100,000- or a 1.33M-record file), let go after this long without a load.
 */
const SPARE_WORKER_MS = 10 * 60_000;

/** Workers kept after their last load (at most MAX_SPARES), each with its heap limit and timer. */
const spares: { worker: Worker; heapMb: number; timer: NodeJS.Timeout }[] = [];
const MAX_SPARES = 2;
let workersStarted = 0;

/** Parse workers started so far (a kept one is reused): for tests and diagnostics. */
export function parseWorkersStarted(): number {
  return workersStarted;
}

/**
 * Loads that may parse at once (the machine's cores are shared with the
 * queries); more wait their turn. A load that has held its turn for
 * SLOW_LOAD_MS gives it up (and goes on), so that one slow or stuck file
 * (a $INCLUDE fan-out, a huge $GENERATE) never holds up the other zones.
 */
const PARSE_SLOTS = 2;
const SLOW_LOAD_MS = 1000;
let slotsBusy = 0;
const slotQueue: (() => void)[] = [];

/** Waits for a parse slot; resolves with its release (idempotent). */
function takeSlot(signal: AbortSignal | undefined): Promise<() => void> {
  return new Promise((resolve, reject) => {
    const grant = (): void => {
      signal?.removeEventListener('abort', onAbort);
      slotsBusy++;
      let held = true;
      const release = (): void => {
        if (!held) return;
        held = false;
        clearTimeout(slow);
        slotsBusy--;
        const next = slotQueue.shift();
        if (next !== undefined) next();
      };
      const slow = setTimeout(release, SLOW_LOAD_MS);
      slow.unref();
      resolve(release);
    };
    function onAbort(): void {
      const i = slotQueue.indexOf(grant);
      if (i >= 0) slotQueue.splice(i, 1);
      reject(signal?.reason);
    }
    if (slotsBusy < PARSE_SLOTS) {
      grant();
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    slotQueue.push(grant);
  });
}

/**
 * Removes the listeners a load put on `worker`. Only these events: Node's
 * own listeners on the Worker (which keep its message port going) must stay.
 */
function clearListeners(worker: Worker): void {
  for (const e of ['message', 'error', 'exit'] as const) worker.removeAllListeners(e);
}

/** A kept worker with this heap limit (0: Node's default), or a new one. */
function takeWorker(heapMb: number): Worker {
  const i = spares.findIndex((s) => s.heapMb === heapMb);
  if (i >= 0) {
    const s = spares.splice(i, 1)[0]!;
    clearTimeout(s.timer);
    clearListeners(s.worker);
    s.worker.ref();
    return s.worker;
  }
  const w = new Worker(new URL('./zone-parse-worker.js', import.meta.url), heapMb > 0 ? { resourceLimits: { maxOldGenerationSizeMb: heapMb } } : {});
  workersStarted++;
  return w;
}

/** A worker done with its job: kept for the next load (unless MAX_SPARES already are), else stopped. */
function keepWorker(worker: Worker, heapMb: number): void {
  clearListeners(worker);
  if (spares.length >= MAX_SPARES) {
    void worker.terminate();
    return;
  }
  // Not a reason for the process to stay up.
  worker.unref();
  const drop = (): void => {
    const i = spares.findIndex((s) => s.worker === worker);
    if (i < 0) return;
    clearTimeout(spares[i]!.timer);
    spares.splice(i, 1);
  };
  worker.once('error', drop);
  worker.once('exit', drop);
  const timer = setTimeout(() => {
    drop();
    void worker.terminate();
  }, SPARE_WORKER_MS);
  timer.unref();
  spares.push({ worker, heapMb, timer });
}

/**
 * Stops the kept parse workers but `keep` (each holds its own V8 heap,
 * 15-45 MiB): after the startup loads, thousands of zones in, none is
 * needed until the next edit. Returns how many were stopped.
 */
export function releaseSpareWorkers(keep = 0): number {
  const gone = spares.splice(keep);
  for (const s of gone) {
    clearTimeout(s.timer);
    clearListeners(s.worker);
    void s.worker.terminate();
  }
  return gone.length;
}

/** Target size of one batch of records sent by the worker. */
const BATCH_BYTES = 64 * 1024;

/** Records added between two looks at the clock. */
const CLOCK_EVERY = 64;

interface Batch {
  bytes: Uint8Array;
  view: DataView;
  off: number;
  left: number;
}

/**
 * Same result as loadZoneFile (same records, same errors and warnings with
 * the same positions, same files), but the parsing runs in a worker thread
 * and the main thread only adds records to the ZoneBuilder in slices of at
 * most about `sliceMs`, yielding to the event loop (setImmediate) between
 * slices, then builds in slices too. `ms` is the wall time
 * of the whole load.
 *
 * Like loadZoneFile, a zone whose parse has errors is still fed to the
 * builder and built, so that its own diagnostics are reported too; the
 * zone is then null.
 *
 * Rejects with a ZoneLoadError (with `cause` set) when the worker fails
 * or exits early (ZONE_PARSE_WORKER), when the builder throws
 * (ZONE_BUILD_FAILED), when the zone goes over `memoryBudget`
 * (ZONE_MEMORY_BUDGET) or when `signal` aborts (ZONE_LOAD_ABORTED); a
 * worker that has not sent everything is then terminated. One that has is
 * kept for the next load (see SPARE_WORKER_MS). At most PARSE_SLOTS loads
 * parse at once (see takeSlot).
 */
export async function loadZoneFileAsync(path: string, origin: Name, opts: AsyncLoadOptions = {}): Promise<LoadResult & { ms: number }> {
  const started = performance.now();
  const aborted = (): ZoneLoadError => new ZoneLoadError('ZONE_LOAD_ABORTED', path, `loading zone file ${path}: aborted`, { cause: opts.signal?.reason });
  if (opts.signal?.aborted === true) throw aborted();
  let release: () => void;
  try {
    release = await takeSlot(opts.signal);
  } catch {
    throw aborted();
  }
  try {
    return await loadInWorker(path, origin, opts, started, aborted);
  } finally {
    release();
  }
}

function loadInWorker(path: string, origin: Name, opts: AsyncLoadOptions, started: number, aborted: () => ZoneLoadError): Promise<LoadResult & { ms: number }> {
  const { sliceMs = 10, signal, memoryBudget, expectedNodes, ...parseOptions } = opts;
  const budget = memoryBudget ?? Infinity;
  const heapMb = memoryBudget === undefined ? 0 : Math.max(MIN_WORKER_HEAP_MB, Math.ceil(memoryBudget / 2 ** 20));
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(aborted());
      return;
    }
    const builder = new ZoneBuilder(origin, {
      ...(parseOptions.zoneClass === undefined ? {} : { zoneClass: parseOptions.zoneClass }),
      ...(expectedNodes === undefined ? {} : { expectedNodes }),
    });
    /** File names by the index the worker gave them. */
    const fileNames: string[] = [];
    /** Batches received and not yet taken; taken ones are cleared so that they can be collected. */
    const queue: (Batch | undefined)[] = [];
    let qHead = 0;
    let cur: Batch | undefined;
    let prevName: Name | undefined;
    let parsed: Extract<ZoneParseMessage, { kind: 'done' }> | undefined;
    let settled = false;
    let immediate: NodeJS.Immediate | undefined;
    /** Encoded octets and records received so far, for the memory estimate. */
    let receivedBytes = 0;
    let receivedRecords = 0;

    const job: ZoneParseJob = { path, origin: origin.wire, options: parseOptions, batchBytes: BATCH_BYTES };
    let worker: Worker;
    try {
      worker = takeWorker(heapMb);
      worker.postMessage(job);
    } catch (e) {
      reject(new ZoneLoadError('ZONE_PARSE_WORKER', path, `loading zone file ${path}: could not start the parse worker`, { cause: e }));
      return;
    }
    /** The worker sent everything and went back to the spare slot (see keepWorker). */
    let released = false;

    const stop = (): void => {
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (immediate !== undefined) clearImmediate(immediate);
      immediate = undefined;
      queue.length = 0;
      cur = undefined;
      // A worker stopped midway (an abort, a failure) is not reused.
      if (!released) void worker.terminate();
    };
    const fail = (err: Error): void => {
      if (settled) return;
      stop();
      reject(err);
    };
    function onAbort(): void {
      fail(aborted());
    }
    const overBudget = (what: string, cause?: unknown): ZoneLoadError =>
      new ZoneLoadError(
        'ZONE_MEMORY_BUDGET',
        path,
        `loading zone file ${path}: abandoned, ${what} over server.zone-memory-budget (${mib(budget)}); raise the budget or make the zone smaller`,
        { cause: cause ?? { budget, estimated: estimatedZoneBytes(receivedBytes, receivedRecords), records: receivedRecords } },
      );
    signal?.addEventListener('abort', onAbort, { once: true });

    const schedule = (): void => {
      if (immediate === undefined && !settled) immediate = setImmediate(pump);
    };

    /** Decodes one record of `b` (format: see zone-parse-worker.ts) and adds it. */
    const addOne = (b: Batch): void => {
      const bytes = b.bytes;
      const view = b.view;
      let o = b.off;
      let name: Name;
      if ((bytes[o++]! & 1) !== 0) {
        name = prevName!;
      } else {
        const len = bytes[o++]!;
        // A copy: the builder may keep the last Name, which must not pin the whole batch.
        name = Name.trusted(bytes.slice(o, o + len));
        o += len;
      }
      const type = view.getUint16(o);
      const rrClass = view.getUint16(o + 2);
      const ttl = view.getUint32(o + 4);
      const rdLen = view.getUint32(o + 8);
      o += 12;
      // A view: the builder copies rdata into its own storage.
      const rdata = bytes.subarray(o, o + rdLen);
      o += rdLen;
      const at = { file: fileNames[view.getUint32(o)]!, line: view.getUint32(o + 4), col: view.getUint32(o + 8) };
      b.off = o + 12;
      b.left--;
      prevName = name;
      builder.add({ name, type, class: rrClass, ttl, rdata }, at);
    };

    /** The build (node flags, empty non-terminals, zone checks), in slices like the adds. */
    let building: Generator<void, ZoneBuildResult, void> | undefined;
    const finish = (): void => {
      immediate = undefined;
      if (settled || parsed === undefined) return;
      let result: LoadResult & { ms: number };
      if (zoneFileUnreadable(parsed.errors)) {
        // As loadZoneFile: one error for a file that cannot be read, not the zone checks' too.
        stop();
        resolve({ zone: null, errors: parsed.errors, warnings: parsed.warnings, files: parsed.files, ms: performance.now() - started });
        return;
      }
      try {
        building ??= builder.buildSteps();
        const until = performance.now() + sliceMs;
        let step = building.next();
        while (step.done !== true && performance.now() < until) step = building.next();
        if (step.done !== true) {
          immediate = setImmediate(finish);
          return;
        }
        const built = step.value;
        const errors: Diagnostic[] = [...parsed.errors, ...built.errors];
        const warnings: Diagnostic[] = [...parsed.warnings, ...built.warnings];
        result = { zone: errors.length === 0 ? built.zone : null, errors, warnings, files: parsed.files, ms: performance.now() - started };
      } catch (e) {
        fail(new ZoneLoadError('ZONE_BUILD_FAILED', path, `loading zone file ${path}: building the zone failed`, { cause: e }));
        return;
      }
      stop();
      resolve(result);
    };

    function pump(): void {
      immediate = undefined;
      if (settled) return;
      const deadline = performance.now() + sliceMs;
      try {
        for (;;) {
          if (cur === undefined) {
            if (qHead === queue.length) break;
            cur = queue[qHead]!;
            queue[qHead++] = undefined;
            if (qHead === queue.length) {
              queue.length = 0;
              qHead = 0;
            }
          }
          const b = cur;
          for (let n = 0; n < CLOCK_EVERY && b.left > 0; n++) addOne(b);
          if (b.left === 0) cur = undefined;
          if (performance.now() >= deadline) {
            schedule();
            return;
          }
        }
      } catch (e) {
        fail(new ZoneLoadError('ZONE_BUILD_FAILED', path, `loading zone file ${path}: adding records failed`, { cause: e }));
        return;
      }
      // Everything received is added; build once the worker is done, in a slice of its own.
      if (parsed !== undefined) immediate = setImmediate(finish);
    }

    worker.on('message', (m: ZoneParseMessage) => {
      if (settled) return;
      if (m.kind === 'batch') {
        receivedBytes += m.length;
        receivedRecords += m.count;
        if (estimatedZoneBytes(receivedBytes, receivedRecords) > budget) {
          fail(overBudget(`its ${receivedRecords} records so far (about ${mib(estimatedZoneBytes(receivedBytes, receivedRecords))}) are`));
          return;
        }
        for (const f of m.newFiles) fileNames.push(f);
        queue.push({ bytes: new Uint8Array(m.buffer, 0, m.length), view: new DataView(m.buffer, 0, m.length), off: 0, left: m.count });
      } else {
        parsed = m;
        // All records are here; the worker has nothing more to do: kept for the next load.
        released = true;
        keepWorker(worker, heapMb);
      }
      schedule();
    });
    worker.on('error', (e: Error) => {
      // The worker's heap is capped at the budget (resourceLimits): reading the file took more.
      if ((e as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY' && Number.isFinite(budget)) fail(overBudget('reading the file took the parse worker', e));
      else fail(new ZoneLoadError('ZONE_PARSE_WORKER', path, `loading zone file ${path}: the parse worker failed: ${e.message}`, { cause: e }));
    });
    worker.on('exit', (code: number) => {
      if (parsed === undefined) {
        fail(new ZoneLoadError('ZONE_PARSE_WORKER', path, `loading zone file ${path}: the parse worker exited (code ${code}) before finishing`, { cause: { exitCode: code } }));
      }
    });
  });
}

function mib(n: number): string {
  return `${Math.round(n / 2 ** 20)} MiB`;
}

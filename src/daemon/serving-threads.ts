/**
 * The worker threads of `server.threads` (issue 16 §3: threads - 1 of them;
 * the main thread answers UDP too, as thread 0, from its own socket), seen
 * from the main thread, which keeps everything with state (zones, journals,
 * copies, watchers, transfers, NOTIFY, control, metrics) and TCP. Each has a
 * SO_REUSEPORT UDP socket per listen address (the kernel spreads clients
 * over them) and answers from the zone set the main thread publishes here:
 * zone images, built once per zone version and shared, not copied.
 *
 * A publish posts the new set to every thread, then flips one generation
 * word they all read before each datagram: from the flip on, every thread
 * answers from the new set (a reload or a transfer is seen by all of them
 * in the same swap). A thread that dies is started again (at most
 * RESTARTS_PER_MINUTE) and sent the whole set.
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from '../log/logger.js';
import { QueryCounters } from '../server/query-counters.js';
import type { Name } from '../wire/index.js';
import type { FromThread, ThreadAddress, ThreadListenFailure, ThreadSettings, ThreadStart, ToThread } from './serving-thread-messages.js';
import { ImageArena, runStepsInSlices, zoneImageIn, zoneImageInSteps, type Zone, type ZoneImage } from '../zone/index.js';

const RESTARTS_PER_MINUTE = 10;
/** How long a thread has to close its sockets at a stop before it is terminated. */
const STOP_GRACE_MS = 1000;
/**
 * Zones of this many records or more get their image written ahead, in slices (prepare): the main thread,
 * which answers UDP as thread 0, is not held up at a publish (100,000 hosts: 40 to 80 ms at once). A smaller
 * one (at most a few milliseconds) is written at the publish, into the arena's slabs.
 */
export const PREPARE_RECORDS = 1000;
/** The main thread's longest stretch writing an image ahead, in milliseconds. */
const PREPARE_SLICE_MS = 3;

export interface ServingThreadsOptions {
  /** Worker threads to start. */
  count: number;
  /**
   * The index of the first (in logs, `thread: i`, and metrics); the daemon
   * gives 1, its main thread serving UDP as thread 0. Default 0.
   */
  firstIndex?: number;
  udpIo: 'batched' | 'dgram';
  modulePath: string;
  cookieSeed: string;
  metrics: boolean;
  log: Logger;
  /** Answers a query a thread relays (NOTIFY, other opcodes, IXFR, AXFR), as the main thread's UDP would. */
  relay: (query: Uint8Array, address: string) => Uint8Array | null;
  /** A TSIG failure a thread saw, for the main thread's audit log. */
  tsigFailed: (info: Extract<FromThread, { t: 'tsig-failed' }>['info']) => void;
}

interface Thread {
  /** In #threads. */
  position: number;
  /** Its name in logs and metrics. */
  index: number;
  worker: Worker;
  counters: QueryCounters;
  udpStats: Float64Array;
  /** Ids of the zones whose image this thread has been sent. */
  known: Set<number>;
  /** Ids of the image buffers this thread holds (sent, not dropped since). */
  buffers: Set<number>;
  /** The settings last sent, as JSON (to send them again only when they change). */
  settingsKey: string;
  waiting: Map<number, (failed: ThreadListenFailure[]) => void>;
}

/** The state last published, sent whole to a thread started again. */
interface Published {
  zones: Zone[];
  unavailable: Name[];
  restricted: Zone[];
  settings: ThreadSettings;
}

export class ServingThreads {
  readonly #o: ServingThreadsOptions;
  readonly #generation = new Int32Array(new SharedArrayBuffer(4));
  readonly #threads: Thread[] = [];
  /** An id for each zone, and for each image buffer (a slab, or a large image's own), as the threads know them. */
  readonly #ids = new WeakMap<Zone | SharedArrayBuffer, number>();
  /** Shared memory of the images (small zones packed into slabs), and the images of the zones published last. */
  readonly #arena = new ImageArena();
  #images = new Map<Zone, ZoneImage>();
  /** Images written ahead by prepare, for zones not yet published (held only while their zone lives). */
  readonly #prepared = new WeakMap<Zone, ZoneImage>();
  #moved = 0;
  /** Buffer ids posted as dropped, over every thread (imageBuffers). */
  #buffersDropped = 0;
  #written = 0;
  #nextId = 0;
  #gen = 0;
  #seq = 0;
  #listen: ThreadAddress[] = [];
  #published: Published | null = null;
  #restarts: number[] = [];
  #stopping = false;
  /** The log level set last by `tyne loglevel` (null: the settings'), for a thread started again. */
  #level: string | null = null;
  /** Counters of threads that ended, so the totals never go back. */
  readonly #gone = new QueryCounters();
  readonly #goneUdp = [0, 0, 0];

  constructor(options: ServingThreadsOptions) {
    this.#o = options;
  }

  get count(): number {
    return this.#o.count;
  }

  /** The running threads' workers, by index (for tests: a thread ended from outside is started again). */
  get workers(): readonly Worker[] {
    return this.#threads.map((t) => t.worker);
  }

  /** Starts the threads, each listening on `listen`; the failures (empty: all bound everywhere). Those that failed are stopped. */
  async start(listen: ThreadAddress[], settings: ThreadSettings): Promise<ThreadListenFailure[]> {
    this.#listen = listen;
    const bound = Array.from({ length: this.#o.count }, (_, i) => this.#spawn(i, settings));
    // What was published before the threads existed (the zones loaded so far): posted before they
    // read their first datagram, so none is answered from an empty set.
    this.#republish();
    const results = await Promise.all(bound);
    const failed = results.find((f) => f.length > 0) ?? [];
    if (failed.length > 0) await this.stop();
    return failed;
  }

  /** Starts the worker at `position` (0 to count - 1), named thread firstIndex + position. */
  #spawn(position: number, settings: ThreadSettings): Promise<ThreadListenFailure[]> {
    const index = position + (this.#o.firstIndex ?? 0);
    const counters = QueryCounters.shared();
    const udpStats = new SharedArrayBuffer(3 * 8);
    const start: ThreadStart = {
      tyneServingThread: true, index, listen: this.#listen, settings: this.#level === null ? settings : { ...settings, logLevel: this.#level }, udpIo: this.#o.udpIo, modulePath: this.#o.modulePath,
      cookieSeed: this.#o.cookieSeed, generation: this.#generation.buffer as SharedArrayBuffer, counters: counters.buffer, udpStats, metrics: this.#o.metrics,
    };
    const worker = new Worker(new URL('./serving-thread.js', import.meta.url), { workerData: start });
    const t: Thread = { position, index, worker, counters: counters.counters, udpStats: new Float64Array(udpStats), known: new Set(), buffers: new Set(), settingsKey: JSON.stringify(settings), waiting: new Map() };
    this.#threads[position] = t;
    const first = new Promise<ThreadListenFailure[]>((resolve) => t.waiting.set(0, resolve));
    worker.on('message', (m: FromThread) => this.#message(t, m));
    worker.on('error', (err) => this.#o.log.error({ err, thread: index }, `serving thread ${index} failed: ${err.message}`));
    worker.on('exit', (code) => this.#exited(t, code));
    return first;
  }

  #message(t: Thread, m: FromThread): void {
    switch (m.t) {
      case 'listened': {
        const w = t.waiting.get(m.seq);
        t.waiting.delete(m.seq);
        w?.(m.failed);
        return;
      }
      case 'relay': {
        let response: Uint8Array | null = null;
        try {
          response = this.#o.relay(m.query, m.address);
        } catch (err) {
          this.#o.log.error({ err }, `udp query from ${m.address}: ${(err as Error)?.message ?? String(err)}`);
        }
        this.#post(t, { t: 'reply', id: m.id, response });
        return;
      }
      case 'tsig-failed':
        this.#o.tsigFailed(m.info);
        return;
    }
  }

  #post(t: Thread, m: ToThread): void {
    try {
      t.worker.postMessage(m);
    } catch (err) {
      this.#o.log.error({ err, thread: t.index }, 'serving thread: message not delivered');
    }
  }

  #exited(t: Thread, code: number): void {
    for (const w of t.waiting.values()) w([{ key: this.#listen[0]?.key ?? '', port: this.#listen[0]?.port ?? 0, errno: null, message: `serving thread ${t.index} ended (exit code ${code})` }]);
    t.waiting.clear();
    // Kept in the totals (they never go back), and zeroed here: the thread stays listed until one replaces it.
    this.#gone.add(t.counters);
    t.counters.clear();
    for (let i = 0; i < 3; i++) this.#goneUdp[i]! += t.udpStats[i]!;
    t.udpStats.fill(0);
    if (this.#stopping || this.#published === null) return;
    const now = Date.now();
    this.#restarts = this.#restarts.filter((at) => at > now - 60_000);
    if (this.#restarts.length >= RESTARTS_PER_MINUTE) {
      this.#o.log.error({ thread: t.index, code }, `serving thread ${t.index} ended (exit code ${code}) and is not started again: ${RESTARTS_PER_MINUTE} restarts in a minute; the other threads serve on (restart the server)`);
      return;
    }
    this.#restarts.push(now);
    this.#o.log.error({ thread: t.index, code }, `serving thread ${t.index} ended (exit code ${code}); starting it again`);
    const bound = this.#spawn(t.position, this.#published.settings);
    // The whole set, posted before the new thread reads a datagram (the others get only ids).
    this.#republish();
    void bound.then((failed) => {
      if (failed.length > 0) this.#o.log.error({ thread: t.index, failed }, `serving thread ${t.index} could not listen again: ${failed[0]!.message}`);
    });
  }

  /** Publishes again what was published last (to threads just started), if anything was. */
  #republish(): void {
    const p = this.#published;
    if (p !== null) this.publish(p.zones, p.unavailable, p.restricted, p.settings);
  }

  #idOf(key: Zone | SharedArrayBuffer): number {
    let id = this.#ids.get(key);
    if (id === undefined) {
      id = ++this.#nextId;
      this.#ids.set(key, id);
    }
    return id;
  }

  /**
   * Keeps the images of `zones` (those published before, new ones written
   * now) and no others, so that an image no longer served is freed. The
   * images still served in a slab that is mostly of images no longer served
   * are copied out, under a new id (so every thread takes the copy), and the
   * slab is freed once the threads have moved on.
   */
  #imagesOf(zones: Zone[]): void {
    const images = new Map<Zone, ZoneImage>();
    for (const z of zones) if (!images.has(z)) images.set(z, this.#images.get(z) ?? this.#prepared.get(z) ?? this.#write(z));
    for (const z of this.#arena.sparse(images)) {
      images.set(z, this.#arena.copy(images.get(z)!));
      this.#ids.delete(z);
      this.#moved++;
    }
    this.#images = images;
  }

  #write(zone: Zone): ZoneImage {
    this.#written++;
    return zoneImageIn(zone, this.#arena);
  }

  /**
   * Writes the image of a large zone (PREPARE_RECORDS or more) ahead of its
   * publish, in slices of PREPARE_SLICE_MS, so that the publish only posts
   * it: the daemon calls this once a new version is built, before it is
   * served. A smaller zone, or one already written, takes nothing.
   */
  async prepare(zone: Zone): Promise<void> {
    if (zone.recordCount < PREPARE_RECORDS || this.#prepared.has(zone) || this.#images.has(zone)) return;
    // Not zoneImageSteps: its cache would keep a second entry for the zone beside #prepared.
    this.#prepared.set(zone, await runStepsInSlices(zoneImageInSteps(zone), PREPARE_SLICE_MS));
  }

  /** Images written at a publish (not ahead by prepare, nor kept from before) so far. */
  get imagesWritten(): number {
    return this.#written;
  }

  /**
   * The image buffers of the set published last, how many each running
   * thread holds (sent, not dropped since: the same number once it has
   * taken that set), and how many drops were posted in all (for tests).
   */
  imageBuffers(): { served: number; held: number[]; dropped: number } {
    const served = new Set<SharedArrayBuffer>();
    for (const image of this.#images.values()) served.add(image.buffer);
    return { served: served.size, held: this.#threads.filter((t) => t !== undefined).map((t) => t.buffers.size), dropped: this.#buffersDropped };
  }

  /** Images copied out of sparse slabs so far (see #imagesOf). */
  get imagesMoved(): number {
    return this.#moved;
  }

  /**
   * Serves this zone set in every thread from now on: posted to each (the
   * images of zones new to it, the ids of the others), then flipped to at
   * once. Synchronous: when it returns, the next datagram any thread reads
   * is answered from this set.
   */
  publish(zones: Zone[], unavailable: Name[], restricted: Zone[], settings: ThreadSettings): void {
    this.#published = { zones, unavailable, restricted, settings };
    const gen = ++this.#gen;
    this.#imagesOf(zones);
    // Numbers, not an object per zone: a publish of ten thousand zones is a few hundred kilobytes to copy, not megabytes.
    const ids = new Int32Array(zones.length);
    const bufferOf = new Int32Array(zones.length);
    const at = new Int32Array(zones.length);
    const inUse = new Map<number, SharedArrayBuffer>();
    for (let i = 0; i < zones.length; i++) {
      const image = this.#images.get(zones[i]!)!;
      const b = this.#idOf(image.buffer);
      ids[i] = this.#idOf(zones[i]!);
      bufferOf[i] = b;
      at[i] = image.at;
      inUse.set(b, image.buffer);
    }
    const unavailableWire = unavailable.map((n) => n.wire);
    const restrictedIds = restricted.map((z) => this.#idOf(z));
    const settingsKey = JSON.stringify(settings);
    for (const t of this.#threads) {
      if (t === undefined) continue;
      const images: number[] = [];
      const known = new Set<number>();
      for (let i = 0; i < zones.length; i++) {
        const id = ids[i]!;
        if (!t.known.has(id) && !known.has(id)) images.push(id, bufferOf[i]!, at[i]!);
        known.add(id);
      }
      const buffers: [number, SharedArrayBuffer][] = [];
      for (const [b, buffer] of inUse) if (!t.buffers.has(b)) buffers.push([b, buffer]);
      const dropped: number[] = [];
      for (const b of t.buffers) if (!inUse.has(b)) dropped.push(b);
      this.#buffersDropped += dropped.length;
      t.known = known;
      t.buffers = new Set(inUse.keys());
      const changed = t.settingsKey !== settingsKey;
      t.settingsKey = settingsKey;
      this.#post(t, {
        t: 'publish', gen, zones: ids, images: Int32Array.from(images), buffers, dropped, unavailable: unavailableWire, restricted: restrictedIds, settings: changed ? settings : null,
      });
    }
    // After every post: a thread that reads the new generation finds its set on its port.
    Atomics.store(this.#generation, 0, gen);
  }

  /** Listens on exactly `listen` in every thread (the new addresses bound, all or none; the others closed). */
  async listen(listen: ThreadAddress[]): Promise<ThreadListenFailure[]> {
    const before = this.#listen;
    const failed = await this.#listenAll(listen);
    if (failed.length > 0) {
      // Some threads may have bound them: back to what was (once; what still fails there is logged).
      const back = await this.#listenAll(before);
      if (back.length > 0) this.#o.log.error({ failed: back }, `serving threads: an address could not be listened on again: ${back[0]!.message}`);
    }
    return failed;
  }

  /** Every thread listens on exactly `listen`; the failures (the first thread's that had any). */
  async #listenAll(listen: ThreadAddress[]): Promise<ThreadListenFailure[]> {
    this.#listen = listen;
    const seq = ++this.#seq;
    const results = await Promise.all(this.#threads.filter((t) => t !== undefined).map((t) => {
      const p = new Promise<ThreadListenFailure[]>((resolve) => t.waiting.set(seq, resolve));
      this.#post(t, { t: 'listen', seq, listen });
      return p;
    }));
    return results.find((f) => f.length > 0) ?? [];
  }

  /** Counting on or off (metrics.listen set or not). */
  metrics(on: boolean): void {
    for (const t of this.#threads) if (t !== undefined) this.#post(t, { t: 'metrics', on });
  }

  /** Every thread collects and compacts its heap (after the zone loads the main thread compacts after: serve.ts). */
  compact(): void {
    for (const t of this.#threads) if (t !== undefined) this.#post(t, { t: 'compact' });
  }

  logLevel(level: string): void {
    this.#level = level;
    for (const t of this.#threads) if (t !== undefined) this.#post(t, { t: 'level', level });
  }

  /** Every thread's query counters, and those of threads that ended. */
  counters(): QueryCounters[] {
    return [this.#gone, ...this.#threads.filter((t) => t !== undefined).map((t) => t.counters)];
  }

  /** The UDP requests each running thread counted, by position (thread index firstIndex + position). */
  threadRequests(): number[] {
    return this.#threads.map((t) => (t === undefined ? 0 : t.counters.requests.reduce((a, b) => a + b, 0)));
  }

  /** The batched sockets' counters over every thread. */
  udpCounters(): { sendDropped: number; sendRetried: number; truncated: number } {
    const s = [...this.#goneUdp];
    for (const t of this.#threads) if (t !== undefined) for (let i = 0; i < 3; i++) s[i]! += t.udpStats[i]!;
    return { sendDropped: s[0]!, sendRetried: s[1]!, truncated: s[2]! };
  }

  /** Closes every thread's sockets; terminates a thread that has not ended after STOP_GRACE_MS. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await Promise.all(this.#threads.filter((t) => t !== undefined).map((t) => new Promise<void>((resolve) => {
      const hard = setTimeout(() => void t.worker.terminate().then(() => resolve(), () => resolve()), STOP_GRACE_MS);
      t.worker.once('exit', () => {
        clearTimeout(hard);
        resolve();
      });
      this.#post(t, { t: 'stop' });
    })));
  }
}

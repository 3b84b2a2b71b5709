/**
 * A serving thread (issue 16 §3): a node:worker_threads worker that answers
 * UDP queries on its own SO_REUSEPORT socket per listen address, from zones
 * the main thread built and shares as images (SharedArrayBuffers, not
 * copies). It owns nothing: no files, no transfers, no timers of zones.
 * What only the main thread can answer (NOTIFY, other opcodes, IXFR and
 * AXFR) is relayed there and its answer sent from here (owner-relay.ts).
 *
 * Every thread serves the same zone set: the main thread posts a new one to
 * each, then flips one shared generation word; each thread reads that word
 * before each datagram and, when it moved, takes the posted set at once
 * (receiveMessageOnPort), so no thread answers from the old set once the
 * flip is made.
 */
import { getHeapStatistics } from 'node:v8';
import { isMainThread, parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { createLogger, type Logger } from '../log/logger.js';
import { ZoneSet } from '../query/index.js';
import { BatchedUdpListener, batchedUdpCounters } from '../server/batched-udp-listener.js';
import { loadBatchModule, type BatchModule } from '../server/batched-udp-socket.js';
import { threadHotAnswersFor, type HotAnswers } from '../server/hot-answers.js';
import type { QueryHooks } from '../server/listener-callbacks.js';
import type { OwnerRelay } from '../server/owner-relay.js';
import { QueryCounters } from '../server/query-counters.js';
import { Responder } from '../server/responder.js';
import { UdpListener } from '../server/udp-listener.js';
import { Name } from '../wire/index.js';
import { CookieSource } from './cookie-source.js';
import { compactHeap, fullGc } from './heap-compaction.js';
import { queryLogger } from './query-log.js';
import { RateLimitService } from './rate-limit-service.js';
import type { FromThread, PublishMessage, ThreadAddress, ThreadListenFailure, ThreadSettings, ThreadStart, ToThread } from './serving-thread-messages.js';
import { ThreadHooks } from './thread-hooks.js';
import { imageBuffer, zoneFromImage, type ImageBuffer, type Zone } from '../zone/index.js';

/** Relayed queries waiting for the main thread's answer, at most (more are dropped, as a full socket buffer would). */
const MAX_RELAYED = 1000;
/** A relayed query not answered in this long is forgotten (the client retries). */
const RELAY_TIMEOUT_MS = 5000;
/** Heap growth (octets) after which a serving thread collects its garbage (see #tick). */
const GROWTH_BEFORE_GC = 16 << 20;
/** How long a thread waits for a generation it saw flipped to arrive on its port (it is posted before the flip). */
const CATCH_UP_MS = 1000;

class ServingThread {
  readonly #start: ThreadStart;
  readonly #port: MessagePort;
  readonly #generation: Int32Array;
  readonly #udpStats: Float64Array;
  readonly #log: Logger;
  readonly #module: BatchModule | null;
  readonly #hooks: QueryHooks;
  readonly #counters: QueryCounters;
  readonly #rateLimits: RateLimitService;
  readonly #cookies: CookieSource;
  #settings: ThreadSettings;
  #threadHooks: ThreadHooks;
  #hot: { size: number; table: HotAnswers | null } = { size: -1, table: null };
  #served = 0;
  #zones = new Map<number, Zone>();
  /** The views of each image buffer the main thread has sent (and not dropped), by its id: one pair per buffer, not per zone. */
  readonly #buffers = new Map<number, ImageBuffer>();
  /** Sets posted, in order, not yet flipped to. */
  readonly #pending: PublishMessage[] = [];
  #responder: Responder;
  readonly #listeners = new Map<string, UdpListener | BatchedUdpListener>();
  readonly #relayed = new Map<number, { reply: (r: Uint8Array | null) => void; at: number }>();
  #relayId = 0;
  readonly #relay: OwnerRelay;
  readonly #timer: NodeJS.Timeout;
  /** Heap in use after the last full collection this thread made (see #tick). */
  #usedAfterGc = 0;
  readonly #gc = fullGc();
  /** For the bounded wait of a catch-up. */
  readonly #nap = new Int32Array(new SharedArrayBuffer(4));

  constructor(start: ThreadStart, port: MessagePort) {
    this.#start = start;
    this.#port = port;
    this.#generation = new Int32Array(start.generation);
    this.#udpStats = new Float64Array(start.udpStats);
    this.#settings = start.settings;
    this.#log = createLogger(start.settings.logLevel, { thread: start.index });
    this.#module = start.udpIo === 'batched' ? loadBatchModule(...(start.modulePath === '' ? [] : [start.modulePath])).module : null;
    this.#counters = new QueryCounters(start.counters);
    this.#hooks = { counters: start.metrics ? this.#counters : null, observe: null };
    this.#rateLimits = new RateLimitService(this.#log);
    this.#rateLimits.configure(start.settings.rateLimit);
    this.#cookies = new CookieSource(start.cookieSeed);
    this.#threadHooks = this.#newHooks(start.settings);
    this.#responder = this.#newResponder([], [], [], undefined);
    this.#followLevel();
    this.#relay = {
      relay: (query, address, reply) => {
        if (this.#relayed.size >= MAX_RELAYED) return;
        const id = ++this.#relayId;
        this.#relayed.set(id, { reply, at: performance.now() });
        // Copied by postMessage (not transferred: the octets may share an ArrayBuffer with others).
        this.#post({ t: 'relay', id, query, address });
      },
    };
    this.#timer = setInterval(() => this.#tick(), 1000);
  }

  #post(m: FromThread): void {
    this.#port.postMessage(m);
  }

  #newHooks(s: ThreadSettings): ThreadHooks {
    return new ThreadHooks(s, (info) => this.#post({ t: 'tsig-failed', info }));
  }

  #newResponder(zones: Zone[], unavailable: Name[], restricted: Zone[], previous: ZoneSet | undefined): Responder {
    const s = this.#settings;
    // A thread's prepared answers are all hot answers (one ring of octets; the responder then keeps no AnswerCache,
    // whose objects per answer each thread would hold again: see keepPrepared), a quarter of its share of
    // answer-cache-size: with two threads, what one process gives its hot answers (an eighth). The table part of
    // a HotAnswers (an eighth of it) is all resident once used; the ring only as far as it is written.
    if (this.#hot.size !== s.answerCacheSize) this.#hot = { size: s.answerCacheSize, table: threadHotAnswersFor(s.answerCacheSize) };
    return new Responder(
      new ZoneSet(zones, unavailable, restricted, previous),
      {
        udpPayload: s.udpPayload, identity: s.identity, version: s.version, answerCacheSize: this.#hot.table?.bytes ?? s.answerCacheSize,
        rateLimiter: this.#rateLimits.limiter, cookies: this.#cookies.for(s), hotAnswers: this.#hot.table,
      },
      this.#threadHooks,
    );
  }

  #followLevel(): void {
    this.#hooks.observe = this.#log.isLevelEnabled('debug') ? queryLogger(this.#log, this.#settings.querySample) : null;
  }

  /** The responder of the generation flipped last (read by the listeners before each datagram). */
  readonly current = (): Responder => {
    if (Atomics.load(this.#generation, 0) !== this.#served) this.#catchUp();
    return this.#responder;
  };

  /**
   * Serves the generation flipped to: the sets posted before the flip are
   * taken off the port at once (receiveMessageOnPort), not when the event
   * loop gets to them. Bounded: the set is posted before the flip, so it is
   * there; a wait is only a guard against a bug of ours.
   */
  #catchUp(): void {
    this.#advance();
    const until = performance.now() + CATCH_UP_MS;
    while (Atomics.load(this.#generation, 0) !== this.#served) {
      const m = receiveMessageOnPort(this.#port);
      if (m !== undefined) {
        this.#handle(m.message as ToThread);
        continue;
      }
      if (performance.now() > until) {
        this.#log.error({ generation: Atomics.load(this.#generation, 0), served: this.#served }, 'serving thread: a zone set flipped to did not arrive; answering from the one before');
        this.#served = Atomics.load(this.#generation, 0);
        return;
      }
      Atomics.wait(this.#nap, 0, 0, 1);
    }
  }

  /** Applies the sets posted whose generation has been flipped to (one posted but not yet flipped waits: every thread switches at the flip). */
  #advance(): void {
    const flipped = Atomics.load(this.#generation, 0);
    while (this.#pending.length > 0 && this.#pending[0]!.gen <= flipped) this.#publish(this.#pending.shift()!);
  }

  #handle(m: ToThread): void {
    switch (m.t) {
      case 'publish':
        this.#pending.push(m);
        this.#advance();
        return;
      case 'reply': {
        const r = this.#relayed.get(m.id);
        if (r === undefined) return;
        this.#relayed.delete(m.id);
        r.reply(m.response);
        return;
      }
      case 'listen':
        void this.#listen(m.listen).then((failed) => this.#post({ t: 'listened', seq: m.seq, failed }));
        return;
      case 'metrics':
        this.#hooks.counters = m.on ? this.#counters : null;
        return;
      case 'level':
        this.#log.level = m.level;
        this.#followLevel();
        return;
      case 'compact':
        compactHeap();
        this.#usedAfterGc = getHeapStatistics().used_heap_size;
        return;
      case 'stop':
        void this.#stop();
        return;
    }
  }

  #publish(m: PublishMessage): void {
    if (m.settings !== null) {
      this.#settings = m.settings;
      this.#rateLimits.configure(m.settings.rateLimit);
      this.#threadHooks = this.#newHooks(m.settings);
      this.#followLevel();
    }
    for (const [id, buffer] of m.buffers) this.#buffers.set(id, imageBuffer(buffer));
    const made = new Map<number, Zone>();
    const images = m.images;
    for (let k = 0; k + 2 < images.length; k += 3) {
      const buffer = this.#buffers.get(images[k + 1]!);
      // The main thread sends each buffer before (or with) the first image in it; one missing is a bug of ours.
      if (buffer === undefined) this.#log.error({ zone: images[k], buffer: images[k + 1] }, 'serving thread: a zone image came without its buffer');
      else made.set(images[k]!, zoneFromImage({ buffer: buffer.buffer, at: images[k + 2]! }, buffer));
    }
    for (const id of m.dropped) this.#buffers.delete(id);
    const next = new Map<number, Zone>();
    const zones: Zone[] = [];
    for (const id of m.zones) {
      const z = made.get(id) ?? this.#zones.get(id);
      if (z === undefined) {
        // The main thread sends each zone's image once per thread; one missing is a bug of ours, said once per publish.
        this.#log.error({ zone: id }, 'serving thread: a zone was published without its image; it is not served here');
        continue;
      }
      next.set(id, z);
      zones.push(z);
    }
    const restricted = m.restricted.map((id) => next.get(id)).filter((z): z is Zone => z !== undefined);
    const unavailable = m.unavailable.map((w) => Name.fromWire(w));
    this.#zones = next;
    this.#responder = this.#newResponder(zones, unavailable, restricted, this.#responder.zones);
    this.#served = m.gen;
  }

  /** Listens on exactly `want`: binds the new addresses (all or none) and closes the others. */
  async #listen(want: ThreadAddress[]): Promise<ThreadListenFailure[]> {
    const failed: ThreadListenFailure[] = [];
    const added: [string, UdpListener | BatchedUdpListener][] = [];
    const onError = (err: unknown, what: string): void => this.#log.error({ err }, `${what}: ${(err as Error)?.message ?? String(err)}`);
    for (const a of want) {
      if (this.#listeners.has(a.key)) continue;
      const options = { reusePort: true, relay: this.#relay };
      const l = this.#module !== null
        ? new BatchedUdpListener(this.#module, this.current, a.host, a.port, onError, this.#hooks, options)
        : new UdpListener(this.current, a.host, a.port, onError, this.#hooks, options);
      try {
        await l.listen();
        added.push([a.key, l]);
      } catch (err) {
        await l.close();
        const e = err as NodeJS.ErrnoException;
        failed.push({ key: a.key, port: a.port, errno: typeof e?.code === 'string' ? e.code : null, message: e?.message ?? String(err) });
      }
    }
    if (failed.length > 0) {
      await Promise.all(added.map(([, l]) => l.close()));
      return failed;
    }
    for (const [key, l] of added) this.#listeners.set(key, l);
    const keep = new Set(want.map((a) => a.key));
    for (const [key, l] of [...this.#listeners]) {
      if (keep.has(key)) continue;
      this.#listeners.delete(key);
      await l.close();
    }
    return failed;
  }

  /** Once a second: the generation (when idle), the socket counters for the metrics page, relayed queries left unanswered. */
  #tick(): void {
    this.current();
    // The nodes a thread makes for questions not yet hot die once answered (the image's zone holds them
    // weakly, ImageNodeTable), but only a full collection frees them, which V8 puts off while the heap may
    // grow: one here when the heap has grown by GROWTH_BEFORE_GC since the last (a few ms, this thread only).
    const used = getHeapStatistics().used_heap_size;
    if (used > this.#usedAfterGc + GROWTH_BEFORE_GC) {
      this.#gc();
      this.#usedAfterGc = getHeapStatistics().used_heap_size;
    }
    const t = batchedUdpCounters();
    this.#udpStats[0] = t.sendDropped;
    this.#udpStats[1] = t.sendRetried;
    this.#udpStats[2] = t.truncated;
    const old = performance.now() - RELAY_TIMEOUT_MS;
    for (const [id, r] of this.#relayed) if (r.at < old) this.#relayed.delete(id);
  }

  async #stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#rateLimits.stop();
    await Promise.all([...this.#listeners.values()].map((l) => l.close()));
    this.#listeners.clear();
    this.#port.close();
  }

  async run(): Promise<void> {
    this.#port.on('message', (m: ToThread) => this.#handle(m));
    const failed = await this.#listen(this.#start.listen);
    this.#post({ t: 'listened', seq: 0, failed });
  }
}

const start = workerData as ThreadStart | null;
if (!isMainThread && parentPort !== null && start !== null && start.tyneServingThread === true) {
  void new ServingThread(start, parentPort).run();
}

/**
 * Raw DNS query helpers for tests: real sockets on 127.0.0.1, bounded
 * timeouts, no retries.
 */
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { Name, RRType, decodeMessage, emptyMessage, encodeMessageToBytes, type EdnsOption } from '../../src/wire/index.js';
import { FrameReader, frame, frameAll } from './tcp-framing.js';

export interface QuerySpec {
  id: number;
  /** Presentation form; a missing trailing dot is added. Case is kept. */
  name: string;
  type: number;
  cls?: number;
  rd?: boolean;
  cd?: boolean;
  ad?: boolean;
  edns?: { udpPayload: number; version?: number; do?: boolean; options?: EdnsOption[] };
}

/** Encodes a one-question query (no compression needed: one name). */
export function buildQuery(q: QuerySpec): Uint8Array {
  const m = emptyMessage(q.id & 0xffff);
  m.rd = q.rd ?? false;
  m.cd = q.cd ?? false;
  m.ad = q.ad ?? false;
  const text = q.name.endsWith('.') ? q.name : `${q.name}.`;
  m.questions.push({ name: Name.fromText(text), type: q.type, class: q.cls ?? 1 });
  if (q.edns) {
    m.edns = {
      udpPayload: q.edns.udpPayload,
      version: q.edns.version ?? 0,
      dnssecOk: q.edns.do ?? false,
      z: 0,
      options: q.edns.options ?? [],
    };
  }
  return encodeMessageToBytes(m);
}

/** The message ID of a raw message (0 when too short). */
export function messageId(b: Uint8Array): number {
  return b.length >= 2 ? (b[0]! << 8) | b[1]! : 0;
}

/**
 * Sends one datagram from an ephemeral port of `host` (127.0.0.1, or ::1)
 * to `host`:`port` and resolves with the first reply carrying the same ID;
 * rejects after `timeoutMs`.
 */
export function queryUdp(port: number, bytes: Uint8Array, timeoutMs = 2000, host = '127.0.0.1'): Promise<Uint8Array> {
  // From an ephemeral port of `host` itself.
  return queryUdpSeen(host, port, bytes, timeoutMs, host).then((r) => r.bytes);
}

/** A UDP reply and where it came from. */
export interface SeenReply {
  bytes: Uint8Array;
  /** The reply's source address (as node:dgram's rinfo gives it) and port. */
  from: { address: string; port: number };
}

/**
 * Sends one datagram to `host`:`port` from an unconnected socket (an
 * ephemeral port of `local`, or of the wildcard address of `host`'s family)
 * and resolves with the first reply carrying the same ID and the address
 * it came from. A socket that connect()s would drop a reply from another
 * address than `host`; this one receives it, so a test can see where it
 * came from. Rejects after `timeoutMs`.
 */
export function queryUdpSeen(host: string, port: number, bytes: Uint8Array, timeoutMs = 2000, local?: string): Promise<SeenReply> {
  const id = messageId(bytes);
  return new Promise((resolve, reject) => {
    const sock = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    let done = false;
    const finish = (err: Error | null, reply?: SeenReply): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      try {
        sock.close();
      } catch {
        // already closed
      }
      if (err) reject(err);
      else resolve(reply!);
    };
    const timer = setTimeout(() => finish(new Error(`UDP query id ${id} to ${host}:${port} timed out after ${timeoutMs} ms`)), timeoutMs);
    sock.on('error', (e) => finish(e));
    sock.on('message', (msg, rinfo) => {
      if (messageId(msg) === id) finish(null, { bytes: new Uint8Array(msg), from: { address: rinfo.address, port: rinfo.port } });
    });
    sock.bind(0, local, () => {
      sock.send(bytes, port, host, (e) => {
        if (e) finish(e);
      });
    });
  });
}

/**
 * Opens one TCP connection, writes every query (each with its 2-octet
 * length prefix, RFC 7766 §8) in a single write, and collects answers until
 * each query's ID has been answered. Returns the answers in the order of
 * `queries` (matched by ID, so the server may answer out of order). IDs
 * must be distinct. Rejects after `timeoutMs` or if the server closes early.
 */
export function queryTcp(port: number, queries: Uint8Array[], timeoutMs = 5000): Promise<Uint8Array[]> {
  const ids = queries.map(messageId);
  if (new Set(ids).size !== ids.length) return Promise.reject(new Error('queryTcp: query IDs must be distinct'));
  return new Promise((resolve, reject) => {
    const answers = new Map<number, Uint8Array>();
    const reader = new FrameReader();
    let done = false;
    const sock = connect({ port, host: '127.0.0.1' });
    const finish = (err: Error | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(ids.map((id) => answers.get(id)!));
    };
    const timer = setTimeout(
      () => finish(new Error(`TCP: ${answers.size}/${ids.length} answers from 127.0.0.1:${port} after ${timeoutMs} ms`)),
      timeoutMs,
    );
    sock.on('error', (e) => finish(e));
    sock.on('close', () => finish(new Error(`TCP connection closed after ${answers.size}/${ids.length} answers`)));
    sock.on('connect', () => {
      sock.write(frameAll(queries));
    });
    sock.on('data', (chunk: Buffer) => {
      reader.push(chunk);
      for (let msg = reader.next(); msg !== null; msg = reader.next()) {
        const id = messageId(msg);
        if (!ids.includes(id)) return finish(new Error(`TCP: answer with unexpected id ${id}`));
        if (answers.has(id)) return finish(new Error(`TCP: second answer for id ${id}`));
        answers.set(id, msg);
      }
      if (answers.size === ids.length) finish(null);
    });
  });
}

/** One TCP connection read a message at a time, at the test's pace (to read a transfer slowly). */
export interface TcpConversation {
  /** Writes `msg` with its 2-octet length prefix. */
  send(msg: Uint8Array): void;
  /** The next whole message; rejects after `timeoutMs` (default 5000) or when the connection ends first. */
  next(timeoutMs?: number): Promise<Uint8Array>;
  /** Stops reading from the socket, so the server's writes back up (messages already read stay available). */
  pause(): void;
  resume(): void;
  /** Octets received so far (length prefixes included). */
  readonly received: number;
  /** The connection has ended (the server closed or reset it, or `close` was called). */
  readonly isClosed: boolean;
  /** Resolves once the connection has ended. */
  readonly closed: Promise<void>;
  close(): void;
}

/**
 * Connects to 127.0.0.1:`port` (or `host`) over TCP, from `localAddress`
 * when given (127.0.0.2 and up are other clients on Linux's loopback);
 * rejects after `timeoutMs`.
 */
export function openTcp(port: number, host = '127.0.0.1', timeoutMs = 2000, localAddress?: string): Promise<TcpConversation> {
  return new Promise((resolve, reject) => {
    const sock = connect({ port, host, ...(localAddress === undefined ? {} : { localAddress }) });
    let isClosed = false;
    const closed = new Promise<void>((res) => sock.once('close', () => {
      isClosed = true;
      res();
    }));
    const reader = new FrameReader();
    let received = 0;
    let ended: Error | null = null;
    let wake: (() => void) | null = null;
    const poke = (): void => {
      const w = wake;
      wake = null;
      w?.();
    };
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`TCP connect to ${host}:${port} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    sock.on('data', (chunk: Buffer) => {
      received += chunk.length;
      reader.push(chunk);
      poke();
    });
    sock.on('error', (e) => {
      ended ??= e;
      clearTimeout(timer);
      reject(e);
      poke();
    });
    sock.on('close', () => {
      ended ??= new Error(`TCP connection to ${host}:${port} closed`);
      poke();
    });
    sock.once('connect', () => {
      clearTimeout(timer);
      resolve({
        send(msg) {
          sock.write(frame(msg));
        },
        async next(ms = 5000) {
          const deadline = Date.now() + ms;
          for (;;) {
            const m = reader.next();
            if (m !== null) return m;
            if (ended !== null) throw ended;
            const left = deadline - Date.now();
            if (left <= 0) throw new Error(`no whole message from ${host}:${port} within ${ms} ms (${received} octets so far)`);
            await new Promise<void>((r) => {
              const t = setTimeout(r, left);
              wake = () => {
                clearTimeout(t);
                r();
              };
            });
          }
        },
        pause: () => sock.pause(),
        resume: () => sock.resume(),
        get received() {
          return received;
        },
        get isClosed() {
          return isClosed;
        },
        closed,
        close: () => sock.destroy(),
      });
    });
  });
}

/** The SOA serial 127.0.0.1:`port` answers for `zone` over UDP (null: an answer without one). Faster than dig, for tight polls. */
export async function soaSerialUdp(port: number, zone: string, timeoutMs = 1000): Promise<number | null> {
  const m = decodeMessage(await queryUdp(port, buildQuery({ id: 0x5a5a, name: zone, type: RRType.SOA }), timeoutMs));
  const soa = m.answers.find((r) => r.type === RRType.SOA);
  return soa === undefined ? null : Buffer.from(soa.rdata).readUInt32BE(soa.rdata.length - 20);
}

/** An IXFR query carrying `serial` in the authority SOA (RFC 1995 §3). */
export function ixfrQuery(id: number, zone: string, serial: number): Uint8Array {
  const origin = Name.fromText(`${zone}.`);
  const m = emptyMessage(id);
  m.questions.push({ name: origin, type: RRType.IXFR, class: 1 });
  const rdata = Buffer.concat([
    Buffer.from(Name.fromText(`ns1.${zone}.`).wire),
    Buffer.from(Name.fromText(`hostmaster.${zone}.`).wire),
    Buffer.from(new Uint32Array([0, 0, 0, 0, 0]).buffer),
  ]);
  rdata.writeUInt32BE(serial, rdata.length - 20);
  m.authorities.push({ name: origin, type: RRType.SOA, class: 1, ttl: 0, rdata: new Uint8Array(rdata) });
  return encodeMessageToBytes(m);
}

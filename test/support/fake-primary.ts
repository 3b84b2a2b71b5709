/**
 * Fake primaries for secondary and transfer-client tests, on 127.0.0.1.
 *
 * `startScriptedPrimary`: a TCP server (and a UDP one on the same port
 * when asked) that answers each query as its handler scripts: framed
 * messages, raw octets, pauses, a close or a reset; so a test can send a
 * good transfer, a broken one, or nothing. It records every query.
 *
 * `startFakePrimary`: a minimal real primary built on it, answering SOA
 * queries over UDP with its zone's SOA and AXFR over TCP with the whole
 * zone in one message (IXFR gets NOTIMP, which sends the secondary to
 * AXFR). It counts what it is asked, so a test can see how hard a
 * secondary leans on its primary.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { loadZoneText } from '../../src/zone/load-zone.js';
import { Name, Opcode, RRType, Rcode, decodeMessage, emptyMessage, encodeMessageToBytes, type Message } from '../../src/wire/index.js';
import type { Peer } from '../../src/xfr/peer.js';
import type { Zone } from '../../src/zone/index.js';
import { freePort } from './ports.js';
import { FrameReader, frame } from './tcp-framing.js';
import { sleep } from './wait.js';

/** One thing the fake does on a TCP connection: send a message (framed), raw octets, wait, close (FIN) or reset. */
export type PrimaryStep = Uint8Array | { raw: Uint8Array } | { delayMs: number } | 'close' | 'reset';
/** What to do for query `q` (its octets `raw`) on the `connection`th TCP connection (from 0). */
export type TcpScript = (q: Message, raw: Uint8Array, connection: number) => PrimaryStep[];
/** The answer to a UDP query, or null for none. */
export type UdpScript = (q: Message, raw: Uint8Array) => Uint8Array | null;

export interface ScriptedPrimary {
  readonly port: number;
  /** The fake as a primary to transfer from (127.0.0.1, no key). */
  readonly peer: Peer;
  /** Every query received (TCP and UDP), in order. */
  readonly queries: Message[];
  /** Resets every connection still open (between cases). */
  disconnect(): void;
  close(): Promise<void>;
}

/**
 * Starts a scripted primary: TCP on `port` (default: a free one), and UDP
 * on the same port when `udp` is given. A query that does not decode is
 * dropped (UDP) or resets its connection (TCP).
 */
export async function startScriptedPrimary(tcp: TcpScript, udp?: UdpScript, opts: { port?: number } = {}): Promise<ScriptedPrimary> {
  const sockets = new Set<Socket>();
  const queries: Message[] = [];
  let connections = 0;
  const server: Server = createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    const n = connections++;
    const reader = new FrameReader();
    sock.on('data', async (chunk: Buffer) => {
      reader.push(chunk);
      for (let raw = reader.next(); raw !== null; raw = reader.next()) {
        let q: Message;
        try {
          q = decodeMessage(raw);
        } catch {
          sock.destroy();
          return;
        }
        queries.push(q);
        for (const step of tcp(q, raw, n)) {
          if (sock.destroyed) return;
          if (step === 'close') sock.end();
          else if (step === 'reset') sock.destroy();
          else if (step instanceof Uint8Array) sock.write(frame(step));
          else if ('raw' in step) sock.write(step.raw);
          else await sleep(step.delayMs);
        }
      }
    });
  });
  const wanted = opts.port ?? (udp === undefined ? 0 : await freePort());
  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(wanted, '127.0.0.1', () => res());
  });
  const port = (server.address() as { port: number }).port;
  let usock: UdpSocket | null = null;
  if (udp !== undefined) {
    const u = createSocket('udp4');
    usock = u;
    u.on('message', (data, rinfo) => {
      const raw = new Uint8Array(data);
      let q: Message;
      try {
        q = decodeMessage(raw);
      } catch {
        return;
      }
      queries.push(q);
      const out = udp(q, raw);
      if (out !== null) u.send(out, rinfo.port, rinfo.address);
    });
    await new Promise<void>((res, rej) => {
      u.once('error', rej);
      u.bind(port, '127.0.0.1', () => res());
    });
  }
  let closed = false;
  return {
    port,
    peer: { host: '127.0.0.1', port, family: 4, key: null },
    queries,
    disconnect() {
      for (const s of sockets) s.destroy();
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const s of sockets) s.destroy();
      await new Promise<void>((res) => server.close(() => res()));
      if (usock !== null) await new Promise<void>((res) => usock!.close(() => res()));
    },
  };
}

/** An empty answer to `q`: QR and AA set, its first question echoed. */
export function primaryReply(q: Message): Message {
  const m = emptyMessage(q.id);
  m.qr = true;
  m.aa = true;
  m.opcode = Opcode.QUERY;
  m.questions = q.questions.slice(0, 1);
  return m;
}

export interface FakePrimary {
  readonly port: number;
  /** SOA queries received over UDP so far. */
  readonly soaQueries: number;
  /** AXFR requests received so far. */
  readonly axfrs: number;
  /** Serves `text` from now on. */
  setZone(text: string): void;
  readonly zone: Zone;
  close(): Promise<void>;
}

/** Starts a fake primary for `origin`, serving the zone text `text`. */
export async function startFakePrimary(origin: string, text: string): Promise<FakePrimary> {
  const name = Name.fromText(origin.endsWith('.') ? origin : `${origin}.`);
  let zone = loadZoneText(text, name);
  let soaQueries = 0;
  let axfrs = 0;
  const fake = await startScriptedPrimary(
    (q) => {
      const m = primaryReply(q);
      if (q.questions[0]?.type === RRType.AXFR) {
        axfrs++;
        const recs = zone.canonicalRecords();
        const soa = recs.find((r) => r.type === RRType.SOA)!;
        m.answers = [soa, ...recs.filter((r) => r !== soa), soa];
      } else {
        m.aa = false;
        m.rcode = Rcode.NOTIMP;
      }
      return [encodeMessageToBytes(m), 'close'];
    },
    (q) => {
      if (q.qr || q.questions[0]?.type !== RRType.SOA) return null;
      soaQueries++;
      const m = primaryReply(q);
      m.answers = [{ name, type: RRType.SOA, class: 1, ttl: zone.soa.ttl, rdata: zone.soa.rdatas[0]! }];
      return encodeMessageToBytes(m);
    },
  );
  return {
    port: fake.port,
    get soaQueries() {
      return soaQueries;
    },
    get axfrs() {
      return axfrs;
    },
    get zone() {
      return zone;
    },
    setZone(t: string) {
      zone = loadZoneText(t, name);
    },
    close: () => fake.close(),
  };
}

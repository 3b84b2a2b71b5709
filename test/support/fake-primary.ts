/**
 * A minimal primary for secondary tests: answers SOA queries over UDP with
 * its zone's SOA and AXFR over TCP with the whole zone in one message
 * (IXFR gets NOTIMP, which sends the secondary to AXFR), on 127.0.0.1.
 * It counts what it is asked, so a test can see how hard a secondary
 * leans on its primary.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { loadZoneText } from '../../src/zone/load-zone.js';
import { Name, Opcode, RRType, Rcode, decodeMessage, emptyMessage, encodeMessageToBytes, type Message } from '../../src/wire/index.js';
import type { Zone } from '../../src/zone/index.js';
import { freePort } from './ports.js';

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

function reply(q: Message): Message {
  const m = emptyMessage(q.id);
  m.qr = true;
  m.aa = true;
  m.opcode = Opcode.QUERY;
  m.questions = q.questions.slice(0, 1);
  return m;
}

function frame(b: Uint8Array): Buffer {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(b.length);
  return Buffer.concat([len, Buffer.from(b)]);
}

/** Starts a fake primary for `origin`, serving the zone text `text`. */
export async function startFakePrimary(origin: string, text: string): Promise<FakePrimary> {
  const name = Name.fromText(origin.endsWith('.') ? origin : `${origin}.`);
  let zone = loadZoneText(text, name);
  let soaQueries = 0;
  let axfrs = 0;
  const port = await freePort();
  const udp: UdpSocket = createSocket('udp4');
  udp.on('message', (data, rinfo) => {
    let q: Message;
    try {
      q = decodeMessage(new Uint8Array(data));
    } catch {
      return;
    }
    if (q.qr || q.questions[0]?.type !== RRType.SOA) return;
    soaQueries++;
    const m = reply(q);
    m.answers = [{ name, type: RRType.SOA, class: 1, ttl: zone.soa.ttl, rdata: zone.soa.rdatas[0]! }];
    udp.send(encodeMessageToBytes(m), rinfo.port, rinfo.address);
  });
  await new Promise<void>((res, rej) => {
    udp.once('error', rej);
    udp.bind(port, '127.0.0.1', () => res());
  });
  const conns = new Set<Socket>();
  const tcp: Server = createServer((sock) => {
    conns.add(sock);
    sock.on('close', () => conns.delete(sock));
    sock.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    sock.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length < 2 || buf.length < 2 + buf.readUInt16BE(0)) return;
      const q = decodeMessage(new Uint8Array(buf.subarray(2, 2 + buf.readUInt16BE(0))));
      buf = Buffer.alloc(0);
      const m = reply(q);
      if (q.questions[0]?.type === RRType.AXFR) {
        axfrs++;
        const recs = zone.canonicalRecords();
        const soa = recs.find((r) => r.type === RRType.SOA)!;
        m.answers = [soa, ...recs.filter((r) => r !== soa), soa];
      } else {
        m.aa = false;
        m.rcode = Rcode.NOTIMP;
      }
      sock.end(frame(encodeMessageToBytes(m)));
    });
  });
  await new Promise<void>((res, rej) => {
    tcp.once('error', rej);
    tcp.listen(port, '127.0.0.1', () => res());
  });
  return {
    port,
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
    async close() {
      for (const c of conns) c.destroy();
      await new Promise<void>((res) => tcp.close(() => res()));
      await new Promise<void>((res) => udp.close(() => res()));
    },
  };
}

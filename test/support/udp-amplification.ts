/**
 * Sends the same UDP query many times from one socket (a spoofed-source
 * amplification attack seen from the victim's address) and counts what
 * comes back: answers, truncated answers (TC=1) and octets each way, so a
 * test or the benchmark can compute the amplification factor. Real
 * sockets on 127.0.0.1 (or ::1); bounded in count and time.
 */
import { createSocket } from 'node:dgram';
import { performance } from 'node:perf_hooks';

export interface FloodOptions {
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The query; its ID is replaced by a counter. */
  query: Uint8Array;
  count: number;
  /** Queries sent per timer turn (default 100; a turn is about 1 ms). */
  burst?: number;
  /** Stop waiting once nothing has come back for this long after the last send (default 300 ms). */
  quietMs?: number;
  /** Give up after this long in all (default 20 s). */
  timeoutMs?: number;
}

export interface FloodResult {
  sent: number;
  /** DNS octets sent (UDP payloads). */
  bytesSent: number;
  /** Responses received, TC ones included. */
  received: number;
  /** Of them, with TC=1. */
  truncated: number;
  /** DNS octets received. */
  bytesReceived: number;
  /** bytesReceived / bytesSent. */
  amplification: number;
  /** From the first send to the last send, ms. */
  sendMs: number;
}

export function udpFlood(o: FloodOptions): Promise<FloodResult> {
  const host = o.host ?? '127.0.0.1';
  const burst = o.burst ?? 100;
  const quietMs = o.quietMs ?? 300;
  const r: FloodResult = { sent: 0, bytesSent: 0, received: 0, truncated: 0, bytesReceived: 0, amplification: 0, sendMs: 0 };
  const q = Buffer.from(o.query);
  return new Promise((resolve, reject) => {
    const sock = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    let lastAt = performance.now();
    let started = 0;
    let timer: NodeJS.Timeout | undefined;
    const hard = setTimeout(() => finish(), o.timeoutMs ?? 20_000);
    const finish = (err?: Error): void => {
      clearTimeout(hard);
      if (timer !== undefined) clearTimeout(timer);
      sock.close();
      r.amplification = r.bytesSent === 0 ? 0 : r.bytesReceived / r.bytesSent;
      if (err !== undefined) reject(err);
      else resolve(r);
    };
    sock.on('error', (e) => finish(e));
    sock.on('message', (msg) => {
      lastAt = performance.now();
      r.received++;
      r.bytesReceived += msg.length;
      if (msg.length >= 3 && (msg[2]! & 0x02) !== 0) r.truncated++;
    });
    const waitQuiet = (): void => {
      if (performance.now() - lastAt >= quietMs) finish();
      else timer = setTimeout(waitQuiet, 50);
    };
    const pump = (): void => {
      for (let i = 0; i < burst && r.sent < o.count; i++) {
        q.writeUInt16BE(r.sent & 0xffff, 0);
        sock.send(q, o.port, host);
        r.sent++;
        r.bytesSent += q.length;
      }
      if (r.sent < o.count) {
        timer = setTimeout(pump, 1);
        return;
      }
      r.sendMs = performance.now() - started;
      lastAt = performance.now();
      timer = setTimeout(waitQuiet, 50);
    };
    sock.bind(0, host, () => {
      try {
        sock.setRecvBufferSize(8 << 20);
      } catch {
        // not allowed: keep the default
      }
      started = performance.now();
      pump();
    });
  });
}

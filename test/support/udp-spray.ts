/**
 * Sends prepared UDP packets at a steady rate for a bounded time, from one
 * socket on 127.0.0.1 (or ::1), without waiting for answers: the shape of
 * a flood of spoofed packets. Packets are taken in turn from `packets`,
 * their ID (first two octets) stepped each time.
 */
import { createSocket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { sleep } from './wait.js';

export interface SprayResult {
  sent: number;
  /** Answers that came back (counted, not read). */
  answers: number;
  ms: number;
}

export async function sprayUdp(
  port: number, packets: readonly Uint8Array[], opts: { perSecond: number; durationMs: number; host?: string },
): Promise<SprayResult> {
  const host = opts.host ?? '127.0.0.1';
  const sock = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  let answers = 0;
  sock.on('message', () => void answers++);
  sock.on('error', () => undefined);
  await new Promise<void>((res) => sock.bind(0, host, () => res()));
  const bufs = packets.map((p) => Buffer.from(p));
  const start = performance.now();
  let sent = 0;
  let id = 0;
  // Every 5 ms, send what the rate asks for up to now (bounded by the duration).
  await new Promise<void>((done) => {
    const tick = (): void => {
      const elapsed = performance.now() - start;
      const due = Math.min(Math.floor((Math.min(elapsed, opts.durationMs) * opts.perSecond) / 1000), Math.floor((opts.durationMs * opts.perSecond) / 1000));
      while (sent < due) {
        const b = bufs[sent % bufs.length]!;
        id = (id + 1) & 0xffff;
        b.writeUInt16BE(id, 0);
        sock.send(b, port, host);
        sent++;
      }
      if (elapsed >= opts.durationMs) done();
      else setTimeout(tick, 5);
    };
    tick();
  });
  await sleep(100);
  sock.close();
  return { sent, answers, ms: performance.now() - start };
}

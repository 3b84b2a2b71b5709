/**
 * The soak's UDP flood (fuzz/soak.ts): mutated datagrams from a few client
 * sockets, as many in flight as allowed and, when paced, no more than
 * `rate` a second; replies are counted and discarded. Bounded in count and
 * time.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { sleep } from '../test/support/wait.js';
import type { Generator } from './soak-traffic.js';

export interface UdpFloodOptions {
  /** Mutated datagrams to send. */
  packets: number;
  /** Most datagrams in flight (sent, unanswered, younger than 250 ms). */
  inFlight: number;
  /** Client sockets. */
  sockets: number;
  /** Datagrams a second at most (0: as fast as the in-flight window allows). */
  rate: number;
}

export interface UdpStats {
  sent: number;
  sendErrors: number;
  replies: number;
  elapsedMs: number;
}

/** Sends `o.packets` mutated datagrams to 127.0.0.1:`port` (until `deadline` or `stop()`), then waits a little for late replies. */
export async function udpFlood(port: number, gen: Generator, o: UdpFloodOptions, deadline: number, stop: () => boolean): Promise<UdpStats> {
  const st: UdpStats = { sent: 0, sendErrors: 0, replies: 0, elapsedMs: 0 };
  const socks: UdpSocket[] = [];
  for (let i = 0; i < o.sockets; i++) {
    const s = createSocket({ type: 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
    s.on('message', () => st.replies++);
    s.on('error', () => st.sendErrors++);
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    socks.push(s);
  }
  // In flight: send callbacks not yet run, plus datagrams sent in the last 250 ms (in 50 ms buckets) not yet answered.
  let pendingSends = 0;
  const buckets: number[] = [0, 0, 0, 0, 0];
  let bucketAt = Date.now();
  let expired = 0;
  const start = Date.now();
  const inFlight = (): number => {
    const now = Date.now();
    while (now - bucketAt >= 50) {
      expired += buckets.shift()!;
      buckets.push(0);
      bucketAt += 50;
      if (now - bucketAt > 1000) bucketAt = now;
    }
    return Math.max(pendingSends, st.sent - st.replies - expired);
  };
  let which = 0;
  // Paced: no more than `rate` datagrams sent by any moment since the start (a token bucket without a burst allowance).
  const allowed = (): number => (o.rate > 0 ? Math.floor(((Date.now() - start) * o.rate) / 1000) - st.sent : Infinity);
  while (st.sent < o.packets && Date.now() < deadline && !stop()) {
    if (inFlight() >= o.inFlight || allowed() <= 0) {
      await sleep(1);
      continue;
    }
    const batch = Math.min(64, o.packets - st.sent, o.inFlight - inFlight(), allowed());
    for (let i = 0; i < batch; i++) {
      const b = gen.next();
      const s = socks[which++ % socks.length]!;
      pendingSends++;
      st.sent++;
      buckets[buckets.length - 1]!++;
      s.send(b, port, '127.0.0.1', (e) => {
        pendingSends--;
        if (e) st.sendErrors++;
      });
    }
    await new Promise<void>((r) => setImmediate(r));
  }
  // Let late replies land (bounded), then close.
  for (let t = 0; t < 50 && pendingSends > 0; t++) await sleep(10);
  await sleep(200);
  st.elapsedMs = Date.now() - start;
  for (const s of socks) s.close();
  return st;
}

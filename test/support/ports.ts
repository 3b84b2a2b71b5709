import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

/**
 * A port on 127.0.0.1 that is free for both UDP and TCP right now: the
 * kernel picks a UDP port, and the same number must then bind for TCP.
 * Tries a bounded number of times.
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = createSocket(host.includes(':') ? 'udp6' : 'udp4');
      s.once('error', reject);
      s.bind(0, host, () => {
        const p = s.address().port;
        s.close(() => resolve(p));
      });
    });
    const tcpFree = await new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, host, () => srv.close(() => resolve(true)));
    });
    if (tcpFree) return port;
  }
  throw new Error('no free port found after 50 attempts');
}

/** `n` different free ports (see freePort), for tests that run several servers. */
export async function freePorts(n: number, host = '127.0.0.1'): Promise<number[]> {
  const out: number[] = [];
  for (let attempt = 0; out.length < n && attempt < 50 * n; attempt++) {
    const p = await freePort(host);
    if (!out.includes(p)) out.push(p);
  }
  if (out.length < n) throw new Error(`no ${n} different free ports found`);
  return out;
}

import { readFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

/**
 * Ports are picked below the kernel's ephemeral range (net.ipv4.ip_local_port_range, 32768 and up by default):
 * a port the kernel could give any client socket of another test (dig, named's and knotd's queries, our own
 * clients) between the check here and the server's bind made a test fail with EADDRINUSE now and then.
 */
const LOWEST = 10_000;

/** The first port of the kernel's ephemeral range (32768 when it cannot be read). */
function ephemeralStart(): number {
  try {
    const first = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(first) && first > 0 ? first : 32768;
  } catch {
    return 32768;
  }
}

/** Ports this process has handed out (another test of the same file never gets the same one). */
const given = new Set<number>();

function bindsUdp(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    s.once('error', () => {
      s.close();
      resolve(false);
    });
    s.bind(port, host, () => s.close(() => resolve(true)));
  });
}

function bindsTcp(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

/** A port the kernel picks for UDP that then binds for TCP too (inside its ephemeral range: the fallback). */
async function kernelPort(host: string): Promise<number | null> {
  const port = await new Promise<number>((resolve, reject) => {
    const s = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    s.once('error', reject);
    s.bind(0, host, () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
  return (await bindsTcp(port, host)) ? port : null;
}

/**
 * A port on 127.0.0.1 that is free for both UDP and TCP right now, chosen
 * at random below the kernel's ephemeral range (see LOWEST), so that no
 * client socket is given it before the server binds it. Where that range
 * starts too low to leave room, the kernel picks one. Tries a bounded
 * number of times.
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const top = ephemeralStart();
  for (let attempt = 0; attempt < 50; attempt++) {
    let port: number | null;
    if (top - LOWEST >= 1000) {
      const p = LOWEST + Math.floor(Math.random() * (top - LOWEST));
      port = !given.has(p) && (await bindsUdp(p, host)) && (await bindsTcp(p, host)) ? p : null;
    } else {
      port = await kernelPort(host);
    }
    if (port !== null) {
      given.add(port);
      return port;
    }
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

/**
 * A bounded UDP load generator for tests and benchmarks: sends `count`
 * queries from one 127.0.0.1 socket, keeping at most `window` unanswered,
 * and gives up on a lost one after `lossMs`. Plus the CPU time a process
 * has used (from /proc), to compare a server's cost per query between two
 * batches of the same run.
 */
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';

export interface FloodResult {
  sent: number;
  received: number;
  ms: number;
}

/**
 * Sends query(i) for i in [0, count) to 127.0.0.1:port (the message ID is
 * overwritten with a counter); resolves when every query has been answered
 * or given up on, or after `timeoutMs` in all.
 */
export function floodUdp(
  port: number,
  query: (i: number) => Uint8Array,
  opts: { count: number; window?: number; lossMs?: number; timeoutMs?: number },
): Promise<FloodResult> {
  const window = opts.window ?? 32;
  const lossMs = opts.lossMs ?? 500;
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const sock = createSocket('udp4');
  const started = Date.now();
  const pending = new Map<number, number>();
  let sent = 0;
  let received = 0;
  return new Promise((resolve) => {
    const finish = (): void => {
      clearInterval(sweep);
      clearTimeout(hard);
      sock.close();
      resolve({ sent, received, ms: Date.now() - started });
    };
    const pump = (): void => {
      while (pending.size < window && sent < opts.count) {
        const q = Buffer.from(query(sent));
        const id = sent & 0xffff;
        q[0] = id >> 8;
        q[1] = id & 0xff;
        pending.set(id, Date.now());
        sent++;
        sock.send(q, port, '127.0.0.1');
      }
      if (pending.size === 0 && sent >= opts.count) finish();
    };
    sock.on('message', (m) => {
      const id = (m[0]! << 8) | m[1]!;
      if (pending.delete(id)) received++;
      pump();
    });
    sock.on('error', () => undefined);
    const sweep = setInterval(() => {
      const now = Date.now();
      for (const [id, at] of pending) if (now - at > lossMs) pending.delete(id);
      pump();
    }, 50);
    const hard = setTimeout(finish, timeoutMs);
    sock.bind(0, '127.0.0.1', pump);
  });
}

/** CPU seconds (user + system) used so far by process `pid` (Linux /proc; clock ticks of 10 ms). */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of stat(5), counted from the state field (3).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Resident memory of process `pid`, in octets (Linux /proc). */
export function processRssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  return m === null ? 0 : Number(m[1]) * 1024;
}

/**
 * The soak's TCP storm (fuzz/soak.ts): connections with broken streams, a
 * few at a time: clean and mutated pipelines, partial length prefixes,
 * lengths longer than the data, one octet every 10 ms, half-open
 * connections, resets, garbage, maximal and zero-length messages. Each
 * connection's end is counted by kind in `stats`; every connection is
 * bounded in time.
 */
import { connect, type Socket } from 'node:net';
import type { Rng } from '../test/support/rng.js';
import { FrameReader, frame, frameAll } from '../test/support/tcp-framing.js';
import { randomBytes } from './fuzz-kit.js';
import type { Generator } from './soak-traffic.js';

type TcpKind = 'clean-pipeline' | 'pipeline' | 'partial-prefix' | 'long-length' | 'slow' | 'half-open' | 'reset' | 'garbage' | 'max-length' | 'zero-length' | 'write-then-end';
const TCP_KINDS: TcpKind[] = ['clean-pipeline', 'pipeline', 'pipeline', 'partial-prefix', 'long-length', 'slow', 'half-open', 'reset', 'reset', 'garbage', 'garbage', 'max-length', 'zero-length', 'write-then-end'];

function tcpConn(port: number, kind: TcpKind, gen: Generator, rng: Rng, maxMs: number, stats: Record<string, number>): Promise<void> {
  return new Promise((done) => {
    const sock: Socket = connect({ port, host: '127.0.0.1' });
    let finished = false;
    const timers: NodeJS.Timeout[] = [];
    let onFinish: (how: string) => void = () => {};
    const later = (ms: number, f: () => void): void => {
      timers.push(setTimeout(() => !finished && f(), ms));
    };
    const finish = (how: string): void => {
      if (finished) return;
      finished = true;
      for (const t of timers) clearTimeout(t);
      stats[how] = (stats[how] ?? 0) + 1;
      onFinish(how);
      stats[`${kind}->${how}`] = (stats[`${kind}->${how}`] ?? 0) + 1;
      sock.destroy();
      done();
    };
    const write = (b: Uint8Array): void => {
      if (!finished && !sock.destroyed && sock.writable) sock.write(b);
    };
    later(maxMs, () => finish('ours-timeout'));
    sock.on('error', () => finish('error'));
    sock.on('close', () => finish('closed-by-server'));
    sock.on('data', (c: Buffer) => {
      stats.tcpBytesIn = (stats.tcpBytesIn ?? 0) + c.length;
    });
    sock.on('connect', () => {
      stats[`kind:${kind}`] = (stats[`kind:${kind}`] ?? 0) + 1;
      switch (kind) {
        case 'clean-pipeline': {
          // Valid queries only, pipelined: every one must be answered before the connection closes.
          const n = 20 + rng.below(300);
          const msgs: Uint8Array[] = [];
          for (let i = 0; i < n; i++) msgs.push(gen.valid());
          const reader = new FrameReader();
          let got = 0;
          // Counted when the connection ends: one we cut at our own time limit is counted apart.
          onFinish = (how) => {
            const cut = how === 'ours-timeout' ? 'Cut' : '';
            stats[`cleanQueries${cut}`] = (stats[`cleanQueries${cut}`] ?? 0) + n;
            stats[`cleanAnswers${cut}`] = (stats[`cleanAnswers${cut}`] ?? 0) + got;
          };
          sock.on('data', (c: Buffer) => {
            reader.push(c);
            got += reader.drain().length;
            if (got >= n) sock.end();
          });
          const all = frameAll(msgs);
          for (let p = 0; p < all.length; p += 4096) write(all.subarray(p, p + 4096));
          break;
        }
        case 'pipeline': {
          // Many pipelined queries, some mutated, then either wait for the server or half-close.
          const n = 20 + rng.below(300);
          const msgs: Uint8Array[] = [];
          for (let i = 0; i < n; i++) msgs.push(rng.chance(0.7) ? gen.valid() : gen.next());
          const all = frameAll(msgs);
          for (let p = 0; p < all.length; p += 4096) write(all.subarray(p, p + 4096));
          if (rng.chance(0.5)) sock.end();
          break;
        }
        case 'partial-prefix':
          write(Uint8Array.of(rng.below(256)));
          if (rng.chance(0.5)) later(100, () => sock.end());
          break;
        case 'long-length': {
          const q = gen.valid();
          const b = Buffer.alloc(2 + q.length);
          b.writeUInt16BE(q.length + 1 + rng.below(60000));
          b.set(q, 2);
          write(b);
          if (rng.chance(0.5)) later(50, () => sock.end());
          break;
        }
        case 'slow': {
          // One octet every 10 ms, of a few framed queries, for a bounded time.
          const bytes = frameAll([gen.valid(), gen.valid(), rng.chance(0.5) ? gen.valid() : gen.next()]);
          let i = 0;
          const iv = setInterval(() => {
            if (finished || i >= bytes.length) {
              clearInterval(iv);
              if (!finished && rng.chance(0.5)) sock.end();
              return;
            }
            write(bytes.subarray(i, i + 1));
            i++;
          }, 10);
          timers.push(iv);
          break;
        }
        case 'half-open':
          // Connect, write part of a message, then never write again nor close: the server's idle timeout must end it.
          write(frame(gen.valid()).subarray(0, 2 + rng.below(10)));
          break;
        case 'reset':
          write(frameAll([gen.valid(), gen.valid()]));
          later(rng.below(20), () => {
            sock.resetAndDestroy();
            finish('reset');
          });
          break;
        case 'garbage': {
          const n = 1 + rng.below(40);
          for (let i = 0; i < n; i++) {
            const b = rng.chance(0.5) ? frame(gen.next()) : Buffer.from(randomBytes(rng));
            write(b);
          }
          if (rng.chance(0.3)) sock.end();
          break;
        }
        case 'max-length': {
          // One 65535-octet message: a query followed by garbage.
          const q = gen.valid();
          const body = new Uint8Array(0xffff);
          body.set(q);
          for (let i = q.length; i < body.length; i++) body[i] = rng.below(256);
          write(frame(body));
          break;
        }
        case 'zero-length': {
          const b = Buffer.alloc(2 * (1 + rng.below(100)));
          write(Buffer.concat([b, frame(gen.valid())]));
          break;
        }
        case 'write-then-end':
          write(frame(gen.valid()));
          sock.end();
          break;
      }
    });
  });
}

/** Opens `total` connections of random kinds, `concurrency` at once, until `deadline`; `stats.connections` is how many. */
export async function tcpStorm(port: number, gen: Generator, rng: Rng, total: number, concurrency: number, maxMs: number, deadline: number, stats: Record<string, number>): Promise<void> {
  let started = 0;
  const lane = async (): Promise<void> => {
    while (started < total && Date.now() < deadline) {
      started++;
      await tcpConn(port, rng.pick(TCP_KINDS), gen, rng, Math.max(1000, Math.min(maxMs, deadline - Date.now() + 500)), stats);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, lane));
  stats.connections = started;
}

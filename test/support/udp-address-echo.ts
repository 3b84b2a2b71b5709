/**
 * A UDP server that answers each datagram with what it saw of its sender,
 * through the batched UDP socket (src/server/batched-udp-socket.ts, issue
 * 16 §2) or through node:dgram, so a test can compare the two and see which
 * address each reply leaves from. Run as a program, usually inside a network
 * namespace (`ip netns exec NS node dist/test/support/udp-address-echo.js
 * batched|dgram HOST...`): it binds an ephemeral port on each HOST, prints
 * one line `{"ports":[...]}` once all are bound, and serves until killed.
 * The reply to a datagram is its first two octets (the DNS ID, so
 * queryUdpSeen matches it) and the JSON text of `{ address, port, family }`
 * (family 4 or 6, as the socket saw it: an IPv4 client of a dual-stack
 * socket is 6, `::ffff:a.b.c.d`).
 *
 * startAddressEcho() runs it and waits for its ports, bounded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { fileURLToPath } from 'node:url';
import { BatchedUdpSocket, loadBatchModule } from '../../src/server/batched-udp-socket.js';

/** What the server saw of a datagram's sender. */
export interface SeenSender {
  address: string;
  port: number;
  family: number;
}

export type EchoMode = 'batched' | 'dgram';

const SCRIPT = fileURLToPath(import.meta.url);

function replyOf(msg: Uint8Array, seen: SeenSender): Uint8Array {
  const text = Buffer.from(JSON.stringify(seen));
  const out = new Uint8Array(2 + text.length);
  out[0] = msg[0] ?? 0;
  out[1] = msg[1] ?? 0;
  out.set(text, 2);
  return out;
}

/** The sender a reply names. */
export function seenSender(reply: Uint8Array): SeenSender {
  return JSON.parse(Buffer.from(reply.subarray(2)).toString('utf8')) as SeenSender;
}

/** Binds every host with `mode`; resolves with the ports in order. */
async function serve(mode: EchoMode, hosts: readonly string[]): Promise<number[]> {
  const ports: number[] = [];
  if (mode === 'batched') {
    const { module, reason } = loadBatchModule();
    if (module === null) throw new Error(reason);
    for (const host of hosts) {
      const s: BatchedUdpSocket = new BatchedUdpSocket(module, { host, port: 0 }, (n) => {
        for (let i = 0; i < n; i++) {
          const len = s.length(i);
          if (len < 2) continue;
          s.reply(i, replyOf(s.data(i), { address: s.addressOf(i), port: s.sourcePort(i), family: s.family(i) }));
        }
      }, (e) => console.error(`udp-address-echo: ${e.message}`));
      ports.push(s.port);
    }
    return ports;
  }
  for (const host of hosts) {
    const sock = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    sock.on('message', (msg, rinfo) => {
      if (msg.length < 2) return;
      sock.send(replyOf(msg, { address: rinfo.address, port: rinfo.port, family: rinfo.family === 'IPv6' ? 6 : 4 }), rinfo.port, rinfo.address);
    });
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(0, host, () => {
        sock.off('error', reject);
        resolve();
      });
    });
    ports.push(sock.address().port);
  }
  return ports;
}

/** A running echo server. */
export interface AddressEcho {
  readonly child: ChildProcess;
  /** The port bound on each host, in the order given. */
  readonly ports: number[];
  stop(): Promise<void>;
}

/**
 * Starts the echo server through `wrap` (e.g. `lab.exec('srv')`: each
 * command must exec the next) and waits for its ports (rejects with its
 * stderr if it exits first or `timeoutMs` passes).
 */
export function startAddressEcho(wrap: readonly string[], mode: EchoMode, hosts: readonly string[], timeoutMs = 10_000): Promise<AddressEcho> {
  const [cmd, ...args] = [...wrap, process.execPath, SCRIPT, mode, ...hosts] as [string, ...string[]];
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`udp-address-echo ${mode} did not start within ${timeoutMs} ms; stderr: ${err}`));
    }, timeoutMs);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`udp-address-echo ${mode} exited (${child.exitCode ?? child.signalCode}) before it was ready; stderr: ${err}`));
    });
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      const ports = (JSON.parse(out.slice(0, nl)) as { ports: number[] }).ports;
      resolve({ child, ports, stop });
    });
  });
}

if (process.argv[1] === SCRIPT) {
  const [mode, ...hosts] = process.argv.slice(2);
  if ((mode !== 'batched' && mode !== 'dgram') || hosts.length === 0) {
    console.error('usage: udp-address-echo batched|dgram HOST...');
    process.exit(2);
  }
  serve(mode, hosts).then(
    (ports) => process.stdout.write(`${JSON.stringify({ ports })}\n`),
    (e: Error) => {
      console.error(`udp-address-echo: ${e.message}`);
      process.exit(1);
    },
  );
}

/**
 * Fuzz target `udp-batch` (issue 16 §2): mutated datagrams through the
 * batched UDP socket (src/native/udp-batch.c, BatchedUdpListener) on
 * loopback to the responder. Bursts of up to 64 inputs are sent at once
 * from one client socket; the replies must be, in order and octet for
 * octet, what a second responder over the same zones (fuzz/handle.ts)
 * gives for the same inputs called directly (node:dgram's path hands the
 * responder exactly those octets). After every burst a plain query must
 * still be answered (the process keeps serving). Fails on a difference, a
 * missing or extra reply, or silence.
 *
 *   npm run fuzz -- --target udp-batch [--seconds N] [--seed S]
 */
import { createSocket, type Socket } from 'node:dgram';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BatchedUdpListener } from '../src/server/batched-udp-listener.js';
import { loadBatchModule } from '../src/server/batched-udp-socket.js';
import type { HandleContext } from '../src/server/handle-context.js';
import { noQueryHooks } from '../src/server/listener-callbacks.js';
import type { Responder } from '../src/server/responder.js';
import { buildQuery } from '../test/support/dns-client.js';
import { repoRoot } from '../test/support/paths.js';
import { Rng } from '../test/support/rng.js';
import type { CorpusEntry } from './fuzz-kit.js';
import { handleSeeds, newResponder, nextHandleInput } from './handle.js';

export const udpBatchCorpusDir = resolve(repoRoot, 'fuzz', 'corpus', 'udp-batch');

/** Seeds: fuzz/corpus/udp-batch/*.bin (edge datagrams: empty, 1 octet, a bare header, a 4 KB query, ...) and the handle target's. */
export function udpBatchSeeds(): CorpusEntry[] {
  const own = existsSync(udpBatchCorpusDir)
    ? readdirSync(udpBatchCorpusDir).filter((f) => f.endsWith('.bin')).sort().map((f) => ({ name: `udp-batch/${f}`, bytes: new Uint8Array(readFileSync(join(udpBatchCorpusDir, f))) }))
    : [];
  return [...own, ...handleSeeds()];
}

export interface UdpBatchRun {
  bursts: number;
  sent: number;
  answered: number;
  failures: string[];
}

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
const PROBE = buildQuery({ id: 0xbeef, name: 'shop.example', type: 1 });

/** Replies arriving on `c` until `want` came or `quietMs` passed without one. */
function collect(c: Socket, want: number, quietMs: number): Promise<Uint8Array[]> {
  return new Promise((res) => {
    const got: Uint8Array[] = [];
    let t = setTimeout(done, quietMs);
    function done(): void {
      clearTimeout(t);
      c.removeListener('message', on);
      res(got);
    }
    function on(m: Buffer): void {
      got.push(new Uint8Array(m));
      if (got.length >= want) done();
      else {
        clearTimeout(t);
        t = setTimeout(done, quietMs);
      }
    }
    c.on('message', on);
  });
}

/**
 * True when `got` differs from the direct answer only in one run of at most
 * six octets (a TSIG error's Time Signed, RFC 8945 §4.3.3: the two responders
 * answered in different seconds) and a fresh direct answer is `got` exactly.
 */
function sameButTime(got: Uint8Array, expected: { input: Uint8Array; reply: Uint8Array }, reference: Responder, ctx: HandleContext): boolean {
  const want = expected.reply;
  if (got.length !== want.length) return false;
  let first = -1;
  let last = -1;
  for (let i = 0; i < got.length; i++) {
    if (got[i] === want[i]) continue;
    if (first < 0) first = i;
    last = i;
  }
  if (first < 0 || last - first >= 6) return false;
  const again = reference.handle(expected.input.slice(), ctx);
  return again !== null && hex(again) === hex(got);
}

/**
 * Sends `bursts` bursts (`replay` first, in order, then generated inputs from
 * `seed`) through a batched listener and checks each reply. Stops at `seconds`.
 */
export async function runUdpBatch(o: { seed: number; bursts: number; seconds: number; replay?: CorpusEntry[] }): Promise<UdpBatchRun> {
  const { module, reason } = loadBatchModule();
  if (module === null) throw new Error(`the batched UDP module is not built (${reason}): npm run build:native`);
  const served = newResponder();
  const reference = newResponder();
  const errors: string[] = [];
  const listener = new BatchedUdpListener(module, () => served, '127.0.0.1', 0, (err, what) => errors.push(`${what}: ${String(err)}`), noQueryHooks());
  const { port } = await listener.listen();
  const c = createSocket('udp4');
  await new Promise<void>((r) => c.bind(0, '127.0.0.1', () => r()));
  c.setRecvBufferSize(4 << 20);
  const ctx: HandleContext = { tcp: false, address: '127.0.0.1' };
  const rng = new Rng(o.seed);
  const pool = udpBatchSeeds().map((e) => e.bytes);
  const replay = [...(o.replay ?? [])];
  const run: UdpBatchRun = { bursts: 0, sent: 0, answered: 0, failures: [] };
  const deadline = Date.now() + o.seconds * 1000;
  try {
    for (let b = 0; b < o.bursts && Date.now() < deadline && run.failures.length === 0; b++) {
      const n = replay.length > 0 ? Math.min(64, replay.length) : 1 + rng.below(64);
      const inputs = replay.length > 0 ? replay.splice(0, n).map((e) => e.bytes) : Array.from({ length: n }, () => nextHandleInput(rng, pool));
      const expected: { input: Uint8Array; reply: Uint8Array }[] = [];
      for (const input of inputs) {
        const out = reference.handle(input.slice(), ctx);
        if (out !== null) expected.push({ input, reply: out.slice() });
      }
      const replies = collect(c, expected.length, 300);
      for (const input of inputs) c.send(input, port, '127.0.0.1');
      const got = await replies;
      run.bursts++;
      run.sent += inputs.length;
      run.answered += got.length;
      if (got.length !== expected.length) {
        run.failures.push(`burst ${b}: ${got.length} replies for ${expected.length} expected (inputs: ${inputs.map(hex).join(' ')})`);
        break;
      }
      for (let i = 0; i < got.length; i++) {
        if (hex(got[i]!) !== hex(expected[i]!.reply) && !sameButTime(got[i]!, expected[i]!, reference, ctx)) {
          run.failures.push(`burst ${b}, reply ${i}: input ${hex(expected[i]!.input)}\n  batched ${hex(got[i]!)}\n  direct  ${hex(expected[i]!.reply)}`);
          break;
        }
      }
      // Still serving: the probe is answered (both responders see it, to keep their caches alike).
      reference.handle(PROBE.slice(), ctx);
      const probe = collect(c, 1, 2000);
      c.send(PROBE, port, '127.0.0.1');
      if ((await probe).length !== 1) run.failures.push(`burst ${b}: no answer to the probe after it`);
    }
    if (errors.length > 0) run.failures.push(...errors.slice(0, 5));
  } finally {
    c.close();
    await listener.close();
  }
  return run;
}

export async function udpBatchFuzzMain(arg: (name: string) => string | undefined): Promise<number> {
  const seconds = Number(arg('--seconds') ?? 60);
  const seed = Number(arg('--seed') ?? Date.now() % 0x7fffffff);
  if (!(seconds > 0) || !Number.isInteger(seed)) throw new Error('usage: run.js --target udp-batch [--seconds N] [--seed S]');
  console.log(`udp-batch fuzz: seed ${seed}, ${seconds} s`);
  const r = await runUdpBatch({ seed, seconds, bursts: Number.MAX_SAFE_INTEGER, replay: udpBatchSeeds() });
  console.log(`bursts ${r.bursts}, datagrams ${r.sent}, replies ${r.answered}`);
  for (const f of r.failures) console.log(`FAILURE ${f}`);
  return r.failures.length > 0 ? 1 : 0;
}

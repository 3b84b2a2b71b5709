/**
 * The soak's DNS traffic (fuzz/soak.ts): valid queries for the bundled
 * zones' names and many types (some with EDNS: options, big payloads, DO, a
 * bad version), and mutants of them and of the saved corpus: huge OPT
 * records, wild names, pointer loops, random bytes, stacked mutations,
 * garbage tails and random header counts. All from a seeded PRNG.
 */
import { buildQuery } from '../test/support/dns-client.js';
import type { Rng } from '../test/support/rng.js';
import { mutateOnce, randomBytes, savedCorpus } from './fuzz-kit.js';

const NAMES = [
  'shop.example', 'www.shop.example', 'mail.shop.example', 'hosting.example', 'ns1.hosting.example', 'ns2.hosting.example',
  'www.hosting.example', 'nope.shop.example', 'a.b.c.d.hosting.example', '*.hosting.example', '1.2.0.192.in-addr.arpa',
  '2.0.192.in-addr.arpa', 'example', 'other.test', 'SHOP.EXAMPLE', 'x'.repeat(63) + '.shop.example',
];
const QTYPES = [1, 2, 5, 6, 12, 15, 16, 28, 33, 43, 46, 48, 52, 64, 65, 99, 251, 252, 255, 256, 0, 65535];

/** Valid queries: every name × a few types, some with EDNS (options, big payloads, DO, bad version). */
function validQueries(rng: Rng): Uint8Array[] {
  const out: Uint8Array[] = [];
  let id = 1;
  for (const name of NAMES) {
    for (const type of QTYPES) {
      const r = rng.below(5);
      const edns =
        r === 0 ? undefined
        : r === 1 ? { udpPayload: 1232 }
        : r === 2 ? { udpPayload: 4096, do: true, options: [{ code: 10, data: new Uint8Array(8).fill(7) }] }
        : r === 3 ? { udpPayload: 512, version: 1 }
        : { udpPayload: 65535, options: [{ code: 3, data: new Uint8Array(0) }, { code: 12, data: new Uint8Array(100) }] };
      out.push(buildQuery({ id: id++, name, type, rd: rng.chance(0.5), ...(edns ? { edns } : {}) }));
    }
  }
  return out;
}

/** A query with a huge OPT record: many options, or one option whose length lies. */
function hugeOpt(rng: Rng, base: Uint8Array): Uint8Array {
  // base is a plain query without additionals: append OPT by hand.
  const optBody = rng.below(4000) + 1;
  const rdata = new Uint8Array(optBody);
  for (let p = 0; p + 4 <= rdata.length; ) {
    const len = rng.chance(0.1) ? rng.below(65536) : rng.below(64);
    rdata[p] = rng.below(2) === 0 ? 0 : rng.below(256);
    rdata[p + 1] = rng.pick([3, 8, 9, 10, 11, 12, rng.below(256)]);
    rdata[p + 2] = len >>> 8;
    rdata[p + 3] = len & 0xff;
    p += 4 + Math.min(len, rdata.length);
  }
  const rdlen = rng.chance(0.8) ? rdata.length : rng.below(65536);
  const opt = new Uint8Array(11 + rdata.length);
  opt.set([0, 0, 41, 0x10, 0x00, 0, 0, 0, 0, rdlen >>> 8, rdlen & 0xff]);
  opt.set(rdata, 11);
  const b = new Uint8Array(base.length + opt.length);
  b.set(base);
  b.set(opt, base.length);
  const ar = rng.chance(0.8) ? 1 : rng.below(65536);
  b[10] = ar >>> 8;
  b[11] = ar & 0xff;
  return b;
}

/** A header and a question name made of random labels, pointers and lengths. */
function wildName(rng: Rng): Uint8Array {
  const b: number[] = [rng.below(256), rng.below(256), rng.below(2) ? 0x01 : rng.below(256), 0, 0, rng.below(3), 0, rng.below(2), 0, rng.below(2), 0, rng.below(2)];
  const labels = rng.below(140);
  for (let i = 0; i < labels && b.length < 1500; i++) {
    const k = rng.below(10);
    if (k === 0) b.push(0xc0 | rng.below(64), rng.below(256)); // pointer (maybe to itself, forward, or out of range)
    else if (k === 1) b.push(0x40 | rng.below(128)); // reserved label types
    else {
      const len = rng.chance(0.1) ? 63 : rng.below(20);
      b.push(len);
      for (let j = 0; j < len; j++) b.push(rng.chance(0.9) ? 0x61 + rng.below(26) : rng.below(256));
    }
  }
  if (rng.chance(0.7)) b.push(0);
  if (rng.chance(0.8)) b.push(0, rng.pick(QTYPES) & 0xff, 0, 1);
  return Uint8Array.from(b);
}

/** Self-referencing and chained compression pointers. */
function pointerLoop(rng: Rng): Uint8Array {
  const b: number[] = [rng.below(256), rng.below(256), 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
  const n = 1 + rng.below(60);
  for (let i = 0; i < n; i++) {
    if (rng.chance(0.3)) b.push(1, 0x61 + rng.below(26));
    const target = rng.chance(0.5) ? b.length : 12 + rng.below(Math.max(1, b.length - 12));
    b.push(0xc0 | (target >>> 8), target & 0xff);
  }
  b.push(0, 1, 0, 1);
  return Uint8Array.from(b);
}

function garbageTail(rng: Rng, b: Uint8Array): Uint8Array {
  const extra = rng.below(rng.chance(0.9) ? 64 : 3000);
  const out = new Uint8Array(b.length + extra);
  out.set(b);
  for (let i = b.length; i < out.length; i++) out[i] = rng.below(256);
  return out;
}

/** Valid queries and mutated datagrams, drawn from one PRNG. */
export class Generator {
  readonly queries: Uint8Array[];
  private readonly pool: Uint8Array[];
  constructor(private readonly rng: Rng) {
    this.queries = validQueries(rng);
    this.pool = [...this.queries, ...savedCorpus().map((e) => e.bytes)];
  }
  valid(): Uint8Array {
    const q = this.rng.pick(this.queries).slice();
    q[0] = this.rng.below(256);
    q[1] = this.rng.below(256);
    return q;
  }
  /** One mutated datagram, at most 8192 octets. */
  next(): Uint8Array {
    const rng = this.rng;
    const k = rng.below(100);
    if (k < 5) return this.valid();
    if (k < 10) return hugeOpt(rng, this.queries[rng.below(NAMES.length) * QTYPES.length]!);
    if (k < 15) return wildName(rng);
    if (k < 18) return pointerLoop(rng);
    if (k < 20) return randomBytes(rng);
    let b = rng.chance(0.8) ? rng.pick(this.queries) : rng.pick(this.pool);
    const stack = 1 + rng.below(rng.chance(0.7) ? 2 : 6);
    for (let i = 0; i < stack; i++) b = mutateOnce(rng, b, this.pool);
    if (rng.chance(0.1)) b = garbageTail(rng, b);
    if (rng.chance(0.05) && b.length >= 12) {
      for (let f = 4; f < 12; f++) b[f] = rng.below(256); // random header counts
    }
    return b.length > 8192 ? b.subarray(0, 8192) : b;
  }
}

/**
 * Wire-layer throughput: our encoder and decoder against dns-packet, timed
 * in the same process on the same message. Not a test: nothing here is
 * asserted on timings, only on the two libraries agreeing before timing.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import {
  Name, RRClass, RRType, decodeMessage, emptyMessage, encodeMessage, rdataFromText, tokenize, type Message,
} from '../../src/wire/index.js';

// dns-packet is CommonJS and used only as the yardstick, never by src/.
const dnsp = createRequire(import.meta.url)('dns-packet') as typeof import('dns-packet');

/** Presentation form of the benchmarked response, printed with the results. */
export const SCENARIO = [
  'MX response with EDNS (QR AA RD, id 0x2b1c; 1 question, 2 answers, 0 authority, 2 additional + OPT):',
  '  ;example.com.            IN MX',
  '  example.com.        300 IN MX   10 mail1.example.com.',
  '  example.com.        300 IN MX   20 mail2.example.com.',
  '  mail1.example.com.  300 IN A    192.0.2.25',
  '  mail2.example.com.  300 IN AAAA 2001:db8::25',
  '  .  OPT udp=1232 version=0 DO=0, no options',
];

const ORIGIN = Name.fromText('example.com.');
const rr = (owner: string, type: number, rdata: string) => ({
  name: Name.fromText(owner), type, class: RRClass.IN, ttl: 300, rdata: rdataFromText(type, tokenize(rdata), ORIGIN),
});

/** Our form of the response. */
export function ourMessage(): Message {
  return {
    ...emptyMessage(0x2b1c),
    qr: true,
    aa: true,
    rd: true,
    questions: [{ name: ORIGIN, type: RRType.MX, class: RRClass.IN }],
    answers: [rr('example.com.', RRType.MX, '10 mail1'), rr('example.com.', RRType.MX, '20 mail2')],
    additionals: [rr('mail1.example.com.', RRType.A, '192.0.2.25'), rr('mail2.example.com.', RRType.AAAA, '2001:db8::25')],
    edns: { udpPayload: 1232, version: 0, dnssecOk: false, z: 0, options: [] },
  };
}

/** dns-packet's form of the same response. */
export function theirPacket(): import('dns-packet').Packet {
  return {
    type: 'response',
    id: 0x2b1c,
    flags: dnsp.AUTHORITATIVE_ANSWER | dnsp.RECURSION_DESIRED,
    questions: [{ name: 'example.com', type: 'MX', class: 'IN' }],
    answers: [
      { name: 'example.com', type: 'MX', class: 'IN', ttl: 300, data: { preference: 10, exchange: 'mail1.example.com' } },
      { name: 'example.com', type: 'MX', class: 'IN', ttl: 300, data: { preference: 20, exchange: 'mail2.example.com' } },
    ],
    authorities: [],
    additionals: [
      { name: 'mail1.example.com', type: 'A', class: 'IN', ttl: 300, data: '192.0.2.25' },
      { name: 'mail2.example.com', type: 'AAAA', class: 'IN', ttl: 300, data: '2001:db8::25' },
      { name: '.', type: 'OPT', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] },
    ],
  };
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** dns-packet's decoded form, reduced to what both libraries represent. */
function normalise(p: import('dns-packet').Packet): unknown {
  // dns-packet's record union does not type the OPT and rdata fields read here.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const rec = (r: any): unknown =>
    r.type === 'OPT'
      ? { name: r.name, type: r.type, udp: r.udpPayloadSize, rcode: r.extendedRcode ?? 0, v: r.ednsVersion ?? 0, flags: r.flags ?? 0, options: r.options ?? [] }
      : { name: r.name, type: r.type, class: r.class ?? 'IN', ttl: r.ttl, data: r.data };
  return {
    id: p.id,
    flags: (p.flags ?? 0) & 0x7fff,
    response: p.type === 'response',
    questions: (p.questions ?? []).map((q) => ({ name: q.name, type: q.type, class: q.class ?? 'IN' })),
    answers: (p.answers ?? []).map(rec),
    authorities: (p.authorities ?? []).map(rec),
    additionals: (p.additionals ?? []).map(rec),
  };
}

/** The wire forms both benchmarks use, after checking the libraries agree on them. */
export interface Fixture {
  msg: Message;
  packet: import('dns-packet').Packet;
  /** Our compressed encoding: the input of both decode benchmarks. */
  compressed: Buffer;
  uncompressed: Buffer;
  theirs: Buffer;
}

/**
 * Checks, before anything is timed, that the comparison is like for like:
 * dns-packet (which never compresses) writes exactly our uncompressed
 * octets; dns-packet reads our compressed octets back as its own input;
 * we read both encodings back as our input.
 */
export function prepare(): Fixture {
  const msg = ourMessage();
  const packet = theirPacket();
  const buf = new Uint8Array(65535);
  const enc = (compress: boolean): Buffer => Buffer.from(buf.subarray(0, encodeMessage(msg, buf, { compress }).length));
  const compressed = enc(true);
  const uncompressed = enc(false);
  const theirs = Buffer.from(dnsp.encode(packet));
  assert.equal(hex(theirs), hex(uncompressed), 'dns-packet and our uncompressed encoder disagree');
  assert.ok(compressed.length < uncompressed.length, 'compression saved nothing');
  assert.deepEqual(normalise(dnsp.decode(compressed)), normalise(packet), 'dns-packet reads our compressed message differently');
  for (const bytes of [compressed, theirs]) {
    // A plain copy: the timed encoder then only ever sees the Uint8Arrays a server's zone data holds.
    const back = decodeMessage(Uint8Array.from(bytes));
    assert.equal(hex(Buffer.from(buf.subarray(0, encodeMessage(back, buf, { compress: false }).length))), hex(uncompressed), 'we read a message differently');
  }
  return { msg, packet, compressed, uncompressed, theirs };
}

export interface Timing {
  /** Per-run ops/s, in run order. */
  runs: number[];
  median: number;
}

export interface BenchOptions {
  warmupMs: number;
  runMs: number;
  runs: number;
  /** Hard cap on calls per run, whatever the clock says. */
  maxCallsPerRun: number;
}

export const FULL: BenchOptions = { warmupMs: 500, runMs: 1000, runs: 3, maxCallsPerRun: 50_000_000 };
export const QUICK: BenchOptions = { warmupMs: 50, runMs: 100, runs: 3, maxCallsPerRun: 5_000_000 };

/** Anything the timed calls return ends up here, so no call can be optimised away. */
let sink = 0;

type TimeBox = (fn: () => number, ms: number, maxCalls: number) => number;

/**
 * A fresh copy of the timing loop for each case, so the JIT specialises
 * each loop to its own `fn` and no case inherits another's call-site
 * feedback (the order of cases would otherwise matter). Calls `fn` in
 * batches for about `ms`, never more than `maxCalls` times; returns ops/s
 * and adds what `fn` returned to `sink`.
 */
function makeTimeBox(): TimeBox {
  return new Function(
    'now',
    'settle',
    `return function timeBox(fn, ms, maxCalls) {
      const BATCH = 256;
      let calls = 0;
      let acc = 0;
      const start = now();
      let t = start;
      while (t - start < ms && calls < maxCalls) {
        for (let i = 0; i < BATCH; i++) acc += fn();
        calls += BATCH;
        t = now();
      }
      settle(acc);
      return (calls * 1000) / (t - start);
    };`,
  )(() => performance.now(), (acc: number) => { sink ^= acc; }) as TimeBox;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export interface Case {
  label: string;
  fn: () => number;
}

/**
 * Warms every case up, then times them round-robin (run 1 of each, run 2
 * of each, ...) so load from other processes spreads over all cases.
 */
export function measure(cases: readonly Case[], o: BenchOptions): Map<string, Timing> {
  const boxes = cases.map(() => makeTimeBox());
  cases.forEach((c, i) => boxes[i]!(c.fn, o.warmupMs, o.maxCallsPerRun));
  const runs = new Map<string, number[]>(cases.map((c) => [c.label, []]));
  for (let r = 0; r < o.runs; r++) {
    cases.forEach((c, i) => runs.get(c.label)!.push(boxes[i]!(c.fn, o.runMs, o.maxCallsPerRun)));
  }
  const out = new Map<string, Timing>();
  for (const [label, xs] of runs) out.set(label, { runs: xs, median: median(xs) });
  return out;
}

/** Labels of the dns-packet baselines the ratios are taken against. */
export const BASE_ENCODE = 'encode dns-packet (caller buffer)';
export const BASE_DECODE = 'decode dns-packet';

/** The timed operations over one fixture. */
export function wireCases(f: Fixture): Case[] {
  const out = new Uint8Array(65535);
  const theirOut = Buffer.alloc(65535);
  const { msg, packet, compressed } = f;
  const on = { compress: true };
  const off = { compress: false };
  return [
    { label: 'encode tyne (compression on)', fn: () => encodeMessage(msg, out, on).length },
    { label: 'encode tyne (compression off)', fn: () => encodeMessage(msg, out, off).length },
    // Its fastest path: writing into a buffer it is given, like ours.
    { label: BASE_ENCODE, fn: () => (dnsp.encode(packet, theirOut, 0), dnsp.encode.bytes) },
    // Its usual call: sizes the message, allocates, writes.
    { label: 'encode dns-packet (allocating)', fn: () => dnsp.encode(packet).length },
    { label: 'decode tyne', fn: () => decodeMessage(compressed).answers.length },
    { label: BASE_DECODE, fn: () => dnsp.decode(compressed).answers!.length },
  ];
}

/** Keeps `sink` observable (and so the timed work real). */
export function sinkValue(): number {
  return sink;
}

/**
 * Fuzz target for the strict wire decoder, plus the mutation engine that
 * feeds it. `fuzzOne` throws only on a real bug:
 *
 *  - decodeMessage threw anything but WireFormatError (a TypeError from a
 *    read past an array, a RangeError, an assertion...), or
 *  - decoding succeeded but the round-trip oracle failed: re-encoding the
 *    message (with and without compression) must succeed and decode to an
 *    equal message (names compared by their exact wire octets, rdata by
 *    octets, every header bit, EDNS and TSIG), and the rdata of every
 *    class IN record must pass validateRdata for its type.
 *
 * Everything random here comes from the kit's seeded PRNG (test/support/rng.ts),
 * so a run is reproducible from its seed.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  WireFormatError, bytesEqual, codecFor, decodeMessage, encodeMessage, validateRdata, type Edns, type Message, type Question, type ResourceRecord,
} from '../src/wire/index.js';
import { corpusPath, haveCorpus, repoRoot } from '../test/support/paths.js';
import type { Rng } from '../test/support/rng.js';
import type { FuzzTarget } from './session.js';

/** Raised by `fuzzOne` when an input exposes a bug; `kind` groups crashes. */
export class FuzzFailure extends Error {
  constructor(
    readonly kind: 'non-wire-error' | 'oracle',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'FuzzFailure';
  }
}

// --- the oracle ------------------------------------------------------------

const ENC_BUF = new Uint8Array(65535);

function hexOf(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

function diffQuestion(a: Question, b: Question, where: string): string | null {
  if (!bytesEqual(a.name.wire, b.name.wire)) return `${where}: name ${hexOf(a.name.wire)} != ${hexOf(b.name.wire)}`;
  if (a.type !== b.type) return `${where}: type ${a.type} != ${b.type}`;
  if (a.class !== b.class) return `${where}: class ${a.class} != ${b.class}`;
  return null;
}

function diffRecord(a: ResourceRecord, b: ResourceRecord, where: string): string | null {
  const q = diffQuestion(a, b, where);
  if (q !== null) return q;
  if (a.ttl !== b.ttl) return `${where}: ttl ${a.ttl} != ${b.ttl}`;
  if (!bytesEqual(a.rdata, b.rdata)) return `${where}: rdata ${hexOf(a.rdata)} != ${hexOf(b.rdata)}`;
  return null;
}

function diffList<T>(a: readonly T[], b: readonly T[], where: string, diff: (x: T, y: T, w: string) => string | null): string | null {
  if (a.length !== b.length) return `${where}: ${a.length} entries != ${b.length}`;
  for (let i = 0; i < a.length; i++) {
    const d = diff(a[i]!, b[i]!, `${where}[${i}]`);
    if (d !== null) return d;
  }
  return null;
}

function diffEdns(a: Edns | null, b: Edns | null): string | null {
  if (a === null || b === null) return a === b ? null : `edns presence ${a !== null} != ${b !== null}`;
  if (a.udpPayload !== b.udpPayload || a.version !== b.version || a.dnssecOk !== b.dnssecOk || a.z !== b.z) {
    return `edns fixed fields ${JSON.stringify([a.udpPayload, a.version, a.dnssecOk, a.z])} != ${JSON.stringify([b.udpPayload, b.version, b.dnssecOk, b.z])}`;
  }
  return diffList(a.options, b.options, 'edns.options', (x, y, w) =>
    x.code !== y.code || !bytesEqual(x.data, y.data) ? `${w}: ${x.code}/${hexOf(x.data)} != ${y.code}/${hexOf(y.data)}` : null,
  );
}

/** First difference between two messages, or null when they are equal. */
export function diffMessages(a: Message, b: Message): string | null {
  const flags = ['id', 'qr', 'opcode', 'aa', 'tc', 'rd', 'ra', 'z', 'ad', 'cd', 'rcode'] as const;
  for (const f of flags) if (a[f] !== b[f]) return `header ${f}: ${String(a[f])} != ${String(b[f])}`;
  return (
    diffList(a.questions, b.questions, 'questions', diffQuestion) ??
    diffList(a.answers, b.answers, 'answers', diffRecord) ??
    diffList(a.authorities, b.authorities, 'authorities', diffRecord) ??
    diffList(a.additionals, b.additionals, 'additionals', diffRecord) ??
    diffEdns(a.edns, b.edns) ??
    (a.tsig === null || b.tsig === null
      ? a.tsig === b.tsig ? null : `tsig presence ${a.tsig !== null} != ${b.tsig !== null}`
      : diffRecord(a.tsig, b.tsig, 'tsig'))
  );
}

/** Size of `m` written without any compression: an upper bound for the compressed size too. */
function uncompressedSize(m: Message): number {
  let n = 12;
  for (const q of m.questions) n += q.name.wire.length + 4;
  for (const list of [m.answers, m.authorities, m.additionals]) for (const rr of list) n += rr.name.wire.length + 10 + rr.rdata.length;
  if (m.edns) {
    n += 11;
    for (const o of m.edns.options) n += 4 + o.data.length;
  }
  if (m.tsig) n += m.tsig.name.wire.length + 10 + m.tsig.rdata.length;
  return n;
}

/** Decoded rdata is "valid uncompressed rdata" of its type: validateRdata must agree (class IN, where layouts apply). */
function checkRdata(msg: Message): void {
  for (const rr of [...msg.answers, ...msg.authorities, ...msg.additionals]) {
    if (rr.class !== 1) continue;
    try {
      validateRdata(rr.type, rr.rdata);
    } catch (e) {
      throw new FuzzFailure('oracle', `decoded type ${rr.type} rdata ${hexOf(rr.rdata)} fails validateRdata: ${describe(e)}`, { cause: e });
    }
  }
}

function roundTrip(msg: Message, compress: boolean): void {
  const how = compress ? 'compressed' : 'uncompressed';
  const fits = uncompressedSize(msg) <= 65535;
  let length: number;
  let truncated: boolean;
  try {
    ({ length, truncated } = encodeMessage(msg, ENC_BUF, { compress }));
  } catch (e) {
    // Only a message too big for 64 KiB may be refused (WIRE_NO_SPACE).
    if (!fits && e instanceof WireFormatError) return;
    throw new FuzzFailure('oracle', `re-encoding (${how}) a decoded message threw: ${describe(e)}`, { cause: e });
  }
  if (truncated) {
    if (fits) throw new FuzzFailure('oracle', `re-encoding (${how}) truncated a message of at most ${uncompressedSize(msg)} octets`);
    return; // legitimately cut at 64 KiB; the cut message is checked below only when whole
  }
  let back: Message;
  try {
    back = decodeMessage(ENC_BUF.slice(0, length));
  } catch (e) {
    throw new FuzzFailure('oracle', `re-encoded (${how}) message does not decode: ${describe(e)}`, { cause: e });
  }
  const d = diffMessages(msg, back);
  if (d !== null) throw new FuzzFailure('oracle', `re-encoded (${how}) message decodes differently: ${d}`);
}

export function describe(e: unknown): string {
  if (e instanceof WireFormatError) return `WireFormatError ${e.code}: ${e.message}`;
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return `non-Error thrown: ${String(e)}`;
}

/**
 * The fuzz target: throws FuzzFailure only when `bytes` expose a bug
 * (decodeMessage threw something other than WireFormatError, or a decoded
 * message does not survive re-encoding).
 */
export function fuzzOne(bytes: Uint8Array): void {
  runOne(bytes);
}

/**
 * `fuzzOne`, returning coarse features of what happened, joined by '|',
 * used as cheap feedback (there is no coverage instrumentation): the error
 * code and check message (numbers dropped) when the decoder refused the
 * input; when it decoded, 'ok' plus one feature per record type and class
 * kind, EDNS option count and TSIG.
 */
export function runOne(bytes: Uint8Array): string {
  let msg: Message;
  try {
    msg = decodeMessage(bytes);
  } catch (e) {
    if (e instanceof WireFormatError) return `${e.code}:${e.message.replace(/(0x)?[0-9a-f]*[0-9][0-9a-f]*/g, '#')}`;
    throw new FuzzFailure('non-wire-error', `decodeMessage threw ${describe(e)}`, { cause: e });
  }
  checkRdata(msg);
  roundTrip(msg, true);
  roundTrip(msg, false);
  let out = 'ok';
  for (const list of [msg.answers, msg.authorities, msg.additionals]) {
    for (const rr of list) out += `|t${codecFor(rr.type) === undefined ? 'X' : rr.type}${rr.class === 1 ? '' : rr.class === 254 || rr.class === 255 ? (rr.rdata.length === 0 ? 'u0' : 'u') : 'c'}`;
  }
  if (msg.edns) out += `|e${Math.min(msg.edns.options.length, 4)}`;
  if (msg.tsig) out += '|tsig';
  return out;
}

// --- structure walker (for targeted mutations) ---------------------------------

/** Offsets of interesting fields in a message, found by a tolerant walk. */
interface Layout {
  /** Label length octets and pointer first octets. */
  labels: number[];
  /** RDLENGTH fields. */
  rdlengths: number[];
  /** TYPE fields (questions and records). */
  types: number[];
  /** CLASS fields. */
  classes: number[];
  /** Offsets where a name starts (pointer targets worth aiming at). */
  nameStarts: number[];
  /** Start of each rdata. */
  rdatas: number[];
  /** Each question and record: its octet span and header count field (4, 6, 8 or 10). */
  entries: { start: number; end: number; countAt: number }[];
}

function walkName(b: Uint8Array, p: number, L: Layout): number {
  L.nameStarts.push(p);
  for (let guard = 0; p < b.length && guard < 128; guard++) {
    const len = b[p]!;
    L.labels.push(p);
    if (len === 0) return p + 1;
    if (len >= 0xc0) return p + 2;
    if (len > 63) return -1;
    if (len > 0) L.nameStarts.push(p + len + 1);
    p += len + 1;
  }
  return -1;
}

/** Walks as far as the bytes make sense; never throws. */
export function layout(b: Uint8Array): Layout {
  const L: Layout = { labels: [], rdlengths: [], types: [], classes: [], nameStarts: [], rdatas: [], entries: [] };
  if (b.length < 12) return L;
  const u16 = (p: number): number => (b[p]! << 8) | b[p + 1]!;
  const counts = [u16(4), u16(6), u16(8), u16(10)];
  let p = 12;
  for (let i = 0; i < Math.min(counts[0]!, 64) && p < b.length; i++) {
    const start = p;
    p = walkName(b, p, L);
    if (p < 0 || p + 4 > b.length) return L;
    L.types.push(p);
    L.classes.push(p + 2);
    p += 4;
    L.entries.push({ start, end: p, countAt: 4 });
  }
  const rrs = Math.min(counts[1]! + counts[2]! + counts[3]!, 256);
  for (let i = 0; i < rrs && p < b.length; i++) {
    const start = p;
    const countAt = i < counts[1]! ? 6 : i < counts[1]! + counts[2]! ? 8 : 10;
    p = walkName(b, p, L);
    if (p < 0 || p + 10 > b.length) return L;
    L.types.push(p);
    L.classes.push(p + 2);
    L.rdlengths.push(p + 8);
    const rdl = u16(p + 8);
    p += 10;
    L.rdatas.push(p);
    // Names inside rdata: a guess that helps pointer and label mutations.
    for (let q = p; q < Math.min(p + rdl, b.length); q++) if (b[q]! >= 0xc0) L.labels.push(q);
    p += rdl;
    L.entries.push({ start, end: Math.min(p, b.length), countAt });
  }
  return L;
}

// --- mutation engine ---------------------------------------------------------

const INTERESTING8 = [0x00, 0x01, 0x02, 0x3f, 0x40, 0x41, 0x7f, 0x80, 0xbf, 0xc0, 0xc1, 0xfe, 0xff];
const INTERESTING16 = [0, 1, 2, 3, 4, 0x29, 0x3f, 0x40, 0x7f, 0x80, 0xfa, 0xfb, 0xff, 0x100, 0x3fff, 0x7fff, 0x8000, 0xfffe, 0xffff];
/** Types whose decoder has the most logic (names, bitmaps, SvcParams, checks). */
const TYPES = [1, 2, 5, 6, 12, 13, 15, 16, 17, 18, 21, 24, 25, 28, 29, 33, 35, 36, 37, 38, 39, 41, 42, 43, 45, 46, 47, 48, 50, 51, 52, 53, 55, 57, 59, 60, 61, 62, 63, 64, 65, 99, 104, 105, 106, 107, 108, 109, 249, 250, 251, 252, 255, 256, 257, 260, 262, 32768, 32769, 65535];
const CLASSES = [1, 3, 4, 254, 255, 0, 2, 0xffff];

/** Largest input the mutator produces. */
export const MAX_INPUT = 8192;

function set16(b: Uint8Array, p: number, v: number): void {
  if (p + 1 < b.length) {
    b[p] = (v >>> 8) & 0xff;
    b[p + 1] = v & 0xff;
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const x of parts) n += x.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const x of parts) {
    out.set(x, o);
    o += x.length;
  }
  return out;
}

export type MutationName =
  | 'bitflip' | 'byteset' | 'insert' | 'delete' | 'splice' | 'count' | 'pointer' | 'label' | 'rdlength' | 'type'
  | 'class' | 'truncate' | 'duplicate' | 'u16' | 'random';

const MUTATIONS: MutationName[] = [
  'bitflip', 'bitflip', 'byteset', 'byteset', 'insert', 'delete', 'splice', 'count', 'count', 'pointer', 'pointer',
  'label', 'label', 'rdlength', 'rdlength', 'type', 'type', 'class', 'truncate', 'duplicate', 'u16',
];

/**
 * Applies one mutation to a copy of `input`. `pool` supplies splice
 * partners. The result is never longer than MAX_INPUT.
 */
export function mutateOnce(rng: Rng, input: Uint8Array, pool: readonly Uint8Array[], which?: MutationName): Uint8Array {
  const m = which ?? rng.pick(MUTATIONS);
  let b: Uint8Array = input.slice();
  const n = b.length;
  const pos = (): number => rng.below(Math.max(n, 1));
  switch (m) {
    case 'bitflip': {
      if (n === 0) break;
      const times = 1 + rng.below(4);
      for (let i = 0; i < times; i++) b[pos()]! ^= 1 << rng.below(8);
      break;
    }
    case 'byteset': {
      if (n === 0) break;
      b[pos()] = rng.chance(0.5) ? rng.pick(INTERESTING8) : rng.below(256);
      break;
    }
    case 'insert': {
      const at = rng.below(n + 1);
      const len = 1 + rng.below(rng.chance(0.8) ? 4 : 64);
      const ins = new Uint8Array(len);
      for (let i = 0; i < len; i++) ins[i] = rng.chance(0.5) ? rng.pick(INTERESTING8) : rng.below(256);
      b = concat(b.subarray(0, at), ins, b.subarray(at));
      break;
    }
    case 'delete': {
      if (n === 0) break;
      const at = rng.below(n);
      const len = 1 + rng.below(Math.min(rng.chance(0.8) ? 4 : 64, n - at));
      b = concat(b.subarray(0, at), b.subarray(at + len));
      break;
    }
    case 'splice': {
      const other = pool.length > 0 ? rng.pick(pool) : input;
      const cutA = rng.below(n + 1);
      const from = rng.below(other.length + 1);
      const to = from + rng.below(other.length - from + 1);
      // Keep our head (header, question) and graft a slice of the other message.
      b = concat(b.subarray(0, cutA), other.subarray(from, to), rng.chance(0.5) ? b.subarray(cutA) : new Uint8Array(0));
      break;
    }
    case 'count': {
      if (n < 12) break;
      const field = 4 + 2 * rng.below(4);
      const cur = (b[field]! << 8) | b[field + 1]!;
      const choice = rng.below(5);
      const v = choice === 0 ? cur + 1 : choice === 1 ? cur - 1 : choice === 2 ? 0 : choice === 3 ? rng.pick(INTERESTING16) : rng.below(8);
      set16(b, field, v & 0xffff);
      break;
    }
    case 'pointer': {
      if (n < 2) break;
      const L = layout(b);
      const at = L.labels.length > 0 && rng.chance(0.7) ? rng.pick(L.labels) : pos();
      // Mostly backwards to a real name start (valid-looking), sometimes forward, self or wild.
      let target: number;
      const r = rng.below(10);
      if (r < 6 && L.nameStarts.length > 0) target = rng.pick(L.nameStarts);
      else if (r < 7) target = at;
      else if (r < 8) target = at + 1 + rng.below(16);
      else target = rng.below(0x4000);
      const ptr = Uint8Array.of(0xc0 | ((target >>> 8) & 0x3f), target & 0xff);
      if (rng.chance(0.5) && at + 1 < n) {
        b[at] = ptr[0]!;
        b[at + 1] = ptr[1]!;
      } else {
        b = concat(b.subarray(0, at), ptr, b.subarray(at));
      }
      break;
    }
    case 'label': {
      const L = layout(b);
      if (L.labels.length === 0) break;
      const at = rng.pick(L.labels);
      const cur = b[at]!;
      const choice = rng.below(6);
      b[at] = (choice === 0 ? cur + 1 : choice === 1 ? cur - 1 : choice === 2 ? 0 : choice === 3 ? 63 : choice === 4 ? 64 : rng.pick(INTERESTING8)) & 0xff;
      break;
    }
    case 'rdlength': {
      const L = layout(b);
      if (L.rdlengths.length === 0) break;
      const at = rng.pick(L.rdlengths);
      const cur = (b[at]! << 8) | b[at + 1]!;
      const choice = rng.below(5);
      const v = choice === 0 ? cur + 1 : choice === 1 ? cur - 1 : choice === 2 ? 0 : choice === 3 ? cur + 1 + rng.below(8) : rng.pick(INTERESTING16);
      set16(b, at, v & 0xffff);
      break;
    }
    case 'type': {
      const L = layout(b);
      if (L.types.length === 0) break;
      set16(b, rng.pick(L.types), rng.pick(TYPES));
      break;
    }
    case 'class': {
      const L = layout(b);
      if (L.classes.length === 0) break;
      set16(b, rng.pick(L.classes), rng.pick(CLASSES));
      break;
    }
    case 'truncate': {
      if (n === 0) break;
      b = b.slice(0, rng.below(n));
      break;
    }
    case 'duplicate': {
      if (n === 0) break;
      const from = rng.below(n);
      const len = 1 + rng.below(Math.min(n - from, 128));
      const at = rng.below(n + 1);
      b = concat(b.subarray(0, at), b.subarray(from, from + len), b.subarray(at));
      break;
    }
    case 'u16': {
      if (n < 2) break;
      set16(b, rng.below(n - 1), rng.pick(INTERESTING16));
      break;
    }
    case 'random': {
      b = randomBytes(rng);
      break;
    }
  }
  return b.length > MAX_INPUT ? b.subarray(0, MAX_INPUT) : b;
}

/** Raw random input: sometimes pure noise, sometimes a plausible header with a noisy body. */
export function randomBytes(rng: Rng): Uint8Array {
  const len = rng.below(rng.chance(0.9) ? 128 : 1024);
  const b = new Uint8Array(len);
  for (let i = 0; i < len; i++) b[i] = rng.chance(0.2) ? rng.pick(INTERESTING8) : rng.below(256);
  if (len >= 12 && rng.chance(0.7)) {
    for (let f = 4; f < 12; f += 2) set16(b, f, rng.below(3));
  }
  return b;
}

/** One fuzz input: a corpus entry with 1..5 stacked mutations, or pure random bytes. */
export function nextInput(rng: Rng, pool: readonly Uint8Array[]): Uint8Array {
  if (pool.length === 0 || rng.chance(0.03)) return randomBytes(rng);
  let b = rng.pick(pool);
  const stack = 1 + rng.below(rng.chance(0.7) ? 2 : 5);
  for (let i = 0; i < stack; i++) b = mutateOnce(rng, b, pool);
  return b;
}

// --- corpora -----------------------------------------------------------------

export const savedCorpusDir = resolve(repoRoot, 'fuzz', 'corpus', 'wire');
export const crashesDir = resolve(repoRoot, 'fuzz', 'crashes');

export interface CorpusEntry {
  name: string;
  bytes: Uint8Array;
}

function binFiles(dir: string): CorpusEntry[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.bin'))
    .sort()
    .map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(join(dir, f))) }));
}

/** The seed corpus kept in the repository (fuzz/corpus/wire/*.bin). */
export function savedCorpus(): CorpusEntry[] {
  return binFiles(savedCorpusDir);
}

/** Crashing inputs found earlier (fuzz/crashes/*.bin): regression inputs. */
export function crashInputs(): CorpusEntry[] {
  return binFiles(crashesDir);
}

/**
 * Captured real traffic from ../shared/corpora, read in place (never copied
 * into the repo). Missing corpora produce haveCorpus's loud skip line.
 */
export function externalCorpus(): CorpusEntry[] {
  const out: CorpusEntry[] = [];
  if (haveCorpus('native-dns-packet-fixtures')) {
    for (const e of binFiles(corpusPath('native-dns-packet-fixtures'))) out.push({ name: `native-dns-packet/${e.name}`, bytes: e.bytes });
  }
  if (haveCorpus('dnscap-pcaps')) {
    const dir = corpusPath('dnscap-pcaps');
    for (const f of readdirSync(dir).filter((x) => x.endsWith('-payloads.tsv')).sort()) {
      const tcp = f.includes('.tcp-');
      const lines = readFileSync(join(dir, f), 'utf8').split('\n').slice(1);
      for (const line of lines) {
        const [frame, hex] = line.split('\t');
        if (!hex || !/^[0-9a-f]+$/i.test(hex)) continue;
        let bytes = new Uint8Array(Buffer.from(hex, 'hex'));
        // TCP rows may carry the 2-octet length prefix (RFC 1035 §4.2.2); strip it when it matches.
        if (tcp && bytes.length >= 2 && ((bytes[0]! << 8) | bytes[1]!) === bytes.length - 2) bytes = bytes.subarray(2);
        out.push({ name: `dnscap/${f}#${frame}`, bytes });
      }
    }
  }
  return out;
}

// --- the target descriptor for fuzz/session.ts --------------------------------

/** The wire target as fuzz/session.ts runs it: saved crashes are fuzz/crashes/<hash>.bin. */
export const wireTarget: FuzzTarget<CorpusEntry, Uint8Array> = {
  url: import.meta.url,
  name: 'wireTarget',
  maxInput: MAX_INPUT,
  maxPool: 4096,
  replaceWhenFull: true,
  hangMs: 5000,
  crashPrefix: '',
  crashExt: 'bin',
  crashBody: (b) => b,
  input: (e) => e.bytes,
  nextInput,
  runOne,
  failureMessage: (e) => (e instanceof FuzzFailure ? e.message : `harness error: ${describe(e)}`),
  toBytes: (b) => b,
  fromBytes: (b) => b,
  describeCrash: (c) => `CRASH ${c.kind}${c.name ? ` [${c.name}]` : ''}: ${c.message}\n  input ${hexOf(c.input)}`,
};

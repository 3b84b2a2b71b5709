/**
 * The fuzz kit shared by every target and the soak: a seeded PRNG (so a
 * run is reproducible from its seed), a tolerant walk over a message's
 * fields, the mutation engine that feeds the wire targets, the saved and
 * external corpora, the crashes folder, and how a thrown value is told.
 */
import { Rng } from '../test/support/rng.js';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { WireFormatError } from '../src/wire/index.js';
import { corpusPath, haveCorpus, repoRoot } from '../test/support/paths.js';

/** One line saying what was thrown: a WireFormatError with its code, an Error with its name, or anything else. */
export function describe(e: unknown): string {
  if (e instanceof WireFormatError) return `WireFormatError ${e.code}: ${e.message}`;
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return `non-Error thrown: ${String(e)}`;
}

// --- PRNG --------------------------------------------------------------------


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

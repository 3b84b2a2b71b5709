/**
 * Fuzz target `xfr-in`: the secondary's transfer client (transferZone in
 * src/xfr/transfer-client.ts). By default each input runs against a real
 * fake primary on 127.0.0.1. Both live in a helper worker thread (their own
 * event loop); the synchronous `runOne` hands the input over and blocks on
 * shared memory until the helper reports. That makes this target slow (a
 * few hundred executions a second). The socketless mode (`--sockets no`,
 * xfrDirectTarget) feeds the same streams straight to TransferReader
 * (src/xfr/transfer-reader.ts), with the same oracle, some ten times faster.
 *
 * An input is a transfer case: AXFR (no current zone) or IXFR (current zone
 * = the base zone, serial 1), and the two message streams the fake primary
 * sends: one for an AXFR query, one for an IXFR query (the query's ID is
 * written into each message; everything else is as fuzzed). Seeds are a
 * valid AXFR of a small zone at serial 2 and a valid IXFR 1 -> 2; mutations
 * flip octets, drop/duplicate/swap/move records and messages, truncate
 * messages, change SOA serials, rename owners out of the zone.
 *
 * Invariants (XfrFailure otherwise):
 *  - transferZone throws nothing but TransferError;
 *  - a result is returned only for a stream that is complete and valid
 *    (every message up to the end decodes, NOERROR, the question the one
 *    asked, SOA first, the closing SOA with the same serial, every record
 *    class IN and in the zone), and then:
 *      AXFR(-style): the zone's records are exactly the records from the
 *        opening SOA up to (not including) the closing one;
 *      IXFR: the zone's records are the base zone's with each sequence's
 *        deletions and additions applied in order, the first sequence
 *        starting at our serial; up to date: a lone SOA no later than ours.
 *    Records are compared as sets by owner (case-insensitive), type, class
 *    and canonical rdata (RFC 4034 §6.2); TTLs are not compared (the zone
 *    may unify an RRset's TTLs, RFC 2181 §5.2).
 * The target writes no files: a failed transfer leaves nothing anywhere.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { loadZoneText, runStepsNow } from '../src/zone/index.js';
import { transferZone, type TransferResult } from '../src/xfr/transfer-client.js';
import { TransferError } from '../src/xfr/transfer-error.js';
import { TransferReader, type TransferReaderOutcome } from '../src/xfr/transfer-reader.js';
import { applyDiffsCondensed, finishTransferredZoneSteps } from '../src/xfr/apply-diff.js';
import { DEFAULT_ZONE_LIMITS } from '../src/zonefile/index.js';
import {
  Name, RRType, canonicalRdata, decodeMessage, emptyMessage, encodeMessageToBytes, type Message, type ResourceRecord,
} from '../src/wire/index.js';
import type { Zone } from '../src/zone/index.js';
import { runSession, type FuzzTarget } from './session.js';
import { crashesDir, describe, mutateOnce, type CorpusEntry } from './fuzz-kit.js';
import { startScriptedPrimary, type PrimaryStep } from '../test/support/fake-primary.js';
import { Rng } from '../test/support/rng.js';

export class XfrFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XfrFailure';
  }
}

const ORIGIN = Name.fromText('xfr.example.');
const MAX_INPUT = 32768;
const MAX_MESSAGES = 8;
const AXFR = 252;
const IXFR = 251;

const ZONE_V1 = `$ORIGIN xfr.example.
$TTL 3600
@ IN SOA ns1 hostmaster 1 7200 900 1209600 300
@ NS ns1
@ NS ns2.other.test.
ns1 A 192.0.2.1
www A 192.0.2.10
www AAAA 2001:db8::10
mail MX 10 mx.other.test.
txt TXT "one" "two"
sub NS ns.sub
ns.sub A 192.0.2.53
alias CNAME www
old A 192.0.2.99
`;

const ZONE_V2 = ZONE_V1.replace(' 1 7200', ' 2 7200').replace('www A 192.0.2.10', 'www A 192.0.2.11').replace('old A 192.0.2.99\n', 'new TXT "fresh"\n');

let zones: { v1: Zone; v2: Zone } | null = null;
function baseZones(): { v1: Zone; v2: Zone } {
  return (zones ??= { v1: loadZoneText(ZONE_V1, ORIGIN), v2: loadZoneText(ZONE_V2, ORIGIN) });
}

const hexOf = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/** A record's identity: owner (any case), type, class, canonical rdata. */
function recordKey(rr: ResourceRecord): string {
  let rdata: Uint8Array;
  try {
    rdata = canonicalRdata(rr.type, rr.rdata);
  } catch {
    rdata = rr.rdata;
  }
  return `${rr.name.toLowerCase().toText()}|${rr.type}|${rr.class}|${hexOf(rdata)}`;
}

// --- inputs: a case is a mode and two message streams ----------------------------------

export interface XfrCase {
  /** 0: AXFR (no current zone); 1: IXFR from the base zone. */
  mode: number;
  axfr: Uint8Array[];
  ixfr: Uint8Array[];
}

export function encodeCase(c: XfrCase): Uint8Array {
  const parts: number[] = [c.mode & 1];
  for (const stream of [c.axfr, c.ixfr]) {
    const s = stream.slice(0, MAX_MESSAGES);
    parts.push(s.length);
    for (const m of s) {
      const len = Math.min(m.length, 0xffff);
      parts.push(len >> 8, len & 0xff);
      for (let i = 0; i < len; i++) parts.push(m[i]!);
    }
  }
  return Uint8Array.from(parts);
}

/** Tolerant: whatever does not parse is left out. */
export function decodeCase(b: Uint8Array): XfrCase {
  let p = 0;
  const mode = b.length > 0 ? b[p++]! & 1 : 0;
  const streams: Uint8Array[][] = [];
  for (let s = 0; s < 2; s++) {
    const out: Uint8Array[] = [];
    const n = p < b.length ? Math.min(b[p++]!, MAX_MESSAGES) : 0;
    for (let i = 0; i < n && p + 2 <= b.length; i++) {
      const len = (b[p]! << 8) | b[p + 1]!;
      p += 2;
      out.push(b.slice(p, Math.min(p + len, b.length)));
      p += len;
    }
    streams.push(out);
  }
  return { mode, axfr: streams[0]!, ixfr: streams[1]! };
}

function soaOf(z: Zone): ResourceRecord {
  return { name: z.origin, type: RRType.SOA, class: 1, ttl: z.soa.ttl, rdata: z.soa.rdatas[0]! };
}

function withoutSoa(z: Zone): ResourceRecord[] {
  return z.canonicalRecords().filter((r) => r.type !== RRType.SOA);
}

/** Records split into messages of at most `per` answers, each a response to `qtype` for the origin. */
function messagesOf(records: ResourceRecord[], qtype: number, per: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < records.length; i += per) {
    const m = emptyMessage(0);
    m.qr = true;
    m.aa = true;
    if (i === 0 || per % 2 === 0) m.questions.push({ name: ORIGIN, type: qtype, class: 1 });
    m.answers.push(...records.slice(i, i + per));
    out.push(encodeMessageToBytes(m));
  }
  return out;
}

function axfrRecords(z: Zone): ResourceRecord[] {
  return [soaOf(z), ...withoutSoa(z), soaOf(z)];
}

function ixfrRecords(from: Zone, to: Zone): ResourceRecord[] {
  const a = new Map(withoutSoa(from).map((r) => [recordKey(r), r]));
  const b = new Map(withoutSoa(to).map((r) => [recordKey(r), r]));
  const removed = [...a].filter(([k]) => !b.has(k)).map(([, r]) => r);
  const added = [...b].filter(([k]) => !a.has(k)).map(([, r]) => r);
  return [soaOf(to), soaOf(from), ...removed, soaOf(to), ...added, soaOf(to)];
}

/** The seed cases: AXFR and IXFR, in one message and in several, plus an up-to-date IXFR answer. */
export function xfrSeeds(): CorpusEntry[] {
  const { v1, v2 } = baseZones();
  const seeds: { name: string; c: XfrCase }[] = [];
  for (const per of [100, 3, 4]) {
    const ax = messagesOf(axfrRecords(v2), AXFR, per);
    seeds.push({ name: `axfr-${per}`, c: { mode: 0, axfr: ax, ixfr: [] } });
    seeds.push({ name: `ixfr-${per}`, c: { mode: 1, axfr: ax, ixfr: messagesOf(ixfrRecords(v1, v2), IXFR, per) } });
    seeds.push({ name: `ixfr-axfr-style-${per}`, c: { mode: 1, axfr: ax, ixfr: messagesOf(axfrRecords(v2), IXFR, per) } });
  }
  seeds.push({ name: 'ixfr-uptodate', c: { mode: 1, axfr: [], ixfr: messagesOf([soaOf(v1)], IXFR, 1) } });
  seeds.push({ name: 'ixfr-soa-only-later', c: { mode: 1, axfr: messagesOf(axfrRecords(v2), AXFR, 5), ixfr: messagesOf([soaOf(v2)], IXFR, 1) } });
  return seeds.map((s) => ({ name: s.name, bytes: encodeCase(s.c) }));
}

const OUT_OF_ZONE = [Name.fromText('evil.test.'), Name.fromText('example.'), Name.fromText('xfr.example.evil.'), Name.fromText('.')];

function setSerial(rdata: Uint8Array, serial: number): Uint8Array {
  const r = rdata.slice();
  let p = 0;
  for (let n = 0; n < 2; n++) {
    while (p < r.length && r[p] !== 0) p += r[p]! + 1;
    p++;
  }
  if (p + 4 <= r.length) Buffer.from(r.buffer, r.byteOffset, r.byteLength).writeUInt32BE(serial >>> 0, p);
  return r;
}

/** A record-level change to one decodable message; the message unchanged when it does not decode. */
function mutateRecords(rng: Rng, bytes: Uint8Array, others: Uint8Array[]): Uint8Array {
  let m: Message;
  try {
    m = decodeMessage(bytes);
  } catch {
    return bytes;
  }
  const an = m.answers;
  const i = rng.below(Math.max(an.length, 1));
  switch (rng.below(9)) {
    case 0: // drop a record
      if (an.length > 0) an.splice(i, 1);
      break;
    case 1: // duplicate a record
      if (an.length > 0) an.splice(rng.below(an.length + 1), 0, an[i]!);
      break;
    case 2: { // move a record
      if (an.length > 1) {
        const [r] = an.splice(i, 1);
        an.splice(rng.below(an.length + 1), 0, r!);
      }
      break;
    }
    case 3: { // change a SOA serial
      const soas = an.filter((r) => r.type === RRType.SOA);
      if (soas.length > 0) {
        const r = rng.pick(soas);
        const serial = rng.pick([0, 1, 2, 3, 0x7fffffff, 0x80000000, 0xffffffff, rng.next()]);
        an[an.indexOf(r)] = { ...r, rdata: setSerial(r.rdata, serial) };
      }
      break;
    }
    case 4: // an out-of-zone owner
      if (an.length > 0) an[i] = { ...an[i]!, name: rng.pick(OUT_OF_ZONE) };
      break;
    case 5: // another class
      if (an.length > 0) an[i] = { ...an[i]!, class: rng.pick([3, 4, 254, 255, 0]) };
      break;
    case 6: { // a record from another message
      const o = rng.pick(others);
      try {
        const om = decodeMessage(o);
        if (om.answers.length > 0) an.splice(rng.below(an.length + 1), 0, rng.pick(om.answers));
      } catch {
        /* not decodable: nothing to take */
      }
      break;
    }
    case 7: // drop or add the question
      if (m.questions.length > 0) m.questions = [];
      else m.questions.push({ name: ORIGIN, type: rng.pick([AXFR, IXFR, 6]), class: 1 });
      break;
    case 8: // header: rcode, opcode, QR
      if (rng.chance(0.5)) m.rcode = rng.pick([1, 2, 4, 5, 9]);
      // A second draw of the PRNG, not the same condition again.
      // eslint-disable-next-line no-dupe-else-if
      else if (rng.chance(0.5)) m.opcode = rng.pick([1, 2, 4, 5]);
      else m.qr = false;
      break;
  }
  try {
    return encodeMessageToBytes(m);
  } catch {
    return bytes;
  }
}

/** One mutation of a case. */
export function mutateCase(rng: Rng, c: XfrCase, pool: readonly XfrCase[]): XfrCase {
  const out: XfrCase = { mode: c.mode, axfr: [...c.axfr], ixfr: [...c.ixfr] };
  if (rng.chance(0.05)) {
    out.mode ^= 1;
    return out;
  }
  const stream = out.mode === 0 || rng.chance(0.2) ? out.axfr : out.ixfr;
  const all = [...out.axfr, ...out.ixfr];
  const k = rng.below(100);
  if (stream.length === 0) {
    if (all.length > 0) stream.push(rng.pick(all));
    return out;
  }
  const i = rng.below(stream.length);
  if (k < 40) stream[i] = mutateRecords(rng, stream[i]!, all);
  else if (k < 60) stream[i] = mutateOnce(rng, stream[i]!, all); // octet-level: the wire mutators
  else if (k < 68) stream.splice(i, 1); // drop a message
  else if (k < 75) stream.splice(rng.below(stream.length + 1), 0, stream[i]!); // duplicate a message
  else if (k < 82) stream[i] = stream[i]!.slice(0, rng.below(stream[i]!.length)); // truncate a message
  else if (k < 88) stream.splice(rng.below(stream.length + 1), 0, stream.splice(i, 1)[0]!); // move a message
  else if (k < 94) {
    // Splice in a message from another case.
    const o = rng.pick(pool);
    const src = [...o.axfr, ...o.ixfr];
    if (src.length > 0) stream.splice(rng.below(stream.length + 1), 0, rng.pick(src));
  } else {
    const b = stream[i]!.slice();
    if (b.length > 0) {
      const k = rng.below(b.length);
      b[k] = b[k]! ^ (1 << rng.below(8));
    }
    stream[i] = b;
  }
  if (stream.length > MAX_MESSAGES) stream.length = MAX_MESSAGES;
  return out;
}

export function nextXfrInput(rng: Rng, pool: readonly Uint8Array[]): Uint8Array {
  const cases = pool.map(decodeCase);
  let c = rng.pick(cases);
  const stack = 1 + rng.below(rng.chance(0.7) ? 2 : 4);
  for (let i = 0; i < stack; i++) c = mutateCase(rng, c, cases);
  const b = encodeCase(c);
  return b.length > MAX_INPUT ? b.subarray(0, MAX_INPUT) : b;
}

// --- the oracle (runs in the helper) ------------------------------------------------------

/** Each message's answers, or why the message is not acceptable (checked only when the transfer reaches it). */
function streamRecords(stream: Uint8Array[], qtype: number): (ResourceRecord[] | string)[] {
  return stream.map((bytes, i) => {
    let m: Message;
    try {
      m = decodeMessage(bytes);
    } catch {
      return `message ${i + 1} does not decode`;
    }
    if (!m.qr || m.opcode !== 0 || m.rcode !== 0) return `message ${i + 1} header qr=${m.qr} opcode=${m.opcode} rcode=${m.rcode}`;
    if ((i === 0 && m.questions.length !== 1) || m.questions.length > 1) return `message ${i + 1} has ${m.questions.length} questions`;
    const q = m.questions[0];
    if (q !== undefined && (!q.name.equals(ORIGIN) || q.type !== qtype || q.class !== 1)) return `message ${i + 1} question is not the one asked`;
    for (const rr of m.answers) {
      if (rr.class !== 1 || !rr.name.isSubdomainOf(ORIGIN)) return `message ${i + 1} has ${rr.name.toText()} class ${rr.class}`;
    }
    return m.answers;
  });
}

const isApexSoa = (rr: ResourceRecord): boolean => rr.type === RRType.SOA && rr.name.equals(ORIGIN);
const serialOf = (rr: ResourceRecord): number => soaSerial(rr.rdata);

function soaSerial(rdata: Uint8Array): number {
  let p = 0;
  for (let n = 0; n < 2; n++) {
    while (p < rdata.length && rdata[p] !== 0) p += rdata[p]! + 1;
    p++;
  }
  return p + 4 <= rdata.length ? Buffer.from(rdata.buffer, rdata.byteOffset, rdata.byteLength).readUInt32BE(p) : NaN;
}

/**
 * The records up to the end of the transfer: every message read must be
 * acceptable, and the one holding the closing SOA must end with it.
 */
function untilEnd(msgs: (ResourceRecord[] | string)[], isEnd: (flat: ResourceRecord[]) => boolean): ResourceRecord[] | string {
  const flat: ResourceRecord[] = [];
  for (let i = 0; i < msgs.length; i++) {
    const m = msgs[i]!;
    if (typeof m === 'string') return m;
    if (i === 0 && m.length === 0) return 'the first message has no answers';
    for (let j = 0; j < m.length; j++) {
      flat.push(m[j]!);
      if (isEnd(flat)) return j === m.length - 1 ? flat : `records after the closing SOA in message ${i + 1}`;
    }
  }
  return 'the stream ends before the closing SOA';
}

/** What an AXFR(-style) stream should produce. */
function axfrExpect(stream: Uint8Array[], qtype: number): Set<string> | string {
  const flat = untilEnd(streamRecords(stream, qtype), (f) => f.length > 1 && isApexSoa(f[f.length - 1]!));
  if (typeof flat === 'string') return flat;
  const first = flat[0]!;
  if (!isApexSoa(first)) return 'does not start with the SOA';
  if (serialOf(flat[flat.length - 1]!) !== serialOf(first)) return 'closing SOA serial differs';
  return new Set(flat.slice(0, -1).map(recordKey));
}

/**
 * What an incremental IXFR stream should produce from `current`, without
 * its SOA, and the SOAs the new zone may carry: the opening one, the last
 * sequence's new one or the closing one (the RFC has them all be the same
 * version; when a mutant makes them differ beyond the serial, either is fine).
 */
function ixfrExpect(stream: Uint8Array[], current: Zone): { records: Set<string>; soas: Set<string> } | string {
  const msgs = streamRecords(stream, IXFR);
  const all: ResourceRecord[] = [];
  for (const m of msgs) {
    if (typeof m === 'string') break;
    all.push(...m);
  }
  const first = all[0];
  if (first === undefined || !isApexSoa(first)) return 'does not start with the SOA';
  const finalSerial = serialOf(first);
  const set = new Set(withoutSoa(current).map(recordKey));
  let p = 1;
  let expectFrom = current.serial;
  while (p < all.length) {
    const oldSoa = all[p++]!;
    if (!isApexSoa(oldSoa)) return 'a sequence does not start with a SOA';
    if (serialOf(oldSoa) !== expectFrom) return `a sequence starts at serial ${serialOf(oldSoa)}, not ${expectFrom}`;
    for (; p < all.length && !isApexSoa(all[p]!); p++) {
      const k = recordKey(all[p]!);
      if (!set.delete(k)) return `deletes a missing record ${k}`;
    }
    const newSoa = all[p++];
    if (newSoa === undefined) return 'ends inside the deletions';
    const lastTo = serialOf(newSoa);
    for (; p < all.length && !isApexSoa(all[p]!); p++) set.add(recordKey(all[p]!));
    if (p >= all.length) return 'ends inside the additions';
    if (lastTo === finalSerial && serialOf(all[p]!) === finalSerial) {
      // The closing SOA: every message up to it acceptable, and it ends its message.
      const closing = all[p]!;
      const read = untilEnd(msgs, (f) => f.length === p + 1);
      if (typeof read === 'string') return read;
      return { records: set, soas: new Set([first, newSoa, closing].map(recordKey)) };
    }
    expectFrom = lastTo;
  }
  return 'the stream ends before the closing SOA';
}

function diffSets(got: Set<string>, want: Set<string>): string | null {
  const missing = [...want].filter((k) => !got.has(k));
  const extra = [...got].filter((k) => !want.has(k));
  if (missing.length === 0 && extra.length === 0) return null;
  return `missing ${JSON.stringify(missing.slice(0, 3))} extra ${JSON.stringify(extra.slice(0, 3))}`;
}

/** What checkResult looks at in a transfer's result. */
type Outcome = Pick<TransferResult, 'kind' | 'zone' | 'upToDate' | 'fallback'>;

/** Checks a returned result against the stream it came from; a failure message or null. */
function checkResult(c: XfrCase, r: Outcome): string | null {
  const { v1 } = baseZones();
  const got = new Set(r.zone.canonicalRecords().map(recordKey));
  if (c.mode === 0) {
    if (r.kind !== 'AXFR') return `AXFR gave kind ${r.kind}`;
    const want = axfrExpect(c.axfr, AXFR);
    if (typeof want === 'string') return `AXFR result from an invalid stream: ${want}`;
    const d = diffSets(got, want);
    return d === null ? null : `AXFR zone differs from the stream: ${d}`;
  }
  if (r.upToDate) {
    const a = streamRecords(c.ixfr, IXFR)[0] ?? 'no message';
    if (typeof a === 'string') return `up to date from an invalid stream: ${a}`;
    if (a.length !== 1 || !isApexSoa(a[0]!) || ((serialOf(a[0]!) - v1.serial) | 0) > 0) return 'up to date without a lone SOA no later than ours';
    return r.zone === v1 ? null : 'up to date but not the current zone';
  }
  if (r.kind === 'IXFR') {
    const want = ixfrExpect(c.ixfr, v1);
    if (typeof want === 'string') return `IXFR result from an invalid stream: ${want}`;
    const soas = [...got].filter((k) => k.startsWith(`${ORIGIN.toText()}|${RRType.SOA}|`));
    if (soas.length !== 1 || !want.soas.has(soas[0]!)) return `IXFR zone SOA ${JSON.stringify(soas)} is none of the stream's ${JSON.stringify([...want.soas])}`;
    const d = diffSets(new Set([...got].filter((k) => k !== soas[0])), want.records);
    return d === null ? null : `IXFR zone differs from the stream: ${d}`;
  }
  // AXFR: either the IXFR answer was AXFR-style, or a fallback AXFR on a second connection.
  const fromIxfr = r.fallback === 'server sent a full zone';
  const want = fromIxfr ? axfrExpect(c.ixfr, IXFR) : axfrExpect(c.axfr, AXFR);
  if (typeof want === 'string') return `AXFR result (${r.fallback ?? 'no fallback'}) from an invalid stream: ${want}`;
  const d = diffSets(got, want);
  return d === null ? null : `AXFR zone (${r.fallback ?? 'no fallback'}) differs from the stream: ${d}`;
}

// --- the helper thread: the fake primary and the client ----------------------------------

interface HelperData {
  tyneXfrHelper: true;
  control: SharedArrayBuffer;
  out: SharedArrayBuffer;
}

/** Control words: [0] ready flag, [1] sequence number of the last finished case, [2] reply length. */
const OUT_SIZE = 1 << 16;

interface Reply {
  fail: string | null;
  sig: string;
}

/** The outcome features of a case's result, or of what was thrown instead; `fail` when the oracle disagrees. */
function replyOf(c: XfrCase, r: Outcome | unknown): Reply {
  if (r !== null && typeof r === 'object' && 'zone' in r && 'kind' in r) {
    const o = r as Outcome;
    const fail = checkResult(c, o);
    return { fail, sig: `ok|${o.kind}|${o.upToDate ? 'uptodate' : ''}|${o.fallback === null ? 'direct' : o.fallback.replace(/[0-9]+/g, '#').slice(0, 60)}` };
  }
  if (r instanceof TransferError) {
    return { fail: null, sig: `${r.code}|${r.message.replace(/^[^:]*:[0-9]+: /, '').replace(/[0-9a-f]{4,}|[0-9]+/g, '#').slice(0, 60)}` };
  }
  return { fail: `transferZone threw a non-TransferError: ${r instanceof Error ? (r.stack ?? r.message) : String(r)}`, sig: 'thrown' };
}

async function helperMain(d: HelperData): Promise<void> {
  const control = new Int32Array(d.control);
  const out = new Uint8Array(d.out);
  let current: XfrCase = { mode: 0, axfr: [], ixfr: [] };
  // The fake primary: the case's IXFR or AXFR stream, each message with the query's ID, then the end of the connection.
  const fake = await startScriptedPrimary((q, raw) => {
    const stream = q.questions[0]?.type === IXFR ? current.ixfr : current.axfr;
    const steps: PrimaryStep[] = stream.map((m) => {
      const out = m.slice();
      if (out.length >= 2) {
        out[0] = raw[0]!;
        out[1] = raw[1]!;
      }
      return out;
    });
    return [...steps, 'close'];
  });
  const port = fake.port;

  const finish = (seq: number, reply: Reply): void => {
    const bytes = Buffer.from(JSON.stringify(reply), 'utf8').subarray(0, OUT_SIZE);
    out.set(bytes);
    Atomics.store(control, 2, bytes.length);
    Atomics.store(control, 1, seq);
    Atomics.notify(control, 1);
  };

  parentPort!.on('message', (msg: { seq: number; input: Uint8Array }) => {
    void (async () => {
      const c = decodeCase(msg.input);
      current = c;
      const { v1 } = baseZones();
      let reply: Reply;
      try {
        const r = await transferZone({
          origin: ORIGIN, peer: { host: '127.0.0.1', port, family: 4, key: null }, key: null,
          current: c.mode === 1 ? v1 : null, timeoutMs: 4000, idleTimeoutMs: 2000,
        });
        reply = replyOf(c, r);
      } catch (e) {
        reply = replyOf(c, e);
      }
      fake.disconnect();
      finish(msg.seq, reply);
    })();
  });
  Atomics.store(control, 0, 1);
  Atomics.notify(control, 0);
}

if (!isMainThread && (workerData as Partial<HelperData> | null)?.tyneXfrHelper === true) {
  void helperMain(workerData as HelperData);
}

let helper: { worker: Worker; control: Int32Array; out: Uint8Array; seq: number } | null = null;

function startHelper(): NonNullable<typeof helper> {
  const control = new SharedArrayBuffer(3 * 4);
  const out = new SharedArrayBuffer(OUT_SIZE);
  const data: HelperData = { tyneXfrHelper: true, control, out };
  const worker = new Worker(new URL(import.meta.url), { workerData: data });
  worker.unref();
  const ctl = new Int32Array(control);
  if (Atomics.wait(ctl, 0, 0, 30_000) === 'timed-out' && Atomics.load(ctl, 0) === 0) throw new Error('xfr-in helper did not start within 30 s');
  return { worker, control: ctl, out: new Uint8Array(out), seq: 0 };
}

/** Runs one case (synchronously, through the helper); returns outcome features, throws XfrFailure on a bug. */
export function runXfr(input: Uint8Array): string {
  const h = (helper ??= startHelper());
  const seq = ++h.seq;
  h.worker.postMessage({ seq, input });
  const deadline = Date.now() + 20_000;
  while (Atomics.load(h.control, 1) !== seq) {
    const left = deadline - Date.now();
    if (left <= 0) throw new XfrFailure('no answer from the transfer within 20 s');
    Atomics.wait(h.control, 1, seq - 1, left);
  }
  const reply = JSON.parse(Buffer.from(h.out.subarray(0, Atomics.load(h.control, 2))).toString('utf8')) as Reply;
  if (reply.fail !== null) throw new XfrFailure(reply.fail);
  return reply.sig;
}

// --- the socketless mode: the streams fed straight to TransferReader ------------------------

const DIRECT_ID = 0x2bad;
const DIRECT_PEER = '127.0.0.1:53';

/** A stream as one connection brings it: each message with the query's ID, then the end of the connection. */
function readStream(stream: Uint8Array[], qtype: typeof AXFR | typeof IXFR, ourSerial: number): TransferReaderOutcome {
  const reader = new TransferReader({
    qtype, origin: ORIGIN, peer: DIRECT_PEER, id: DIRECT_ID, signer: null, ourSerial,
    maxRecords: DEFAULT_ZONE_LIMITS.maxRecords, memoryBudget: Infinity,
  });
  for (const m of stream) {
    const bytes = m.slice();
    if (bytes.length >= 2) {
      bytes[0] = DIRECT_ID >> 8;
      bytes[1] = DIRECT_ID & 0xff;
    }
    const step = reader.feed(bytes);
    if (step.state === 'error') throw step.error;
    if (step.state === 'done') return step.outcome;
  }
  const end = reader.end();
  if (end.state === 'progress') throw new XfrFailure('TransferReader.end() said progress');
  if (end.state === 'error') throw end.error;
  return end.outcome;
}

/**
 * The case as transferZone takes it (IXFR first when there is a current
 * zone, AXFR after a fallback), with no sockets: the zone built and the
 * differences applied at once. The max-records check after an IXFR is left
 * out (the zones here are far below it).
 */
function transferDirect(c: XfrCase): Outcome {
  const { v1 } = baseZones();
  const build = (o: TransferReaderOutcome): Zone => {
    if (o.type !== 'full') throw new TransferError('XFR_MALFORMED', DIRECT_PEER, 'AXFR did not bring a zone');
    return runStepsNow(finishTransferredZoneSteps(o.builder, DIRECT_PEER));
  };
  const axfr = (fallback: string | null): Outcome => ({ kind: 'AXFR', zone: build(readStream(c.axfr, AXFR, 0)), upToDate: false, fallback });
  if (c.mode === 0) return axfr(null);
  const o = readStream(c.ixfr, IXFR, v1.serial);
  if (o.type === 'upToDate') return { kind: 'IXFR', zone: v1, upToDate: true, fallback: null };
  if (o.type === 'full') return { kind: 'AXFR', zone: build(o), upToDate: false, fallback: 'server sent a full zone' };
  if (o.type === 'needAxfr') return axfr(o.reason);
  try {
    return { kind: 'IXFR', zone: applyDiffsCondensed(v1, o.diffs, DIRECT_PEER).zone, upToDate: false, fallback: null };
  } catch (e) {
    if (!(e instanceof TransferError)) throw e;
    return axfr(`IXFR could not be applied: ${e.message}`);
  }
}

/** Runs one case through TransferReader, no sockets and no helper thread; as runXfr otherwise. */
export function runXfrDirect(input: Uint8Array): string {
  const c = decodeCase(input);
  let reply: Reply;
  try {
    reply = replyOf(c, transferDirect(c));
  } catch (e) {
    if (e instanceof XfrFailure) throw e;
    reply = replyOf(c, e);
  }
  if (reply.fail !== null) throw new XfrFailure(reply.fail);
  return reply.sig;
}

/** Saved failures of this target: fuzz/crashes/xfr-in-*.bin. */
export function xfrCrashInputs(): CorpusEntry[] {
  if (!existsSync(crashesDir)) return [];
  return readdirSync(crashesDir)
    .filter((f) => f.startsWith('xfr-in-') && f.endsWith('.bin'))
    .sort()
    .map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(join(crashesDir, f))) }));
}

export const xfrTarget: FuzzTarget<CorpusEntry, Uint8Array> = {
  url: import.meta.url,
  name: 'xfrTarget',
  maxInput: MAX_INPUT,
  maxPool: 1024,
  replaceWhenFull: true,
  hangMs: 30_000,
  slowMs: 12_000,
  crashPrefix: 'xfr-in-',
  crashExt: 'bin',
  crashBody: (b) => b,
  input: (e) => e.bytes,
  nextInput: nextXfrInput,
  runOne: runXfr,
  failureMessage: (e) => (e instanceof XfrFailure ? e.message : `harness error: ${describe(e)}`),
  toBytes: (b) => b,
  fromBytes: (b) => b,
  describeCrash: (c) => `CRASH ${c.kind}${c.name ? ` [${c.name}]` : ''}: ${c.message.split('\n')[0]}\n  input ${hexOf(c.input).slice(0, 400)}`,
};

/** The socketless mode: the same cases and oracle, TransferReader fed in this thread (thousands a second). */
export const xfrDirectTarget: FuzzTarget<CorpusEntry, Uint8Array> = {
  ...xfrTarget,
  name: 'xfrDirectTarget',
  hangMs: 10_000,
  slowMs: 2_000,
  runOne: runXfrDirect,
};

/** `npm run fuzz -- --target xfr-in [--sockets no] [--seconds N] [--seed S]`. */
export async function xfrFuzzMain(arg: (name: string) => string | undefined): Promise<number> {
  const seconds = Number(arg('--seconds') ?? 60);
  const seed = Number(arg('--seed') ?? Date.now() % 0x7fffffff);
  const sockets = arg('--sockets') ?? 'yes';
  if (!(seconds > 0) || !Number.isInteger(seed) || (sockets !== 'yes' && sockets !== 'no')) {
    throw new Error('usage: run.js --target xfr-in [--sockets no] [--seconds N] [--seed S]');
  }
  const pool = xfrSeeds();
  console.log(`xfr-in fuzz: seed ${seed}, ${seconds} s, ${pool.length} seeds, ${sockets === 'yes' ? 'a fake primary over TCP' : 'no sockets (TransferReader)'}`);
  const r = await runSession(sockets === 'yes' ? xfrTarget : xfrDirectTarget, { seconds, seed, pool, saveCrashes: true, log: (l) => console.log(l) });
  console.log(`executions:      ${r.execs} (${Math.round(r.execs / (r.elapsedMs / 1000))}/s) in ${(r.elapsedMs / 1000).toFixed(1)} s, ${r.accepted} transfers succeeded`);
  console.log(`features seen:   ${r.signatures}; corpus in memory ${r.poolSize}; slowest input ${r.slowestMs.toFixed(1)} ms`);
  console.log(`crashes found:   ${r.crashes.length} unique (${r.crashingExecs} crashing execs)`);
  return r.crashes.length > 0 ? 1 : 0;
}

/**
 * Fuzz target for the strict wire decoder, fed by the mutation engine of
 * fuzz/fuzz-kit.ts. `fuzzOne` throws only on a real bug:
 *
 *  - decodeMessage threw anything but WireFormatError (a TypeError from a
 *    read past an array, a RangeError, an assertion...), or
 *  - decoding succeeded but the round-trip oracle failed: re-encoding the
 *    message (with and without compression) must succeed and decode to an
 *    equal message (names compared by their exact wire octets, rdata by
 *    octets, every header bit, EDNS and TSIG), and the rdata of every
 *    class IN record must pass validateRdata for its type.
 *
 * Everything random comes from the kit's seeded PRNG, so a run is
 * reproducible from its seed.
 */
import {
  WireFormatError, bytesEqual, codecFor, decodeMessage, encodeMessage, validateRdata, type Edns, type Message, type Question, type ResourceRecord,
} from '../src/wire/index.js';
import { MAX_INPUT, describe, nextInput, type CorpusEntry } from './fuzz-kit.js';
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

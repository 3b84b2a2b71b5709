/**
 * Fuzz target `handle`: the whole request path of the Responder
 * (src/server/responder.ts) over the bundled zones (zones/*.zone), with
 * transfer hooks that admit everyone so AXFR/IXFR out run too. Each input
 * is a query (a mutated saved message, a generated valid query for a name
 * in the zones, or noise) and goes through `handle` (UDP) and `handleTcp`
 * (TCP; at most 3 messages of a stream are pulled). `checkHandle` throws
 * HandleFailure only on a real bug:
 *
 *  - the responder threw;
 *  - a reply's first two octets are not the query's ID, or QR is clear;
 *  - a reply does not decode with our decodeMessage, or with dns-packet
 *    (outside the precise exceptions noted at `packetDecodes`);
 *  - a UDP reply is larger than allowed: 512 without EDNS, else
 *    max(512, min(client payload, 1232)) (1232 is our configured payload);
 *  - the query had a readable question and the reply (not a header-only
 *    FORMERR/NOTIMP) does not echo its question octets exactly.
 *
 * The responder keeps an answer cache across inputs (as in a server), so a
 * saved failure may depend on earlier inputs; a replay runs the saved
 * inputs in order on a fresh responder.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import dnsPacket from 'dns-packet';
import { ZoneSet } from '../src/query/index.js';
import type { MultiMessageAnswer } from '../src/server/multi-message-answer.js';
import { Responder } from '../src/server/responder.js';
import type { TransferHooks } from '../src/server/transfer-hooks.js';
import { Name, decodeMessage, type Message } from '../src/wire/index.js';
import { loadZoneFile, type Zone } from '../src/zone/index.js';
import { repoRoot } from '../test/support/paths.js';
import { runSession, type FuzzTarget } from './session.js';
import { crashesDir, describe, mutateOnce, randomBytes, savedCorpus, type CorpusEntry } from './fuzz-kit.js';
import { Rng } from '../test/support/rng.js';

export class HandleFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HandleFailure';
  }
}

const UDP_PAYLOAD = 1232;
const MAX_INPUT = 4096;
const hexOf = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

// --- the server under test -------------------------------------------------------

let zonesCache: Zone[] | null = null;

/** The bundled zones (zones/*.zone and the customers' zones/customers/*.zone, origin from the file name). */
export function bundledZones(): Zone[] {
  if (zonesCache !== null) return zonesCache;
  const out: Zone[] = [];
  for (const sub of ['', 'customers']) {
    const dir = resolve(repoRoot, 'zones', sub);
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.zone')).sort()) {
      const res = loadZoneFile(join(dir, f), Name.fromText(`${f.slice(0, -'.zone'.length)}.`));
      if (res.zone === null) throw new Error(`zones/${sub}${sub === '' ? '' : '/'}${f} does not load: ${res.errors.map((e) => e.message).join('; ')}`);
      out.push(res.zone);
    }
  }
  zonesCache = out;
  return out;
}

/** Hooks that admit every transfer (so the transfer paths are fuzzed) and know no keys or secondaries. */
const hooks: TransferHooks = {
  key: () => undefined,
  mayTransfer: () => true,
  journal: () => null,
  notify: (origin) => (origin.labelCount % 2 === 0 ? 'accepted' : 'notauth'),
  transferred: () => {},
};

export function newResponder(): Responder {
  return new Responder(new ZoneSet(bundledZones()), { udpPayload: UDP_PAYLOAD, identity: 'fuzz-ns1', version: 'tyne-fuzz' }, hooks);
}

let responder: Responder | null = null;

// --- the oracle -------------------------------------------------------------------

/** End of the question of a query (uncompressed name), or -1. */
function questionEnd(q: Uint8Array): number {
  let p = 12;
  for (let guard = 0; guard < 128 && p < q.length; guard++) {
    const len = q[p]!;
    if (len === 0) return p + 5 <= q.length ? p + 5 : -1;
    if (len > 63) return -1;
    p += len + 1;
  }
  return -1;
}

/**
 * dns-packet (5.6) decodes every type it has no codec for as raw octets, so
 * unknown types are fine. Its known limits, whitelisted precisely:
 *  - none so far.
 */
function packetDecodes(reply: Uint8Array, where: string): void {
  try {
    dnsPacket.decode(Buffer.from(reply.buffer, reply.byteOffset, reply.byteLength));
  } catch (e) {
    throw new HandleFailure(`${where}: reply ${hexOf(reply)} decodes with ours but not with dns-packet: ${describe(e)}`, { cause: e });
  }
}

interface QueryFacts {
  id: number;
  /** Decoded strictly, or null. */
  msg: Message | null;
  /** The question octets when the query has a readable question. */
  question: Uint8Array | null;
}

function facts(q: Uint8Array): QueryFacts {
  let msg: Message | null = null;
  try {
    msg = decodeMessage(q);
  } catch {
    msg = null;
  }
  let question: Uint8Array | null = null;
  if (msg !== null && msg.questions.length === 1) {
    const end = questionEnd(q);
    if (end > 0) question = q.subarray(12, end);
  }
  return { id: q.length >= 2 ? (q[0]! << 8) | q[1]! : -1, msg, question };
}

/** Checks one reply message; returns its rcode. */
function checkReply(f: QueryFacts, reply: Uint8Array, where: string, udp: boolean, checkQuestion: boolean): Message {
  if (reply.length < 12) throw new HandleFailure(`${where}: reply of ${reply.length} octets`);
  if (((reply[0]! << 8) | reply[1]!) !== f.id) throw new HandleFailure(`${where}: reply ID ${hexOf(reply.subarray(0, 2))} != query ID ${f.id.toString(16)}`);
  if ((reply[2]! & 0x80) === 0) throw new HandleFailure(`${where}: reply has QR clear`);
  let msg: Message;
  try {
    msg = decodeMessage(reply);
  } catch (e) {
    throw new HandleFailure(`${where}: reply ${hexOf(reply)} does not decode: ${describe(e)}`, { cause: e });
  }
  packetDecodes(reply, where);
  if (udp) {
    const edns = f.msg !== null ? f.msg.edns : msg.edns;
    const clientPayload = f.msg !== null ? (edns?.udpPayload ?? 0) : UDP_PAYLOAD;
    const allowed = edns === null ? 512 : Math.max(512, Math.min(clientPayload, UDP_PAYLOAD));
    if (reply.length > allowed) throw new HandleFailure(`${where}: UDP reply of ${reply.length} octets, allowed ${allowed}`);
  }
  // A FORMERR or NOTIMP without a question: the header alone, plus an OPT when the query's could be read (as BIND's).
  const headerOnly = msg.questions.length === 0 && (msg.rcode === 1 || msg.rcode === 4) && msg.answers.length === 0 && msg.authorities.length === 0 && msg.additionals.length === 0;
  if (checkQuestion && f.question !== null && !headerOnly) {
    const echoed = reply.subarray(12, 12 + f.question.length);
    if (hexOf(echoed) !== hexOf(f.question)) {
      throw new HandleFailure(`${where}: question ${hexOf(f.question)} echoed as ${hexOf(echoed)} (rcode ${msg.rcode})`);
    }
  }
  return msg;
}

function isStream(r: Uint8Array | MultiMessageAnswer): r is MultiMessageAnswer {
  return !(r instanceof Uint8Array);
}

/** Runs one query through UDP and TCP and checks the replies; returns outcome features. */
export function checkHandle(q: Uint8Array, r: Responder = (responder ??= newResponder())): string {
  const f = facts(q);
  const feats: string[] = [];
  let udpReply: Uint8Array | null;
  try {
    udpReply = r.handle(q, { tcp: false, address: '192.0.2.1' });
  } catch (e) {
    throw new HandleFailure(`udp: handle threw ${describe(e)}`, { cause: e });
  }
  if (udpReply === null) feats.push('udp-drop');
  else {
    const m = checkReply(f, udpReply, 'udp', true, true);
    feats.push(`u${m.opcode}.${m.rcode}.${m.tc ? 'tc' : ''}${m.answers.length > 0 ? 'an' : ''}${m.authorities.length > 0 ? 'ns' : ''}${m.additionals.length > 0 ? 'ar' : ''}${m.edns ? 'e' : ''}`);
    // Finer outcome features for the feedback: reply size band, record counts, the question's type.
    feats.push(`ul${udpReply.length >> 6}`, `uc${m.answers.length}.${m.authorities.length}.${m.additionals.length}`, `uq${m.questions[0]?.type ?? 'none'}`);
  }
  let tcpReply: Uint8Array | MultiMessageAnswer | null;
  try {
    tcpReply = r.handleTcp(q, { tcp: true, address: '192.0.2.1' });
  } catch (e) {
    throw new HandleFailure(`tcp: handleTcp threw ${describe(e)}`, { cause: e });
  }
  if (tcpReply === null) feats.push('tcp-drop');
  else if (!isStream(tcpReply)) {
    const m = checkReply(f, tcpReply, 'tcp', false, true);
    feats.push(`t${m.opcode}.${m.rcode}.${m.answers.length > 0 ? 'an' : ''}${m.authorities.length > 0 ? 'ns' : ''}${m.additionals.length > 0 ? 'ar' : ''}`);
  } else {
    let n = 0;
    try {
      for (; n < 3; n++) {
        let next: IteratorResult<Uint8Array, void>;
        try {
          next = tcpReply.next();
        } catch (e) {
          throw new HandleFailure(`tcp stream message ${n + 1}: next() threw ${describe(e)}`, { cause: e });
        }
        if (next.done === true) break;
        const m = checkReply(f, next.value, `tcp stream message ${n + 1}`, false, n === 0);
        feats.push(`s${n}.${m.rcode}.${m.answers.length > 0 ? 'an' : ''}`);
      }
    } finally {
      tcpReply.return?.();
    }
    feats.push(`stream${n}`);
  }
  if (f.msg === null) feats.push('undecodable');
  return `ok|${feats.join('|')}`;
}

// --- inputs -------------------------------------------------------------------------

const TYPES = [1, 2, 5, 6, 12, 15, 16, 28, 33, 35, 43, 46, 47, 48, 50, 51, 52, 99, 251, 252, 253, 254, 255, 257, 41, 250, 249, 0, 65535, 64, 65];
const CLASSES = [3, 255, 254, 2, 4, 0];
const PAYLOADS = [0, 1, 511, 512, 513, 600, 1231, 1232, 1233, 1400, 4096, 65535];

let namesCache: { wire: Uint8Array; types: number[] }[] | null = null;

/** Owner names in the zones (wire) with the types they hold. */
function zoneNames(): { wire: Uint8Array; types: number[] }[] {
  if (namesCache !== null) return namesCache;
  const out: { wire: Uint8Array; types: number[] }[] = [];
  for (const z of bundledZones()) {
    for (const node of z.nodes()) {
      out.push({ wire: node.name.wire, types: [...node.rrsets.keys()] });
      if (out.length > 2000) break;
    }
  }
  namesCache = out;
  return out;
}

function randomCase(rng: Rng, wire: Uint8Array): Uint8Array {
  const b = wire.slice();
  if (!rng.chance(0.3)) return b;
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) && rng.chance(0.5)) b[i] = c ^ 0x20;
  }
  return b;
}

/** A valid query for a name in (or near) the zones: random type, class, RD/CD, EDNS, DO, NSID, case, IXFR serial. */
export function generateQuery(rng: Rng): Uint8Array {
  const names = zoneNames();
  const owner = rng.pick(names);
  let name = owner.wire;
  if (rng.chance(0.2)) {
    // A child that may not exist (NXDOMAIN, wildcards, below a cut).
    const label = Buffer.from(rng.pick(['www', 'nx', '*', 'a', 'mail', 'zz-fuzz']));
    name = Uint8Array.from([label.length, ...label, ...name]);
  }
  name = randomCase(rng, name);
  const qtype = owner.types.length > 0 && rng.chance(0.5) ? rng.pick(owner.types) : rng.chance(0.9) ? rng.pick(TYPES) : rng.below(65536);
  const qclass = rng.chance(0.85) ? 1 : rng.chance(0.8) ? rng.pick(CLASSES) : rng.below(65536);
  const edns = rng.chance(0.6);
  const ixfr = qtype === 251 && rng.chance(0.8);
  const parts: number[] = [];
  const id = rng.below(65536);
  const flags = (rng.chance(0.5) ? 0x0100 : 0) | (rng.chance(0.1) ? 0x0010 : 0) | (rng.chance(0.05) ? 0x0020 : 0);
  parts.push(id >> 8, id & 0xff, flags >> 8, flags & 0xff, 0, 1, 0, 0, 0, ixfr ? 1 : 0, 0, edns ? 1 : 0);
  parts.push(...name, qtype >> 8, qtype & 0xff, qclass >> 8, qclass & 0xff);
  if (ixfr) {
    const serial = rng.chance(0.5) ? rng.below(10) : rng.next();
    parts.push(0xc0, 0x0c, 0, 6, 0, 1, 0, 0, 0, 60, 0, 22, 0, 0);
    parts.push(serial >>> 24, (serial >>> 16) & 0xff, (serial >>> 8) & 0xff, serial & 0xff);
    for (let i = 0; i < 16; i++) parts.push(0);
  }
  if (edns) {
    const payload = rng.pick(PAYLOADS);
    const version = rng.chance(0.9) ? 0 : rng.below(256);
    const opts: number[] = [];
    if (rng.chance(0.4)) opts.push(0, 3, 0, 0); // NSID
    if (rng.chance(0.2)) opts.push(0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8); // COOKIE (client)
    if (rng.chance(0.1)) opts.push(0, 12, 0, 4, 0, 0, 0, 0); // PADDING
    parts.push(0, 0, 41, payload >> 8, payload & 0xff, 0, version, rng.chance(0.5) ? 0x80 : 0, 0, opts.length >> 8, opts.length & 0xff, ...opts);
  }
  return Uint8Array.from(parts);
}

/** The next input: a generated query (as is, or lightly mutated), a mutated pool entry, or noise. */
export function nextHandleInput(rng: Rng, pool: readonly Uint8Array[]): Uint8Array {
  const r = rng.below(100);
  if (r < 3) return randomBytes(rng);
  if (r < 35) return generateQuery(rng);
  let b = r < 65 || pool.length === 0 ? generateQuery(rng) : rng.pick(pool);
  const stack = r < 65 ? 1 : 1 + rng.below(rng.chance(0.7) ? 2 : 4);
  for (let i = 0; i < stack; i++) b = mutateOnce(rng, b, pool);
  // Half of the mutants are made queries again (QR clear), else many are dropped.
  if (b.length > 2 && rng.chance(0.5)) {
    b = b.slice();
    b[2]! &= 0x7f;
  }
  return b.length > MAX_INPUT ? b.subarray(0, MAX_INPUT) : b;
}

// --- corpora ------------------------------------------------------------------------

export const handleCorpusDir = resolve(repoRoot, 'fuzz', 'corpus', 'handle');

/** Seeds: the saved wire corpus, fuzz/corpus/handle/*.bin, and 200 generated queries (fixed seed). */
export function handleSeeds(): CorpusEntry[] {
  const out: CorpusEntry[] = [...savedCorpus()];
  if (existsSync(handleCorpusDir)) {
    for (const f of readdirSync(handleCorpusDir).filter((x) => x.endsWith('.bin')).sort()) {
      out.push({ name: `handle/${f}`, bytes: new Uint8Array(readFileSync(join(handleCorpusDir, f))) });
    }
  }
  const rng = new Rng(0x5eed5);
  for (let i = 0; i < 200; i++) out.push({ name: `generated-${i}`, bytes: generateQuery(rng) });
  return out;
}

/** Saved failures of this target: fuzz/crashes/handle-*.bin. */
export function handleCrashInputs(): CorpusEntry[] {
  if (!existsSync(crashesDir)) return [];
  return readdirSync(crashesDir)
    .filter((f) => f.startsWith('handle-') && f.endsWith('.bin'))
    .sort()
    .map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(join(crashesDir, f))) }));
}

// --- the target descriptor for fuzz/session.ts ---------------------------------------

export const handleTarget: FuzzTarget<CorpusEntry, Uint8Array> = {
  url: import.meta.url,
  name: 'handleTarget',
  maxInput: MAX_INPUT,
  maxPool: 4096,
  replaceWhenFull: true,
  hangMs: 5000,
  slowMs: 2000,
  crashPrefix: 'handle-',
  crashExt: 'bin',
  crashBody: (b) => b,
  input: (e) => e.bytes,
  nextInput: nextHandleInput,
  runOne: (b) => checkHandle(b),
  failureMessage: (e) => (e instanceof HandleFailure ? e.message : `harness error: ${describe(e)}`),
  toBytes: (b) => b,
  fromBytes: (b) => b,
  describeCrash: (c) => `CRASH ${c.kind}${c.name ? ` [${c.name}]` : ''}: ${c.message}\n  input ${hexOf(c.input)}`,
};

/** `npm run fuzz -- --target handle [--seconds N] [--seed S]`. */
export async function handleFuzzMain(arg: (name: string) => string | undefined): Promise<number> {
  const seconds = Number(arg('--seconds') ?? 60);
  const seed = Number(arg('--seed') ?? Date.now() % 0x7fffffff);
  if (!(seconds > 0) || !Number.isInteger(seed)) throw new Error('usage: run.js --target handle [--seconds N] [--seed S]');
  const pool = handleSeeds();
  console.log(`handle fuzz: seed ${seed}, ${seconds} s, ${pool.length} seeds`);
  const r = await runSession(handleTarget, { seconds, seed, pool, saveCrashes: true, log: (l) => console.log(l) });
  console.log(`executions:      ${r.execs} (${Math.round(r.execs / (r.elapsedMs / 1000))}/s) in ${(r.elapsedMs / 1000).toFixed(1)} s`);
  console.log(`features seen:   ${r.signatures}; corpus in memory ${r.poolSize}; slowest input ${r.slowestMs.toFixed(1)} ms`);
  console.log(`crashes found:   ${r.crashes.length} unique (${r.crashingExecs} crashing execs)`);
  return r.crashes.length > 0 ? 1 : 0;
}

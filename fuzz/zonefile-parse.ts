/**
 * Fuzz target for zone-file text: mutated zones (byte flips, token and
 * line edits, stray quotes, parentheses and backslashes, inserted
 * $GENERATE / $INCLUDE / $ORIGIN / $TTL lines, splices between zones) go
 * to loadZoneText. It must either return a zone or throw ZoneFileError;
 * anything else thrown is a bug. A zone that loads, printed record by
 * record with formatRecord and loaded again, must give the same records
 * (the printer's escaping against the parser's reading, and the builder's
 * merging being idempotent, on inputs no human would write).
 *
 * Everything random comes from a seeded PRNG. Sessions run in a worker
 * thread under fuzz/session.ts's watchdog (`runSession(zoneTarget, ...)`):
 * a hang is caught and its input reported, and one input slower than
 * `slowMs` (default 1 s) counts as a failure.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Name, RRType, type ResourceRecord } from '../src/wire/index.js';
import { loadZoneText } from '../src/zone/index.js';
import { ZoneFileError, formatRecord } from '../src/zonefile/index.js';
import { corpusPath, haveCorpus, repoRoot } from '../test/support/paths.js';
import { runSession, type Crash, type FuzzTarget } from './session.js';
import { crashesDir, describe } from './fuzz-kit.js';
import { Rng } from '../test/support/rng.js';

export class ZoneFuzzFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ZoneFuzzFailure';
  }
}

/** Caps that keep one input cheap: $GENERATE output, errors collected, input size. */
export const MAX_GENERATE = 256;
const MAX_ERRORS = 20;
export const MAX_TEXT = 16384;

// --- the target ----------------------------------------------------------------

/**
 * Types whose presentation cannot show every rdata the generic form (\#)
 * can give: a WKS bitmap with trailing zero octets prints as the same port
 * list as without them (BIND's text form loses them the same way). For
 * these, printed text that reads back to the same text is enough.
 */
const LOSSY_TEXT = new Set<number>([RRType.WKS]);

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const show = (r: ResourceRecord): string => `${hex(r.name.wire)} ${r.ttl} ${r.class} ${r.type} ${hex(r.rdata)}`;

/**
 * Loads zone text as the server does (loadZoneText: parser and
 * ZoneBuilder), with small limits; throws ZoneFileError when refused.
 * Returns the zone's records in canonical order.
 */
export function loadForFuzz(text: string, origin: Name): ResourceRecord[] {
  return loadZoneText(text, origin, { maxGenerate: MAX_GENERATE, maxErrors: MAX_ERRORS }).canonicalRecords();
}

/**
 * Runs one input; throws ZoneFuzzFailure on a bug. Returns coarse
 * features of the outcome (joined by '|') for the mutator's feedback:
 * the diagnostic codes when refused, 'ok' and the record types when loaded.
 */
export function runZoneText(text: string, originText: string): string {
  const origin = Name.fromText(originText);
  let records: ResourceRecord[];
  try {
    records = loadForFuzz(text, origin);
  } catch (e) {
    if (e instanceof ZoneFileError) {
      const errors = e.diagnostics.filter((d) => d.severity === 'error');
      if (errors.length === 0) throw new ZoneFuzzFailure('ZoneFileError without an error diagnostic');
      for (const d of errors) {
        if (typeof d.message !== 'string' || d.message === '') throw new ZoneFuzzFailure(`diagnostic ${d.code} has no message`);
        if (d.at !== undefined && (!(d.at.line >= 1) || !(d.at.col >= 1))) throw new ZoneFuzzFailure(`diagnostic ${d.code} at line ${d.at.line} col ${d.at.col}`);
      }
      return [...new Set(errors.map((d) => d.code))].sort().join('|');
    }
    throw new ZoneFuzzFailure(`loading threw ${describe(e)}`, { cause: e });
  }
  // The printer against the parser: every loaded record, printed, reads back the same.
  const printed = records.map(formatRecord).join('\n') + '\n';
  let back: ResourceRecord[];
  try {
    back = loadForFuzz(printed, origin);
  } catch (e) {
    throw new ZoneFuzzFailure(`the printed zone does not load again: ${describe(e)}\n${printed.slice(0, 2000)}`, { cause: e });
  }
  for (let i = 0; i < Math.max(records.length, back.length); i++) {
    const a = records[i];
    const b = back[i];
    if (a !== undefined && b !== undefined && LOSSY_TEXT.has(a.type) && formatRecord(a) === formatRecord(b)) continue;
    if (a === undefined || b === undefined || show(a) !== show(b)) {
      throw new ZoneFuzzFailure(`record ${i} changes when printed and read back: ${a ? formatRecord(a) : '(none)'} → ${b ? formatRecord(b) : '(none)'}`);
    }
  }
  return ['ok', ...new Set(records.map((r) => `t${r.type}`))].join('|');
}

// --- seeds -----------------------------------------------------------------------

export interface ZoneSeed {
  name: string;
  text: string;
  origin: string;
}

const testZones = resolve(repoRoot, 'test', 'zones');

/**
 * The seeds: this project's test zones (valid and invalid), and NSD's
 * parser crash files when the corpora are there. `<origin>.zone` names
 * its origin; invalid cases use example. (see test/zones/sources.ts).
 */
export function zoneSeeds(): ZoneSeed[] {
  const out: ZoneSeed[] = [];
  for (const f of readdirSync(testZones).filter((x) => x.endsWith('.zone')).sort()) {
    out.push({ name: f, text: readFileSync(join(testZones, f), 'latin1'), origin: f.slice(0, -'.zone'.length) + '.' });
  }
  const inc = join(testZones, 'include');
  for (const f of readdirSync(inc).sort()) out.push({ name: `include/${f}`, text: readFileSync(join(inc, f), 'latin1'), origin: 'include.example.' });
  const inv = join(testZones, 'invalid');
  for (const f of readdirSync(inv).filter((x) => x.endsWith('.zone')).sort()) {
    const text = readFileSync(join(inv, f), 'latin1');
    out.push({ name: `invalid/${f}`, text: text.slice(0, MAX_TEXT), origin: /^; origin: (\S+)/.exec(text)?.[1] ?? 'example.' });
  }
  return out;
}

/** NSD's parser crash inputs (parsezone.tdir), read in place. */
export function externalZoneSeeds(): ZoneSeed[] {
  if (!haveCorpus('nsd-tpkg/parsezone.tdir')) return [];
  const dir = corpusPath('nsd-tpkg/parsezone.tdir');
  return readdirSync(dir)
    .filter((f) => !f.endsWith('.dsc'))
    .sort()
    .map((f) => ({ name: `nsd-parsezone/${f}`, text: readFileSync(join(dir, f), 'latin1').slice(0, MAX_TEXT), origin: 'example.com.' }));
}

/** Crashing inputs saved earlier (fuzz/crashes/zonefile-*.zone, first line `; origin: NAME`). */
export function zoneCrashInputs(): ZoneSeed[] {
  if (!existsSync(crashesDir)) return [];
  return readdirSync(crashesDir)
    .filter((f) => f.startsWith('zonefile-') && f.endsWith('.zone'))
    .sort()
    .map((f) => {
      const raw = readFileSync(join(crashesDir, f), 'latin1');
      const m = /^; origin: (\S+)\n/.exec(raw);
      return { name: f, text: m ? raw.slice(m[0].length) : raw, origin: m?.[1] ?? 'example.' };
    });
}

// --- mutations ---------------------------------------------------------------------

const SPECIALS = ['"', '(', ')', '\\', ';', '$', '@', '*', '.', '\n', '\r', '\t', ' ', '\0', '\xff', '{', '}', ',', '/', '-', '#'];
const WORDS = [
  '\\#', '\\# 0', '\\# 4 c0000201', '\\255', '\\999', '\\0', '\\', '"', '""', '"\\"', '(', ')', '()', '@', '*', '.', '..', '$',
  'IN', 'CH', 'HS', 'ANY', 'NONE', 'CLASS1', 'CLASS255', 'CLASS65535', 'TYPE0', 'TYPE1', 'TYPE65535', 'TYPE200', 'TYPE',
  'A', 'AAAA', 'NS', 'CNAME', 'DNAME', 'SOA', 'MX', 'TXT', 'SRV', 'CAA', 'SVCB', 'HTTPS', 'LOC', 'APL', 'NSEC', 'NSEC3', 'RRSIG',
  'DNSKEY', 'DS', 'TLSA', 'NAPTR', 'HINFO', 'WKS', 'ZONEMD', 'IPSECKEY', 'HIP', 'MD', 'OPT', 'TSIG', 'AXFR',
  '0', '-1', '1', '255', '256', '65535', '65536', '2147483647', '2147483648', '4294967295', '4294967296', '99999999999999999999',
  '1w2d3h4m5s', '1W', '0s', '1x', 'alpn=h2', 'mandatory=alpn', 'key65535=x', 'port=', 'ipv4hint=1.2.3.4,5.6.7.8',
];
const DIRECTIVES = (rng: Rng): string => {
  const n = (): number => rng.pick([0, 1, 2, 3, 9, 10, 64, 255, 256, 1000, 65535, 2147483647, 4294967295]);
  switch (rng.below(6)) {
    case 0:
    case 1: {
      const a = rng.below(20);
      const b = a + rng.below(rng.chance(0.9) ? 16 : 400);
      const range = rng.chance(0.1) ? `${n()}-${n()}` : `${a}-${b}${rng.chance(0.3) ? `/${1 + rng.below(4)}` : ''}`;
      const mod = rng.pick(['$', '${0}', '${1,3}', '${-1,2,x}', '${0,4,X}', '${0,2,n}', '${0,0,N}', '${0,3,o}', '$$', '\\$', '${', '${0,3,q}', '${-99}', '${99999999999}']);
      const type = rng.pick(['A', 'AAAA', 'PTR', 'CNAME', 'TXT', 'MX', 'NS', 'SRV', 'DNAME', 'TYPE65280']);
      const rhs = rng.pick([`192.0.2.${mod}`, `host${mod}`, `"${mod} x"`, `10 mx${mod}`, `${mod}`, `\\# 1 0${mod}`, `0 0 ${mod} t${mod}`]);
      const ttl = rng.chance(0.3) ? ` ${n()}` : '';
      const cls = rng.chance(0.2) ? ` ${rng.pick(['IN', 'CH'])}` : '';
      return `$GENERATE ${range} ${rng.pick(['h', '', 'x.', '@', '*.'])}${mod}${ttl}${cls} ${type} ${rhs}`;
    }
    case 2:
      return `$INCLUDE ${rng.pick(['include/hosts.inc', '/etc/passwd', '.', 'missing', '"quoted name"', ''])}${rng.chance(0.3) ? ' sub' : ''}`;
    case 3:
      return `$ORIGIN ${rng.pick(['sub', 'example.', '.', '@', '\\.', 'a..b', 'x'.repeat(64), '*.wild', '\\000.'])}`;
    case 4:
      return `$TTL ${rng.pick(['0', '1h', '1x', '-5', '4294967296', '', '2147483648', '1h30m'])}`;
    default:
      return rng.pick(['$', '$FOO', '$generate', '$origin .', '$ttl 60', '$INCLUDE']);
  }
};

function tokenSpans(s: string): [number, number][] {
  const out: [number, number][] = [];
  const re = /\S+/g;
  for (let m = re.exec(s); m !== null && out.length < 4096; m = re.exec(s)) out.push([m.index, m.index + m[0].length]);
  return out;
}

function lineSpans(s: string): [number, number][] {
  const out: [number, number][] = [];
  let start = 0;
  for (let i = 0; i <= s.length && out.length < 4096; i++) {
    if (i === s.length || s[i] === '\n') {
      out.push([start, Math.min(i + 1, s.length)]);
      start = i + 1;
    }
  }
  return out;
}

export type ZoneMutation =
  | 'flip' | 'special' | 'word' | 'tokenDelete' | 'tokenDuplicate' | 'tokenSwap' | 'lineDelete' | 'lineDuplicate'
  | 'directive' | 'splice' | 'truncate' | 'unbalance' | 'number';

const ZONE_MUTATIONS: ZoneMutation[] = [
  'flip', 'flip', 'special', 'special', 'special', 'word', 'word', 'tokenDelete', 'tokenDuplicate', 'tokenSwap',
  'lineDelete', 'lineDuplicate', 'directive', 'directive', 'splice', 'truncate', 'unbalance', 'number',
];

export function mutateZone(rng: Rng, s: string, pool: readonly ZoneSeed[], which?: ZoneMutation): string {
  const m = which ?? rng.pick(ZONE_MUTATIONS);
  const at = (): number => rng.below(s.length + 1);
  switch (m) {
    case 'flip': {
      if (s.length === 0) return s;
      const i = rng.below(s.length);
      return s.slice(0, i) + String.fromCharCode(rng.chance(0.5) ? rng.below(256) : s.charCodeAt(i) ^ (1 << rng.below(8))) + s.slice(i + 1);
    }
    case 'special': {
      const i = at();
      return s.slice(0, i) + rng.pick(SPECIALS).repeat(rng.chance(0.9) ? 1 : 1 + rng.below(8)) + s.slice(i);
    }
    case 'word': {
      const t = tokenSpans(s);
      const w = rng.pick(WORDS);
      if (t.length === 0 || rng.chance(0.3)) {
        const i = at();
        return `${s.slice(0, i)} ${w} ${s.slice(i)}`;
      }
      const [a, b] = rng.pick(t);
      return s.slice(0, a) + w + s.slice(b);
    }
    case 'number': {
      const t = tokenSpans(s).filter(([a, b]) => /^[0-9]+$/.test(s.slice(a, b)));
      if (t.length === 0) return s;
      const [a, b] = rng.pick(t);
      return s.slice(0, a) + rng.pick(['0', '1', '-1', '255', '256', '65535', '65536', '2147483648', '4294967295', '4294967296', '1e3', '0x10', '007']) + s.slice(b);
    }
    case 'tokenDelete':
    case 'tokenDuplicate':
    case 'tokenSwap': {
      const t = tokenSpans(s);
      if (t.length === 0) return s;
      const [a, b] = rng.pick(t);
      if (m === 'tokenDelete') return s.slice(0, a) + s.slice(b);
      if (m === 'tokenDuplicate') return `${s.slice(0, b)} ${s.slice(a, b)}${s.slice(b)}`;
      const other = rng.pick(pool).text;
      const o = tokenSpans(other);
      if (o.length === 0) return s;
      const [c, d] = rng.pick(o);
      return s.slice(0, a) + other.slice(c, d) + s.slice(b);
    }
    case 'lineDelete':
    case 'lineDuplicate': {
      const l = lineSpans(s);
      if (l.length === 0) return s;
      const [a, b] = rng.pick(l);
      return m === 'lineDelete' ? s.slice(0, a) + s.slice(b) : s.slice(0, b) + s.slice(a, b) + s.slice(b);
    }
    case 'directive': {
      const l = lineSpans(s);
      const i = l.length === 0 ? 0 : rng.pick(l)[0];
      return `${s.slice(0, i)}${DIRECTIVES(rng)}\n${s.slice(i)}`;
    }
    case 'splice': {
      const other = rng.pick(pool).text;
      const ol = lineSpans(other);
      if (ol.length === 0) return s;
      const from = rng.below(ol.length);
      const to = Math.min(ol.length - 1, from + rng.below(6));
      const chunk = other.slice(ol[from]![0], ol[to]![1]);
      const l = lineSpans(s);
      const i = l.length === 0 ? 0 : rng.pick(l)[0];
      return s.slice(0, i) + chunk + (chunk.endsWith('\n') ? '' : '\n') + s.slice(i);
    }
    case 'truncate':
      return s.slice(0, at());
    case 'unbalance': {
      const idx: number[] = [];
      for (let i = 0; i < s.length && idx.length < 512; i++) if ('()"'.includes(s[i]!)) idx.push(i);
      if (idx.length === 0) return s;
      const i = rng.pick(idx);
      return s.slice(0, i) + s.slice(i + 1);
    }
  }
}

/** The next input: a seed (or kept input) with 1-4 stacked mutations. */
export function nextZoneInput(rng: Rng, pool: readonly ZoneSeed[]): ZoneSeed {
  const base = rng.pick(pool);
  let text = base.text;
  const stack = 1 + rng.below(rng.chance(0.7) ? 2 : 4);
  for (let i = 0; i < stack; i++) text = mutateZone(rng, text, pool);
  return { name: base.name, text: text.slice(0, MAX_TEXT), origin: base.origin };
}

// --- the target descriptor for fuzz/session.ts ----------------------------------------

export type ZoneCrash = Crash<ZoneSeed>;

/**
 * The zone-file target as fuzz/session.ts runs it: a hang reports the text
 * in shared memory with its seed's origin (a guess, example., for mutants);
 * one input slower than 1 s is a failure; saved crashes are
 * fuzz/crashes/zonefile-<hash>.zone, first line `; origin: NAME`.
 */
export const zoneTarget: FuzzTarget<ZoneSeed, ZoneSeed> = {
  url: import.meta.url,
  name: 'zoneTarget',
  maxInput: MAX_TEXT,
  maxPool: 2048,
  replaceWhenFull: false,
  hangMs: 3000,
  slowMs: 1000,
  crashPrefix: 'zonefile-',
  crashExt: 'zone',
  crashBody: (s) => Buffer.from(`; origin: ${s.origin}\n${s.text}`, 'latin1'),
  input: (s) => s,
  nextInput: nextZoneInput,
  runOne: (s) => runZoneText(s.text, s.origin),
  failureMessage: (e) => {
    if (!(e instanceof ZoneFuzzFailure)) return `harness error: ${describe(e)}`;
    return e.cause instanceof Error ? `${e.message}\n${e.cause.stack ?? ''}` : e.message;
  },
  toBytes: (s) => Buffer.from(s.text.slice(0, MAX_TEXT), 'latin1'),
  fromBytes: (b, from) => ({ name: from?.name ?? 'mutant', text: Buffer.from(b).toString('latin1'), origin: from?.origin ?? 'example.' }),
  describeCrash: (c) => `CRASH ${c.kind} [${c.input.name}]: ${c.message.split('\n')[0]}`,
};

/** `npm run fuzz -- --target zonefile [--seconds N] [--seed S]`. */
export async function zoneFuzzMain(arg: (name: string) => string | undefined): Promise<number> {
  const seconds = Number(arg('--seconds') ?? 60);
  const seed = Number(arg('--seed') ?? Date.now() % 0x7fffffff);
  if (!(seconds > 0) || !Number.isInteger(seed)) throw new Error('usage: run.js --target zonefile [--seconds N] [--seed S]');
  const pool = [...zoneSeeds(), ...externalZoneSeeds()];
  console.log(`zonefile fuzz: seed ${seed}, ${seconds} s, ${pool.length} seeds`);
  const r = await runSession(zoneTarget, { seconds, seed, pool, saveCrashes: true, log: (l) => console.log(l) });
  console.log(`executions:      ${r.execs} (${Math.round(r.execs / (r.elapsedMs / 1000))}/s), ${r.accepted} loaded`);
  console.log(`features seen:   ${r.signatures}; slowest input ${r.slowestMs.toFixed(1)} ms`);
  console.log(`crashes found:   ${r.crashes.length}`);
  return r.crashes.length > 0 ? 1 : 0;
}

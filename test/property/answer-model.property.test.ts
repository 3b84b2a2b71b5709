/**
 * The answer path against a reference model: random small zones under
 * z.test. (labels from a tiny alphabet, so empty non-terminals, wildcards,
 * cuts, glue and CNAME/DNAME chains collide often), loaded through the real
 * zone loader, and random questions; `answer()` must agree with
 * test/property/reference-answer.ts on rcode, AA and every section
 * (compared as multisets; owners compared byte for byte, case included).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { loadZoneText } from '../../src/zone/load-zone.js';
import { answer } from '../../src/query/answer.js';
import { ZoneSet } from '../../src/query/zone-set.js';
import { Name } from '../../src/wire/index.js';
import { T, keyOf, nameWire, referenceAnswer, type RefOptions, type RefRecord, type RefRRset, type RefZone } from './reference-answer.js';

const ORIGIN = ['z', 'test'];
const LABELS = ['a', 'b', 'c', '*'];

interface Spec {
  owner: string[]; // relative labels
  type: number;
  ttl: number;
  text: string; // rdata text
  rdata: Uint8Array;
}

const u16 = (v: number): number[] => [v >>> 8, v & 0xff];
const u32 = (v: number): number[] => [v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
const cat = (...p: (Uint8Array | readonly number[])[]): Uint8Array => Uint8Array.from(p.flatMap((x) => [...x]));
const abs = (labels: readonly string[]): string => (labels.length === 0 ? '' : labels.join('.') + '.') + 'z.test.';

const relName = (min: number, max: number): fc.Arbitrary<string[]> => fc.array(fc.constantFrom(...LABELS), { minLength: min, maxLength: max });
/** A target name: in the zone (often colliding with owners), the apex's ns1, or outside. */
const target: fc.Arbitrary<string[]> = fc.oneof(
  { weight: 6, arbitrary: relName(0, 3).map((l) => l.filter((x) => x !== '*')).map((l) => [...l, ...ORIGIN]) },
  { weight: 1, arbitrary: fc.constant(['ns1', ...ORIGIN]).map((l) => [...l]) },
  { weight: 2, arbitrary: fc.constantFrom(['a', 'out'], ['ns', 'out'], ['x', 'a', 'out']).map((l) => [...l]) },
);
const ttl = fc.constantFrom(60, 300, 3600);

const A_VALUES: [string, number[]][] = [
  ['192.0.2.1', [192, 0, 2, 1]],
  ['192.0.2.2', [192, 0, 2, 2]],
];
const AAAA_VALUES: [string, number[]][] = [
  ['2001:db8::1', [0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), 1]],
  ['2001:db8::2', [0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), 2]],
];

const spec: fc.Arbitrary<Spec> = fc
  .tuple(
    relName(1, 4),
    ttl,
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...A_VALUES).map(([t, b]) => ({ type: T.A, text: t, rdata: Uint8Array.from(b) })) },
      { weight: 2, arbitrary: fc.constantFrom(...AAAA_VALUES).map(([t, b]) => ({ type: T.AAAA, text: t, rdata: Uint8Array.from(b) })) },
      { weight: 2, arbitrary: fc.constantFrom('x', 'y').map((s) => ({ type: T.TXT, text: `"${s}"`, rdata: cat([1, s.charCodeAt(0)]) })) },
      { weight: 2, arbitrary: fc.tuple(fc.constantFrom(10, 20), target).map(([p, t]) => ({ type: T.MX, text: `${p} ${t.join('.')}.`, rdata: cat(u16(p), nameWire(t)) })) },
      { weight: 3, arbitrary: target.map((t) => ({ type: T.NS, text: `${t.join('.')}.`, rdata: nameWire(t) })) },
      { weight: 3, arbitrary: target.map((t) => ({ type: T.CNAME, text: `${t.join('.')}.`, rdata: nameWire(t) })) },
      { weight: 2, arbitrary: target.map((t) => ({ type: T.DNAME, text: `${t.join('.')}.`, rdata: nameWire(t) })) },
    ),
    fc.boolean(),
  )
  .map(([owner, t, r, apex]) => ({ owner: apex && (r.type === T.A || r.type === T.TXT || r.type === T.MX) ? [] : owner, ttl: t, ...r }));

interface ZoneCase {
  specs: Spec[];
  soaTtl: number;
  minimum: number;
  /** Records of a hosted child zone c.z.test. (owners relative to z.test.), or null. */
  child: Spec[] | null;
}

/** Zone-file rules: CNAME alone at its owner, one CNAME/DNAME per owner, no DNAME beside NS, none of NS/DNAME at a wildcard; one TTL per RRset. */
function normalize(raw: Spec[]): Spec[] {
  const byOwner = new Map<string, Spec[]>();
  for (const s of raw) {
    const k = s.owner.join('.');
    if (s.owner[0] === '*' && (s.type === T.NS || s.type === T.DNAME)) continue;
    const list = byOwner.get(k) ?? [];
    if (list.some((x) => x.type === s.type && Buffer.from(x.rdata).equals(Buffer.from(s.rdata)))) continue;
    list.push(s);
    byOwner.set(k, list);
  }
  const out: Spec[] = [];
  for (const list of byOwner.values()) {
    let keep = list;
    const cname = list.find((s) => s.type === T.CNAME);
    if (cname !== undefined) keep = [cname];
    const dname = keep.find((s) => s.type === T.DNAME);
    keep = keep.filter((s) => s.type !== T.DNAME || s === dname);
    if (keep.some((s) => s.type === T.NS)) keep = keep.filter((s) => s.type !== T.DNAME);
    const ttls = new Map<number, number>();
    for (const s of keep) {
      if (!ttls.has(s.type)) ttls.set(s.type, s.ttl);
      out.push({ ...s, ttl: ttls.get(s.type)! });
    }
  }
  return out;
}

/** A delegation with in-domain glue: `owner NS ns.owner.` and `ns.owner. A/AAAA`, or to a sibling cut's name. */
const delegation: fc.Arbitrary<Spec[]> = fc
  .tuple(relName(1, 2).map((l) => l.filter((x) => x !== '*')), ttl, fc.constantFrom(...A_VALUES), fc.constantFrom(...AAAA_VALUES), fc.boolean(), fc.boolean())
  .filter(([owner]) => owner.length > 0)
  .map(([owner, t, [at, ab], [qt, qb], withAaaa, sibling]) => {
    const ns = sibling ? ['ns', 'b', 'a'] : ['ns', ...owner];
    const nsAbs = [...ns, ...ORIGIN];
    const out: Spec[] = [
      { owner, type: T.NS, ttl: t, text: `${nsAbs.join('.')}.`, rdata: nameWire(nsAbs) },
      { owner: ns, type: T.A, ttl: t, text: at, rdata: Uint8Array.from(ab) },
    ];
    if (withAaaa) out.push({ owner: ns, type: T.AAAA, ttl: t, text: qt, rdata: Uint8Array.from(qb) });
    return out;
  });

const specList = (min: number, max: number): fc.Arbitrary<Spec[]> =>
  fc.array(fc.oneof({ weight: 6, arbitrary: spec.map((x) => [x]) }, { weight: 1, arbitrary: delegation }), { minLength: min, maxLength: max }).map((l) => l.flat());

const zoneCase: fc.Arbitrary<ZoneCase> = fc.record({
  specs: specList(1, 12).map(normalize),
  soaTtl: fc.constantFrom(300, 3600),
  minimum: fc.constantFrom(60, 900, 7200),
  child: fc.oneof(
    { weight: 3, arbitrary: fc.constant(null) },
    {
      weight: 2,
      arbitrary: specList(0, 5).map((l) =>
        normalize(l.map((x) => ({ ...x, owner: [...x.owner.slice(0, 2), 'c'] }))).filter((x) => !(x.owner.length === 1 && (x.type === T.CNAME || x.type === T.DNAME))),
      ),
    },
  ),
});

const C_ORIGIN = ['c', ...ORIGIN];

function boilerplate(c: ZoneCase, apex: string[] = []): Spec[] {
  const soaRdata = cat(nameWire(['ns1', ...ORIGIN]), nameWire(['host', ...ORIGIN]), u32(1), u32(3600), u32(600), u32(86400), u32(c.minimum));
  const out: Spec[] = [
    { owner: apex, type: T.SOA, ttl: c.soaTtl, text: `ns1.z.test. host.z.test. 1 3600 600 86400 ${c.minimum}`, rdata: soaRdata },
    { owner: apex, type: T.NS, ttl: 3600, text: 'ns1.z.test.', rdata: nameWire(['ns1', ...ORIGIN]) },
  ];
  if (apex.length === 0) out.push({ owner: ['ns1'], type: T.A, ttl: 3600, text: '192.0.2.53', rdata: Uint8Array.of(192, 0, 2, 53) });
  return out;
}

const TYPE_TEXT: Record<number, string> = { 1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 15: 'MX', 16: 'TXT', 28: 'AAAA', 39: 'DNAME' };

function zoneText(all: Spec[], apexLen = 0): string {
  // Apex NS generated at random joins the apex NS RRset (same TTL).
  return all.map((s) => `${abs(s.owner)} ${s.owner.length === apexLen && s.type === T.NS ? 3600 : s.ttl} IN ${TYPE_TEXT[s.type]} ${s.text}`).join('\n') + '\n';
}

function model(all: Spec[], origin: string[] = ORIGIN, apexLen = 0): RefZone {
  const nodes = new Map<string, Map<number, RefRRset>>();
  for (const s of all) {
    const k = keyOf([...s.owner, ...ORIGIN]);
    const node = nodes.get(k) ?? new Map<number, RefRRset>();
    const set = node.get(s.type) ?? { ttl: s.owner.length === apexLen && s.type === T.NS ? 3600 : s.ttl, rdatas: [] };
    set.rdatas.push(s.rdata);
    node.set(s.type, set);
    nodes.set(k, node);
  }
  return { origin, nodes };
}

/** Question names: owners, their children and siblings, wildcard-matching names, apex, outside; random case. */
function questionNames(specs: Spec[]): fc.Arbitrary<string[]> {
  const owners = specs.map((s) => s.owner);
  const pool: fc.Arbitrary<string[]>[] = [relName(0, 5), fc.constant(['ns1'])];
  if (owners.length > 0) {
    const owner = fc.constantFrom(...owners);
    pool.push(owner, owner, owner.map((o) => o.slice(1)));
    pool.push(fc.tuple(fc.constantFrom('a', 'd', '*', 'e'), owner).map(([l, o]) => [l, ...o]));
    pool.push(fc.tuple(fc.constantFrom('a', 'b', 'd'), owner).map(([l, o]) => [l, ...o.slice(1)]));
    pool.push(fc.tuple(fc.constantFrom(['q'], ['x', 'y'], ['a']), owner).map(([l, o]) => o.flatMap((x) => (x === '*' ? l : [x]))));
  }
  const rel = fc.oneof(...pool);
  return fc
    .tuple(
      fc.oneof({ weight: 12, arbitrary: rel.map((r) => [...r, ...ORIGIN]) }, { weight: 1, arbitrary: fc.constantFrom(['a', 'out'], ['test'], ['y', 'test']) }),
      fc.array(fc.boolean(), { minLength: 24, maxLength: 24 }),
    )
    .map(([labels, flips]) => {
      let i = 0;
      return labels.map((l) => [...l].map((ch) => (flips[i++ % flips.length] ? ch.toUpperCase() : ch)).join(''));
    });
}

const QTYPES = [T.A, T.AAAA, T.TXT, T.MX, T.NS, T.CNAME, T.SOA, T.DNAME, T.DS];

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const typeName = (t: number): string => TYPE_TEXT[t] ?? String(t);
function ownerText(w: Uint8Array): string {
  const out: string[] = [];
  for (let p = 0; w[p] !== 0; p += w[p]! + 1) out.push(String.fromCharCode(...w.subarray(p + 1, p + 1 + w[p]!)));
  return out.join('.') + '.';
}
const recKey = (r: RefRecord): string => `${ownerText(r.owner)}|${hex(r.owner)} ${typeName(r.type)} ${r.ttl} ${hex(r.rdata)}`;
const multiset = (rs: readonly RefRecord[]): string[] => rs.map(recKey).sort();

interface Outcome {
  rcode: number;
  aa: boolean;
  answer: string[];
  authority: string[];
  additional: string[];
}
interface Sections {
  rcode: number;
  aa: boolean;
  answer: RefRecord[];
  authority: RefRecord[];
  additional: RefRecord[];
}
const outcome = (a: Sections): Outcome => ({
  rcode: a.rcode,
  aa: a.aa,
  answer: multiset(a.answer),
  authority: multiset(a.authority),
  additional: multiset(a.additional),
});

/**
 * Known differences between Tyne and the reference, found by this test and
 * not yet fixed. Each has a reason and an exact description: either a
 * variant of the reference with the difference built in, or a rewrite of
 * Tyne's outcome that undoes it. A failing case is excused only when some
 * combination of these makes the two agree exactly; excused cases are
 * counted and printed. Remove an entry when the code is fixed.
 */
interface KnownDifference {
  id: string;
  reason: string;
  variant?: RefOptions;
  undo?: (got: Sections) => Sections;
}
const KNOWN_DIFFERENCES: KnownDifference[] = [
  {
    id: 'referral-omits-authoritative-addresses',
    reason:
      'RFC 1034 §4.3.2 step 3b puts the NS targets\' addresses "from authoritative data" in a referral as well as glue; BIND 9.18 adds ' +
      'only glue (checked by named-differential: `sibling` delegating to ns2.example.com gets no ns2 address), and Tyne follows BIND, ' +
      'so `b.z NS ns1.z.` with `ns1.z. A` authoritative in z comes without the address.',
    variant: { referralAuthoritativeAddresses: false },
  },
  {
    id: 'referral-glue-below-dname',
    reason:
      'Data below a DNAME is occluded (RFC 6672 §2.4); BIND\'s find stops at the DNAME, so a cut under it yields no glue. Tyne returns addresses under ' +
      'such an occluded cut as glue (`a.z DNAME z.`, `b.a.z NS ns.b.a.z.`, `ns.b.a.z A …`, `b.z NS ns.b.a.z.`: the referral for b.z carries ns.b.a.z A).',
    variant: { occludedGlue: true },
  },
];

/** Whether some combination of known differences explains got ≠ want exactly; the ids used. */
function explain(ref: RefZone[], name: string[], type: number, got: Sections): string[] | undefined {
  const n = KNOWN_DIFFERENCES.length;
  for (let mask = 1; mask < 1 << n; mask++) {
    const used = KNOWN_DIFFERENCES.filter((_, i) => (mask & (1 << i)) !== 0);
    const variant: RefOptions = Object.assign({}, ...used.map((d) => d.variant ?? {}));
    let g = got;
    for (const d of used) if (d.undo !== undefined) g = d.undo(g);
    if (isDeepStrictEqual(outcome(g), outcome(referenceAnswer(ref, name, type, variant)))) return used.map((d) => d.id);
  }
  return undefined;
}

// Fixed for npm test; ANSWER_MODEL_RUNS / ANSWER_MODEL_SEED explore further by hand.
const RUNS = Number(process.env['ANSWER_MODEL_RUNS'] ?? 1000);
const SEED = Number(process.env['ANSWER_MODEL_SEED'] ?? 20261126);

describe('answer() agrees with the RFC 1034 reference model', () => {
  it(`${RUNS} random zones, several questions each`, () => {
    const kinds = new Map<string, number>();
    let cases = 0;
    let zones = 0;
    let rejected = 0;
    let childZones = 0;
    const known = new Map<string, number>();
    fc.assert(
      fc.property(
        zoneCase.chain((c) =>
          fc.tuple(fc.constant(c), fc.array(fc.tuple(questionNames([...c.specs, ...(c.child ?? [])]), fc.constantFrom(...QTYPES)), { minLength: 1, maxLength: 8 })),
        ),
        ([c, questions]) => {
          const all = [...boilerplate(c), ...c.specs];
          const childAll = c.child === null ? null : [...boilerplate(c, ['c']), ...c.child];
          let text = zoneText(all);
          if (childAll !== null) text += `; hosted child zone c.z.test.:\n${zoneText(childAll, 1)}`;
          const tyneZones = [];
          try {
            tyneZones.push(loadZoneText(zoneText(all), Name.fromText('z.test.')));
            if (childAll !== null) tyneZones.push(loadZoneText(zoneText(childAll, 1), Name.fromText('c.z.test.')));
          } catch {
            rejected++;
            fc.pre(false);
            return;
          }
          zones++;
          if (childAll !== null) childZones++;
          const set = new ZoneSet(tyneZones);
          const ref = [model(all), ...(childAll === null ? [] : [model(childAll, C_ORIGIN, 1)])];
          for (const [name, type] of questions) {
            const want = referenceAnswer(ref, name, type);
            const gotA = answer(set, { name: nameWire(name), type, class: 1 }, { minimalAny: true });
            const got = outcome(gotA);
            const exp = outcome(want);
            cases++;
            const ks = new Set(want.kinds);
            const chained = ks.has('cname') || ks.has('dname');
            if (chained && (ks.has('nxdomain') || ks.has('nodata'))) ks.add('chain-then-negative');
            if (chained && ks.has('referral')) ks.add('chain-then-referral');
            if (ks.has('wildcard') && ks.has('cname')) ks.add('wildcard-cname');
            if (want.additional.length > 0 && !ks.has('referral')) ks.add('answer-additional');
            if (name.some((l) => l !== l.toLowerCase())) ks.add('mixed-case');
            for (const k of ks) kinds.set(k, (kinds.get(k) ?? 0) + 1);
            try {
              assert.deepEqual(got, exp);
            } catch (e) {
              const ids = explain(ref, name, type, gotA);
              if (ids !== undefined) {
                for (const id of ids) known.set(id, (known.get(id) ?? 0) + 1);
                continue;
              }
              throw new Error(`question ${name.join('.')}. ${typeName(type)}\nzone:\n${text}\n${(e as Error).message}`);
            }
          }
        },
      ),
      { numRuns: RUNS, seed: SEED, includeErrorInReport: true },
    );
    const summary = `answer model: ${zones} zone sets (${childZones} with a hosted child zone; ${rejected} rejected by the loader), ${cases} questions; kinds: ${[...kinds.entries()]
      .sort()
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}; known differences excused: ${KNOWN_DIFFERENCES.map((d) => `${d.id}=${known.get(d.id) ?? 0}`).join(' ')}`;
    console.log(summary);
    for (const k of ['referral', 'glue', 'glue-at-cut', 'wildcard', 'nxdomain', 'nodata', 'ent', 'cname', 'dname', 'answer', 'chain-leaves-zone', 'refused', 'servfail', 'chain-then-negative', 'chain-then-referral', 'wildcard-cname', 'answer-additional', 'mixed-case']) {
      assert.ok((kinds.get(k) ?? 0) > 0, `the generators never reached '${k}': ${summary}`);
    }
  });
});

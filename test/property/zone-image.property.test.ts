/**
 * Zone images (issue 16 §3): for random zones (mixed-case owners, wildcards,
 * cuts with glue, CNAME/DNAME chains, RRSIGs of differing TTLs) and random
 * questions in random letter case, `answer()` over the zone read from the
 * zone's image gives what it gives over the zone itself, and a Responder
 * over each gives byte-identical responses (both transports, EDNS, DO).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { loadZoneText, zoneFromImage, zoneImage, type Zone } from '../../src/zone/index.js';
import { answer } from '../../src/query/answer.js';
import { ZoneSet } from '../../src/query/zone-set.js';
import { Responder } from '../../src/server/responder.js';
import { Name, emptyMessage, encodeMessageToBytes, type EdnsOption } from '../../src/wire/index.js';
import type { Answer } from '../../src/query/answer-types.js';
import { T, nameWire } from './reference-answer.js';

const ORIGIN = Name.fromText('z.test.');
const LABELS = ['a', 'b', 'c', 'A', 'B', '*'];
const SIG = (covered: string): string => `RRSIG ${covered} 8 2 300 20300101000000 20200101000000 12345 z.test. AAAA`;

const relName = (min: number, max: number): fc.Arbitrary<string[]> => fc.array(fc.constantFrom(...LABELS), { minLength: min, maxLength: max });
const target = fc.oneof(relName(0, 3).map((l) => [...l.filter((x) => x !== '*'), 'z', 'test'].join('.') + '.'), fc.constantFrom('ns1.z.test.', 'x.out.', 'a.b.out.'));
const ttl = fc.constantFrom(60, 300, 3600);

interface Line {
  owner: string[];
  type: string;
  ttl: number;
  text: string;
}

const rdata: fc.Arbitrary<{ type: string; text: string }> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('192.0.2.1', '192.0.2.2').map((t) => ({ type: 'A', text: t })) },
  { weight: 2, arbitrary: fc.constantFrom('2001:db8::1', '2001:db8::2').map((t) => ({ type: 'AAAA', text: t })) },
  { weight: 2, arbitrary: fc.constantFrom('"x"', '"y" "z"').map((t) => ({ type: 'TXT', text: t })) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(10, 20), target).map(([p, t]) => ({ type: 'MX', text: `${p} ${t}` })) },
  { weight: 2, arbitrary: fc.constantFrom('ns1.z.test.', 'ns.out.').map((t) => ({ type: 'NS', text: t })) },
  { weight: 3, arbitrary: target.map((t) => ({ type: 'CNAME', text: t })) },
  { weight: 1, arbitrary: target.map((t) => ({ type: 'DNAME', text: t })) },
  { weight: 2, arbitrary: fc.constantFrom('A', 'TXT', 'MX').map((t) => ({ type: 'RRSIG', text: SIG(t).slice('RRSIG '.length) })) },
);

const line: fc.Arbitrary<Line> = fc.tuple(relName(1, 4), ttl, rdata).map(([owner, t, r]) => ({ owner, ttl: t, ...r }));

/** Zone-file rules the loader enforces: CNAME alone, one DNAME, none beside NS, no NS or DNAME at a wildcard. */
function normalize(raw: Line[]): Line[] {
  const byOwner = new Map<string, Line[]>();
  for (const l of raw) {
    if (l.owner[0] === '*' && (l.type === 'NS' || l.type === 'DNAME')) continue;
    const k = l.owner.join('.').toLowerCase();
    byOwner.set(k, [...(byOwner.get(k) ?? []), l]);
  }
  const out: Line[] = [];
  for (const list of byOwner.values()) {
    let keep = list;
    const cname = list.find((l) => l.type === 'CNAME');
    if (cname !== undefined) keep = [cname, ...list.filter((l) => l.type === 'RRSIG')];
    const dname = keep.find((l) => l.type === 'DNAME');
    keep = keep.filter((l) => l.type !== 'DNAME' || l === dname);
    if (keep.some((l) => l.type === 'NS')) keep = keep.filter((l) => l.type !== 'DNAME');
    out.push(...keep);
  }
  return out;
}

const zoneLines = fc.array(line, { minLength: 1, maxLength: 14 }).map(normalize);

function zoneText(lines: Line[]): string {
  const head = ['$ORIGIN z.test.', '@ 3600 SOA ns1 host 1 3600 600 86400 300', '@ 3600 NS ns1', 'ns1 3600 A 192.0.2.53'];
  return [...head, ...lines.map((l) => `${l.owner.join('.')} ${l.ttl} IN ${l.type} ${l.text}`)].join('\n') + '\n';
}

/** Question names: owners, below and beside them, and outside; random letter case. */
function questionName(lines: Line[]): fc.Arbitrary<string[]> {
  const owners = lines.map((l) => l.owner);
  const pool: fc.Arbitrary<string[]>[] = [relName(0, 4)];
  if (owners.length > 0) {
    const owner = fc.constantFrom(...owners);
    pool.push(owner, owner.map((o) => o.slice(1)), fc.tuple(fc.constantFrom('a', 'q', '*'), owner).map(([l, o]) => [l, ...o]));
  }
  return fc
    .tuple(fc.oneof(...pool), fc.array(fc.boolean(), { minLength: 16, maxLength: 16 }), fc.oneof({ weight: 6, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }))
    .map(([rel, flips, out]) => {
      let i = 0;
      const labels = [...rel, ...(out ? ['out'] : ['z', 'test'])];
      return labels.map((l) => [...l].map((ch) => (flips[i++ % flips.length] ? ch.toUpperCase() : ch.toLowerCase())).join(''));
    });
}

const QTYPES = [T.A, T.AAAA, T.TXT, T.MX, T.NS, T.CNAME, T.SOA, T.DNAME, T.DS, 46, 255];

const question = (lines: Line[]) =>
  fc.record({
    name: questionName(lines),
    type: fc.constantFrom(...QTYPES),
    id: fc.integer({ min: 0, max: 0xffff }),
    tcp: fc.boolean(),
    edns: fc.option(fc.record({ payload: fc.constantFrom(512, 1232, 4096), dnssecOk: fc.boolean(), nsid: fc.boolean() }), { nil: null }),
  });

const hex = (b: Uint8Array | null | undefined): string => (b === null || b === undefined ? String(b) : Buffer.from(b).toString('hex'));

function plainAnswer(a: Answer): string {
  const recs = (rs: Answer['answer']): string[] => rs.map((r) => `${hex(r.owner)} ${r.type} ${r.class} ${r.ttl} ${hex(r.rdata)}`);
  return JSON.stringify({ ...a, answer: recs(a.answer), authority: recs(a.authority), additional: recs(a.additional), wildcardEncloser: hex(a.wildcardEncloser) });
}

function query(q: { name: string[]; type: number; id: number; edns: { payload: number; dnssecOk: boolean; nsid: boolean } | null }): Uint8Array {
  const m = emptyMessage(q.id);
  m.rd = true;
  m.questions.push({ name: Name.fromWire(nameWire(q.name)), type: q.type, class: 1 });
  if (q.edns !== null) {
    const options: EdnsOption[] = q.edns.nsid ? [{ code: 3, data: new Uint8Array(0) }] : [];
    m.edns = { udpPayload: q.edns.payload, version: 0, dnssecOk: q.edns.dnssecOk, z: 0, options };
  }
  return encodeMessageToBytes(m);
}

const OPTIONS = { udpPayload: 1232, identity: 'ns1.test', version: 'tyne-test' };
const RUNS = Number(process.env['ZONE_IMAGE_RUNS'] ?? 400);

describe('a zone read from its image answers as the zone does', () => {
  it(`${RUNS} random zones, several questions each: answer() and Responder octets`, () => {
    let zones = 0;
    let questions = 0;
    let rejected = 0;
    const kinds = new Map<string, number>();
    fc.assert(
      fc.property(
        zoneLines.chain((lines) => fc.tuple(fc.constant(lines), fc.array(question(lines), { minLength: 1, maxLength: 10 }))),
        ([lines, qs]) => {
          let zone: Zone;
          try {
            zone = loadZoneText(zoneText(lines), ORIGIN);
          } catch {
            rejected++;
            fc.pre(false);
            return;
          }
          zones++;
          const image = zoneFromImage(zoneImage(zone));
          const sets = [new ZoneSet([zone]), new ZoneSet([image])] as const;
          const responders = sets.map((s) => new Responder(s, OPTIONS));
          for (const q of qs) {
            questions++;
            const wq = { name: nameWire(q.name), type: q.type, class: 1 };
            for (const dnssecOk of [false, true]) {
              const want = answer(sets[0], wq, { minimalAny: !q.tcp, dnssecOk });
              kinds.set(want.kind, (kinds.get(want.kind) ?? 0) + 1);
              assert.equal(plainAnswer(answer(sets[1], wq, { minimalAny: !q.tcp, dnssecOk })), plainAnswer(want), `answer() for ${q.name.join('.')} ${q.type}`);
            }
            const bytes = query(q);
            // Twice: the second answer may come from the Responder's answer cache, keyed by node identity.
            for (let k = 0; k < 2; k++) {
              assert.equal(hex(responders[1]!.handle(bytes, { tcp: q.tcp })), hex(responders[0]!.handle(bytes, { tcp: q.tcp })), `response to ${q.name.join('.')} ${q.type}`);
            }
          }
        },
      ),
      { numRuns: RUNS, seed: 20261207 },
    );
    const summary = `zone images: ${zones} zones (${rejected} rejected by the loader), ${questions} questions; kinds ${[...kinds].sort().map(([k, v]) => `${k}=${v}`).join(' ')}`;
    console.log(summary);
    for (const k of ['answer', 'nodata', 'nxdomain', 'referral', 'refused']) assert.ok((kinds.get(k) ?? 0) > 0, `never reached ${k}: ${summary}`);
  });
});

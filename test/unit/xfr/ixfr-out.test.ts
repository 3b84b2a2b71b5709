/** Outgoing IXFR: condensation, the RFC 1995 layouts, and the fallbacks (AXFR-style, UDP). */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { condense, ixfrMessages, type IxfrInfo } from '../../../src/xfr/ixfr-out.js';
import { diffZones } from '../../../src/xfr/compute-zone-diff.js';
import { Journal } from '../../../src/xfr/journal.js';
import type { ZoneDiff } from '../../../src/xfr/zone-diff.js';
import { loadZoneText } from '../../../src/zone/load-zone.js';
import { Name, RRType, decodeMessage, rdataToText, typeToText, type Message, type ResourceRecord } from '../../../src/wire/index.js';
import type { Zone } from '../../../src/zone/index.js';

const ORIGIN = Name.fromText('example.com.');
const dir = mkdtempSync(join(tmpdir(), 'tyne-ixfr-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;

function question(type: number): Uint8Array {
  const w = ORIGIN.wire;
  const q = new Uint8Array(w.length + 4);
  q.set(w);
  q[w.length] = type >>> 8;
  q[w.length + 1] = type;
  q[w.length + 3] = 1;
  return q;
}
const QUERY = { id: 0x4242, question: question(RRType.IXFR), rd: false };

function text(rr: ResourceRecord): string {
  return `${rr.name.toText().toLowerCase()} ${rr.ttl} ${typeToText(rr.type)} ${rdataToText(rr.type, rr.rdata)}`;
}

function serialOf(rr: ResourceRecord): number {
  const m = / (\d+) \d+ \d+ \d+ \d+$/.exec(rdataToText(RRType.SOA, rr.rdata));
  return Number(m![1]);
}

function version(serial: number, lines: string[]): Zone {
  return loadZoneText(['$TTL 300', `@ IN SOA ns1 hostmaster ${serial} 3600 900 604800 300`, '@ IN NS ns1', 'ns1 IN A 192.0.2.1', ...lines].join('\n'), ORIGIN);
}

/** Versions 1..4 of a zone with 40 hosts, a few changes each. */
function versions(): Zone[] {
  const hosts = (skip: (i: number) => boolean, ttl = (_i: number) => 300): string[] => {
    const out: string[] = [];
    for (let i = 0; i < 40; i++) if (!skip(i)) out.push(`h${i} ${ttl(i)} IN A 10.0.0.${i}`);
    return out;
  };
  return [
    version(1, hosts((i) => i >= 30)),
    version(2, [...hosts((i) => i >= 30 || i === 3), 'new IN TXT "v2"']),
    version(3, [...hosts((i) => i >= 31 || i === 3, (i) => (i === 5 ? 900 : 300)), 'new IN TXT "v3"']),
    version(4, [...hosts((i) => i >= 31, (i) => (i === 5 ? 900 : 300)), 'new IN TXT "v3"', 'x IN AAAA 2001:db8::4']),
  ];
}

function journalOf(zones: Zone[], opts?: { maxBytes?: number }): Journal {
  const j = Journal.open(join(dir, `j${fileNo++}.jnl`), opts);
  for (let i = 1; i < zones.length; i++) j.append(diffZones(zones[i - 1]!, zones[i]!));
  return j;
}

function decodeAll(gen: Iterable<Uint8Array>, limit = 16384): Message[] {
  const out: Message[] = [];
  for (const m of gen) {
    assert.ok(m.length <= limit, `message of ${m.length} > ${limit}`);
    out.push(decodeMessage(m));
  }
  out.forEach((m, i) => {
    assert.equal(m.id, QUERY.id);
    assert.ok(m.qr && m.aa);
    assert.equal(m.rcode, 0);
    assert.equal(m.questions.length, i === 0 ? 1 : 0);
  });
  return out;
}

/**
 * Reads an IXFR answer as RFC 1995 §4 does: SOA(new), then sequences of
 * SOA(old) removed... SOA(new') added..., then SOA(new); applies them to
 * `base` and returns the resulting record texts.
 */
function applyIxfr(base: Zone, answers: ResourceRecord[]): { result: Set<string>; sequences: number } {
  const set = new Set(base.canonicalRecords().filter((r) => r.type !== RRType.SOA).map(text));
  assert.equal(answers[0]!.type, RRType.SOA);
  const last = serialOf(answers[0]!);
  assert.equal(serialOf(answers[answers.length - 1]!), last);
  let i = 1;
  let sequences = 0;
  while (i < answers.length - 1) {
    assert.equal(answers[i]!.type, RRType.SOA, 'sequence starts with the old SOA');
    i++;
    while (answers[i]!.type !== RRType.SOA) assert.ok(set.delete(text(answers[i++]!)), 'removes a present record');
    i++; // new SOA
    while (i < answers.length - 1 && answers[i]!.type !== RRType.SOA) {
      const t = text(answers[i++]!);
      assert.ok(!set.has(t), `adds a new record ${t}`);
      set.add(t);
    }
    sequences++;
  }
  return { result: set, sequences };
}

function recordsOf(z: Zone): Set<string> {
  return new Set(z.canonicalRecords().filter((r) => r.type !== RRType.SOA).map(text));
}

describe('condense', () => {
  const ORIGINS = ['a', 'b', 'B', 'c'].map((s) => Name.fromText(s, ORIGIN));
  /** A universe of records; some differ only in TTL or owner case. */
  const universe: ResourceRecord[] = [];
  for (const [o, name] of ORIGINS.entries()) {
    for (let v = 0; v < 3; v++) {
      for (const ttl of [300, 600]) universe.push({ name, type: RRType.A, class: 1, ttl, rdata: Uint8Array.of(10, 0, o, v) });
    }
  }
  const key = (rr: ResourceRecord): string => `${rr.name.key}/${rr.ttl}/${rr.rdata.join('.')}`;
  const soa = (serial: number): ResourceRecord => ({ name: ORIGIN, type: RRType.SOA, class: 1, ttl: 300, rdata: Uint8Array.of(0, 0, serial >>> 24, serial >>> 16, serial >>> 8, serial, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) });

  it('equals applying the sequence (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.nat({ max: universe.length - 1 })),
        fc.array(fc.uniqueArray(fc.nat({ max: universe.length - 1 }), { maxLength: 8 }), { minLength: 1, maxLength: 6 }),
        (init, steps) => {
          // Only one of records differing in owner case can be present: keep keys unique.
          const state = new Map<string, ResourceRecord>();
          for (const i of init) state.set(key(universe[i]!), universe[i]!);
          const initial = new Map(state);
          const diffs: ZoneDiff[] = [];
          steps.forEach((toggles, s) => {
            const removed = [soa(s)];
            const added = [soa(s + 1)];
            const seen = new Set<string>();
            for (const t of toggles) {
              const rr = universe[t]!;
              const k = key(rr);
              if (seen.has(k)) continue;
              seen.add(k);
              const cur = state.get(k);
              if (cur !== undefined) removed.push(cur);
              else added.push(rr);
            }
            for (const rr of removed.slice(1)) state.delete(key(rr));
            for (const rr of added.slice(1)) state.set(key(rr), rr);
            diffs.push({ fromSerial: s, toSerial: s + 1, removed, added });
          });
          const c = condense(diffs);
          assert.equal(c.fromSerial, 0);
          assert.equal(c.toSerial, steps.length);
          assert.equal(c.removed[0], diffs[0]!.removed[0]);
          assert.equal(c.added[0], diffs[diffs.length - 1]!.added[0]);
          const applied = new Map(initial);
          for (const rr of c.removed.slice(1)) assert.ok(applied.delete(key(rr)), 'condensed removes only present records');
          for (const rr of c.added.slice(1)) {
            assert.ok(!applied.has(key(rr)), 'condensed adds only absent records');
            applied.set(key(rr), rr);
          }
          assert.deepEqual([...applied.keys()].sort(), [...state.keys()].sort());
        },
      ),
      { numRuns: 500 },
    );
  });

  it('drops a record added then removed, and one removed then added back', () => {
    const r1 = universe[0]!;
    const r2 = universe[2]!;
    const c = condense([
      { fromSerial: 1, toSerial: 2, removed: [soa(1), r2], added: [soa(2), r1] },
      { fromSerial: 2, toSerial: 3, removed: [soa(2), r1], added: [soa(3), r2] },
    ]);
    assert.equal(c.removed.length, 1);
    assert.equal(c.added.length, 1);
  });
});

describe('ixfrMessages', () => {
  it('answers an up-to-date (or newer) client with the current SOA alone', () => {
    const zs = versions();
    const j = journalOf(zs);
    for (const client of [4, 5, 4 + 0x7fffffff]) {
      const info: IxfrInfo = {};
      const msgs = decodeAll(ixfrMessages(zs[3]!, j, client, QUERY, { info }));
      assert.equal(msgs.length, 1);
      assert.equal(msgs[0]!.answers.length, 1);
      assert.equal(serialOf(msgs[0]!.answers[0]!), 4);
      assert.equal(info.kind, 'UPTODATE');
    }
  });

  it('sends the condensed difference from any version the journal holds', () => {
    const zs = versions();
    const j = journalOf(zs);
    for (const from of [1, 2, 3]) {
      const info: IxfrInfo = {};
      const msgs = decodeAll(ixfrMessages(zs[3]!, j, from, QUERY, { info }));
      assert.equal(info.kind, 'IXFR');
      const answers = msgs.flatMap((m) => m.answers);
      // SOA(new), SOA(old), removed..., SOA(new), added..., SOA(new).
      assert.equal(serialOf(answers[0]!), 4);
      assert.equal(serialOf(answers[1]!), from);
      assert.equal(answers.filter((r) => r.type === RRType.SOA).length, 4);
      const { result, sequences } = applyIxfr(zs[from - 1]!, answers);
      assert.equal(sequences, 1);
      assert.deepEqual([...result].sort(), [...recordsOf(zs[3]!)].sort());
    }
  });

  it('splits a long difference over messages within the limit', () => {
    const a: string[] = [];
    const b: string[] = [];
    for (let i = 0; i < 3000; i++) {
      a.push(`h${i} IN A 10.0.${i >> 8}.${i & 255}`);
      b.push(`h${i} IN A 10.1.${i >> 8}.${i & 255}`);
    }
    for (let i = 0; i < 4000; i++) {
      a.push(`keep${i} IN TXT "same"`);
      b.push(`keep${i} IN TXT "same"`);
    }
    const zs = [version(1, a), version(2, b)];
    const j = journalOf(zs);
    const info: IxfrInfo = {};
    const msgs = decodeAll(ixfrMessages(zs[1]!, j, 1, QUERY, { maxMessage: 4096, reserve: 200, info }), 4096 - 200);
    assert.equal(info.kind, 'IXFR');
    assert.ok(msgs.length > 10);
    const { result } = applyIxfr(zs[0]!, msgs.flatMap((m) => m.answers));
    assert.deepEqual([...result].sort(), [...recordsOf(zs[1]!)].sort());
  });

  it('falls back to the whole zone when there is no journal or it does not reach back', () => {
    const zs = versions();
    const j = journalOf(zs.slice(1)); // starts at 2
    for (const [journal, client] of [[null, 1], [j, 1], [j, 0]] as const) {
      const info: IxfrInfo = {};
      const answers = decodeAll(ixfrMessages(zs[3]!, journal, client, QUERY, { info })).flatMap((m) => m.answers);
      assert.equal(info.kind, 'AXFR');
      assert.ok(info.reason);
      assert.equal(answers[0]!.type, RRType.SOA);
      assert.equal(answers[answers.length - 1]!.type, RRType.SOA);
      assert.notEqual(answers[1]!.type, RRType.SOA, 'AXFR-style: no old SOA in second place');
      assert.deepEqual(new Set(answers.slice(1, -1).map(text)), recordsOf(zs[3]!));
    }
  });

  it('says a journal damaged on disk is damaged (naming it), never that it does not reach back, and sends the whole zone', () => {
    const zs = versions();
    const j = journalOf(zs);
    const data = readFileSync(j.path);
    data[data.length - 40]! ^= 0xff; // inside the last entry, which IXFR from 1 needs
    data[20]! ^= 0xff; // and inside the first
    writeFileSync(j.path, data);
    const info: IxfrInfo = {};
    const answers = decodeAll(ixfrMessages(zs[3]!, j, 1, QUERY, { info })).flatMap((m) => m.answers);
    assert.equal(info.kind, 'AXFR');
    assert.match(info.reason!, new RegExp(`^journal damaged \\(${j.path}: journal is damaged at offset \\d+`));
    assert.doesNotMatch(info.reason!, /does not reach back/);
    assert.deepEqual(new Set(answers.slice(1, -1).map(text)), recordsOf(zs[3]!));
  });

  it('falls back to the whole zone when the difference is larger than the zone', () => {
    const a: string[] = [];
    for (let i = 0; i < 50; i++) a.push(`h${i} IN A 10.0.0.${i}`);
    const zs = [version(1, a), version(2, ['only IN A 10.9.9.9'])];
    const j = journalOf(zs);
    const info: IxfrInfo = {};
    const answers = decodeAll(ixfrMessages(zs[1]!, j, 1, QUERY, { info })).flatMap((m) => m.answers);
    assert.equal(info.kind, 'AXFR');
    assert.match(info.reason!, /larger than the zone/);
    assert.equal(answers.length, zs[1]!.recordCount + 1);
  });

  it('over UDP, sends a difference that fits in one message, else the current SOA alone', () => {
    const zs = versions();
    const j = journalOf(zs);
    let info: IxfrInfo = {};
    let msgs = decodeAll(ixfrMessages(zs[3]!, j, 3, QUERY, { udpLimit: 512, info }), 512);
    assert.equal(info.kind, 'IXFR');
    assert.equal(msgs.length, 1);
    assert.ok(msgs[0]!.answers.length > 4);

    info = {};
    msgs = decodeAll(ixfrMessages(zs[3]!, j, 1, QUERY, { udpLimit: 120, info }), 120);
    assert.equal(info.kind, 'TCP_NEEDED');
    assert.equal(msgs.length, 1);
    assert.equal(msgs[0]!.answers.length, 1);
    assert.equal(serialOf(msgs[0]!.answers[0]!), 4);

    // A full transfer is never attempted over UDP.
    info = {};
    msgs = decodeAll(ixfrMessages(zs[3]!, null, 1, QUERY, { udpLimit: 65535, info }));
    assert.equal(info.kind, 'TCP_NEEDED');
    assert.equal(msgs[0]!.answers.length, 1);
  });
});

/** The on-disk journal: persistence, chains, torn appends, the size bound. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { crc32 } from 'node:zlib';
import { Journal, JournalCorruptError } from '../../../src/xfr/journal.js';
import type { ZoneDiff } from '../../../src/xfr/zone-diff.js';
import { Name, RRType, rdataFromText, tokenize, type ResourceRecord } from '../../../src/wire/index.js';

const dir = mkdtempSync(join(tmpdir(), 'tyne-jnl-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => join(dir, `z${n++}.zone.jnl`);

const ORIGIN = Name.fromText('example.com.');

function rr(owner: string, type: number, text: string, ttl = 300): ResourceRecord {
  return { name: Name.fromText(owner, ORIGIN), type, class: 1, ttl, rdata: rdataFromText(type, tokenize(text), ORIGIN) };
}

function soa(serial: number): ResourceRecord {
  return rr('@', RRType.SOA, `ns1 hostmaster ${serial} 3600 900 604800 300`);
}

function diff(from: number, to: number, extra = 1): ZoneDiff {
  const removed = [soa(from)];
  const added = [soa(to)];
  for (let i = 0; i < extra; i++) {
    removed.push(rr(`Host${from}-${i}`, RRType.A, `192.0.2.${i % 256}`));
    added.push(rr(`host${to}-${i}`, RRType.TXT, `"serial ${to} record ${i}"`, 600));
  }
  return { fromSerial: from, toSerial: to, removed, added };
}

function same(a: ZoneDiff, b: ZoneDiff): void {
  assert.equal(a.fromSerial, b.fromSerial);
  assert.equal(a.toSerial, b.toSerial);
  const t = (l: ResourceRecord[]) => l.map((r) => [r.name.toText(), r.type, r.class, r.ttl, Buffer.from(r.rdata).toString('hex')]);
  assert.deepEqual(t(a.removed), t(b.removed));
  assert.deepEqual(t(a.added), t(b.added));
}

describe('Journal', () => {
  it('starts empty when there is no file, and creates it on the first append', () => {
    const path = fresh();
    const j = Journal.open(path);
    assert.equal(j.firstSerial, null);
    assert.equal(j.lastSerial, null);
    assert.equal(j.since(1, 2), null);
    assert.deepEqual(j.since(5, 5), []);
    assert.ok(!existsSync(path));
    j.append(diff(1, 2));
    assert.ok(existsSync(path));
    assert.equal(j.firstSerial, 1);
    assert.equal(j.lastSerial, 2);
  });

  it('keeps entries across reopen, and returns the chain between two serials', () => {
    const path = fresh();
    const j = Journal.open(path);
    const ds = [diff(1, 2, 3), diff(2, 5, 0), diff(5, 6, 10), diff(6, 7, 2)];
    for (const d of ds) j.append(d);
    const k = Journal.open(path);
    assert.equal(k.firstSerial, 1);
    assert.equal(k.lastSerial, 7);
    assert.equal(k.length, 4);
    const all = k.since(1, 7)!;
    assert.equal(all.length, 4);
    all.forEach((d, i) => same(d, ds[i]!));
    const tail = k.since(5, 7)!;
    assert.equal(tail.length, 2);
    same(tail[0]!, ds[2]!);
    const mid = k.since(2, 6)!;
    assert.equal(mid.length, 2);
    assert.equal(k.since(3, 7), null, 'no entry starts at 3');
    assert.equal(k.since(1, 8), null, 'the chain does not reach 8');
    assert.equal(k.since(0, 7), null, 'the journal does not reach back to 0');
    // Owner letter case survives.
    assert.equal(all[0]!.removed[1]!.name.toText(), 'Host1-0.example.com.');
  });

  it('appendAsync writes what append writes, and falls back to it to start or trim a journal', async () => {
    const a = fresh();
    const b = fresh();
    const ds = [diff(1, 2, 3), diff(2, 5, 0), diff(5, 6, 10), diff(9, 10, 1)];
    const ja = Journal.open(a);
    const jb = Journal.open(b);
    for (const d of ds) {
      ja.append(d);
      await jb.appendAsync(d);
    }
    assert.deepEqual(readFileSync(b), readFileSync(a));
    assert.deepEqual(Journal.open(b).serials(), [9, 10], 'a diff that does not continue starts a new journal');
    const small = Journal.open(fresh(), { maxBytes: 600 });
    for (let i = 0; i < 10; i++) await small.appendAsync(diff(i, i + 1, 2));
    assert.ok(small.bytes <= 600, `trimmed: ${small.bytes}`);
    assert.equal(small.lastSerial, 10);
  });

  it('handles serial wrap-around', () => {
    const path = fresh();
    const j = Journal.open(path);
    j.append(diff(0xfffffffe, 0xffffffff));
    j.append(diff(0xffffffff, 3));
    const k = Journal.open(path);
    assert.equal(k.since(0xfffffffe, 3)!.length, 2);
  });

  it('ignores a torn last entry and appends over it', () => {
    const path = fresh();
    const j = Journal.open(path);
    j.append(diff(1, 2, 5));
    j.append(diff(2, 3, 5));
    const full = statSync(path).size;
    j.append(diff(3, 4, 5));
    for (const cut of [1, 3, 10, 40]) {
      const size = statSync(path).size;
      truncateSync(path, size - cut);
      const k = Journal.open(path);
      assert.equal(k.lastSerial, 3, `cut ${cut}`);
      assert.equal(k.since(1, 3)!.length, 2);
      assert.equal(k.since(3, 4), null);
      // Put it back for the next round.
      k.append(diff(3, 4, 5));
      assert.equal(Journal.open(path).lastSerial, 4);
    }
    // A later append replaces the torn bytes.
    truncateSync(path, statSync(path).size - 7);
    const k = Journal.open(path);
    k.append(diff(3, 9, 1));
    assert.ok(statSync(path).size > full);
    const r = Journal.open(path);
    assert.equal(r.lastSerial, 9);
    assert.equal(r.since(1, 9)!.length, 3);
  });

  it('detects a corrupted entry by its checksum', () => {
    const path = fresh();
    const j = Journal.open(path);
    j.append(diff(1, 2, 2));
    j.append(diff(2, 3, 2));
    const data = readFileSync(path);
    data[data.length - 3] = data[data.length - 3]! ^ 0xff;
    writeFileSync(path, data);
    const k = Journal.open(path);
    assert.equal(k.lastSerial, 2);
  });

  it('reports a file that is not a journal as corruption, naming the file (an empty file is an empty journal)', () => {
    const path = fresh();
    writeFileSync(path, 'not a journal at all');
    assert.throws(() => Journal.open(path), (e: unknown) => {
      assert.ok(e instanceof JournalCorruptError);
      assert.equal(e.code, 'STORAGE_CORRUPT');
      assert.equal(e.file, path);
      assert.match(e.message, new RegExp(`^${path}: journal is damaged at offset 0: not a Tyne journal`));
      assert.deepEqual(e.serials, []);
      return true;
    });
    writeFileSync(path, '');
    assert.equal(Journal.open(path).lastSerial, null);
  });

  /** Three entries 1 -> 2 -> 3 -> 4 and the offset where each starts. */
  function threeEntries(): { path: string; offsets: number[] } {
    const path = fresh();
    const j = Journal.open(path);
    const offsets: number[] = [];
    for (const [a, b] of [[1, 2], [2, 3], [3, 4]] as const) {
      offsets.push(existsSync(path) ? statSync(path).size : 8);
      j.append(diff(a, b, 2));
    }
    return { path, offsets };
  }

  const damage: [string, (b: Buffer, offsets: number[]) => void, number, number[]][] = [
    ['a flipped octet in the middle entry', (b, o) => { b[o[1]! + 30]! ^= 0x01; }, 1, [1, 2]],
    ['a flipped octet in the first entry', (b, o) => { b[o[0]! + 20]! ^= 0x80; }, 0, []],
    ['a length field too short', (b, o) => b.writeUInt32BE(3, o[1]!), 1, [1, 2]],
    ['a broken chain (an entry that does not start where the one before ended)', (b, o) => {
      // Rewrite entry 2's from-serial and checksum so the entry itself is whole.
      b.writeUInt32BE(9, o[1]! + 8);
      const end = o[2]!;
      b.writeUInt32BE(crc32(b.subarray(o[1]! + 8, end)), o[1]! + 4);
    }, 1, [1, 2]],
  ];
  for (const [what, hurt, at, serials] of damage) {
    it(`reports ${what} as corruption, with the serials readable before it`, () => {
      const { path, offsets } = threeEntries();
      const data = readFileSync(path);
      hurt(data, offsets);
      writeFileSync(path, data);
      assert.throws(() => Journal.open(path), (e: unknown) => {
        assert.ok(e instanceof JournalCorruptError, String(e));
        assert.equal(e.offset, offsets[at]);
        assert.deepEqual(e.serials, serials);
        return true;
      });
    });
  }

  it('reports an entry damaged on disk after opening as corruption when it is read, and tells the owner', () => {
    const { path, offsets } = threeEntries();
    const j = Journal.open(path);
    const heard: JournalCorruptError[] = [];
    j.onCorrupt = (e) => heard.push(e);
    const data = readFileSync(path);
    data[offsets[2]! + 40]! ^= 0xff;
    writeFileSync(path, data);
    assert.equal(j.since(1, 2)!.length, 1, 'entries before the damage still read');
    assert.throws(() => j.since(1, 4), JournalCorruptError);
    assert.equal(heard.length, 1);
    assert.equal(heard[0]!.file, path);
  });

  it('lists its serials, and reset() empties it durably', () => {
    const { path } = threeEntries();
    const j = Journal.open(path);
    assert.deepEqual(j.serials(), [1, 2, 2, 3, 3, 4]);
    j.reset();
    assert.deepEqual(j.serials(), []);
    assert.equal(Journal.open(path).length, 0);
    j.append(diff(7, 8));
    assert.equal(Journal.open(path).since(7, 8)!.length, 1);
  });

  it('starts a new chain when an append does not continue the last one', () => {
    const path = fresh();
    const j = Journal.open(path);
    j.append(diff(1, 2));
    j.append(diff(2, 3));
    j.append(diff(10, 11));
    assert.equal(j.firstSerial, 10);
    const k = Journal.open(path);
    assert.equal(k.firstSerial, 10);
    assert.equal(k.lastSerial, 11);
    assert.equal(k.since(1, 3), null);
  });

  it('stays within maxBytes by dropping the oldest entries', () => {
    const path = fresh();
    const maxBytes = 20000;
    const j = Journal.open(path, { maxBytes });
    for (let s = 1; s <= 200; s++) {
      j.append(diff(s, s + 1, 3));
      assert.ok(statSync(path).size <= maxBytes, `size ${statSync(path).size} after serial ${s}`);
      assert.equal(j.bytes, statSync(path).size);
    }
    assert.equal(j.lastSerial, 201);
    const first = j.firstSerial!;
    assert.ok(first > 1);
    const k = Journal.open(path, { maxBytes });
    assert.equal(k.firstSerial, first);
    const chain = k.since(first, 201)!;
    assert.equal(chain.length, 201 - first);
    same(chain[chain.length - 1]!, diff(200, 201, 3));
    assert.equal(k.since(1, 201), null);
    assert.ok(!existsSync(`${path}.tmp`));
  });

  it('holds no entry larger than maxBytes', () => {
    const path = fresh();
    const j = Journal.open(path, { maxBytes: 500 });
    j.append(diff(1, 2, 50));
    assert.equal(j.lastSerial, null);
    assert.ok(statSync(path).size <= 500);
    j.append(diff(2, 3, 0));
    assert.equal(j.lastSerial, 3);
  });
});

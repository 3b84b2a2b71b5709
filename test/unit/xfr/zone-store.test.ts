/** The secondary's saved copy: atomic save, load round trip, crash leftovers and damaged files. */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { crc32 } from 'node:zlib';
import { loadZoneText } from '../../../src/zone/load-zone.js';
import { Name } from '../../../src/wire/index.js';
import type { Zone } from '../../../src/zone/index.js';
import { formatRecord } from '../../../src/zonefile/zone-printer.js';
import { diffZones } from '../../../src/xfr/compute-zone-diff.js';
import { freshJournal, journalPath, loadCopySync, loadSaved, loadSavedAsync, saveChange, saveZone, statePath, SMALL_COPY_BYTES, type CopyLoader, type SecondaryState } from '../../../src/xfr/zone-store.js';

const origin = Name.fromText('example.com.');
const dir = mkdtempSync(join(tmpdir(), 'tyne-zone-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function zoneText(serial: number, extra: string[] = []): string {
  return [
    '$TTL 300',
    `@ IN SOA ns1 hostmaster ${serial} 3600 900 604800 300`,
    '@ IN NS ns1',
    '@ IN NS ns2.example.net.',
    '@ IN MX 10 mail',
    'ns1 IN A 192.0.2.1',
    'ns1 IN AAAA 2001:db8::1',
    'mail 60 IN A 192.0.2.2',
    'www IN CNAME @',
    'txt IN TXT "hello world" "semi;colon" "quote\\"d"',
    'Case IN A 192.0.2.3',
    '_sip._tcp IN SRV 0 5 5060 sip',
    'sip IN A 192.0.2.4',
    'sub IN NS ns.sub',
    'ns.sub IN A 192.0.2.5',
    '*.wild IN TXT "wild"',
    'caa IN CAA 0 issue "ca.example.net"',
    'x IN TYPE65280 \\# 3 010203',
    ...extra,
  ].join('\n') + '\n';
}

function zoneOf(serial: number, extra: string[] = []): Zone {
  return loadZoneText(zoneText(serial, extra), origin);
}

const lines = (z: Zone): string[] => z.canonicalRecords().map(formatRecord);

function state(serial: number): SecondaryState {
  return { serial, lastRefresh: 1_700_000_000_000, expiresAt: 1_700_604_800_000, primary: '192.0.2.53:53' };
}

describe('loadSavedAsync: where the copy is parsed', () => {
  /** A loader standing in for the parse worker: it parses on this thread too, and counts its calls. */
  const counting = (): { load: CopyLoader; calls: string[] } => {
    const calls: string[] = [];
    return { calls, load: (path, o) => (calls.push(path), Promise.resolve(loadCopySync(path, o))) };
  };
  const big = Array.from({ length: 1200 }, (_, i) => `h${i} IN A 192.0.2.${i % 250}`);
  const cases = [
    { what: 'a small copy of ours is parsed on this thread', extra: [], viaLoad: false },
    { what: `a copy over SMALL_COPY_BYTES (${SMALL_COPY_BYTES}) goes to the loader`, extra: big, viaLoad: true },
  ];
  for (const c of cases) {
    it(c.what, async () => {
      const path = join(dir, `async-${c.viaLoad ? 'big' : 'small'}.zone`);
      const zone = zoneOf(9, c.extra);
      await saveZone(path, zone, state(9));
      assert.equal(statSync(path).size > SMALL_COPY_BYTES, c.viaLoad);
      const l = counting();
      const r = await loadSavedAsync(path, origin, { load: l.load });
      assert.deepEqual(l.calls, c.viaLoad ? [path] : []);
      assert.deepEqual(r.errors, []);
      assert.deepEqual(lines(r.zone!), lines(zone));
      // Damage is caught whichever way it was parsed: a record altered in place (same count) fails the digest.
      writeFileSync(path, readFileSync(path, 'utf8').replace('192.0.2.1\n', '192.0.2.9\n'));
      const d = await loadSavedAsync(path, origin, { load: counting().load });
      assert.equal(d.zone, null);
      assert.match(d.errors.join(' '), /digest/);
    });
  }
  it('a file not written by us goes to the loader, however small', async () => {
    const path = join(dir, 'async-foreign.zone');
    writeFileSync(path, zoneText(4));
    const l = counting();
    const r = await loadSavedAsync(path, origin, { load: l.load });
    assert.deepEqual(l.calls, [path]);
    assert.equal(r.zone?.serial, 4);
  });
});

describe('saveZone / loadSaved', () => {
  it('round-trips: the loaded copy has the same canonical records, and the state', async () => {
    const path = join(dir, 'rt', 'deeper', 'example.com.zone'); // folders created
    const zone = zoneOf(7);
    await saveZone(path, zone, state(7));
    const text = readFileSync(path, 'utf8');
    assert.match(text, /^; saved by tyne/);
    assert.match(text, /\n\$ORIGIN example\.com\.\n/);
    // SOA first.
    const firstRecord = text.split('\n').find((l) => l !== '' && !l.startsWith(';') && !l.startsWith('$'))!;
    assert.match(firstRecord, /\tSOA\t/);
    const r = loadSaved(path, origin);
    assert.deepEqual(r.errors, []);
    assert.ok(r.zone);
    assert.equal(r.zone.serial, 7);
    assert.deepEqual(lines(r.zone), lines(zone));
    assert.deepEqual(r.state, state(7));
    assert.deepEqual(JSON.parse(readFileSync(statePath(path), 'utf8')), state(7));
    // No temp files left behind.
    assert.deepEqual(readdirSync(join(dir, 'rt', 'deeper')).sort(), ['example.com.zone', 'example.com.zone.state.json']);
  });

  it('replaces an older copy', async () => {
    const path = join(dir, 'replace.zone');
    await saveZone(path, zoneOf(1), state(1));
    await saveZone(path, zoneOf(2, ['new IN A 192.0.2.99']), state(2));
    const r = loadSaved(path, origin);
    assert.equal(r.zone?.serial, 2);
    assert.ok(lines(r.zone!).some((l) => l.startsWith('new.example.com.')));
    assert.equal(r.state?.serial, 2);
  });

  it('a crash mid-write (temp file left behind) leaves the old copy in use', async () => {
    const path = join(dir, 'crash.zone');
    await saveZone(path, zoneOf(1), state(1));
    const before = readFileSync(path, 'utf8');
    // What a crash during the next save leaves: a partial temp file beside the copy.
    const partial = zoneText(2).slice(0, 120);
    writeFileSync(join(dir, `.crash.zone.tmp-99999-deadbeef`), partial);
    writeFileSync(join(dir, `.crash.zone.state.json.tmp-99999-deadbeef`), '{"serial": 2, "lastRe');
    const r = loadSaved(path, origin);
    assert.deepEqual(r.errors, []);
    assert.equal(r.zone?.serial, 1);
    assert.equal(r.state?.serial, 1);
    assert.equal(readFileSync(path, 'utf8'), before);
    // And the next save still works.
    await saveZone(path, zoneOf(3), state(3));
    assert.equal(loadSaved(path, origin).zone?.serial, 3);
  });

  it('a truncated copy gives no zone and an error (cut mid-record or at a line end)', async () => {
    const path = join(dir, 'trunc.zone');
    await saveZone(path, zoneOf(5), state(5));
    const full = readFileSync(path, 'utf8');
    // Cut at a line end: still parses, but the end marker is gone.
    const cutAtLine = full.slice(0, full.lastIndexOf('\n', full.length - 2) + 1);
    writeFileSync(path, cutAtLine);
    let r = loadSaved(path, origin);
    assert.equal(r.zone, null);
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0]!, /incomplete/);
    assert.equal(r.state?.serial, 5); // the state file is fine on its own
    // Cut in the middle of a record.
    writeFileSync(path, full);
    truncateSync(path, Math.floor(statSync(path).size / 2));
    r = loadSaved(path, origin);
    assert.equal(r.zone, null);
    assert.equal(r.errors.length, 1);
  });

  it('a copy whose record count does not match its end marker gives no zone', async () => {
    const path = join(dir, 'count.zone');
    await saveZone(path, zoneOf(5), state(5));
    const full = readFileSync(path, 'utf8');
    const withoutMx = full.split('\n').filter((l) => !l.includes('\tMX\t')).join('\n');
    writeFileSync(path, withoutMx);
    const r = loadSaved(path, origin);
    assert.equal(r.zone, null);
    assert.match(r.errors[0]!, /incomplete/);
  });

  it('a copy with one record altered in place (same count) is corrupt: no zone, set aside, STORAGE_CORRUPT', async () => {
    const path = join(dir, 'altered.zone');
    await saveZone(path, zoneOf(6), state(6));
    const full = readFileSync(path, 'utf8');
    assert.match(full, /\n; end of zone, records: \d+, digest: [0-9a-f]{32}\n$/);
    const altered = full.replace('192.0.2.4', '192.0.2.44');
    assert.notEqual(altered, full);
    writeFileSync(path, altered);
    const r = loadSaved(path, origin);
    assert.equal(r.zone, null);
    assert.equal(r.corrupt?.error.code, 'STORAGE_CORRUPT');
    assert.match(r.corrupt!.error.message, /digest/);
    assert.ok(r.corrupt!.movedTo !== null && r.corrupt!.movedTo.startsWith(`${path}.damaged-`));
    assert.equal(readFileSync(r.corrupt!.movedTo, 'utf8'), altered, 'kept for a look');
    assert.equal(loadSaved(path, origin).zone, null, 'never read again');
  });

  it('an older copy without a digest in its end marker still loads (noDigest)', async () => {
    const path = join(dir, 'nodigest.zone');
    await saveZone(path, zoneOf(8), state(8));
    writeFileSync(path, readFileSync(path, 'utf8').replace(/, digest: [0-9a-f]{32}\n$/, '\n'));
    const r = loadSaved(path, origin);
    assert.equal(r.zone?.serial, 8);
    assert.equal(r.noDigest, true);
    assert.equal(r.corrupt, null);
  });

  it('a copy whose SOA serial is not the one its first line names is corrupt', async () => {
    const path = join(dir, 'serial.zone');
    await saveZone(path, zoneOf(9), state(9));
    writeFileSync(path, readFileSync(path, 'utf8').replace(/(SOA\s+\S+\s+\S+\s+)9 /, '$119 '));
    const r = loadSaved(path, origin);
    // The SOA serial is outside the digest (as in ContentDigest): the first line catches it.
    assert.equal(r.zone, null);
    assert.match(r.corrupt!.error.message, /serial 19/);
  });

  it('a master file written by someone else (no markers) loads as is', () => {
    const path = join(dir, 'foreign.zone');
    writeFileSync(path, zoneText(9));
    const r = loadSaved(path, origin);
    assert.deepEqual(r.errors, []);
    assert.equal(r.zone?.serial, 9);
    assert.equal(r.state, null);
  });

  it('missing files are not errors; a bad state file is', () => {
    const path = join(dir, 'none.zone');
    const none = loadSaved(path, origin);
    assert.deepEqual({ zone: none.zone, state: none.state, copySerial: none.copySerial, errors: none.errors }, { zone: null, state: null, copySerial: null, errors: [] });
    assert.equal(none.journal?.length, 0, 'an empty journal, ready for changes');
    writeFileSync(statePath(path), '{"serial": "x"}');
    const r = loadSaved(path, origin);
    assert.equal(r.state, null);
    assert.equal(r.errors.length, 1);
    writeFileSync(statePath(path), '{not json');
    assert.equal(loadSaved(path, origin).errors.length, 1);
  });

  describe('the journal of changes since the copy was written', () => {
    const state = (serial: number): SecondaryState => ({ serial, lastRefresh: 1, expiresAt: 2, primary: '192.0.2.53:53' });
    const records = (z: Zone): string[] => z.canonicalRecords().map((r) => formatRecord(r)).sort();

    it('replays the changes over the copy on load, and a whole save folds them in', async () => {
      const path = join(dir, 'journaled.zone');
      const v1 = zoneOf(1);
      const v2 = zoneOf(2, ['added IN A 192.0.2.77']);
      const v3 = zoneOf(3, ['added IN A 192.0.2.78']);
      await saveZone(path, v1, state(1));
      let r = loadSaved(path, origin);
      for (const [to, from] of [[v2, v1], [v3, v2]] as const) {
        assert.equal(await saveChange(path, r.journal!, r.copySerial!, diffZones(from, to), state(to.serial)), true);
      }
      assert.match(readFileSync(path, 'utf8'), /serial 1\n/, 'the copy file itself is not rewritten');
      r = loadSaved(path, origin);
      assert.deepEqual(r.errors, []);
      assert.equal(r.copySerial, 1);
      assert.equal(r.zone!.serial, 3, 'the journal is replayed');
      assert.deepEqual(records(r.zone!), records(v3));
      await saveZone(path, r.zone!, state(3), r.journal);
      r = loadSaved(path, origin);
      assert.equal(r.copySerial, 3);
      assert.equal(r.journal!.length, 0, 'folded into the copy');
      assert.deepEqual(records(r.zone!), records(v3));
    });

    it('refuses a change that does not continue the copy (the caller saves it whole)', async () => {
      const path = join(dir, 'gap.zone');
      await saveZone(path, zoneOf(1), state(1));
      const r = loadSaved(path, origin);
      assert.equal(await saveChange(path, r.journal!, r.copySerial!, diffZones(zoneOf(2), zoneOf(3)), state(3)), false);
      assert.equal(r.journal!.length, 0);
      assert.equal(loadSaved(path, origin).state!.serial, 1, 'nothing written');
    });

    it('serves the copy, and says why, when the journal does not lead to the state\'s serial or is damaged', async () => {
      const path = join(dir, 'broken.zone');
      await saveZone(path, zoneOf(1), state(1));
      let r = loadSaved(path, origin);
      await saveChange(path, r.journal!, 1, diffZones(zoneOf(1), zoneOf(2, ['a IN A 192.0.2.9'])), state(5));
      r = loadSaved(path, origin);
      assert.equal(r.zone!.serial, 1);
      assert.match(r.errors.join('\n'), /does not lead from the copy's serial 1 to the state's 5; serving the copy/);
      writeFileSync(journalPath(path), 'not a journal');
      r = loadSaved(path, origin);
      assert.equal(r.zone!.serial, 1);
      assert.equal(r.journal, null);
      assert.match(r.errors.join('\n'), /journal is damaged at offset 0/);
      const j = freshJournal(path);
      assert.equal(j.length, 0);
      assert.ok(readdirSync(dir).some((f) => f.startsWith('broken.zone.jnl.damaged-')), 'the damaged journal is kept aside');
    });

    it('says a journal whose entry does not decode is damaged, not that it does not lead to the state\'s serial', async () => {
      const path = join(dir, 'undecodable.zone');
      await saveZone(path, zoneOf(1), state(5));
      // One entry 1 -> 5 whose checksum is right but whose payload promises a record it does not hold.
      const payload = Buffer.alloc(16);
      payload.writeUInt32BE(1, 0);
      payload.writeUInt32BE(5, 4);
      payload.writeUInt32BE(1, 8);
      const header = Buffer.alloc(8);
      header.writeUInt32BE(payload.length, 0);
      header.writeUInt32BE(crc32(payload), 4);
      writeFileSync(journalPath(path), Buffer.concat([Buffer.from('TYNEJNL\x01', 'latin1'), header, payload]));
      const r = loadSaved(path, origin);
      assert.equal(r.zone!.serial, 1, 'the copy is served');
      const errors = r.errors.join('\n');
      assert.match(errors, /journal is damaged at offset 8: journal record cut short/);
      assert.doesNotMatch(errors, /does not lead from/);
    });
  });
});

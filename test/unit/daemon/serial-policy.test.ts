import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideSerial, type SerialDecision } from '../../../src/daemon/serial-policy.js';
import { SERIAL_POLICIES } from '../../../src/zone/index.js';

/** 2026-11-26 12:00:00 UTC: unix time 1795694400, date serial 2026112600. */
const NOW = new Date(Date.UTC(2026, 10, 26, 12, 0, 0));
const NOW_SEC = 1_795_694_400;
const TODAY = 2_026_112_600;
const MAX = 0xffff_ffff;

function kept(serial: number, fileSerial: number): SerialDecision {
  return { serial, raised: serial !== fileSerial, reason: serial !== fileSerial ? `content unchanged: keeping the served serial ${serial}` : null, alert: null };
}

describe('decideSerial', () => {
  it('knows the current time of the tests', () => {
    assert.equal(NOW.getTime() / 1000, NOW_SEC);
  });

  describe('increment (the default)', () => {
    it('serves the file serial at the first load', () => {
      assert.deepEqual(decideSerial('increment', 7, null, true, NOW), { serial: 7, raised: false, reason: null, alert: null });
      assert.deepEqual(decideSerial('increment', 7, null, false, NOW), { serial: 7, raised: false, reason: null, alert: null });
    });

    it('serves the file serial when it is above the served one', () => {
      assert.deepEqual(decideSerial('increment', 11, 10, true, NOW), { serial: 11, raised: false, reason: null, alert: null });
    });

    it('serves served+1 when a change comes without a higher serial', () => {
      assert.deepEqual(decideSerial('increment', 10, 10, true, NOW), { serial: 11, raised: true, reason: 'file serial 10 not above served 10', alert: null });
      assert.deepEqual(decideSerial('increment', 3, 10, true, NOW), { serial: 11, raised: true, reason: 'file serial 3 not above served 10', alert: null });
      // An edit after a raised serial: the served one counts, not the file's.
      assert.equal(decideSerial('increment', 10, 11, true, NOW).serial, 12);
    });

    it('wraps at 2^32 (RFC 1982)', () => {
      assert.deepEqual(decideSerial('increment', MAX, MAX, true, NOW), { serial: 0, raised: true, reason: `file serial ${MAX} not above served ${MAX}`, alert: null });
      // 5 is after 2^32-3 in serial arithmetic: the file's serial is taken.
      assert.deepEqual(decideSerial('increment', 5, MAX - 2, true, NOW), { serial: 5, raised: false, reason: null, alert: null });
      // 2^32-3 is before 5: raised.
      assert.equal(decideSerial('increment', MAX - 2, 5, true, NOW).serial, 6);
      // Exactly 2^31 apart the order is undefined: not "above", so raised.
      assert.equal(decideSerial('increment', 0x8000_0000, 0, true, NOW).serial, 1);
    });

    it('keeps the served serial when nothing changed, and takes a higher file serial', () => {
      assert.deepEqual(decideSerial('increment', 10, 12, false, NOW), kept(12, 10));
      assert.deepEqual(decideSerial('increment', 12, 12, false, NOW), kept(12, 12));
      assert.deepEqual(decideSerial('increment', 13, 12, false, NOW), { serial: 13, raised: false, reason: null, alert: null });
    });
  });

  describe('file', () => {
    it('serves the file serial', () => {
      assert.deepEqual(decideSerial('file', 7, null, true, NOW), { serial: 7, raised: false, reason: null, alert: null });
      assert.deepEqual(decideSerial('file', 11, 10, true, NOW), { serial: 11, raised: false, reason: null, alert: null });
      assert.deepEqual(decideSerial('file', 0, MAX, true, NOW), { serial: 0, raised: false, reason: null, alert: null });
    });

    it('alerts (both serials named) about a change without a higher serial, and serves the file serial anyway', () => {
      const alert = (f: number, s: number): string => `serial not raised: the file's serial ${f} is not above the served ${s}, so secondaries will not see the change`;
      assert.deepEqual(decideSerial('file', 10, 10, true, NOW), { serial: 10, raised: false, reason: null, alert: alert(10, 10) });
      assert.deepEqual(decideSerial('file', 9, 10, true, NOW), { serial: 9, raised: false, reason: null, alert: alert(9, 10) });
      assert.deepEqual(decideSerial('file', MAX, 0, true, NOW), { serial: MAX, raised: false, reason: null, alert: alert(MAX, 0) });
    });

    it('never lowers the serial when nothing changed', () => {
      assert.deepEqual(decideSerial('file', 9, 10, false, NOW), kept(10, 9));
      assert.deepEqual(decideSerial('file', 11, 10, false, NOW), { serial: 11, raised: false, reason: null, alert: null });
    });
  });

  describe('unixtime', () => {
    it('at the first load: the later of the time and the file serial', () => {
      assert.deepEqual(decideSerial('unixtime', 1, null, false, NOW), {
        serial: NOW_SEC, raised: true, reason: `serial-policy unixtime: the current time ${NOW_SEC} is above the file's serial 1`, alert: null,
      });
      assert.deepEqual(decideSerial('unixtime', TODAY, null, false, NOW), { serial: TODAY, raised: false, reason: null, alert: null });
    });

    it('on a change: the time, or served+1 when the time is not above it', () => {
      assert.deepEqual(decideSerial('unixtime', 1, NOW_SEC - 100, true, NOW), {
        serial: NOW_SEC, raised: true, reason: `serial-policy unixtime: the current time ${NOW_SEC}`, alert: null,
      });
      assert.deepEqual(decideSerial('unixtime', 1, NOW_SEC, true, NOW), {
        serial: NOW_SEC + 1, raised: true, reason: `serial-policy unixtime: the current time ${NOW_SEC} is not above served ${NOW_SEC}`, alert: null,
      });
      // The file's serial plays no part once loaded, and may even be the one chosen.
      assert.deepEqual(decideSerial('unixtime', NOW_SEC, NOW_SEC - 1, true, NOW), { serial: NOW_SEC, raised: false, reason: null, alert: null });
      // Frequent changes within one second keep increasing.
      let served = NOW_SEC;
      for (let i = 1; i <= 5; i++) {
        served = decideSerial('unixtime', 1, served, true, NOW).serial;
        assert.equal(served, NOW_SEC + i);
      }
    });

    it('never goes backwards, across the wrap too', () => {
      assert.equal(decideSerial('unixtime', 1, TODAY, true, NOW).serial, TODAY + 1); // a dateserial zone switched to unixtime
      assert.equal(decideSerial('unixtime', 1, MAX, true, new Date(0)).serial, 0); // 0 is after 2^32-1
      // A time exactly 2^31 after the served serial is not "above" it.
      assert.equal(decideSerial('unixtime', 1, 0, true, new Date(0x8000_0000 * 1000)).serial, 1);
    });

    it('keeps the served serial when nothing changed', () => {
      assert.deepEqual(decideSerial('unixtime', 1, NOW_SEC - 100, false, NOW), kept(NOW_SEC - 100, 1));
      assert.deepEqual(decideSerial('unixtime', NOW_SEC + 50, NOW_SEC - 100, false, NOW), kept(NOW_SEC - 100, NOW_SEC + 50));
    });
  });

  describe('dateserial', () => {
    it('at the first load: the later of the file serial and YYYYMMDD00', () => {
      assert.deepEqual(decideSerial('dateserial', 5, null, true, NOW), {
        serial: TODAY, raised: true, reason: `serial-policy dateserial: today's ${TODAY} is above the file's serial 5`, alert: null,
      });
      assert.deepEqual(decideSerial('dateserial', TODAY + 3, null, false, NOW), { serial: TODAY + 3, raised: false, reason: null, alert: null });
    });

    it('on a change: today\'s YYYYMMDD00, or served+1', () => {
      assert.deepEqual(decideSerial('dateserial', 5, 2_026_112_507, true, NOW), {
        serial: TODAY, raised: true, reason: `serial-policy dateserial: today's ${TODAY}`, alert: null,
      });
      assert.deepEqual(decideSerial('dateserial', 5, TODAY, true, NOW), {
        serial: TODAY + 1, raised: true, reason: `serial-policy dateserial: today's ${TODAY} is not above served ${TODAY}`, alert: null,
      });
      assert.equal(decideSerial('dateserial', 5, TODAY + 41, true, NOW).serial, TODAY + 42);
    });

    it('uses the UTC date', () => {
      assert.equal(decideSerial('dateserial', 1, null, true, new Date(Date.UTC(2027, 0, 1, 0, 0, 0))).serial, 2_027_010_100);
      assert.equal(decideSerial('dateserial', 1, null, true, new Date(Date.UTC(2026, 11, 31, 23, 59, 59))).serial, 2_026_123_100);
    });

    it('runs nn past 99 into the next numbers, still increasing', () => {
      let served = TODAY + 98;
      const seen: number[] = [];
      for (let i = 0; i < 3; i++) {
        const d = decideSerial('dateserial', 1, served, true, NOW);
        assert.equal(d.raised, true);
        assert.ok(d.serial > served);
        seen.push((served = d.serial));
      }
      assert.deepEqual(seen, [2_026_112_699, 2_026_112_700, 2_026_112_701]);
      // Tomorrow the date catches up only once it is above what was served.
      const tomorrow = new Date(Date.UTC(2026, 10, 27, 8, 0, 0));
      assert.equal(decideSerial('dateserial', 1, served, true, tomorrow).serial, 2_026_112_702);
      assert.equal(decideSerial('dateserial', 1, 2_026_112_650, true, tomorrow).serial, 2_026_112_700);
    });

    it('keeps the served serial when nothing changed', () => {
      assert.deepEqual(decideSerial('dateserial', 1, TODAY + 5, false, NOW), kept(TODAY + 5, 1));
    });
  });

  it('never lowers the served serial when nothing changed, whatever the policy', () => {
    for (const policy of SERIAL_POLICIES) {
      for (const [file, served] of [[1, 2], [MAX, 0], [TODAY, NOW_SEC], [0, MAX]] as const) {
        const d = decideSerial(policy, file, served, false, NOW);
        assert.ok(d.serial === served || (d.serial === file && (policy === 'file' || policy === 'increment')), `${policy} ${file} ${served}: ${d.serial}`);
      }
    }
  });
});

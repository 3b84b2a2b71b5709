/** The secondary zone state machine, with fake primaries and a fake clock (files are real, in a temp folder). */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadZoneText } from '../../../src/zone/load-zone.js';
import { Name } from '../../../src/wire/index.js';
import type { Zone } from '../../../src/zone/index.js';
import type { Peer } from '../../../src/xfr/peer.js';
import { SecondaryZone, type TransferOutcome } from '../../../src/xfr/secondary-zone.js';
import { diffZones } from '../../../src/xfr/compute-zone-diff.js';
import { journalPath, loadSaved, saveZone } from '../../../src/xfr/zone-store.js';

const origin = Name.fromText('example.com.');
const dir = mkdtempSync(join(tmpdir(), 'tyne-secondary-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;
const newFile = (): string => join(dir, `z${++fileNo}`, 'example.com.zone');

// REFRESH 3600, RETRY 900, EXPIRE 7200 (all inside the clamps).
const REFRESH = 3600_000;
const RETRY = 900_000;
const EXPIRE = 7200_000;
const zones = new Map<number, Zone>();
function zoneAt(serial: number): Zone {
  let z = zones.get(serial);
  if (z === undefined) {
    z = loadZoneText(`@ 300 IN SOA ns1 hostmaster ${serial} 3600 900 7200 300\n@ 300 IN NS ns1\nns1 300 IN A 192.0.2.1\nv 300 IN TXT "${serial}"\n`, origin);
    zones.set(serial, z);
  }
  return z;
}

/** The serial served (a function, so assertions on `zone` do not narrow later reads). */
const servedSerial = (sz: SecondaryZone): number | undefined => sz.zone?.serial;

const P1: Peer = { host: '192.0.2.53', port: 53, family: 4, key: null };
const P2: Peer = { host: '198.51.100.53', port: 53, family: 4, key: null };

interface Timer { at: number; ms: number; fn: () => void; cancelled: boolean }

class Harness {
  t = 1_700_000_000_000;
  timers: Timer[] = [];
  /** Serial at each primary (by host); an Error makes it unreachable. */
  serial = new Map<string, number | Error>([[P1.host, 1], [P2.host, 1]]);
  transferFails = new Set<string>();
  /** Primaries (by host) whose SOA query fails while transfers work (Knot's generated catalog zones over UDP, a filtered port). */
  soaFails = new Set<string>();
  /** IXFR outcomes carry their difference (as the transfer client's do), so the change is journaled. */
  withDiffs = false;
  /** zonefile-sync of the zones made (ms). */
  syncMs: number | undefined = undefined;
  /** notify-check-interval of the zones made (ms): 0 unless a test is about it, so NOTIFYs at one instant each check. */
  checkIntervalMs = 0;
  /** When set, transfer waits for this before answering. */
  gate: Promise<void> | null = null;
  calls: string[] = [];
  served: { zone: number | null; why: string }[] = [];
  logs: { level: string; o: Record<string, unknown>; msg: string }[] = [];
  sz: SecondaryZone;

  constructor(readonly file: string, primaries: Peer[] = [P1]) {
    this.sz = this.make(primaries);
  }

  make(primaries: Peer[] = [P1]): SecondaryZone {
    const log = (level: string) => (o: object, msg: string) => this.logs.push({ level, o: o as Record<string, unknown>, msg });
    this.sz = new SecondaryZone({
      origin, file: this.file, primaries,
      deps: {
        querySerial: async (peer) => {
          this.calls.push(`soa ${peer.host}`);
          if (this.soaFails.has(peer.host)) throw Object.assign(new Error('SOA query over UDP: REFUSED; over TCP: timed out'), { code: 'XFR_TIMEOUT' });
          const s = this.serial.get(peer.host)!;
          if (s instanceof Error) throw s;
          return s;
        },
        transfer: async (peer, current): Promise<TransferOutcome> => {
          const kind = current === null ? 'AXFR' : 'IXFR';
          this.calls.push(`${kind} ${peer.host}`);
          if (this.gate) await this.gate;
          if (this.transferFails.has(peer.host)) throw Object.assign(new Error('connection refused'), { code: 'XFR_CONNECTION' });
          const s = this.serial.get(peer.host)!;
          if (s instanceof Error) throw s;
          // RFC 1995 §4: an IXFR from the primary's own serial is answered with just its SOA.
          if (current !== null && current.serial === s) return { zone: current, kind, upToDate: true };
          const diff = this.withDiffs && current !== null ? diffZones(current, zoneAt(s)) : null;
          return { zone: zoneAt(s), kind, diff, messages: 1, bytes: 123 };
        },
        now: () => this.t,
        setTimer: (fn, ms) => {
          const timer: Timer = { at: this.t + ms, ms, fn, cancelled: false };
          this.timers.push(timer);
          return { cancel: () => { timer.cancelled = true; } };
        },
        random: () => 0.5,
      },
      ...(this.syncMs === undefined ? {} : { syncMs: this.syncMs }),
      checkIntervalMs: this.checkIntervalMs,
      onZone: (zone, why) => this.served.push({ zone: zone?.serial ?? null, why }),
      log: { info: log('info'), warn: log('warn'), error: log('error') },
    });
    return this.sz;
  }

  /** Live timers, soonest first. */
  live(): Timer[] {
    return this.timers.filter((x) => !x.cancelled).sort((a, b) => a.at - b.at);
  }

  /** Moves the clock on by `ms`, firing due timers in order and letting each refresh finish. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      const next = this.live()[0];
      if (next === undefined || next.at > end) break;
      next.cancelled = true;
      this.t = next.at;
      next.fn();
      await this.sz.idle();
    }
    this.t = end;
  }
}

describe('SecondaryZone', () => {
  it('with no saved copy: refreshes soon after start, transfers (AXFR), serves and saves', async () => {
    const h = new Harness(newFile());
    h.sz.start();
    assert.deepEqual(h.served, []);
    assert.equal(h.sz.zone, null);
    const first = h.live()[0]!;
    assert.ok(first.ms <= 5000);
    await h.advance(5000);
    assert.deepEqual(h.calls, ['soa 192.0.2.53', 'AXFR 192.0.2.53']);
    assert.deepEqual(h.served, [{ zone: 1, why: 'AXFR from 192.0.2.53:53' }]);
    assert.equal(servedSerial(h.sz), 1);
    assert.equal(h.sz.expired, false);
    const saved = loadSaved(h.file, origin);
    assert.equal(saved.zone?.serial, 1);
    assert.equal(saved.state?.lastRefresh, first.at);
    assert.equal(saved.state?.expiresAt, first.at + EXPIRE);
    assert.equal(saved.state?.primary, '192.0.2.53:53');
    // One structured line for the transfer, with what transfer returned.
    const line = h.logs.find((l) => l.msg.startsWith('transfer of'))!;
    assert.equal(line.level, 'info');
    assert.deepEqual(
      { zone: line.o['zone'], peer: line.o['peer'], kind: line.o['kind'], from: line.o['from'], to: line.o['to'], messages: line.o['messages'], bytes: line.o['bytes'] },
      { zone: 'example.com.', peer: '192.0.2.53:53', kind: 'AXFR', from: null, to: 1, messages: 1, bytes: 123 },
    );
    // Next refresh: REFRESH jittered into [75%, 100%] (random 0.5 → 87.5%).
    const live = h.live();
    assert.deepEqual(live.map((x) => x.ms).sort((a, b) => a - b), [REFRESH * 0.875, EXPIRE]);
    h.sz.stop();
    assert.equal(h.live().length, 0);
  });

  it('startup from a saved copy serves at once, then refreshes', async () => {
    const file = newFile();
    const h = new Harness(file);
    await saveZone(file, zoneAt(3), { serial: 3, lastRefresh: h.t - 60_000, expiresAt: h.t - 60_000 + EXPIRE, primary: '192.0.2.53:53' });
    h.serial.set(P1.host, 3);
    h.sz.start();
    assert.deepEqual(h.served, [{ zone: 3, why: 'saved copy loaded' }]);
    assert.equal(servedSerial(h.sz), 3);
    await h.advance(5000);
    assert.deepEqual(h.calls, ['soa 192.0.2.53']); // up to date: no transfer
    assert.deepEqual(h.served.length, 1);
    assert.equal(loadSaved(file, origin).state?.lastRefresh, h.t - 2500);
    h.sz.stop();
  });

  it('NOTIFY triggers a refresh and an IXFR; a NOTIFY with a serial not newer is ignored', async () => {
    const h = new Harness(newFile());
    h.sz.start();
    await h.advance(5000);
    h.calls.length = 0;
    h.serial.set(P1.host, 2);
    h.sz.notify('192.0.2.53', 2);
    await h.sz.idle();
    assert.deepEqual(h.calls, ['soa 192.0.2.53', 'IXFR 192.0.2.53']);
    assert.deepEqual(h.served.map((s) => s.zone), [1, 2]);
    assert.equal(loadSaved(h.file, origin).zone?.serial, 2);
    const line = h.logs.filter((l) => l.msg.startsWith('transfer of')).at(-1)!;
    assert.equal(line.o['kind'], 'IXFR');
    assert.equal(line.o['from'], 1);
    assert.equal(line.o['to'], 2);
    h.calls.length = 0;
    h.sz.notify('192.0.2.53', 2);
    h.sz.notify('192.0.2.53', 1);
    await h.sz.idle();
    assert.deepEqual(h.calls, []);
    // Without a serial (no SOA in the NOTIFY) it always checks.
    h.sz.notify('192.0.2.53', null);
    await h.sz.idle();
    assert.deepEqual(h.calls, ['soa 192.0.2.53']);
    h.sz.stop();
  });

  it('an IXFR is journaled beside the copy, the copy rewritten zonefile-sync later; a restart in between replays the journal', async () => {
    const h = new Harness(newFile());
    h.withDiffs = true;
    h.syncMs = 60_000;
    h.sz = h.make();
    h.sz.start();
    await h.advance(5000);
    const copyAt = (): number => Number(/serial (\d+)\n/.exec(readFileSync(h.file, 'utf8'))![1]);
    assert.equal(copyAt(), 1, 'the first copy (AXFR) is written at once');
    for (const serial of [2, 3]) {
      h.serial.set(P1.host, serial);
      h.sz.notify('192.0.2.53', serial);
      await h.sz.idle();
    }
    assert.deepEqual(h.served.map((x) => x.zone), [1, 2, 3]);
    assert.equal(copyAt(), 1, 'not rewritten for each IXFR');
    assert.ok(existsSync(journalPath(h.file)));
    const saved = loadSaved(h.file, origin);
    assert.equal(saved.copySerial, 1);
    assert.equal(saved.zone?.serial, 3, 'copy + journal = what is served');
    assert.equal(saved.state?.serial, 3);
    // A restart before the rewrite serves the journaled version.
    h.sz.stop();
    const again = new Harness(h.file);
    again.sz.start();
    assert.equal(servedSerial(again.sz), 3);
    again.sz.stop();
    // One rewrite, a minute after the first change journaled.
    const sync = h.live().find((x) => x.ms === 60_000);
    assert.equal(sync, undefined, 'stop() cancelled the pending rewrite');
    const h2 = new Harness(h.file);
    h2.withDiffs = true;
    h2.syncMs = 60_000;
    h2.sz = h2.make();
    h2.serial.set(P1.host, 3);
    h2.sz.start();
    h2.serial.set(P1.host, 4);
    h2.sz.notify('192.0.2.53', 4);
    await h2.sz.idle();
    assert.equal(copyAt(), 1);
    await h2.advance(60_000);
    await h2.sz.idle();
    assert.equal(copyAt(), 4, 'rewritten once zonefile-sync passed');
    assert.equal(loadSaved(h.file, origin).journal?.length, 0, 'the journal is folded into the copy');
    assert.ok(h2.logs.some((l) => l.msg === 'saved copy rewritten with the journaled changes'));
    h2.sz.stop();
  });

  it('with zonefile-sync 0, or an IXFR that does not continue the copy, the whole copy is rewritten at once', async () => {
    const h = new Harness(newFile());
    h.withDiffs = true;
    h.syncMs = 0;
    h.sz = h.make();
    h.sz.start();
    await h.advance(5000);
    h.serial.set(P1.host, 2);
    h.sz.notify('192.0.2.53', 2);
    await h.sz.idle();
    assert.match(readFileSync(h.file, 'utf8'), /serial 2\n/);
    assert.equal(loadSaved(h.file, origin).journal?.length, 0);
    h.sz.stop();
  });

  it('NOTIFYs during a refresh are coalesced into one more refresh', async () => {
    const h = new Harness(newFile());
    h.checkIntervalMs = 1000;
    h.sz = h.make();
    h.sz.start();
    await h.advance(5000);
    h.calls.length = 0;
    let open!: () => void;
    h.gate = new Promise((r) => { open = r; });
    h.serial.set(P1.host, 2);
    h.sz.notify('192.0.2.53', 2);
    h.serial.set(P1.host, 3);
    h.sz.notify('192.0.2.53', 3);
    h.sz.notify('192.0.2.53', 3);
    h.sz.notify('192.0.2.53', 3);
    await new Promise((r) => setImmediate(r));
    h.gate = null;
    open();
    await h.sz.idle();
    await h.advance(1000);
    // The transfer in flight got serial 3 already, so the coalesced NOTIFY (serial 3) needs no second refresh.
    assert.deepEqual(h.calls, ['soa 192.0.2.53', 'IXFR 192.0.2.53']);
    assert.equal(servedSerial(h.sz), 3);
    // NOTIFYs without a serial during a refresh: exactly one more refresh after it.
    h.calls.length = 0;
    h.gate = new Promise((r) => { open = r; });
    h.serial.set(P1.host, 4);
    h.sz.notify('192.0.2.53', null);
    await new Promise((r) => setImmediate(r));
    h.sz.notify('192.0.2.53', null);
    h.sz.notify('192.0.2.53', null);
    h.gate = null;
    open();
    await h.sz.idle();
    // The coalesced check waits for notify-check-interval (1 s) after the start of the one before.
    assert.deepEqual(h.calls, ['soa 192.0.2.53', 'IXFR 192.0.2.53']);
    await h.advance(999);
    assert.deepEqual(h.calls, ['soa 192.0.2.53', 'IXFR 192.0.2.53']);
    await h.advance(1);
    assert.deepEqual(h.calls, ['soa 192.0.2.53', 'IXFR 192.0.2.53', 'soa 192.0.2.53']);
    h.sz.stop();
  });

  it('a NOTIFY flood gives one SOA check per notify-check-interval, and the state file is not rewritten for a serial it holds', async () => {
    const h = new Harness(newFile());
    h.checkIntervalMs = 1000;
    h.sz = h.make();
    h.sz.start();
    await h.advance(5000);
    const state = h.file + '.state.json';
    // One check after the transfer records the state as checked; later ones find it unchanged.
    h.sz.notify('192.0.2.53', null);
    await h.sz.idle();
    await h.advance(1000);
    const before = readFileSync(state, 'utf8');
    h.calls.length = 0;
    const outcomes = new Map<string, number>();
    // 10,000 NOTIFYs a second for 2 s (one each 0.1 ms of fake time), no serial given: each could mean a change.
    for (let i = 0; i < 20_000; i++) {
      const o = h.sz.notify('192.0.2.53', null);
      outcomes.set(o, (outcomes.get(o) ?? 0) + 1);
      if (i % 10 === 9) {
        await h.advance(1);
        await h.sz.idle(); // a primary that answers at once: checks take no time
      }
    }
    await h.advance(1000);
    await h.sz.idle();
    const checks = h.calls.filter((c) => c.startsWith('soa')).length;
    assert.ok(checks >= 2 && checks <= 4, `${checks} SOA checks for 20,000 NOTIFYs in 2 s: ${h.calls.join(', ')}`);
    assert.deepEqual(h.calls.filter((c) => !c.startsWith('soa')), [], 'no transfer: the serial did not change');
    assert.equal(outcomes.get('started'), 1, 'only the first NOTIFY starts a check; the others are folded in (the caller logs them counted)');
    assert.equal(outcomes.get('queued'), 19_999);
    assert.equal(readFileSync(state, 'utf8'), before, 'up-to-date checks within a minute do not rewrite the state');
    // A minute on, the next up-to-date check writes the clock once.
    await h.advance(60_000);
    h.sz.notify('192.0.2.53', null);
    await h.sz.idle();
    assert.notEqual(readFileSync(state, 'utf8'), before);
    h.sz.stop();
  });

  it('tries the primaries in order, the NOTIFY sender first', async () => {
    const h = new Harness(newFile(), [P1, P2]);
    h.serial.set(P1.host, new Error('timeout'));
    h.sz.start();
    await h.advance(5000);
    assert.deepEqual(h.calls, ['soa 192.0.2.53', 'soa 198.51.100.53', 'AXFR 198.51.100.53']);
    assert.equal(h.sz.state?.primary, '198.51.100.53:53');
    h.calls.length = 0;
    h.serial.set(P1.host, 2);
    h.serial.set(P2.host, 2);
    h.sz.notify('198.51.100.53', 2);
    await h.sz.idle();
    assert.deepEqual(h.calls, ['soa 198.51.100.53', 'IXFR 198.51.100.53']);
    h.calls.length = 0;
    // A failed transfer from the first moves on to the next.
    h.serial.set(P1.host, 3);
    h.serial.set(P2.host, 3);
    h.transferFails.add(P1.host);
    h.sz.notify('192.0.2.53', 3);
    await h.sz.idle();
    assert.deepEqual(h.calls, ['soa 192.0.2.53', 'IXFR 192.0.2.53', 'soa 198.51.100.53', 'IXFR 198.51.100.53']);
    assert.equal(servedSerial(h.sz), 3);
    // The first primary's failure is an info line; the refresh succeeded, so no warning at all (one warning per event).
    assert.ok(h.logs.some((l) => l.level === 'info' && l.msg === 'transfer failed' && l.o['code'] === 'XFR_CONNECTION'));
    assert.deepEqual(h.logs.filter((l) => l.level === 'warn').map((l) => l.msg), []);
    h.sz.stop();
  });

  it('after a NOTIFY, a primary whose SOA query fails is asked for the transfer anyway', async () => {
    const h = new Harness(newFile(), [P1, P2]);
    h.sz.start();
    await h.advance(5000);
    assert.equal(servedSerial(h.sz), 1);
    h.calls.length = 0;
    h.soaFails.add(P1.host);
    h.soaFails.add(P2.host);
    h.serial.set(P1.host, 2);
    h.serial.set(P2.host, 2);
    // A refresh on the timer skips both primaries, as before: no NOTIFY, so no reason to think they changed.
    await h.advance(REFRESH);
    assert.deepEqual(h.calls, ['soa 192.0.2.53', 'soa 198.51.100.53']);
    assert.equal(servedSerial(h.sz), 1);
    // Both primaries failed: one warning, naming each primary's reason and when it retries.
    const warns = h.logs.filter((l) => l.level === 'warn');
    assert.equal(warns.length, 1, JSON.stringify(warns.map((l) => l.msg)));
    assert.match(warns[0]!.msg, /^refresh of example\.com\. failed from every primary \(192\.0\.2\.53:53: SOA query failed: .*; 198\.51\.100\.53:53: SOA query failed: .*\); will retry in \d+ s, at /);
    assert.deepEqual((warns[0]!.o['failures'] as { peer: string }[]).map((f) => f.peer), ['192.0.2.53:53', '198.51.100.53:53']);
    // A NOTIFY from the second: its SOA query fails, so straight to IXFR from it (only from it).
    h.calls.length = 0;
    h.sz.notify('198.51.100.53', 2);
    await h.sz.idle();
    assert.deepEqual(h.calls, ['soa 198.51.100.53', 'IXFR 198.51.100.53']);
    assert.equal(servedSerial(h.sz), 2);
    assert.equal(h.sz.state?.primary, '198.51.100.53:53');
    const warned = h.logs.find((l) => l.msg === 'SOA query failed; transferring anyway after its NOTIFY')!;
    assert.equal(warned.level, 'info', 'the refresh went on: not a warning');
    assert.equal(warned.o['peer'], '198.51.100.53:53');
    assert.match(String(warned.o['err']), /over TCP/);
    const line = h.logs.filter((l) => l.msg.startsWith('transfer of')).at(-1)!;
    assert.deepEqual([line.o['kind'], line.o['from'], line.o['to']], ['IXFR', 1, 2]);
    // A NOTIFY (without a serial) when nothing changed: the IXFR answer says we are current; nothing else is asked.
    h.calls.length = 0;
    h.sz.notify('198.51.100.53', null);
    await h.sz.idle();
    assert.deepEqual(h.calls, ['soa 198.51.100.53', 'IXFR 198.51.100.53']);
    assert.equal(h.logs.at(-1)!.msg, 'zone is up to date');
    assert.equal(servedSerial(h.sz), 2);
    // A NOTIFY from an address that is none of the primaries (allow-notify may name others): no transfer without a serial.
    h.calls.length = 0;
    h.serial.set(P1.host, 3);
    h.sz.notify('203.0.113.7', 3);
    await h.sz.idle();
    assert.deepEqual(h.calls, ['soa 192.0.2.53', 'soa 198.51.100.53']);
    assert.equal(servedSerial(h.sz), 2);
    h.sz.stop();
  });

  it('with no copy yet, a NOTIFY from a primary that refuses the SOA query leads to an AXFR', async () => {
    const h = new Harness(newFile());
    h.soaFails.add(P1.host);
    h.sz.start();
    await h.advance(5000);
    assert.deepEqual(h.calls, ['soa 192.0.2.53']);
    assert.equal(h.sz.zone, null);
    h.calls.length = 0;
    h.sz.notify('192.0.2.53', 1);
    await h.sz.idle();
    assert.deepEqual(h.calls, ['soa 192.0.2.53', 'AXFR 192.0.2.53']);
    assert.deepEqual(h.served, [{ zone: 1, why: 'AXFR from 192.0.2.53:53' }]);
    assert.equal(loadSaved(h.file, origin).zone?.serial, 1);
    h.sz.stop();
  });

  it('a primary that came back with an older serial (it lost its data): ours is kept and served, one warning, no transfer', async () => {
    const h = new Harness(newFile());
    h.sz.start();
    await h.advance(5000);
    h.serial.set(P1.host, 5);
    h.sz.notify('192.0.2.53', 5);
    await h.sz.idle();
    assert.equal(servedSerial(h.sz), 5);
    h.calls.length = 0;
    const marked = h.logs.length;
    // RFC 1982: 3 is older than 5; a secondary never goes back (the operator raises the file's serial instead).
    h.serial.set(P1.host, 3);
    await h.advance(REFRESH);
    assert.deepEqual(h.calls, ['soa 192.0.2.53'], 'asked the serial at REFRESH, transferred nothing');
    assert.equal(servedSerial(h.sz), 5);
    const warns = h.logs.slice(marked).filter((l) => l.level === 'warn');
    assert.deepEqual(warns.map((l) => [l.msg, l.o['serial'], l.o['ours']]), [['primary has an older serial than ours; keeping ours', 3, 5]]);
    h.sz.stop();
  });

  it('failure → retry after RETRY (jittered); success then goes back to REFRESH', async () => {
    const h = new Harness(newFile());
    h.sz.start();
    await h.advance(5000);
    h.serial.set(P1.host, new Error('timeout'));
    await h.advance(REFRESH); // the refresh fails
    const retry = h.live().find((x) => x.ms !== EXPIRE && x.ms < REFRESH)!;
    assert.equal(retry.ms, RETRY * 0.875);
    // "will retry" says when: the very delay scheduled.
    const warned = h.logs.find((l) => l.level === 'warn' && l.msg.includes('will retry'))!;
    assert.equal(warned.o['retryInSec'], Math.round((RETRY * 0.875) / 1000));
    assert.match(warned.msg, new RegExp(`will retry in ${Math.round((RETRY * 0.875) / 1000)} s, at `));
    h.calls.length = 0;
    h.serial.set(P1.host, 2);
    await h.advance(RETRY);
    assert.deepEqual(h.calls, ['soa 192.0.2.53', 'IXFR 192.0.2.53']);
    assert.equal(servedSerial(h.sz), 2);
    assert.ok(h.live().some((x) => x.ms === REFRESH * 0.875));
    h.sz.stop();
  });

  it('with no copy at all, retries every minute', async () => {
    const h = new Harness(newFile());
    h.serial.set(P1.host, new Error('timeout'));
    h.sz.start();
    await h.advance(5000);
    assert.deepEqual(h.live().map((x) => x.ms), [60_000 * 0.875]);
    assert.deepEqual(h.served, []);
    h.sz.stop();
  });

  it('expiry → onZone(null) once; recovery after expiry serves again', async () => {
    const h = new Harness(newFile());
    h.sz.start();
    await h.advance(5000);
    const got = h.sz.state!.lastRefresh;
    h.serial.set(P1.host, new Error('timeout'));
    await h.advance(got + EXPIRE - 1 - h.t);
    assert.equal(h.sz.expired, false);
    assert.equal(h.served.length, 1);
    await h.advance(1);
    assert.equal(h.t, got + EXPIRE);
    assert.equal(h.sz.expired, true);
    assert.equal(h.sz.zone, null);
    assert.deepEqual(h.served.at(-1), { zone: null, why: 'expired' });
    assert.ok(h.logs.some((l) => l.level === 'error' && l.msg.includes('expired')));
    await h.advance(10 * RETRY);
    assert.equal(h.served.filter((s) => s.zone === null).length, 1);
    // Primary back with the same serial: up to date, served again without a transfer.
    h.calls.length = 0;
    h.serial.set(P1.host, 1);
    await h.advance(RETRY);
    assert.deepEqual(h.calls, ['soa 192.0.2.53']);
    assert.equal(h.sz.expired, false);
    assert.equal(servedSerial(h.sz), 1);
    assert.match(h.served.at(-1)!.why, /after expiry/);
    assert.equal(h.served.at(-1)!.zone, 1);
    // And the expire clock starts over.
    assert.equal(h.sz.state?.expiresAt, h.sz.state!.lastRefresh + EXPIRE);
    assert.ok(h.sz.state!.lastRefresh > got + EXPIRE);
    h.sz.stop();
  });

  it('a NOTIFY while expired refreshes even when its serial is not newer', async () => {
    const h = new Harness(newFile());
    h.sz.start();
    await h.advance(5000);
    h.serial.set(P1.host, new Error('timeout'));
    await h.advance(EXPIRE);
    assert.equal(h.sz.expired, true);
    h.serial.set(P1.host, 2);
    h.sz.notify('192.0.2.53', 1);
    await h.sz.idle();
    assert.equal(h.sz.expired, false);
    assert.deepEqual(h.served.at(-1), { zone: 2, why: 'IXFR from 192.0.2.53:53 after expiry' });
    h.sz.stop();
  });

  it('a restart keeps the expire clock from state.lastRefresh', async () => {
    const file = newFile();
    const h = new Harness(file);
    h.sz.start();
    await h.advance(5000);
    const got = h.sz.state!.lastRefresh;
    h.sz.stop();
    // Restart 7000 s later, primary unreachable: the copy is served, and expires 200 s later.
    h.serial.set(P1.host, new Error('timeout'));
    await h.advance(got + 7000_000 - h.t);
    h.served.length = 0;
    h.timers = [];
    h.make();
    h.sz.start();
    assert.deepEqual(h.served, [{ zone: 1, why: 'saved copy loaded' }]);
    assert.equal(h.sz.state?.expiresAt, got + EXPIRE);
    await h.advance(199_000);
    assert.equal(h.sz.expired, false);
    await h.advance(1000);
    assert.equal(h.sz.expired, true);
    assert.deepEqual(h.served.at(-1), { zone: null, why: 'expired' });
    h.sz.stop();
    // Restart after the expiry: never served.
    await h.advance(60_000);
    h.served.length = 0;
    h.timers = [];
    h.make();
    h.sz.start();
    assert.deepEqual(h.served, [{ zone: null, why: 'saved copy expired' }]);
    assert.equal(h.sz.zone, null);
    // It still tries, and recovers.
    h.serial.set(P1.host, 1);
    await h.advance(5000);
    assert.equal(servedSerial(h.sz), 1);
    assert.deepEqual(h.served.at(-1), { zone: 1, why: 'refreshed from 192.0.2.53:53 after expiry' });
    h.sz.stop();
  });

  it('stop() cancels timers, and a refresh finishing after stop changes nothing', async () => {
    const h = new Harness(newFile());
    h.sz.start();
    let open!: () => void;
    h.gate = new Promise((r) => { open = r; });
    h.timers[0]!.cancelled = true;
    h.timers[0]!.fn();
    await new Promise((r) => setImmediate(r));
    h.sz.stop();
    open();
    await h.sz.idle();
    assert.deepEqual(h.served, []);
    assert.equal(h.live().length, 0);
  });
});

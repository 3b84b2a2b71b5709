/**
 * Readiness for systemd's Type=notify (sd_notify(3)), against a live
 * server: `tyne serve` started with NOTIFY_SOCKET pointing at a real Unix
 * datagram socket (test/support/notify-socket.ts) sends READY=1 through
 * `systemd-notify --ready`, once, only after every zone has loaded (a zone
 * of 120,000 records makes the load take a while), with MAINPID= its own
 * pid (with workers, the cluster primary's, once every worker serves). A
 * NOTIFY_SOCKET nobody listens on is a one-line warning, and the server
 * serves all the same. Needs systemd-notify (package systemd) and python3.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RRType, Rcode, decodeMessage } from '../../src/wire/index.js';
import { buildQuery, queryUdp } from '../support/dns-client.js';
import { haveNotifyListener, notifySocket, type NotifySocket } from '../support/notify-socket.js';
import { freePort } from '../support/ports.js';
import { haveTool } from '../support/tools.js';
import { tyneYaml, zoneText } from '../support/tyne-config.js';
import { startTyne, tyneLogTail, type TyneProcess } from '../support/tyne-process.js';

const BIG = 'big.test';
const SMALL = 'small.test';
const BIG_RECORDS = 120_000;

const logTime = (l: Record<string, unknown> | undefined): number => Number(l?.time);

describe('tyne serve: READY=1 to NOTIFY_SOCKET once every zone has loaded', { timeout: 120_000 }, () => {
  const can = haveTool('systemd-notify') && haveNotifyListener();
  let dir = '';
  let port = 0;
  const procs: TyneProcess[] = [];
  const sockets: NotifySocket[] = [];

  before(async () => {
    if (!can) return;
    dir = mkdtempSync(join(tmpdir(), 'tyne-notify-'));
    port = await freePort();
    const hosts = Array.from({ length: BIG_RECORDS }, (_, i) => `h${i} A 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    writeFileSync(join(dir, `${BIG}.zone`), zoneText(BIG, 1, { hosts: 0, extra: hosts }));
    writeFileSync(join(dir, `${SMALL}.zone`), zoneText(SMALL, 1));
    const zones = [{ name: BIG, file: `${BIG}.zone` }, { name: SMALL, file: `${SMALL}.zone` }];
    writeFileSync(join(dir, 'one.yaml'), tyneYaml({ listen: [`127.0.0.1:${port}`], primaries: zones, control: false }));
    writeFileSync(join(dir, 'workers.yaml'), tyneYaml({ listen: [`127.0.0.1:${port}`], server: ['workers: 2'], primaries: zones }));
  });

  after(async () => {
    await Promise.allSettled(procs.map((p) => p.stop()));
    for (const s of sockets) s.close();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  /** A fresh socket in its own folder (a path per start, so one start's messages are never another's). */
  async function listener(name: string): Promise<NotifySocket> {
    const s = await notifySocket(mkdtempSync(join(dir, `${name}-`)));
    sockets.push(s);
    return s;
  }

  async function aaSoa(zone: string): Promise<void> {
    const m = decodeMessage(await queryUdp(port, buildQuery({ id: 9, name: zone, type: RRType.SOA }), 2000));
    assert.equal(m.rcode, Rcode.NOERROR, `${zone} SOA rcode`);
    assert.ok(m.aa, `${zone} SOA answered with AA`);
  }

  it('one process: READY=1 once, after `serving` and after the big zone loaded; MAINPID is its pid', async (t) => {
    if (!can) return t.skip('systemd-notify or python3 missing');
    const sock = await listener('one');
    const tyne = await startTyne(join(dir, 'one.yaml'), { env: { NOTIFY_SOCKET: sock.path }, timeoutMs: 60_000 });
    procs.push(tyne);
    const ready = await sock.waitFor((m) => m.fields.READY === '1');
    // Answers by the time READY=1 is read: every zone is served.
    await aaSoa(BIG);
    await aaSoa(SMALL);
    const listening = tyne.logs.find((l) => typeof l.msg === 'string' && l.msg.startsWith('listening'));
    const bigLoaded = tyne.logs.find((l) => l.msg === 'zone loaded' && l.zone === `${BIG}.`);
    const serving = tyne.logs.find((l) => l.msg === 'serving');
    assert.ok(listening !== undefined && bigLoaded !== undefined && serving !== undefined, tyneLogTail(tyne));
    // The load took long enough for an early READY=1 to show (else this test could not fail).
    assert.ok(logTime(bigLoaded) - logTime(listening) >= 100, `the big zone loaded ${logTime(bigLoaded) - logTime(listening)} ms after listening`);
    assert.ok(ready.at >= logTime(serving), `READY=1 at ${ready.at}, serving logged at ${logTime(serving)}`);
    assert.ok(ready.at >= logTime(bigLoaded), 'READY=1 after the big zone loaded');
    assert.equal(ready.fields.MAINPID, String(tyne.child.pid));
    assert.match(ready.fields.STATUS ?? '', new RegExp(`^serving 2 zone\\(s\\) on 127\\.0\\.0\\.1:${port}$`));
    await tyne.waitForLog((l) => l.msg === 'told systemd: ready' && l.notifySocket === sock.path);
    // Nothing before, nothing more: one datagram with READY=1 (the BARRIER=1 systemd-notify waits on may follow it).
    assert.deepEqual(sock.messages.filter((m) => m.fields.READY !== undefined).length, 1, JSON.stringify(sock.messages));
    assert.ok(sock.messages.every((m) => m.at >= logTime(serving)), JSON.stringify(sock.messages));
    assert.equal(await tyne.stop(), 0);
  });

  it('workers: 2: READY=1 once, from the primary (MAINPID), after its `serving` line (every worker serves)', async (t) => {
    if (!can) return t.skip('systemd-notify or python3 missing');
    const sock = await listener('workers');
    const tyne = await startTyne(join(dir, 'workers.yaml'), { env: { NOTIFY_SOCKET: sock.path }, timeoutMs: 90_000 });
    procs.push(tyne);
    const ready = await sock.waitFor((m) => m.fields.READY === '1');
    await aaSoa(BIG);
    const serving = tyne.logs.find((l) => l.msg === 'serving' && l.worker === undefined);
    const workersServing = tyne.logs.filter((l) => l.msg === 'serving' && l.worker !== undefined);
    assert.equal(workersServing.length, 2, tyneLogTail(tyne));
    assert.ok(ready.at >= logTime(serving), `READY=1 at ${ready.at}, the primary's serving at ${logTime(serving)}`);
    for (const w of workersServing) assert.ok(ready.at >= logTime(w), 'READY=1 after each worker serves');
    assert.equal(ready.fields.MAINPID, String(tyne.child.pid));
    assert.equal(ready.fields.STATUS, 'serving with 2 workers');
    await tyne.waitForLog((l) => l.msg === 'told systemd: ready');
    assert.equal(sock.messages.filter((m) => m.fields.READY !== undefined).length, 1, JSON.stringify(sock.messages));
    assert.equal(await tyne.stop(), 0);
  });

  it('a NOTIFY_SOCKET nobody listens on: one warning with its code; the server serves', async (t) => {
    if (!can) return t.skip('systemd-notify or python3 missing');
    const tyne = await startTyne(join(dir, 'one.yaml'), { env: { NOTIFY_SOCKET: join(dir, 'nobody-here.sock') }, timeoutMs: 60_000 });
    procs.push(tyne);
    const warn = await tyne.waitForLog((l) => l.code === 'SYSTEMD_NOTIFY_FAILED');
    assert.equal(warn.level, 40);
    assert.match(String(warn.msg), /^cannot tell systemd the service is ready: systemd-notify --ready exit 1: .*; check NOTIFY_SOCKET and the unit's NotifyAccess=all; serving all the same$/);
    assert.ok(!String(warn.msg).includes('\n'), 'one line');
    await aaSoa(SMALL);
    assert.equal(await tyne.stop(), 0);
  });

  it('no NOTIFY_SOCKET: nothing is sent and nothing logged about it', async (t) => {
    if (!can) return t.skip('systemd-notify or python3 missing');
    const tyne = await startTyne(join(dir, 'one.yaml'), { env: { NOTIFY_SOCKET: undefined }, timeoutMs: 60_000 });
    procs.push(tyne);
    await aaSoa(SMALL);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(tyne.logs.filter((l) => l.msg === 'told systemd: ready' || (typeof l.code === 'string' && l.code.startsWith('SYSTEMD_'))), []);
    assert.equal(await tyne.stop(), 0);
  });
});

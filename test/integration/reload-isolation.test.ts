/**
 * Issue 12 item 2: one zone file can never stop the server. A zone whose
 * reading never ends ($INCLUDE fan-out, 10^8 reads, no cycle), with a
 * small top file and with one over 64 KiB, at a reload and at startup:
 * the other zones keep answering (probe p99), their edits are picked up,
 * and fixing the file loads the zone. A reload over zone-memory-budget is
 * abandoned with ZONE_MEMORY_BUDGET, the previous version keeps serving
 * and the process stays up. Real daemon, real files, dig.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, describe, it } from 'node:test';
import { digSerial, digStatus } from '../support/dig.js';
import { freePort } from '../support/ports.js';
import { haveTool } from '../support/tools.js';
import { includeFanoutZone, tyneYaml, zoneText } from '../support/tyne-config.js';
import { startTyne, type TyneProcess } from '../support/tyne-process.js';
import { UdpProber } from '../support/udp-prober.js';
import { sleep, until } from '../support/wait.js';

const dirs: string[] = [];
const procs: TyneProcess[] = [];
after(async () => {
  for (const p of procs) await p.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A folder with good.example (serial 1) and stuck.example (serial 1, valid for now), and a configuration. */
async function setup(server: string[] = []): Promise<{ dir: string; port: number; config: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'tyne-reload-isolation-'));
  dirs.push(dir);
  const port = await freePort();
  writeFileSync(join(dir, 'good.zone'), zoneText('good.example', 1));
  writeFileSync(join(dir, 'stuck.zone'), zoneText('stuck.example', 1));
  const config = join(dir, 'tyne.yaml');
  writeFileSync(
    config,
    tyneYaml({
      listen: [`127.0.0.1:${port}`],
      // The read limits (max-include-reads, max-records; test/integration/zone-limits.test.ts) would stop these
      // files in milliseconds: set to their highest here, so that what is tested is the isolation of a read that
      // goes on (10^6 $INCLUDE reads) or grows past the memory budget ($GENERATE of 10^7 records).
      server: ['watch-settle: 50ms', 'watch-hold: 0s', 'max-include-reads: 1000000', 'max-records: 100000000', ...server],
      primaries: [
        { name: 'good.example', file: 'good.zone', extra: ['serial-policy: file'] },
        { name: 'stuck.example', file: 'stuck.zone', extra: ['serial-policy: file'] },
      ],
    }),
  );
  return { dir, port, config };
}

/** Edits good.example to `serial` and waits until it is served (bounded). */
async function editGood(dir: string, port: number, serial: number): Promise<number> {
  const t0 = performance.now();
  writeFileSync(join(dir, 'good.zone'), zoneText('good.example', serial));
  return until(`good.example serves serial ${serial}`, async () => (await digSerial({ port }, 'good.example')) === serial, { timeoutMs: 5000, everyMs: 20, t0 });
}

const have = haveTool('dig');

describe('a zone file whose reading never ends stops nothing else', { timeout: 120_000 }, () => {
  for (const [label, padTo] of [
    ['small top file (was read on the main thread)', undefined],
    ['top file over 64 KiB (was read in the worker, and could never be reloaded again)', 70 * 1024],
  ] as const) {
    it(`reload, ${label}: other zones answer and are reloaded; fixing the file loads the zone`, { skip: !have }, async () => {
      const { dir, port, config } = await setup();
      const tyne = await startTyne(config);
      procs.push(tyne);
      const prober = await UdpProber.open({ port, name: 'h0.good.example.' });
      try {
        prober.start();
        await sleep(500);
        const control = prober.stats();
        const t1 = performance.now();
        const mark = tyne.mark();
        writeFileSync(join(dir, 'stuck.zone'), includeFanoutZone(dir, 'stuck.example', 2, padTo === undefined ? {} : { padTo }));
        // Its read has started (and will not end on its own).
        await sleep(800);
        const ms = await editGood(dir, port, 2);
        assert.ok(ms < 3000, `an edit of another zone was served after ${ms.toFixed(0)} ms`);
        assert.equal(await digSerial({ port }, 'stuck.example'), 1, 'the stuck zone keeps serving its previous version');
        const during = prober.stats(t1, performance.now());
        await prober.stop();
        assert.ok(during.answered >= during.sent * 0.95, `probe: ${during.answered} of ${during.sent} answered`);
        assert.ok(during.p99 < Math.max(100, 10 * control.p99), `probe p99 ${during.p99.toFixed(1)} ms during the stuck read (control ${control.p99.toFixed(1)} ms)`);
        // The file is fixed: the stuck read is stopped and the zone is read again.
        writeFileSync(join(dir, 'stuck.zone'), zoneText('stuck.example', 3));
        await until('stuck.example serves its fixed version', async () => (await digSerial({ port }, 'stuck.example')) === 3, {
          timeoutMs: 10_000,
          everyMs: 50,
          detail: () => JSON.stringify(tyne.since(mark).slice(-5)),
        });
        assert.ok(tyne.since(mark, (l) => l.msg === 'zone read stopped' && l.zone === 'stuck.example.').length >= 1, 'the stuck read was stopped');
        assert.equal(tyne.child.exitCode, null, 'the server is running');
      } finally {
        await prober.stop(0);
        prober.close();
      }
    });
  }

  it('startup: the sockets are bound and the other zones answer while the stuck zone loads (SERVFAIL meanwhile); fixing it loads it', { skip: !have }, async () => {
    const { dir, port, config } = await setup();
    writeFileSync(join(dir, 'stuck.zone'), includeFanoutZone(dir, 'stuck.example', 1));
    let tyne: TyneProcess | undefined;
    // `serving` waits for every zone: this one never finishes, so the start is watched from its log.
    const starting = startTyne(config, { timeoutMs: 60_000, onSpawn: (p) => (tyne = p) }).catch(() => undefined);
    await until('tyne spawned', () => tyne !== undefined, { timeoutMs: 5000 });
    procs.push(tyne!);
    await tyne!.waitForLog((l) => l.msg === 'listening (udp, tcp)', 10_000);
    await until('good.example answers', async () => (await digSerial({ port }, 'good.example')) === 1, { timeoutMs: 5000, everyMs: 20 });
    const notLoaded = (): boolean => tyne!.logs.some((l) => l.zone === 'stuck.example.' && typeof l.msg === 'string' && l.msg.startsWith('zone not loaded'));
    const status = await digStatus({ port }, 'stuck.example', 'SOA');
    // Still loading: SERVFAIL, as BIND answers a zone it has not loaded (once the limits fail it: REFUSED, not served).
    if (!notLoaded()) assert.equal(status, 'SERVFAIL');
    await editGood(dir, port, 2);
    writeFileSync(join(dir, 'stuck.zone'), zoneText('stuck.example', 3));
    await until('stuck.example serves its fixed version', async () => (await digSerial({ port }, 'stuck.example')) === 3, { timeoutMs: 10_000, everyMs: 50 });
    await tyne!.waitForLog((l) => l.msg === 'serving', 10_000);
    await starting;
  });
});

describe('zone-memory-budget', { timeout: 120_000 }, () => {
  it('a reload over the budget is abandoned with ZONE_MEMORY_BUDGET; the previous version keeps serving; the process stays up', { skip: !have }, async () => {
    const { dir, port, config } = await setup(['zone-memory-budget: 16M']);
    const tyne = await startTyne(config);
    procs.push(tyne);
    const mark = tyne.mark();
    const text = zoneText('stuck.example', 2, { extra: ['$GENERATE 1-10000000 g$ A 10.0.0.1'] });
    writeFileSync(join(dir, 'stuck.zone'), text);
    const line = await tyne.waitAfter(mark, (l) => l.msg === 'zone not reloaded; still serving the previous version' && l.zone === 'stuck.example.', 30_000);
    const err = line.err as { code?: string; message?: string };
    assert.equal(err.code, 'ZONE_MEMORY_BUDGET', JSON.stringify(line));
    assert.match(err.message ?? '', /zone-memory-budget \(16 MiB\)/);
    assert.equal(line.budget, 16 * 2 ** 20);
    assert.equal(await digSerial({ port }, 'stuck.example'), 1, 'the previous version is served');
    await editGood(dir, port, 2);
    assert.equal(tyne.child.exitCode, null, 'the server is running');
  });
});

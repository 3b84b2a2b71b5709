/**
 * A primary's journal that cannot be read (issue 12 item 7, "Unreadable
 * journal"): a real `tyne serve`, real files, dig. The zone's journal
 * (`<file>.jnl`) is replaced by a folder, while the server runs and before
 * it starts. An IXFR from an old serial is then answered with the whole
 * zone (RFC 1995 §4 allows it) instead of no answer at all, and the damage
 * is logged once (STORAGE_CORRUPT, the file set aside), not per request.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { digRaw, digRecords } from '../support/dig.js';
import { freePort } from '../support/ports.js';
import { haveTool } from '../support/tools.js';
import { tyneYaml, zoneText } from '../support/tyne-config.js';
import { startTyne, type TyneProcess } from '../support/tyne-process.js';

const ZONE = 'jnl.example';

type Log = Record<string, unknown>;

/** `dig IXFR=serial` over TCP: the answer's records (owner type), or the failure. */
async function ixfr(port: number, serial: number): Promise<{ ok: boolean; records: string[]; out: string }> {
  const { out } = await digRaw({ port }, [ZONE, `IXFR=${serial}`, '+tcp', '+tries=1', '+time=3', '+nocmd', '+nostats'], 10_000);
  const records = digRecords(out).map((f) => `${f[0]} ${f[3]}`);
  return { ok: !/communications error|timed out|Transfer failed|connection refused|end of file/i.test(out) && records.length > 0, records, out };
}

describe('IXFR when the journal cannot be read', { skip: !haveTool('dig'), timeout: 60_000 }, () => {
  let dir = '';
  let port = 0;
  let ns1: TyneProcess | null = null;
  const path = (f: string): string => join(dir, f);
  const journal = (): string => path(`${ZONE}.zone.jnl`);
  const damagedLines = (t: TyneProcess, mark: number): Log[] => t.since(mark, (l: Log) => l.level === 50 && typeof l.msg === 'string' && l.msg.includes('journal is damaged'));

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tyne-journal-unreadable-'));
    port = await freePort();
    writeFileSync(path(`${ZONE}.zone`), zoneText(ZONE, 1));
    writeFileSync(path('ns1.yaml'), tyneYaml({ listen: [`127.0.0.1:${port}`], server: ['watch-settle: 50ms'], primaries: [{ name: ZONE, file: `${ZONE}.zone`, allowTransfer: ['127.0.0.1/32'] }] }));
    ns1 = await startTyne(path('ns1.yaml'));
    const m = ns1.mark();
    writeFileSync(path(`${ZONE}.zone`), zoneText(ZONE, 2, { extra: ['new A 192.0.2.99'] }));
    // Journaled, then recorded, then served: 'zone reloaded' comes once the new version is served.
    await ns1.waitAfter(m, (l: Log) => l.msg === 'zone reloaded', 10_000);
    const r = await ixfr(port, 1);
    assert.ok(r.ok, r.out);
    assert.ok(r.records.length < 10, `an incremental answer while the journal is readable: ${r.out}`);
  });

  after(async () => {
    await ns1?.stop();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('replaced by a folder while running: the whole zone, damage logged once', async () => {
    const m = ns1!.mark();
    renameSync(journal(), path('old.jnl'));
    mkdirSync(journal());
    for (let i = 0; i < 3; i++) {
      const r = await ixfr(port, 1);
      assert.ok(r.ok, `request ${i + 1} is answered: ${r.out}`);
      assert.ok(r.records.includes(`h19.${ZONE}. A`) && r.records.includes(`new.${ZONE}. A`), `the whole zone, as AXFR: ${r.out}`);
    }
    const lines = damagedLines(ns1!, m);
    assert.equal(lines.length, 1, `logged once: ${JSON.stringify(ns1!.since(m))}`);
    assert.equal(lines[0]!.file, journal());
    assert.equal((lines[0]!.err as { code?: string } | undefined)?.code ?? 'STORAGE_CORRUPT', 'STORAGE_CORRUPT');
    assert.ok(readdirSync(dir).some((n) => n.startsWith(`${ZONE}.zone.jnl.damaged-`)), 'the folder is set aside');
  });

  it('a folder in its place at startup: the zone is served and IXFR gets the whole zone', async () => {
    assert.equal(await ns1!.stop(), 0);
    ns1 = null;
    if (existsSync(journal())) rmSync(journal(), { recursive: true });
    mkdirSync(journal());
    ns1 = await startTyne(path('ns1.yaml'));
    const m = 0;
    for (let i = 0; i < 2; i++) {
      const r = await ixfr(port, 1);
      assert.ok(r.ok, `answered: ${r.out}`);
      assert.ok(r.records.includes(`new.${ZONE}. A`), `the whole zone: ${r.out}`);
    }
    assert.equal(damagedLines(ns1, m).length, 1, `logged once: ${JSON.stringify(ns1.logs.filter((l) => Number(l.level) >= 40))}`);
    assert.ok(!statSync(journal(), { throwIfNoEntry: false })?.isDirectory(), 'the folder no longer stands in the journal\'s place');
  });
});

/**
 * Issue 14 §4 (first two bullets): the catalog zone Tyne generates (RFC
 * 9432, schema version 2) consumed by BIND 9.18 (`catalog-zones`) and by
 * Knot DNS 3.2 (`catalog-role: interpret` with a `catalog-template`), Tyne
 * the primary of every member (a zone directory, `serial-policy: file`).
 * For each consumer, each step bounded in time:
 *
 * - a file dropped into Tyne's folder is served by the consumer within 3 s
 *   (the measured time is printed in a `# catalog-interop:` line);
 * - deleting the file makes the consumer delete the zone (REFUSED);
 * - a zone removed and added again while the consumer was down (so the
 *   consumer's next catalog shows the member under a new ID, RFC 9432 §5.4)
 *   is reset: the consumer says so in its log and serves the new copy,
 *   whose serial 1 is below the old copy's 5 (a consumer that kept its
 *   copy would keep serving 5);
 * - neither logs a complaint about the catalog (a failed transfer of it, a
 *   catalog it would not read), and Knot's `kcatalogprint` lists exactly
 *   Tyne's members, with Tyne's IDs.
 *
 * The consumer is started once Tyne has built its catalog: Tyne logs
 * `serving` a moment before that, and a transfer of the catalog in that
 * moment is answered NOTAUTH (a query for it SERVFAIL), which Knot logs as
 * a warning and takes as "not allowed", retrying only later or on NOTIFY.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { performance } from 'node:perf_hooks';
import { digAxfr, digShort, digStatus, run } from '../support/dig.js';
import { startKnot, type KnotOptions, type KnotProcess, type KnotZone } from '../support/knotd-process.js';
import { startNamed, type NamedOptions, type NamedProcess } from '../support/named-process.js';
import { freePort } from '../support/ports.js';
import { haveTool } from '../support/tools.js';
import { zoneText } from '../support/tyne-config.js';
import { tyneLogTail } from '../support/tyne-process.js';
import { until } from '../support/wait.js';
import { dataDirIn, QUICK_WATCH, startZoneDirectoryRig, type ZoneDirectoryRig } from '../support/zone-directory-rig.js';

const HAVE_BIND = haveTool('named') && haveTool('dig');
const HAVE_KNOT = haveTool('knotd') && haveTool('knotc') && haveTool('kcatalogprint') && haveTool('dig');
const CAT = 'catalog.hosting.example';
/** Served by the consumer from the start. */
const BASE = 'base.hosting.example';
/** Dropped into the folder, then deleted. */
const FRESH = 'fresh.hosting.example';
/** Served with serial 5 from the start, then removed and added again with serial 1 while the consumer is down. */
const RESET = 'reset.hosting.example';

const tail = (s: string, n = 3000): string => s.slice(-n);

/** A member's file: serial as given, and `www` at an address that tells the versions apart. */
const member = (origin: string, serial: number, www: string): string => zoneText(origin, serial, { hosts: 2, extra: [`www A ${www}`] });

/** Tyne (ns1) with its zone folder and the catalog, notifying the consumer at `peerPort`; `close` stops it and removes its folder. */
interface Producer extends ZoneDirectoryRig {
  /** Tyne's catalog by AXFR: its lines, and member → ID. */
  catalog(): Promise<{ lines: string[]; members: Map<string, string> }>;
  /** Waits (bounded) until the catalog lists exactly `names`; resolves with member → ID. */
  lists(names: string[]): Promise<Map<string, string>>;
}

async function startProducer(peerPort: number): Promise<Producer> {
  const notify = [`127.0.0.1:${peerPort}`];
  const rig = await startZoneDirectoryRig({
    prefix: 'tyne-catalog-interop-',
    zones: [
      [BASE, member(BASE, 1, '192.0.2.1')],
      [RESET, member(RESET, 5, '192.0.2.5')],
    ],
    // allow-transfer: 127.0.0.1/32 (the default here), the consumer's address.
    directory: { notify, extra: [`catalog: ${CAT}`, 'serial-policy: file'] },
    yaml: (dir) => ({ server: [...QUICK_WATCH, dataDirIn(dir)], catalogs: [{ name: CAT, notify }] }),
  });
  const { port, tyne } = rig;
  try {
    await tyne.waitForLog((l) => l.msg === 'catalog zone built', 5000);
  } catch (e) {
    await rig.close();
    throw e;
  }
  const catalog = async (): Promise<{ lines: string[]; members: Map<string, string> }> => {
    const lines = await digAxfr({ port }, CAT);
    const members = new Map<string, string>();
    for (const l of lines) {
      const f = l.split(' ');
      if (f[3] === 'PTR') members.set(f[4]!.toLowerCase().replace(/\.$/, ''), f[0]!.split('.')[0]!);
    }
    return { lines, members };
  };
  return Object.assign(rig, {
    catalog,
    async lists(names: string[]): Promise<Map<string, string>> {
      const want = [...names].sort().join(',');
      let last = '';
      let members = new Map<string, string>();
      await until(`Tyne's catalog lists ${want}`, async () => {
        members = (await catalog()).members;
        last = [...members.keys()].sort().join(',');
        return last === want;
      }, { timeoutMs: 5000, everyMs: 50, detail: () => `it lists ${last}\n${tyneLogTail(tyne)}` });
      return members;
    },
  });
}

/** What each consumer's steps need of it. */
interface Consumer {
  name: string;
  port: number;
  /** Everything it logged since it was (re)started. */
  log(): string;
  /** Everything it logged, over every start. */
  allLogs(): string;
  /** Stops it, keeping its state. */
  stop(): Promise<void>;
  /** Starts it again on the same port with the state it had. */
  restart(): Promise<void>;
  /** After a restart: have it look at the catalog's primary now (Knot keeps its refresh timer across a restart). */
  refreshCatalog(): Promise<void>;
  /** What it logs (since its last start) for a member reset because its ID changed, and served again. */
  resetLine: (zone: string) => RegExp;
  /** Its log line for a member removed from the catalog. */
  deleteLine: (zone: string) => RegExp;
  /** Log lines that would be a complaint about the catalog (a transfer of it failing, a catalog it would not read). */
  complaint: RegExp;
}

const re = (zone: string): string => zone.replace(/\./g, '\\.');

/** The serial the consumer answers for `zone` (null for none), and its www address. */
async function served(port: number, zone: string): Promise<{ serial: number | null; www: string }> {
  const soa = await digShort({ port }, zone, 'SOA').catch(() => []);
  const f = (soa[0] ?? '').split(/\s+/);
  const serial = soa.length === 1 && /^\d+$/.test(f[2] ?? '') ? Number(f[2]) : null;
  const www = (await digShort({ port }, `www.${zone}`, 'A').catch(() => [])).join(',');
  return { serial, www };
}

/** The three steps, the same for both consumers. */
function steps(get: () => { p: Producer; c: Consumer }): void {
  const logs = (): string => {
    const { p, c } = get();
    return `${c.name}:\n${tail(c.log())}\ntyne:\n${tyneLogTail(p.tyne)}`;
  };

  it('serves the members the catalog lists at start-up', async () => {
    const { c } = get();
    await until(`${c.name} serves ${BASE} and ${RESET}`, async () => (await served(c.port, BASE)).serial === 1 && (await served(c.port, RESET)).serial === 5, {
      timeoutMs: 8000,
      everyMs: 50,
      detail: logs,
    });
  });

  it('a file dropped into the folder is served by the consumer within 3 s', async (t: TestContext) => {
    const { p, c } = get();
    const t0 = performance.now();
    writeFileSync(join(p.folder, `${FRESH}.zone`), member(FRESH, 7, '192.0.2.7'));
    const ms = await until(`${c.name} serves ${FRESH} with serial 7`, async () => (await served(c.port, FRESH)).serial === 7, { t0, timeoutMs: 6000, everyMs: 20, detail: logs });
    t.diagnostic(`catalog-interop: ${c.name}: a new file served in ${Math.round(ms)} ms`);
    assert.ok(ms < 3000, `${c.name} took ${Math.round(ms)} ms`);
    assert.equal((await served(c.port, FRESH)).www, '192.0.2.7');
  });

  it('deleting the file makes the consumer delete the zone', async (t: TestContext) => {
    const { p, c } = get();
    const t0 = performance.now();
    unlinkSync(join(p.folder, `${FRESH}.zone`));
    const ms = await until(`${c.name} answers REFUSED for ${FRESH}`, async () => (await digStatus({ port: c.port }, FRESH, 'SOA')) === 'REFUSED', { t0, timeoutMs: 6000, everyMs: 20, detail: logs });
    t.diagnostic(`catalog-interop: ${c.name}: a deleted file's zone gone in ${Math.round(ms)} ms`);
    assert.match(c.log(), c.deleteLine(FRESH));
    assert.equal((await served(c.port, BASE)).serial, 1, 'the other members stay');
  });

  it('a member removed and added again (a new ID) is reset: the new copy is served, serial 1 after 5', async () => {
    const { p, c } = get();
    const before = (await p.catalog()).members.get(RESET);
    assert.ok(before !== undefined);
    await c.stop();
    unlinkSync(join(p.folder, `${RESET}.zone`));
    await p.lists([BASE]);
    writeFileSync(join(p.folder, `${RESET}.zone`), member(RESET, 1, '192.0.2.11'));
    const now = await p.lists([BASE, RESET]);
    // RFC 9432 §5.4: the same member under another ID tells the consumer to drop what it had of it.
    assert.notEqual(now.get(RESET), before, 'Tyne gives the member a new ID');
    await c.restart();
    await c.refreshCatalog();
    await until(`${c.name} serves the new ${RESET} (serial 1)`, async () => {
      const s = await served(c.port, RESET);
      return s.serial === 1 && s.www === '192.0.2.11';
    }, { timeoutMs: 8000, everyMs: 50, detail: () => `${logs()}\ncatalog: ${JSON.stringify([...now])}` });
    assert.match(c.log(), c.resetLine(RESET), `${c.name} should say it reset the member:\n${tail(c.log())}`);
    assert.equal((await served(c.port, BASE)).serial, 1, 'the other members stay');
  });

  it('logs no complaint about the catalog', async () => {
    const { p, c } = get();
    const bad = c.allLogs().split('\n').filter((l) => c.complaint.test(l));
    assert.deepEqual(bad, [], `${c.name} complained; Tyne's catalog by AXFR:\n${(await p.catalog()).lines.join('\n')}`);
  });
}

describe('Tyne producer → BIND 9.18 consumer', { skip: !HAVE_BIND, timeout: 40_000 }, () => {
  let p: Producer | null = null;
  let named: NamedProcess | null = null;
  let stateDir = '';
  let port = 0;
  let opts: NamedOptions = {};
  let earlier = '';
  const consumer = (): Consumer => ({
    name: 'named',
    port,
    log: () => named?.log() ?? '',
    allLogs: () => earlier + (named?.log() ?? ''),
    stop: async () => {
      earlier += named?.log() ?? '';
      await named?.stop();
      named = null;
    },
    restart: async () => {
      named = await startNamed([], opts);
    },
    // named asks its primaries for the catalog's serial when it starts (and Tyne's NOTIFY, retried, reaches it too).
    refreshCatalog: async () => {},
    // BIND 9.18 (lib/dns/catz.c): a changed unique label is a delete and an add, and then a fresh transfer.
    resetLine: (zone) => new RegExp(
      `catz: zone '${re(zone)}' unique label has changed, reset state\\n` +
        `(?:.*\\n)*?.*catz: deleting zone '${re(zone)}' from catalog '${re(CAT)}' - success\\n` +
        `(?:.*\\n)*?.*catz: adding zone '${re(zone)}' from catalog '${re(CAT)}' - success\\n` +
        `(?:.*\\n)*?.*zone ${re(zone)}/IN: transferred serial 1\\n`,
    ),
    deleteLine: (zone) => new RegExp(`catz: deleting zone '${re(zone)}' from catalog '${re(CAT)}' - success`),
    complaint: new RegExp(`catz: .*(error|invalid|fail|bad|ignor|unsupported|not allowed|unknown)|zone ${re(CAT)}/IN.*(fail|error|refused|denied|NOTAUTH|SERVFAIL)`, 'i'),
  });

  before(async () => {
    port = await freePort();
    p = await startProducer(port);
    stateDir = mkdtempSync(join(tmpdir(), 'tyne-catalog-named-'));
    const zones = join(stateDir, 'catz-zones');
    mkdirSync(zones);
    opts = {
      port,
      dir: stateDir,
      extraOptions: `  catalog-zones { zone "${CAT}" default-primaries { 127.0.0.1 port ${p.port}; } zone-directory "${zones}" in-memory no min-update-interval 1; };`,
      zoneStatements: `zone "${CAT}" { type secondary; primaries { 127.0.0.1 port ${p.port}; }; file "catz.db"; };`,
    };
    named = await startNamed([], opts);
  });

  after(async () => {
    await named?.stop();
    await p?.close();
    if (stateDir !== '') rmSync(stateDir, { recursive: true, force: true });
  });

  steps(() => ({ p: p!, c: consumer() }));
});

describe('Tyne producer → Knot 3.2 consumer', { skip: !HAVE_KNOT, timeout: 40_000 }, () => {
  let p: Producer | null = null;
  let knot: KnotProcess | null = null;
  let stateDir = '';
  let port = 0;
  let zones: KnotZone[] = [];
  let opts: KnotOptions = {};
  let earlier = '';
  const consumer = (): Consumer => ({
    name: 'knotd',
    port,
    log: () => knot?.log() ?? '',
    allLogs: () => earlier + (knot?.log() ?? ''),
    stop: async () => {
      earlier += knot?.log() ?? '';
      await knot?.stop();
      knot = null;
    },
    restart: async () => {
      knot = await startKnot(zones, opts);
    },
    refreshCatalog: async () => {
      await knot!.refresh(CAT);
    },
    // Knot 3.2 says nothing of the ID: it purges the member (its copy, journal and timers) and transfers it afresh.
    resetLine: (zone) => new RegExp(`\\[${re(zone)}\\.\\] zone purged\\n(?:.*\\n)*?.*\\[${re(zone)}\\.\\] refresh, .*zone updated, .*serial none -> 1,`),
    deleteLine: (zone) => new RegExp(`\\[${re(zone)}\\.\\] zone purged`),
    complaint: new RegExp(`(warning|error): .*(catalog|\\[${re(CAT)}\\.\\])`, 'i'),
  });

  before(async () => {
    port = await freePort();
    p = await startProducer(port);
    stateDir = mkdtempSync(join(tmpdir(), 'tyne-catalog-knot-'));
    zones = [{ name: CAT, primaries: [{ port: p.port }], catalogRole: 'interpret', catalogTemplate: 'tyne-member' }];
    opts = { port, dir: stateDir, catalogTemplates: [{ id: 'tyne-member', primaries: [{ port: p.port }], file: 'members/%s.zone' }] };
    knot = await startKnot(zones, opts);
  });

  after(async () => {
    await knot?.stop();
    await p?.close();
    if (stateDir !== '') rmSync(stateDir, { recursive: true, force: true });
  });

  steps(() => ({ p: p!, c: consumer() }));

  it('kcatalogprint lists exactly Tyne\'s members, with Tyne\'s IDs', async () => {
    // Knot 3.2: `-c <knot.conf>` finds the catalog database under the configured storage.
    const out = await run('kcatalogprint', ['-c', knot!.conf, '-a', CAT]);
    // ;; <member zone> <record owner> <catalog zone> <group>, then `Total records: N`.
    const rows = out.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith(';;') && !l.startsWith('Total records'));
    const printed = rows.map((l) => {
      const [zone, owner, catalog] = l.split(/\s+/);
      assert.equal(catalog, `${CAT}.`, l);
      return `${zone!.replace(/\.$/, '')} ${owner!.split('.')[0]}`;
    });
    const { members } = await p!.catalog();
    assert.deepEqual(printed.sort(), [...members].map(([zone, id]) => `${zone} ${id}`).sort(), out);
    assert.deepEqual([...members.keys()].sort(), [BASE, RESET]);
    assert.match(out, /Total records: 2\b/);
  });
});

/**
 * Issue 14 §4 (bullets 3 and 4): Tyne as the catalog CONSUMER (RFC 9432,
 * schema version 2) of catalogs other servers serve, a `type: secondary`
 * zone with `members:` (the members' primaries default to the catalog's).
 *
 * - Knot DNS 3.2 generates the catalog (`catalog-role: generate`) from the
 *   zones it is primary for (`catalog-role: member`). Knot answers a UDP
 *   SOA query for a generated catalog with REFUSED, so Tyne's SOA check
 *   must go on over TCP. Tyne serves every member Knot lists; a member
 *   added to Knot's configuration (knot.conf rewritten, `knotc reload`) is
 *   served by Tyne (the time is printed in a `# catalog-consumer-interop:`
 *   line); one removed from it is removed by Tyne (REFUSED).
 * - BIND 9.18 serves a catalog the test writes, as a plain primary zone,
 *   and NOTIFYs Tyne after each reload (SIGHUP). Each broken catalog (RFC
 *   9432 §4.2, §4.3, §4.4.1, §5.1) leaves the membership as it was (every
 *   member served, the one the broken version adds not), and Tyne's log
 *   says why; a member under a new ID is reset (RFC 9432 §5.4): Tyne takes
 *   named's copy at a serial LOWER than the one it held, which a kept copy
 *   would not; an emptied catalog is held by the removal guard until
 *   SIGHUP, which applies it.
 *
 * The peers' configurations come from the kit (knotd-process.ts,
 * named-process.ts); Tyne's from tyne-config.ts.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { digSerial, digStatus } from '../support/dig.js';
import { startKnot, type KnotProcess, type KnotZone } from '../support/knotd-process.js';
import { startNamed, type NamedProcess, type NamedZone } from '../support/named-process.js';
import { freePort } from '../support/ports.js';
import { haveTool } from '../support/tools.js';
import { tyneYaml, zoneText } from '../support/tyne-config.js';
import { startTyne, tyneLogTail, type TyneProcess } from '../support/tyne-process.js';
import { until } from '../support/wait.js';

const HAVE_KNOT = haveTool('knotd') && haveTool('knotc') && haveTool('dig');
const HAVE_BIND = haveTool('named') && haveTool('dig');

type Log = Record<string, unknown>;

const fqdn = (name: string): string => (name.endsWith('.') ? name : `${name}.`);
const msg = (l: Log): string => (typeof l.msg === 'string' ? l.msg : '');
/** A log line about zone `name` (Tyne writes names absolute). */
const about = (l: Log, name: string): boolean => typeof l.zone === 'string' && fqdn(l.zone).toLowerCase() === fqdn(name).toLowerCase();

/** Tyne's lines at warning level or above (pino: 40) that `expected` does not accept. */
const complaints = (tyne: TyneProcess, expected: (l: Log) => boolean): Log[] => tyne.logs.filter((l) => Number(l.level) >= 40 && !expected(l));

/** The consumer: one Tyne with the catalog `catalog` from the peer at `primaryPort`, its members' copies under data/members/. */
async function startConsumer(dir: string, port: number, catalog: string, primaryPort: number): Promise<TyneProcess> {
  const config = join(dir, 'tyne.yaml');
  writeFileSync(
    config,
    tyneYaml({
      listen: [`127.0.0.1:${port}`],
      server: ['data-dir: data'],
      // No primaries under members: they default to the catalog's (the peer), and so does allow-notify.
      secondaries: [{ name: catalog, primaries: [`127.0.0.1:${primaryPort}`], file: `${catalog}.zone`, extra: ['members:', '  file: members/%s.zone'] }],
    }),
  );
  return startTyne(config);
}

/** Waits until Tyne at `port` serves each zone of `want` at its serial (null: REFUSED); resolves with the ms it took. */
function serves(port: number, want: ReadonlyMap<string, number | null>, timeoutMs: number, detail: () => string, t0 = performance.now()): Promise<number> {
  let last = '';
  return until(
    `Tyne serves ${[...want].map(([z, s]) => `${z}=${s ?? 'REFUSED'}`).join(' ')}`,
    async () => {
      const got = await Promise.all(
        [...want].map(async ([zone, serial]) => [zone, serial === null ? await digStatus({ port }, zone, 'SOA') : await digSerial({ port }, zone)] as const),
      );
      last = got.map(([z, g]) => `${z}=${g}`).join(' ');
      return got.every(([zone, g]) => (want.get(zone) === null ? g === 'REFUSED' : g === want.get(zone)));
    },
    { timeoutMs, everyMs: 50, t0, detail: () => `it answers ${last}\n${detail()}` },
  );
}

describe('Knot 3.2 producer (catalog-role: generate) → Tyne consumer', { skip: !HAVE_KNOT, timeout: 40_000 }, () => {
  const CAT = 'catalog.knot.example';
  /** Members and their files' serials: k4 joins later, k2 leaves. */
  const SERIALS = new Map([['k1.knot.example', 11], ['k2.knot.example', 12], ['k3.knot.example', 13], ['k4.knot.example', 14]]);
  let dir = '';
  let tynePort = 0;
  let knot: KnotProcess | null = null;
  let tyne: TyneProcess | null = null;
  const member = (name: string): KnotZone => ({ name, file: join(dir, 'zones', `${name}.zone`), catalogRole: 'member', catalogZone: CAT });
  // The catalog notifies Tyne; every zone allows transfers to 127.0.0.1 (the kit's default ACL), Tyne's address.
  const zones = (members: string[]): KnotZone[] => [{ name: CAT, catalogRole: 'generate', notify: [{ port: tynePort }] }, ...members.map(member)];
  const detail = (): string => `knotd:\n${knot?.log().slice(-3000) ?? ''}\ntyne:\n${tyneLogTail(tyne)}`;
  const want = (entries: [string, number | null][]): Map<string, number | null> => new Map(entries);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tyne-catz-knot-'));
    mkdirSync(join(dir, 'zones'));
    mkdirSync(join(dir, 'tyne'));
    for (const [name, serial] of SERIALS) writeFileSync(join(dir, 'zones', `${name}.zone`), zoneText(name, serial, { hosts: 2 }));
    tynePort = await freePort();
    knot = await startKnot(zones(['k1.knot.example', 'k2.knot.example', 'k3.knot.example']), { dir: join(dir, 'knot') });
    tyne = await startConsumer(join(dir, 'tyne'), tynePort, CAT, knot.port);
  });

  after(async () => {
    await tyne?.stop();
    await knot?.stop();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('Knot refuses a UDP SOA query for its generated catalog (so Tyne must ask over TCP)', async () => {
    assert.equal(await digStatus({ port: knot!.port }, CAT, 'SOA'), 'REFUSED');
    assert.notEqual(await knot!.servedSerial(CAT), null, 'over TCP Knot answers it');
  });

  it('serves every member Knot lists', async () => {
    await serves(tynePort, want([['k1.knot.example', 11], ['k2.knot.example', 12], ['k3.knot.example', 13], ['k4.knot.example', null]]), 10_000, detail);
    const processed = tyne!.logs.find((l) => msg(l) === 'catalog processed' && about(l, CAT));
    assert.ok(processed !== undefined, 'Tyne logs the catalog processed');
    assert.equal(processed.added, 3);
    // The catalog came over TCP after UDP was refused: Tyne holds Knot's serial.
    assert.equal(await digSerial({ port: tynePort }, CAT), await knot!.servedSerial(CAT));
  });

  it('a member added to Knot\'s configuration is served by Tyne', async () => {
    const t0 = performance.now();
    await knot!.reconfigure(zones(['k1.knot.example', 'k2.knot.example', 'k3.knot.example', 'k4.knot.example']));
    const ms = await serves(tynePort, want([['k4.knot.example', 14]]), 8000, detail, t0);
    console.log(`# catalog-consumer-interop: knotd: a member added to knot.conf (knotc reload) served by Tyne after ${Math.round(ms)} ms`);
    await serves(tynePort, want([['k1.knot.example', 11], ['k2.knot.example', 12], ['k3.knot.example', 13]]), 2000, detail);
  });

  it('a member removed from Knot\'s configuration is removed by Tyne (REFUSED)', async () => {
    const t0 = performance.now();
    const mark = tyne!.mark();
    await knot!.reconfigure(zones(['k1.knot.example', 'k3.knot.example', 'k4.knot.example']));
    const ms = await serves(tynePort, want([['k2.knot.example', null]]), 8000, detail, t0);
    console.log(`# catalog-consumer-interop: knotd: a member removed from knot.conf gone from Tyne after ${Math.round(ms)} ms`);
    const line = tyne!.since(mark, (l) => msg(l) === 'catalog processed' && about(l, CAT)).at(-1);
    assert.equal(line?.removed, 1, detail());
    await serves(tynePort, want([['k1.knot.example', 11], ['k3.knot.example', 13], ['k4.knot.example', 14]]), 2000, detail);
  });

  it('Tyne logs no warning or error (the REFUSED over UDP is not one: the SOA check goes on over TCP)', () => {
    assert.deepEqual(complaints(tyne!, () => false), []);
  });
});

describe('BIND 9.18 serving a hand-written catalog → Tyne consumer', { skip: !HAVE_BIND, timeout: 50_000 }, () => {
  const CAT = 'catalog.bind.example';
  /** Seven members (more than max-removals' floor of 5, so emptying the catalog is held), each with its ID and serial. */
  const MEMBERS = Array.from({ length: 7 }, (_, i) => ({ id: `m${i}`, name: `b${i}.bind.example`, serial: 10 + i }));
  /** Served by named, never a member: a broken catalog lists it, and Tyne must not take it. */
  const EXTRA = 'extra.bind.example';
  /** The member whose ID changes; named's copy then has a serial below the one Tyne holds. */
  const RESET = MEMBERS[0]!;
  const RESET_LOW = 2;
  let dir = '';
  let tynePort = 0;
  let named: NamedProcess | null = null;
  let tyne: TyneProcess | null = null;
  let serial = 1;
  const catFile = (): string => join(dir, 'zones', `${CAT}.zone`);
  const detail = (): string => `named:\n${named?.log().slice(-2500) ?? ''}\ntyne:\n${tyneLogTail(tyne, 20)}`;

  /** The catalog's text at `serial`: SOA, NS invalid. (RFC 9432 §4.1), version "2", one `<id>.zones PTR <member>.` per member. */
  const catalogText = (n: number, members: readonly { id: string; name: string }[]): string =>
    [
      `$ORIGIN ${CAT}.`,
      '$TTL 0',
      `@ SOA invalid. invalid. ${n} 3600 600 2419200 0`,
      '@ NS invalid.',
      'version TXT "2"',
      ...members.map((m) => `${m.id}.zones PTR ${m.name}.`),
    ].join('\n') + '\n';

  /** Every member served at its serial (RESET's as given), EXTRA not. */
  const unchanged = (resetSerial = RESET.serial): Map<string, number | null> =>
    new Map<string, number | null>([...MEMBERS.map((m) => [m.name, m === RESET ? resetSerial : m.serial] as [string, number]), [EXTRA, null]]);

  /**
   * Writes the catalog (its next serial), has named reload it (named then
   * NOTIFYs Tyne), and resolves with Tyne's first line at `mark` or later
   * about that serial of the catalog that `pred` accepts.
   */
  async function publish(text: (n: number) => string, pred: (l: Log) => boolean): Promise<{ line: Log; n: number }> {
    const n = ++serial;
    const mark = tyne!.mark();
    const since = named!.mark();
    writeFileSync(catFile(), text(n));
    await named!.reload();
    await named!.waitForLog(new RegExp(`zone ${CAT.replace(/\./g, '\\.')}/IN: loaded serial ${n}\\b`), { since });
    const line = await tyne!.waitAfter(mark, (l) => about(l, CAT) && l.serial === n && pred(l), 8000);
    return { line, n };
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tyne-catz-bind-'));
    mkdirSync(join(dir, 'zones'));
    mkdirSync(join(dir, 'tyne'));
    const zones: NamedZone[] = [];
    for (const m of MEMBERS) {
      writeFileSync(join(dir, 'zones', `${m.name}.zone`), zoneText(m.name, m.serial, { hosts: 2 }));
      zones.push({ name: m.name, file: join(dir, 'zones', `${m.name}.zone`) });
    }
    writeFileSync(join(dir, 'zones', `${EXTRA}.zone`), zoneText(EXTRA, 99, { hosts: 2 }));
    zones.push({ name: EXTRA, file: join(dir, 'zones', `${EXTRA}.zone`) });
    writeFileSync(catFile(), catalogText(serial, MEMBERS));
    tynePort = await freePort();
    zones.push({ name: CAT, file: catFile(), alsoNotify: [{ port: tynePort }] });
    named = await startNamed(zones);
    tyne = await startConsumer(join(dir, 'tyne'), tynePort, CAT, named.port);
  });

  after(async () => {
    await tyne?.stop();
    await named?.stop();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('serves every member of the catalog', async () => {
    await serves(tynePort, unchanged(), 10_000, detail);
    const processed = tyne!.logs.find((l) => msg(l) === 'catalog processed' && about(l, CAT));
    assert.equal(processed?.added, MEMBERS.length, detail());
  });

  /** A base catalog with EXTRA listed too (so a catalog acted on would add it), then broken. */
  const withExtra = (n: number): string => catalogText(n, [...MEMBERS, { id: 'xtra', name: EXTRA }]);
  const rows: { what: string; text: (base: string) => string; reason: RegExp }[] = [
    { what: 'version missing', text: (b) => b.replace('version TXT "2"\n', ''), reason: /^version\.catalog\.bind\.example\. has no TXT record/ },
    { what: 'two version TXT records', text: (b) => b.replace('version TXT "2"\n', 'version TXT "2"\nversion TXT "two"\n'), reason: /^version\.catalog\.bind\.example\. has 2 TXT records/ },
    { what: 'version "1"', text: (b) => b.replace('version TXT "2"', 'version TXT "1"'), reason: /^version\.catalog\.bind\.example\. TXT is "1"/ },
    { what: 'a member node with two PTRs', text: (b) => `${b}m1.zones PTR other.bind.example.\n`, reason: /^m1\.zones\.catalog\.bind\.example\. has 2 PTR records; a member node has one/ },
    { what: 'two IDs naming the same member', text: (b) => `${b}dup.zones PTR B2.bind.example.\n`, reason: /^b2\.bind\.example\. is listed under two IDs/i },
    { what: 'a coo with two PTRs', text: (b) => `${b}coo.m3.zones PTR cat-a.example.\ncoo.m3.zones PTR cat-b.example.\n`, reason: /^coo\.m3\.zones\.catalog\.bind\.example\. has 2 PTR records; a coo property has one/ },
  ];
  for (const row of rows) {
    it(`a broken catalog (${row.what}) leaves the membership unchanged, and the log says why`, async () => {
      const { line, n } = await publish((s) => row.text(withExtra(s)), (l) => msg(l).includes('is broken, not processed'));
      assert.equal(line.level, 50, 'logged at error level');
      assert.match(String(line.reason), row.reason);
      assert.ok(msg(line).includes(`(serial ${n}) is broken, not processed: ${String(line.reason)}`), msg(line));
      assert.equal(line.members, MEMBERS.length);
      await serves(tynePort, unchanged(), 2000, detail);
      // Valid again (without EXTRA): processed, nothing to change.
      const mark = tyne!.mark();
      await publish((s) => catalogText(s, MEMBERS), (l) => msg(l) === 'catalog valid again: processed');
      assert.deepEqual(tyne!.since(mark, (l) => msg(l) === 'catalog processed'), [], 'no membership change');
      await serves(tynePort, unchanged(), 2000, detail);
    });
  }

  it('a member under a changed ID is reset: Tyne takes named\'s copy at a lower serial', async () => {
    // named's copy goes back from RESET.serial to RESET_LOW: a copy Tyne kept would stay at RESET.serial.
    writeFileSync(join(dir, 'zones', `${RESET.name}.zone`), zoneText(RESET.name, RESET_LOW, { hosts: 3 }));
    const mark = tyne!.mark();
    const { line } = await publish((s) => catalogText(s, MEMBERS.map((m) => (m === RESET ? { ...m, id: 'm0-again' } : m))), (l) => msg(l) === 'catalog processed');
    assert.deepEqual([line.added, line.removed, line.reset], [0, 0, 1], JSON.stringify(line));
    // Logged just after `catalog processed` (it may reach the pipe a moment later).
    const isReset = (l: Log): boolean => msg(l).startsWith('catalog member reset (a new ID)');
    const reset = await tyne!.waitAfter(mark, isReset, 2000);
    assert.ok(about(reset, RESET.name), JSON.stringify(reset));
    assert.equal(reset.id, 'm0-again');
    await serves(tynePort, unchanged(RESET_LOW), 8000, detail);
    assert.equal(tyne!.since(mark, isReset).length, 1, 'one member reset');
  });

  it('an emptied catalog is held by the removal guard; SIGHUP to Tyne applies it', async () => {
    const { line } = await publish((s) => catalogText(s, []), (l) => msg(l).includes('would remove'));
    assert.equal(line.level, 50, 'logged at error level');
    assert.match(msg(line), new RegExp(`would remove ${MEMBERS.length} of ${MEMBERS.length} members at once \\(all of them\\)`));
    assert.equal(line.removed, MEMBERS.length);
    await serves(tynePort, unchanged(RESET_LOW), 2000, detail);
    const mark = tyne!.mark();
    tyne!.child.kill('SIGHUP');
    await tyne!.waitAfter(mark, (l) => msg(l) === 'held catalog removals applied (SIGHUP)' && about(l, CAT), 8000);
    await serves(tynePort, new Map(MEMBERS.map((m) => [m.name, null])), 8000, detail);
  });

  it('Tyne logs no warning or error but the broken catalogs, the held removals and their release', () => {
    const expected = (l: Log): boolean =>
      about(l, CAT) && (msg(l).includes('is broken, not processed') || msg(l).includes('would remove') || msg(l) === 'held catalog removals applied (SIGHUP)');
    assert.deepEqual(complaints(tyne!, expected), []);
  });
});

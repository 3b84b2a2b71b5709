/**
 * `tyne serve` picks up zone file edits on its own (no SIGHUP): two real
 * processes on free ports, ns1 (primary, NOTIFY -> ns2) and ns2 (its
 * secondary), real files in a temporary folder, real time.
 *
 * Checked through `dig` (what an operator sees) and the logs:
 *  1. an in-place edit (writeFileSync, then an append) is served by ns1 and
 *     reaches ns2 by IXFR within a second of the write;
 *  2. the same for an edit saved as a temp file renamed over the zone file;
 *  3. an edit with a syntax error is refused: ns1 keeps the old data, the
 *     error names file:line:col, ns2 sees nothing;
 *  4. a content change without a serial bump: `increment` (default) serves
 *     served+1 and ns2 follows; `serial-policy: file` warns and serves the
 *     new data under the old serial (ns2 keeps its copy);
 *  5. an edit of an $INCLUDEd file reloads the zone;
 *  6. a zone added to both configuration files while running is served by
 *     ns1 and transferred to ns2, without restarts or signals;
 *  7. while a 200k-record zone reloads, a steady stream of UDP queries for
 *     another zone never waits more than 50 ms between answers.
 */
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, renameSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { RRType, Rcode, decodeMessage } from '../../src/wire/index.js';
import { writeBenchZone } from '../bench/zone-generator.js';
import { buildQuery, queryUdp } from '../support/dns-client.js';
import { haveTool } from '../support/tools.js';
import { startTyne, type TyneProcess } from '../support/tyne-process.js';
import { TynePair } from '../support/tyne-pair.js';
import { sleep, until } from '../support/wait.js';
import { digShort } from '../support/dig.js';

type Log = Record<string, unknown>;

// --- zone files ------------------------------------------------------------------

/**
 * Filler records: a zone must be larger than a one-record difference, or
 * an IXFR request is rightly answered with the full zone (RFC 1995 §2).
 */
const FILLER = Array.from({ length: 20 }, (_, i) => `filler${i} A 198.51.100.${i + 1}`);

/** a.example: line 6 is www; `extra` lines start at line 7, the filler follows. */
const aZone = (serial: number, www: string, extra: string[] = []): string =>
  [
    '$ORIGIN a.example.',
    '$TTL 300',
    `@ SOA ns1 hostmaster ${serial} 3600 900 604800 300`,
    '@ NS ns1',
    'ns1 A 192.0.2.53',
    `www A ${www}`,
    ...extra,
    ...FILLER,
    '',
  ].join('\n');

const simpleZone = (origin: string, serial: number, www: string): string =>
  `$ORIGIN ${origin}.\n$TTL 300\n@ SOA ns1 hostmaster ${serial} 3600 900 604800 300\n@ NS ns1\nns1 A 192.0.2.53\nwww A ${www}\n`;

const incZone = `$ORIGIN inc.example.
$TTL 300
@ SOA ns1 hostmaster 1 3600 900 604800 300
@ NS ns1
ns1 A 192.0.2.53
${FILLER.join('\n')}
$INCLUDE inc-hosts.inc
`;

const BENCH_HOSTS = 150_000;
const BENCH_RECORDS = 200_005;
const BENCH_LINE = '\nhost0 IN A 10.0.0.0\n';

interface ZoneEntry {
  name: string;
  file: string;
  extra?: string;
}

function ns1Yaml(port1: number, port2: number, zones: ZoneEntry[]): string {
  return `listen: ["127.0.0.1:${port1}"]
log:
  level: info
zones:
${zones.map((z) => `  - name: ${z.name}\n    file: ${z.file}\n${z.extra ?? ''}`).join('')}`.replaceAll('NS2', `127.0.0.1:${port2}`);
}

function ns2Yaml(port1: number, port2: number, zones: string[]): string {
  return `listen: ["127.0.0.1:${port2}"]
log:
  level: info
zones:
${zones.map((z) => `  - name: ${z}\n    type: secondary\n    primaries: ["127.0.0.1:${port1}"]\n    file: data/${z}.zone\n`).join('')}`;
}

const XFR = '    notify: ["NS2"]\n    allow-transfer: ["127.0.0.1/32"]\n';
const NS1_ZONES: ZoneEntry[] = [
  { name: 'a.example', file: 'a.example.zone', extra: XFR },
  { name: 'b.example', file: 'b.example.zone', extra: `${XFR}    serial-policy: file\n` },
  { name: 'inc.example', file: 'inc.example.zone', extra: XFR },
  { name: 'small.example', file: 'small.example.zone' },
  { name: 'bench.example', file: 'bench.example.zone' },
];
const NS2_ZONES = ['a.example', 'b.example', 'inc.example'];

// --- DNS helpers -------------------------------------------------------------------

/** `dig +norec +short` against 127.0.0.1:port: the answer lines (the kit's digShort). */
const dig = (port: number, name: string, type: string): Promise<string[]> => digShort({ port }, name, type);

/** The SOA serial dig sees (the third field of `+short` SOA output). */
async function digSerial(port: number, zone: string): Promise<number> {
  const lines = await dig(port, zone, 'SOA');
  assert.equal(lines.length, 1, `dig ${zone} SOA on :${port}: ${JSON.stringify(lines)}`);
  return Number(lines[0]!.split(/\s+/)[2]);
}

let nextId = 1;
const id = (): number => (nextId = (nextId % 0xfffe) + 1);

/** Fast UDP probe (for timing): the IPv4 addresses answered for name/A. */
async function udpA(port: number, name: string): Promise<string[]> {
  const m = decodeMessage(await queryUdp(port, buildQuery({ id: id(), name, type: RRType.A }), 1000));
  return m.answers.filter((r) => r.type === RRType.A).map((r) => [...r.rdata].join('.'));
}

/** Fast UDP probe (for timing): the SOA serial served, null when not answered with one. */
async function udpSerial(port: number, zone: string): Promise<number | null> {
  const m = decodeMessage(await queryUdp(port, buildQuery({ id: id(), name: zone, type: RRType.SOA }), 1000));
  if (m.rcode !== Rcode.NOERROR) return null;
  const soa = m.answers.find((r) => r.type === RRType.SOA);
  return soa === undefined ? null : Buffer.from(soa.rdata).readUInt32BE(soa.rdata.length - 20);
}

// --- log helpers ---------------------------------------------------------------------

const transferIn = (zone: string) => (l: Log): boolean => typeof l.msg === 'string' && l.msg.startsWith(`transfer of ${zone}. from `);
const reloaded = (zone: string) => (l: Log): boolean => l.msg === 'zone reloaded' && l.zone === `${zone}.`;
const notReloaded = (zone: string) => (l: Log): boolean =>
  l.msg === 'zone not reloaded; still serving the previous version' && l.zone === `${zone}.`;

// --- the test --------------------------------------------------------------------------

describe('zone files watched by tyne serve (ns1 primary -> ns2 secondary)', { skip: !haveTool('dig'), timeout: 90_000 }, () => {
  let rig: TynePair;
  let ns1: TyneProcess | undefined;
  let ns2: TyneProcess | undefined;

  before(async () => {
    rig = await TynePair.create('tyne-zone-watch-', ['data']);
    rig.write('a.example.zone', aZone(1, '192.0.2.1'));
    rig.write('b.example.zone', simpleZone('b.example', 10, '192.0.2.20'));
    rig.write('inc.example.zone', incZone);
    rig.write('inc-hosts.inc', 'host1 A 192.0.2.61\n');
    rig.write('small.example.zone', simpleZone('small.example', 1, '192.0.2.70'));
    assert.equal(writeBenchZone(rig.path('bench.example.zone'), BENCH_HOSTS), BENCH_RECORDS);
    rig.write('ns1.yaml', ns1Yaml(rig.p1, rig.p2, NS1_ZONES));
    rig.write('ns2.yaml', ns2Yaml(rig.p1, rig.p2, NS2_ZONES));
    ns1 = await startTyne(rig.path('ns1.yaml'), { timeoutMs: 30_000 });
    ns2 = await startTyne(rig.path('ns2.yaml'));
    // ns1 NOTIFYs at startup, so ns2 does not wait for its start jitter.
    await Promise.all(NS2_ZONES.map((z) => ns2!.waitAfter(0, transferIn(z), 10_000)));
    // The watches are armed right after `serving` (their arming, and the check of files changed before it, take a moment).
    await sleep(300);
  });

  after(() => rig?.close(ns2, ns1));

  /**
   * Runs `edit` and measures until ns1 answers `name` A with `addr` and ns2
   * serves `serial` for `zone`; then checks with dig and the logs (ns2 by IXFR).
   */
  async function editReaches(
    t: { diagnostic(s: string): void },
    what: string,
    zone: string,
    name: string,
    addr: string,
    serial: number,
    edit: () => void,
  ): Promise<{ ns1Ms: number; ns2Ms: number }> {
    const m1 = ns1!.logs.length;
    const m2 = ns2!.logs.length;
    edit();
    const t0 = performance.now();
    const [ns1Ms, ns2Ms] = await Promise.all([
      until(`${what}: ns1 serving ${name} A ${addr}`, async () => (await udpA(rig.p1, name)).includes(addr), { t0 }),
      until(`${what}: ns2 serving ${zone} serial ${serial}`, async () => (await udpSerial(rig.p2, zone)) === serial, { t0 }),
    ]);
    t.diagnostic(`${what}: edit -> ns1 ${ns1Ms.toFixed(0)} ms, edit -> ns2 ${ns2Ms.toFixed(0)} ms`);
    const rl = await ns1!.waitAfter(m1, reloaded(zone));
    assert.equal((rl.serial as { to: number }).to, serial, `${what}: zone reloaded ${JSON.stringify(rl)}`);
    const xfr = await ns2!.waitAfter(m2, transferIn(zone));
    assert.equal(xfr.kind, 'IXFR', `${what}: ns2 should transfer by IXFR: ${JSON.stringify(xfr)}`);
    assert.equal(xfr.to, serial);
    assert.deepEqual(await dig(rig.p1, name, 'A'), [addr], `${what}: dig ns1`);
    assert.deepEqual(await dig(rig.p2, name, 'A'), [addr], `${what}: dig ns2`);
    assert.equal(await digSerial(rig.p1, zone), serial, `${what}: ns1 serial`);
    assert.equal(await digSerial(rig.p2, zone), serial, `${what}: ns2 serial`);
    assert.ok(ns2Ms < 1000, `${what}: edit -> ns2 took ${ns2Ms.toFixed(0)} ms (limit 1000)`);
    return { ns1Ms, ns2Ms };
  }

  it('starts with every zone served on ns1 and copied to ns2', async () => {
    assert.deepEqual(await dig(rig.p1, 'www.a.example', 'A'), ['192.0.2.1']);
    assert.deepEqual(await dig(rig.p2, 'www.a.example', 'A'), ['192.0.2.1']);
    assert.equal(await digSerial(rig.p2, 'a.example'), 1);
    assert.equal(await digSerial(rig.p2, 'b.example'), 10);
    assert.deepEqual(await dig(rig.p2, 'host1.inc.example', 'A'), ['192.0.2.61']);
    assert.deepEqual(await dig(rig.p1, 'host0.bench.example', 'A'), ['10.0.0.0']);
  });

  it('1. an in-place edit (writeFileSync, then an append) reaches ns1 and, by IXFR, ns2 within a second', async (t) => {
    await editReaches(t, 'writeFileSync', 'a.example', 'www.a.example', '192.0.2.2', 2, () =>
      rig.write('a.example.zone', aZone(2, '192.0.2.2')),
    );
    // An append cannot raise the serial (it is at the top): `increment` serves 3.
    const m1 = ns1!.logs.length;
    await editReaches(t, 'appendFileSync', 'a.example', 'appended.a.example', '192.0.2.12', 3, () =>
      appendFileSync(rig.path('a.example.zone'), 'appended A 192.0.2.12\n'),
    );
    await ns1!.waitAfter(m1, (l) => l.msg === 'serial raised' && l.zone === 'a.example.');
  });

  it('2. an edit saved by rename (temp file renamed over the zone file) reaches ns1 and ns2', async (t) => {
    await editReaches(t, 'rename', 'a.example', 'www.a.example', '192.0.2.4', 4, () => {
      rig.write('a.example.zone.tmp', aZone(4, '192.0.2.4', ['appended A 192.0.2.12']));
      renameSync(rig.path('a.example.zone.tmp'), rig.path('a.example.zone'));
    });
  });

  it('3. an edit with a syntax error is refused: old data kept, the error names its line, ns2 untouched', async () => {
    const m1 = ns1!.logs.length;
    const m2 = ns2!.logs.length;
    // Line 7 is bad; www changes and the serial is raised, so a wrongly taken edit would show.
    rig.write('a.example.zone', aZone(5, '192.0.2.5', ['broken A 192.0.2.999']));
    const refused = await ns1!.waitAfter(m1, notReloaded('a.example'));
    const file = rig.path('a.example.zone');
    const errors = ns1!.since(m1, (l) => typeof l.msg === 'string' && l.msg.startsWith(`${file}:`));
    assert.ok(
      errors.some((l) => new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:7:\\d+: `).test(l.msg as string)),
      `an error at ${file}:7:COL should be logged; errors: ${JSON.stringify(errors)}; refused: ${JSON.stringify(refused)}`,
    );
    assert.deepEqual(await dig(rig.p1, 'www.a.example', 'A'), ['192.0.2.4'], 'ns1 keeps the old data');
    assert.deepEqual(await dig(rig.p1, 'broken.a.example', 'A'), []);
    assert.equal(await digSerial(rig.p1, 'a.example'), 4);
    // Give a wrong NOTIFY + IXFR time to happen.
    await sleep(700);
    assert.equal(await digSerial(rig.p2, 'a.example'), 4, 'ns2 serial unchanged');
    assert.deepEqual(await dig(rig.p2, 'www.a.example', 'A'), ['192.0.2.4']);
    assert.deepEqual(ns2!.since(m2, transferIn('a.example')), [], 'no transfer on ns2');
    assert.deepEqual(ns1!.since(m1, reloaded('a.example')), [], 'no reload on ns1');
  });

  it('4a. a content change without a serial bump (increment, the default): served serial raised, ns2 follows', async (t) => {
    const m1 = ns1!.logs.length;
    // The served serial is 4; the file keeps 4 and changes www.
    await editReaches(t, 'no bump, increment', 'a.example', 'www.a.example', '192.0.2.6', 5, () =>
      rig.write('a.example.zone', aZone(4, '192.0.2.6', ['appended A 192.0.2.12'])),
    );
    const raised = await ns1!.waitAfter(m1, (l) => l.msg === 'serial raised' && l.zone === 'a.example.');
    assert.equal(raised.fileSerial, 4);
    assert.equal(raised.serial, 5);
  });

  it('4b. a content change without a serial bump under serial-policy file: an error with both serials, new data under the old serial', async () => {
    const m1 = ns1!.logs.length;
    const m2 = ns2!.logs.length;
    rig.write('b.example.zone', simpleZone('b.example', 10, '192.0.2.21'));
    const warn = await ns1!.waitAfter(m1, (l) => typeof l.msg === 'string' && l.msg.includes('secondaries will not see the change') && l.zone === 'b.example.');
    assert.equal(warn.level, 50, `logged at error level, as BIND does: ${JSON.stringify(warn)}`);
    assert.equal(warn.fileSerial, 10);
    assert.equal(warn.served, 10);
    await ns1!.waitAfter(m1, reloaded('b.example'));
    assert.deepEqual(await dig(rig.p1, 'www.b.example', 'A'), ['192.0.2.21'], 'ns1 serves the new data');
    assert.equal(await digSerial(rig.p1, 'b.example'), 10, 'ns1 keeps the file serial');
    assert.deepEqual(ns1!.since(m1, (l) => l.msg === 'serial raised' && l.zone === 'b.example.'), []);
    // As warned: ns2 is not told and keeps its copy.
    await sleep(500);
    assert.deepEqual(ns2!.since(m2, transferIn('b.example')), []);
    assert.deepEqual(await dig(rig.p2, 'www.b.example', 'A'), ['192.0.2.20']);
  });

  it('5. an edit of an $INCLUDEd file reloads the zone', async (t) => {
    // The zone file is untouched; its serial (1) is raised by `increment`.
    await editReaches(t, '$INCLUDE edit', 'inc.example', 'host2.inc.example', '192.0.2.62', 2, () =>
      rig.write('inc-hosts.inc', 'host1 A 192.0.2.61\nhost2 A 192.0.2.62\n'),
    );
    assert.deepEqual(await dig(rig.p1, 'host1.inc.example', 'A'), ['192.0.2.61']);
  });

  it('6. a zone added to both configuration files while running: served by ns1, transferred to ns2', async (t) => {
    rig.write('new.example.zone', simpleZone('new.example', 7, '192.0.2.77'));
    const m1 = ns1!.logs.length;
    const t0 = performance.now();
    rig.write('ns1.yaml', ns1Yaml(rig.p1, rig.p2, [...NS1_ZONES, { name: 'new.example', file: 'new.example.zone', extra: XFR }]));
    await ns1!.waitAfter(m1, (l) => l.msg === 'reloaded');
    await ns1!.waitAfter(m1, (l) => l.msg === 'zone loaded' && l.zone === 'new.example.');
    const ns1Ms = await until('ns1 serving new.example', async () => (await udpA(rig.p1, 'www.new.example')).includes('192.0.2.77'), { t0 });
    assert.deepEqual(await dig(rig.p1, 'www.new.example', 'A'), ['192.0.2.77']);
    assert.equal(await digSerial(rig.p1, 'new.example'), 7);

    const m2 = ns2!.logs.length;
    const t1 = performance.now();
    rig.write('ns2.yaml', ns2Yaml(rig.p1, rig.p2, [...NS2_ZONES, 'new.example']));
    await ns2!.waitAfter(m2, (l) => l.msg === 'reloaded');
    // ns1's NOTIFY went out before ns2 knew the zone: ns2's first refresh (within its 5 s start jitter) fetches it.
    const xfr = await ns2!.waitAfter(m2, transferIn('new.example'), 9000);
    const ns2Ms = await until('ns2 serving new.example', async () => (await udpA(rig.p2, 'www.new.example')).includes('192.0.2.77'), { t0: t1, timeoutMs: 9000 });
    t.diagnostic(`zone added: ns1.yaml write -> ns1 ${ns1Ms.toFixed(0)} ms; ns2.yaml write -> ns2 ${ns2Ms.toFixed(0)} ms (${String(xfr.kind)})`);
    assert.deepEqual(await dig(rig.p2, 'www.new.example', 'A'), ['192.0.2.77']);
    assert.equal(await digSerial(rig.p2, 'new.example'), 7);
    // The zones already there are still served by both.
    assert.deepEqual(await dig(rig.p2, 'www.a.example', 'A'), ['192.0.2.6']);
    assert.deepEqual(await dig(rig.p1, 'www.small.example', 'A'), ['192.0.2.70']);
  });

  it('7. queries for a small zone are answered without a gap > 50 ms while a 200k-record zone reloads', async (t) => {
    const original = readFileSync(rig.path('bench.example.zone'), 'utf8');
    assert.ok(original.includes(BENCH_LINE));
    const q = buildQuery({ id: 4242, name: 'www.small.example', type: RRType.A });
    const want = [192, 0, 2, 70];
    const results: string[] = [];
    let passed = false;
    let lastAddr = '';
    /** Max and p99 of the gaps in `gaps`. */
    const stats = (gaps: number[]): { max: number; p99: number } => {
      const sorted = [...gaps].sort((x, y) => x - y);
      return { max: sorted[sorted.length - 1] ?? 0, p99: sorted[Math.max(0, Math.ceil(sorted.length * 0.99) - 1)] ?? 0 };
    };
    for (let attempt = 1; attempt <= 3 && !passed; attempt++) {
      // Baseline (not asserted): the same stream for 500 ms with no reload, to tell machine noise from a blocked server.
      const base: number[] = [];
      for (let t0 = performance.now(), last = t0; performance.now() - t0 < 500; ) {
        try {
          await queryUdp(rig.p1, q, 1000);
        } catch {
          // counted as a gap
        }
        const now = performance.now();
        base.push(now - last);
        last = now;
      }
      const b = stats(base);
      const addr = `10.200.0.${attempt}`;
      lastAddr = addr;
      const m1 = ns1!.logs.length;
      rig.write('bench.example.zone', original.replace(BENCH_LINE, `\nhost0 IN A ${addr}\n`));
      const started = performance.now();
      let done = false;
      let doneAt = Infinity;
      const reload = ns1!.waitAfter(m1, reloaded('bench.example'), 30_000).then((l) => {
        doneAt = performance.now();
        return l;
      });
      reload.catch(() => (done = true));
      // One query after another until 100 ms after the reload is logged.
      const gaps: number[] = [];
      /** Wall clock (as pino's `time`) at the end of each gap. */
      const ends: number[] = [];
      let answers = 0;
      let failures = 0;
      let last = performance.now();
      while (!done && performance.now() < doneAt + 100 && performance.now() - started < 30_000) {
        try {
          const m = decodeMessage(await queryUdp(rig.p1, q, 1000));
          const a = m.answers.find((r) => r.type === RRType.A);
          assert.ok(m.rcode === Rcode.NOERROR && a !== undefined && [...a.rdata].join('.') === want.join('.'), 'small.example answered');
          answers++;
        } catch {
          failures++;
        }
        const now = performance.now();
        gaps.push(now - last);
        ends.push(Date.now());
        last = now;
      }
      const rl = await reload;
      const { max, p99 } = stats(gaps);
      // Where the longest gap fell, relative to the `zone reloaded` line (negative: before it).
      const at = gaps.indexOf(max);
      const rel = at < 0 ? NaN : (ends[at] ?? NaN) - Number(rl.time);
      const line =
        `attempt ${attempt}: ${answers} answers, ${failures} failures over ${(last - started).toFixed(0)} ms; ` +
        `max gap ${max.toFixed(1)} ms (ended ${rel} ms from the reload log line), p99 ${p99.toFixed(2)} ms; ` +
        `reload ${String(rl.ms)} ms (${String(rl.records)} records); ` +
        `baseline without a reload: max gap ${b.max.toFixed(1)} ms, p99 ${b.p99.toFixed(2)} ms`;
      results.push(line);
      t.diagnostic(line);
      assert.equal(rl.records, BENCH_RECORDS);
      passed = failures === 0 && max < 50;
    }
    assert.deepEqual(await dig(rig.p1, 'host0.bench.example', 'A'), [lastAddr], 'the reloaded zone is served');
    assert.deepEqual(await dig(rig.p1, 'host1.bench.example', 'A'), ['10.0.0.1']);
    assert.ok(passed, `every attempt had a gap of 50 ms or more between answers (or lost queries):\n${results.join('\n')}`);
  });
});

/**
 * `tyne check-zone` as a drop-in for named-checkzone 9.18: each case runs
 * both with the same options on the same files, from the same folder, and
 * compares the exit code, the verdict lines (`zone ORIGIN/IN: loaded
 * serial N` and `OK`, or `not loaded due to errors.`, on the stream
 * named-checkzone uses), and what each check reports (line and name for
 * check-names and -n; the message for the integrity checks), or the dump.
 * Tyne's diagnostics name file:line:col on stderr by design, so their text
 * is compared from the name on. `-i local` where the integrity checks do
 * not matter: BIND's full mode looks out-of-zone names up, Tyne never does.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Name } from '../../src/wire/index.js';
import { formatRecord } from '../../src/zonefile/index.js';
import { loadZoneText } from '../../src/zone/index.js';
import { Journal } from '../../src/xfr/journal.js';
import { haveTool } from '../support/tools.js';
import { tyneCli } from '../support/tyne-cli.js';

const HEAD = '$TTL 300\n@ SOA ns1 hostmaster 10 7200 3600 1209600 300\n@ NS ns1\nns1 A 192.0.2.53\n';

const FILES: Record<string, string> = {
  'good.zone': `${HEAD}www A 192.0.2.80\n@ MX 10 ns1\n`,
  'syntax.zone': `${HEAD}www A 192.0.2.300\n`,
  'names.zone': `${HEAD}bad_host A 192.0.2.80\n@ MX 10 mx_1.example.org.\n@ NS ns_2.example.org.\ntxt_ok TXT "x"\n_s._tcp SRV 0 0 1 tar_get.example.org.\n-lead AAAA ::1\n* A 192.0.2.1\n123 A 192.0.2.2\n`,
  'nsaddr.zone': `${HEAD}@ NS 10.0.0.1.\nsub NS 192.0.2.7\nsub NS ns1\n`,
  'glue.zone': `${HEAD}@ MX 10 mail\nsub NS ns.sub\nsub2 NS ns.sub\nsub3 NS ns1.sub2\n`,
  'dump.zone': `${HEAD}@ 3600 TXT "hello world" "x"\nabcdefghijklmnopqrstuvwxyzabcdefgh A 192.0.2.1\na-very-long-label-name-here-to-pass-column-fourty-six A 192.0.2.1\n@ AAAA 2001:db8::1\nsub NS ns.sub\nns.sub A 192.0.2.9\n@ MX 10 ns1\n`,
  // -w: the $INCLUDE is relative to the working folder (BIND), not to the including file.
  'w/sub/main.zone': '$TTL 300\n@ SOA ns1 hostmaster 3 7200 3600 1209600 300\n@ NS ns1\n$INCLUDE sub/a.inc\n',
  'w/sub/a.inc': 'ns1 A 192.0.2.1\n',
  // -t: absolute paths are inside the root.
  'root/zones/abs.zone': '$TTL 300\n@ SOA ns1 hostmaster 4 7200 3600 1209600 300\n@ NS ns1\n$INCLUDE /zones/abs.inc\n',
  'root/zones/abs.inc': 'ns1 A 192.0.2.1\n',
};

interface Run {
  code: number | null;
  out: string;
  err: string;
}

interface Case {
  title: string;
  args: string[];
  /** Extra arguments for Tyne only (the documented --include-from-cwd). */
  tyneArgs?: string[];
  file: string;
  stdin?: string;
  code: number;
  /** What else must agree, beyond the exit code and the verdict lines. */
  compare?: (bind: Run, tyne: Run) => void;
}

/** BIND's and Tyne's verdict lines: on stdout, or on stderr when the dump goes to stdout. */
function verdict(r: Run, onStderr: boolean): string[] {
  return (onStderr ? r.err : r.out).split('\n').filter((l) => /^zone \S+\/IN: (loaded serial \d+|not loaded due to errors\.)$|^OK$/.test(l));
}

/** check-names / -n reports as `LINE NAME-PART`: BIND "f:5: warning: x: bad name", Tyne "f:5:1: warning: x: bad name". */
function nameReports(text: string, what: RegExp): string[] {
  const out: string[] = [];
  for (const l of text.split('\n')) {
    if (!what.test(l)) continue;
    const m = /^(?:dns_rdata_fromtext: )?[^:]+:(\d+):(?:\d+:)?\s*(?:warning: )?(.*)$/.exec(l);
    if (m !== null) out.push(`${m[1]} ${m[2]!.replace(/^near '([^']*)': /, '$1: ')}`);
  }
  return out.sort();
}

const CHECK_NAMES = /\(check-names\)/;
const NS_ADDRESS = /appears to be an address/;

/** The integrity check messages without their prefixes (BIND "zone x/IN: ", Tyne "file:l:c: warning: "). */
function integrity(text: string): string[] {
  return text.split('\n').filter((l) => /has no (REQUIRED GLUE |SIBLING GLUE )?address(es)? records|is a CNAME|below a DNAME/.test(l))
    .map((l) => l.replace(/^zone \S+: /, '').replace(/^[^:]+:\d+:\d+: (warning: )?/, '')).sort();
}

/** A dump read back into records, one line each (the relative style's text differs, its records must not). */
function records(text: string): string[] {
  return loadZoneText(text, Name.fromText('example.com.')).canonicalRecords().map(formatRecord);
}

const CASES: Case[] = [
  { title: 'a good zone', args: ['-i', 'local'], file: 'good.zone', code: 0, compare: (b, t) => assert.equal(t.out, b.out) },
  { title: 'default options (-i full: BIND also looks names up)', args: [], file: 'good.zone', code: 0 },
  { title: 'a syntax error', args: ['-i', 'local'], file: 'syntax.zone', code: 1 },
  {
    title: 'a missing file: one error', args: [], file: 'nope.zone', code: 1,
    compare: (_b, t) => assert.deepEqual(t.err.trim().split('\n'), ["cannot read zone file 'nope.zone': no such file"]),
  },
  {
    title: '-k warn (default): the same names, on the same lines', args: ['-i', 'none'], file: 'names.zone', code: 0,
    compare: (b, t) => {
      assert.equal(nameReports(b.out, CHECK_NAMES).length, 5);
      assert.deepEqual(nameReports(t.err, CHECK_NAMES), nameReports(b.out, CHECK_NAMES));
    },
  },
  { title: '-k fail', args: ['-i', 'none', '-k', 'fail'], file: 'names.zone', code: 1 },
  {
    title: '-k ignore', args: ['-i', 'none', '-k', 'ignore'], file: 'names.zone', code: 0,
    compare: (b, t) => assert.deepEqual([nameReports(b.out, CHECK_NAMES), nameReports(t.err, CHECK_NAMES)], [[], []]),
  },
  {
    title: '-n warn (default): NS records that are addresses', args: ['-i', 'none', '-k', 'ignore'], file: 'nsaddr.zone', code: 0,
    compare: (b, t) => {
      assert.equal(nameReports(b.out, NS_ADDRESS).length, 2);
      assert.deepEqual(nameReports(t.err, NS_ADDRESS), nameReports(b.out, NS_ADDRESS));
    },
  },
  { title: '-n fail', args: ['-i', 'none', '-n', 'fail'], file: 'nsaddr.zone', code: 1 },
  {
    title: '-n ignore', args: ['-i', 'none', '-n', 'ignore'], file: 'nsaddr.zone', code: 0,
    compare: (b, t) => assert.deepEqual([nameReports(b.out, NS_ADDRESS), nameReports(t.err, NS_ADDRESS)], [[], []]),
  },
  ...(['local', 'local-sibling', 'none'] as const).map((mode): Case => ({
    title: `-i ${mode}: the same integrity warnings`, args: ['-i', mode], file: 'glue.zone', code: 0,
    compare: (b, t) => {
      if (mode !== 'none') assert.ok(integrity(b.out).length >= 2, b.out);
      assert.deepEqual(integrity(t.err), integrity(b.out));
    },
  })),
  {
    title: 'standard input (-)', args: ['-i', 'local'], file: '-', stdin: FILES['good.zone'], code: 0,
    compare: (b, t) => assert.equal(t.out, b.out),
  },
  {
    title: '-q: nothing said', args: ['-q'], file: 'names.zone', code: 0,
    compare: (b, t) => assert.deepEqual([b.out, t.out, t.err], ['', '', '']),
  },
  {
    title: '-D: the same dump, text for text', args: ['-i', 'local', '-D'], file: 'dump.zone', code: 0,
    compare: (b, t) => {
      assert.ok(b.out.split('\n').length > 10);
      assert.equal(t.out, b.out);
    },
  },
  {
    title: '-D -s relative: the same records', args: ['-i', 'local', '-D', '-s', 'relative'], file: 'dump.zone', code: 0,
    compare: (b, t) => {
      assert.match(t.out, /^\$ORIGIN \.$/m);
      assert.deepEqual(records(t.out), records(b.out));
    },
  },
  {
    title: '-o FILE: the same file; the verdict on stdout', args: ['-i', 'local', '-o', '@OUT@'], file: 'dump.zone', code: 0,
    compare: (b, t) => {
      assert.equal(readFileSync(outPath('tyne'), 'latin1'), readFileSync(outPath('bind'), 'latin1'));
      assert.equal(t.out, b.out);
    },
  },
  { title: '-w DIR with BIND\'s $INCLUDE rule (--include-from-cwd)', args: ['-w', '@DIR@/w'], tyneArgs: ['--include-from-cwd'], file: 'sub/main.zone', code: 0 },
  { title: '-t DIR: absolute paths, $INCLUDE too, inside DIR', args: ['-i', 'local', '-t', '@DIR@/root'], file: '/zones/abs.zone', code: 0 },
  { title: '-t DIR -w DIR inside it', args: ['-i', 'local', '-t', '@DIR@/root', '-w', '/zones'], file: 'abs.zone', code: 0 },
  { title: '-t to a missing folder', args: ['-t', '@DIR@/no-such-root'], file: 'good.zone', code: 1 },
  { title: '-w to a missing folder', args: ['-w', '@DIR@/no-such-dir'], file: 'good.zone', code: 1 },
];

let dir = '';
let caseNo = 0;
const outPath = (who: string): string => join(dir, `out-${caseNo}-${who}.db`);

describe('tyne check-zone and named-checkzone on the same inputs', { skip: !haveTool('named-checkzone') }, () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tyne-checkzone-bind-'));
    for (const [name, text] of Object.entries(FILES)) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  CASES.forEach((c, i) => {
    it(c.title, async () => {
      caseNo = i;
      const fill = (who: string) => (a: string): string => a.replace('@DIR@', dir).replace('@OUT@', outPath(who));
      const bindArgs = [...c.args.map(fill('bind')), 'example.com', c.file];
      const b = spawnSync('named-checkzone', bindArgs, { cwd: dir, encoding: 'utf8', timeout: 20_000, input: c.stdin ?? '' });
      const bind: Run = { code: b.status, out: b.stdout, err: b.stderr };
      const tyne = await tyneCli(['check-zone', ...(c.tyneArgs ?? []), ...c.args.map(fill('tyne')), 'example.com', c.file], {
        cwd: dir, ...(c.stdin === undefined ? {} : { input: c.stdin }),
      });
      const show = `named-checkzone ${bindArgs.join(' ')}\n-- BIND out:\n${bind.out}-- BIND err:\n${bind.err}-- Tyne out:\n${tyne.out}-- Tyne err:\n${tyne.err}`;
      assert.equal(bind.code, c.code, show);
      assert.equal(tyne.code, c.code, show);
      const dumpToStdout = c.args.includes('-D') && !c.args.includes('-o');
      assert.deepEqual(verdict(tyne, dumpToStdout), verdict(bind, dumpToStdout), show);
      if (c.code === 0 && !c.args.includes('-q')) assert.equal(verdict(tyne, dumpToStdout).at(-1), 'OK', show);
      c.compare?.(bind, tyne);
    });
  });

  it('Tyne\'s own $INCLUDE rule (beside the including file) differs from BIND\'s where the folders differ', async () => {
    const args = ['-w', join(dir, 'w'), 'example.com', 'sub/main.zone'];
    const b = spawnSync('named-checkzone', args, { encoding: 'utf8', timeout: 20_000 });
    const t = await tyneCli(['check-zone', ...args]);
    assert.equal(b.status, 0, b.stdout);
    assert.equal(t.code, 1, t.err);
    assert.match(t.err, /sub\/sub\/a\.inc': no such file/);
  });

  it('-t: a symbolic link out of DIR is refused, as under a real chroot', async () => {
    symlinkSync(join(dir, 'good.zone'), join(dir, 'root', 'zones', 'out.zone'));
    const t = await tyneCli(['check-zone', '-t', join(dir, 'root'), 'example.com', '/zones/out.zone']);
    assert.equal(t.code, 1, t.err);
    assert.match(t.err, /leads \(by a symbolic link\) to .*good\.zone, outside the -t folder/);
  });

  it('bad usage exits 2 (named-checkzone: 1)', async () => {
    const b = spawnSync('named-checkzone', ['-Z', 'example.com', 'good.zone'], { cwd: dir, encoding: 'utf8', timeout: 20_000 });
    const t = await tyneCli(['check-zone', '-Z', 'example.com', 'good.zone'], { cwd: dir });
    assert.equal(b.status, 1);
    assert.equal(t.code, 2);
    assert.match(t.err, /unsupported option '-Z'/);
  });

  it('-j applies the Tyne journal beside the file; a foreign one is one error', async () => {
    const file = join(dir, 'jnl.zone');
    const v10 = `${HEAD}www A 192.0.2.80\n`;
    writeFileSync(file, v10);
    const origin = Name.fromText('example.com.');
    const z10 = loadZoneText(v10, origin);
    const z11 = loadZoneText(v10.replace(' 10 ', ' 11 ').replace('192.0.2.80', '192.0.2.81'), origin);
    const soa = (z: typeof z10) => z.canonicalRecords().find((r) => r.type === 6)!;
    const www = (z: typeof z10) => z.canonicalRecords().find((r) => r.name.toText() === 'www.example.com.')!;
    const j = Journal.open(`${file}.jnl`);
    j.append({ fromSerial: 10, toSerial: 11, removed: [soa(z10), www(z10)], added: [soa(z11), www(z11)] });
    const plain = await tyneCli(['check-zone', 'example.com', file]);
    assert.match(plain.out, /loaded serial 10\nOK\n$/);
    const journaled = await tyneCli(['check-zone', '-j', '-D', 'example.com', file]);
    assert.equal(journaled.code, 0, journaled.err);
    assert.match(journaled.err, /loaded serial 11\nOK/);
    assert.match(journaled.out, /^www\.example\.com\.\s+300 IN A\s+192\.0\.2\.81$/m);
    writeFileSync(`${file}.jnl`, ';BIND LOG V9\n');
    const foreign = await tyneCli(['check-zone', '-j', 'example.com', file]);
    assert.equal(foreign.code, 1);
    assert.equal(foreign.err.trim().split('\n').length, 1, foreign.err);
    assert.match(foreign.err, /not a Tyne journal/);
  });
});

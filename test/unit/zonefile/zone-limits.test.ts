import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, describe, it } from 'node:test';
import { Name, formatDiagnostic } from '../../../src/wire/index.js';
import {
  DEFAULT_ZONE_LIMITS, ZoneFileCode, ZoneLexer, parseZoneFile, parseZoneText, zoneLimits, type ZoneLimits, type ZoneParseOptions,
} from '../../../src/zonefile/index.js';

const origin = Name.fromText('example.com.');
const SOA = '$TTL 60\n@ IN SOA ns1 hostmaster 1 3600 900 604800 300\n@ NS ns1\nns1 A 192.0.2.53\n';

const dir = mkdtempSync(join(tmpdir(), 'tyne-limits-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Writes `files` (name to text) into a fresh folder under `dir`; returns the folder. */
let folders = 0;
function files(entries: Record<string, string | Buffer>): string {
  const d = join(dir, `case-${++folders}`);
  mkdirSync(d, { recursive: true });
  for (const [name, text] of Object.entries(entries)) {
    mkdirSync(join(d, name, '..'), { recursive: true });
    writeFileSync(join(d, name), text);
  }
  return d;
}

/** Eight files, each $INCLUDEing the next one ten times (10^8 reads, no cycle), the last holding one record. */
function fanOut(): Record<string, string> {
  const out: Record<string, string> = { 'main.zone': `${SOA}$INCLUDE f1.inc\n` };
  for (let i = 1; i <= 8; i++) {
    out[`f${i}.inc`] = i === 8 ? 'leaf A 192.0.2.1\n' : `; padding ${'x'.repeat(900)}\n${`$INCLUDE f${i + 1}.inc\n`.repeat(10)}`;
  }
  return out;
}

interface Case {
  name: string;
  files: Record<string, string | Buffer>;
  limits?: Partial<ZoneLimits>;
  options?: Partial<ZoneParseOptions>;
  /** Expected error code (the first error), or null for a zone that reads without errors. */
  code: string | null;
  /** The first error, formatted, must match this (file:line:col: message). */
  message?: RegExp;
  /** Records read, when no error is expected. */
  records?: number;
  /** Longest the parse may take (it must fail fast). */
  maxMs?: number;
}

const cases: Case[] = [
  {
    name: '$INCLUDE fan-out (10^8 reads) fails fast at the default max-include-reads',
    files: fanOut(),
    code: ZoneFileCode.TOO_MANY_INCLUDES,
    message: /f\d\.inc:\d+:1: zone not read: more than 1000 \$INCLUDE reads \(max-include-reads\)/,
    maxMs: 2000,
  },
  {
    name: 'includes within max-include-reads are read',
    files: { 'main.zone': `${SOA}${'$INCLUDE a.inc\n'.repeat(3)}`, 'a.inc': 'a A 192.0.2.1\n' },
    limits: { maxIncludeReads: 3 },
    code: null,
    records: 6,
  },
  {
    name: 'one include over max-include-reads',
    files: { 'main.zone': `${SOA}${'$INCLUDE a.inc\n'.repeat(4)}`, 'a.inc': 'a A 192.0.2.1\n' },
    limits: { maxIncludeReads: 3 },
    code: ZoneFileCode.TOO_MANY_INCLUDES,
    message: /main\.zone:8:1: zone not read: more than 3 \$INCLUDE reads/,
  },
  {
    name: 'records over max-records',
    files: { 'main.zone': `${SOA}a A 192.0.2.1\nb A 192.0.2.2\n` },
    limits: { maxRecords: 4 },
    code: ZoneFileCode.TOO_MANY_RECORDS,
    message: /main\.zone:6:1: zone not read: more than 4 records \(max-records\)/,
  },
  {
    name: 'records at max-records are read',
    files: { 'main.zone': `${SOA}a A 192.0.2.1\n` },
    limits: { maxRecords: 4 },
    code: null,
    records: 4,
  },
  {
    name: '$GENERATE 1-10000000 is refused before generating, at the default max-records',
    files: { 'main.zone': `${SOA}$GENERATE 1-10000000 h$ A 10.0.0.1\n` },
    code: ZoneFileCode.TOO_MANY_RECORDS,
    message: /main\.zone:5:11: zone not read: this \$GENERATE makes 10000000 records, which with the 3 before it is more than 4000000/,
    maxMs: 200,
  },
  {
    name: 'records of $INCLUDEd files count towards max-records',
    files: { 'main.zone': `${SOA}$INCLUDE a.inc\n`, 'a.inc': 'a A 192.0.2.1\nb A 192.0.2.2\n' },
    limits: { maxRecords: 4 },
    code: ZoneFileCode.TOO_MANY_RECORDS,
    message: /a\.inc:2:1: zone not read: more than 4 records/,
  },
  {
    name: 'a zone file over max-zone-file-size is refused before it is read',
    files: { 'main.zone': `${SOA}${'; comment\n'.repeat(100)}` },
    limits: { maxFileBytes: 500 },
    code: ZoneFileCode.TOO_LARGE,
    message: /main\.zone:1:1: zone not read: the zone file has \d+ octets or more .*more than max-zone-file-size \(500\)/,
  },
  {
    name: 'max-zone-file-size adds up the $INCLUDEd files',
    files: { 'main.zone': `${SOA}$INCLUDE a.inc\n$INCLUDE a.inc\n`, 'a.inc': `a A 192.0.2.1\n${'; comment\n'.repeat(20)}` },
    limits: { maxFileBytes: 400 },
    code: ZoneFileCode.TOO_LARGE,
    message: /main\.zone:6:1: zone not read: the zone file and its \$INCLUDEs add up to \d+ octets/,
  },
  {
    name: 'a line over max-line-length',
    files: { 'main.zone': `${SOA}t TXT "${'x'.repeat(300)}"\nok A 192.0.2.1\n` },
    limits: { maxLineBytes: 200 },
    code: ZoneFileCode.LINE_TOO_LONG,
    message: /main\.zone:5:201: line longer than 200 octets \(max-line-length\); skipped; raise max-line-length/,
  },
  {
    name: 'a logical line (parentheses) over max-line-length',
    files: { 'main.zone': `${SOA}t TXT (\n${'"0123456789"\n'.repeat(30)})\nok A 192.0.2.1\n` },
    limits: { maxLineBytes: 200 },
    code: ZoneFileCode.LINE_TOO_LONG,
    message: /main\.zone:5:1: logical line \(joined by parentheses\) longer than 200 octets/,
  },
  {
    name: 'a 64 MiB single-line file fails fast at the default max-line-length',
    files: { 'main.zone': Buffer.concat([Buffer.from(SOA), Buffer.alloc(64 * 1024 * 1024, 0x61)]) },
    code: ZoneFileCode.LINE_TOO_LONG,
    message: /main\.zone:5:1048577: line longer than 1048576 octets/,
    maxMs: 3000,
  },
  {
    name: '$INCLUDE of /dev/zero is still refused as not a file',
    files: { 'main.zone': `${SOA}$INCLUDE /dev/zero\n` },
    code: ZoneFileCode.IO,
    message: /main\.zone:5:1: cannot read zone file '\/dev\/zero': not a file/,
  },
];

describe('zone limits (max-include-reads, max-records, max-zone-file-size, max-line-length)', () => {
  for (const c of cases) {
    it(c.name, () => {
      const d = files(c.files);
      let records = 0;
      const t0 = performance.now();
      const res = parseZoneFile(join(d, 'main.zone'), { origin, ...c.options, ...(c.limits ? { limits: c.limits } : {}) }, () => records++);
      const ms = performance.now() - t0;
      if (c.code === null) {
        assert.deepEqual(res.errors.map(formatDiagnostic), []);
        assert.equal(records, c.records);
      } else {
        assert.ok(res.errors.length > 0, 'an error is reported');
        assert.equal(res.errors[0]!.code, c.code, formatDiagnostic(res.errors[0]!));
        assert.match(formatDiagnostic(res.errors[0]!), c.message!);
        assert.ok(res.errors[0]!.at !== undefined && res.errors[0]!.at.line > 0, 'the error has a position');
      }
      if (c.maxMs !== undefined) assert.ok(ms < c.maxMs, `took ${ms.toFixed(0)} ms, more than ${c.maxMs}`);
    });
  }

  it('the defaults load a zone that uses none of the limits, and limits can be given in part', () => {
    assert.deepEqual(zoneLimits(undefined), DEFAULT_ZONE_LIMITS);
    assert.deepEqual(zoneLimits({ maxRecords: 5, maxLineBytes: undefined }), { ...DEFAULT_ZONE_LIMITS, maxRecords: 5 });
    const r = parseZoneText(`${SOA}a A 192.0.2.1\n`, { origin }, () => {});
    assert.deepEqual(r.errors, []);
  });
});

describe('include-confine', () => {
  const outside = files({ 'secret.txt': 'root:x:0:0:secret\n', 'hosts.inc': 'far A 192.0.2.9\n' });
  const d = files({
    'main.zone': `${SOA}$INCLUDE sub/a.inc\n`,
    'sub/a.inc': 'a A 192.0.2.1\n$INCLUDE ../b.inc\n',
    'b.inc': 'b A 192.0.2.2\n',
    'escape.zone': `${SOA}$INCLUDE ../${outside.split('/').pop()}/secret.txt\n`,
    'absolute.zone': `${SOA}$INCLUDE ${join(outside, 'hosts.inc')}\n`,
    'link.zone': `${SOA}$INCLUDE link.inc\n`,
    'dirlink.zone': `${SOA}$INCLUDE away/hosts.inc\n`,
  });
  symlinkSync(join(outside, 'secret.txt'), join(d, 'link.inc'));
  symlinkSync(outside, join(d, 'away'));

  const table: { file: string; confine: boolean; code: string | null; message?: RegExp; records?: number }[] = [
    { file: 'main.zone', confine: true, code: null, records: 5 },
    { file: 'escape.zone', confine: true, code: ZoneFileCode.INCLUDE_OUTSIDE, message: /escape\.zone:5:1: \$INCLUDE '.*secret\.txt' is outside the zone file's folder .* \(include-confine\)/ },
    { file: 'absolute.zone', confine: true, code: ZoneFileCode.INCLUDE_OUTSIDE, message: /absolute\.zone:5:1: .*hosts\.inc' is outside the zone file's folder/ },
    { file: 'link.zone', confine: true, code: ZoneFileCode.INCLUDE_OUTSIDE, message: /link\.zone:5:1: \$INCLUDE '.*link\.inc' leads \(by a symbolic link\) to .*secret\.txt, outside/ },
    { file: 'dirlink.zone', confine: true, code: ZoneFileCode.INCLUDE_OUTSIDE, message: /dirlink\.zone:5:1: .*leads \(by a symbolic link\)/ },
    // Not confined (the default, as BIND): the file is read (and its text quoted in the errors).
    { file: 'escape.zone', confine: false, code: ZoneFileCode.SYNTAX },
    { file: 'absolute.zone', confine: false, code: null, records: 4 },
  ];
  for (const c of table) {
    it(`${c.file}, include-confine ${c.confine}: ${c.code ?? 'read'}`, () => {
      let records = 0;
      const res = parseZoneFile(join(d, c.file), { origin, confineIncludes: c.confine }, () => records++);
      if (c.code === null) {
        assert.deepEqual(res.errors.map(formatDiagnostic), []);
        assert.equal(records, c.records);
        return;
      }
      assert.equal(res.errors[0]?.code, c.code, res.errors.map(formatDiagnostic).join('\n'));
      if (c.message) assert.match(formatDiagnostic(res.errors[0]!), c.message);
      if (c.code === ZoneFileCode.INCLUDE_OUTSIDE) {
        assert.ok(!res.errors.some((e) => e.message.includes('secret')) || res.errors.every((e) => e.code === ZoneFileCode.INCLUDE_OUTSIDE), 'nothing of the file is quoted');
      }
    });
  }
});

describe('lexer: long lines cost their length, not its square', () => {
  it('a 16 MiB one-line file (limit raised) is read in linear time (against a 4 MiB one, same run)', () => {
    // A comment line: the lexer alone (no rdata decoding) reads it.
    const time = (mib: number): number => {
      const d = files({ 'main.zone': Buffer.concat([Buffer.from(`${SOA}; `), Buffer.alloc(mib * 1024 * 1024, 0x61), Buffer.from('\nok A 192.0.2.1\n')]) });
      let records = 0;
      const t0 = performance.now();
      const res = parseZoneFile(join(d, 'main.zone'), { origin, limits: { maxLineBytes: 1024 ** 3 } }, () => records++);
      const ms = performance.now() - t0;
      assert.deepEqual(res.errors, []);
      assert.equal(records, 4);
      return ms;
    };
    time(1); // warm-up
    const small = Math.max(time(4), 1);
    const big = time(16);
    // 4 times the text: linear is about 4 times the time; the old lexer (quadratic) took about 16 times.
    assert.ok(big / small < 9, `16 MiB took ${big.toFixed(0)} ms, 4 MiB ${small.toFixed(0)} ms (ratio ${(big / small).toFixed(1)})`);
  });

  it('a line over the limit is reported once, skipped to its end, and the lines after it are read', () => {
    const problems: string[] = [];
    const lines: string[] = [];
    const lexer = new ZoneLexer((line, col, message, code) => problems.push(`${line}:${col} ${code ?? ''} ${message}`), 10);
    for (const piece of ['a A 1\nbbbb', 'bbbbbbbbbbbb', 'bbbb\nc A 2', '\n']) lexer.push(piece, (l) => lines.push(l.tokens.map((t) => t.text).join(' ')));
    lexer.end(() => {});
    assert.deepEqual(lines, ['a A 1', 'c A 2']);
    assert.deepEqual(problems, ['2:11 ZONEFILE_LINE_TOO_LONG line longer than 10 octets (max-line-length); skipped']);
  });
});

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Name, formatDiagnostic, type ResourceRecord, type SourcePosition } from '../../../src/wire/index.js';
import { formatRecord, parseZoneFile, parseZoneText, type ZoneParseOptions } from '../../../src/zonefile/index.js';

const origin = Name.fromText('example.com.');

function parse(text: string, options: Partial<ZoneParseOptions> = {}) {
  const records: { rr: ResourceRecord; at: SourcePosition }[] = [];
  const res = parseZoneText(text, { origin, ...options }, (rr, at) => records.push({ rr, at }), 'z.zone');
  return {
    lines: records.map((r) => formatRecord(r.rr)),
    at: records.map((r) => `${r.at.line}:${r.at.col}`),
    errors: res.errors.map(formatDiagnostic),
    warnings: res.warnings.map(formatDiagnostic),
  };
}

const SOA = '@ IN SOA ns1 hostmaster 1 3600 900 604800 300\n';

describe('zone-file syntax (RFC 1035 §5)', () => {
  it('reads owners, @, blank owners, TTL and class in either order', () => {
    const r = parse(`$TTL 1h\n${SOA}  NS ns1\nwww 300 IN A 192.0.2.1\n    IN 600 AAAA 2001:db8::1\nftp CLASS1 TYPE1 \\# 4 C0000202\n`);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.lines, [
      'example.com.\t3600\tIN\tSOA\tns1.example.com. hostmaster.example.com. 1 3600 900 604800 300',
      'example.com.\t3600\tIN\tNS\tns1.example.com.',
      'www.example.com.\t300\tIN\tA\t192.0.2.1',
      'www.example.com.\t600\tIN\tAAAA\t2001:db8::1',
      'ftp.example.com.\t3600\tIN\tA\t192.0.2.2',
    ]);
  });

  it('joins lines inside parentheses and drops comments', () => {
    const r = parse(`$TTL 60\n@ IN SOA ns1 hostmaster ( ; the SOA\n  2026 ; serial\n  1h 15m 1w 5m )\nt TXT ( "a;b" ; not a comment inside quotes\n "c" )\n`);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.lines, [
      'example.com.\t60\tIN\tSOA\tns1.example.com. hostmaster.example.com. 2026 3600 900 604800 300',
      't.example.com.\t60\tIN\tTXT\t"a;b" "c"',
    ]);
    assert.deepEqual(r.at, ['2:1', '5:1']);
  });

  it('follows $ORIGIN for relative names and keeps absolute ones', () => {
    const r = parse(`$TTL 60\n${SOA}$ORIGIN sub\na CNAME b\n$ORIGIN other.net.\nc CNAME d.example.com.\n`);
    assert.deepEqual(r.lines.slice(1), ['a.sub.example.com.\t60\tIN\tCNAME\tb.sub.example.com.', 'c.other.net.\t60\tIN\tCNAME\td.example.com.']);
  });

  it('applies BIND default TTL rules: $TTL, else the last TTL (warned), else the SOA minimum (warned)', () => {
    const a = parse(`@ 120 IN SOA ns1 h 1 2 3 4 5\n NS ns1\nns1 A 192.0.2.1\n`);
    assert.deepEqual(a.lines.map((l) => l.split('\t')[1]), ['120', '120', '120']);
    assert.equal(a.warnings.length, 1);
    assert.match(a.warnings[0]!, /z\.zone:2:2: warning: using RFC 1035 TTL semantics/);
    const b = parse(`@ IN SOA ns1 h 1 2 3 4 5\n@ 7 NS ns1\nns1 A 192.0.2.1\n`);
    assert.deepEqual(b.lines.map((l) => l.split('\t')[1]), ['5', '7', '5'], 'the SOA minimum then serves as $TTL (BIND)');
    assert.match(b.warnings[0]!, /no TTL specified; using SOA MINTTL instead/);
    const c = parse(`ns1 A 192.0.2.1\n`);
    assert.match(c.errors[0]!, /^z\.zone:1:1: no TTL specified/);
  });

  it('reports every error with file:line:col, and keeps going', () => {
    const r = parse(`$TTL 60\n${SOA}www AAAA 2001:db8::10002\nmx MX 10\nx BOGUS 1\ny IN CH TXT "x"\nz CH TXT "x"\nok A 192.0.2.9\n$FOO\n`);
    assert.deepEqual(r.errors, [
      "z.zone:3:10: bad IPv6 address '2001:db8::10002'",
      'z.zone:4:7: missing name',
      "z.zone:5:3: unknown record type 'BOGUS'",
      "z.zone:6:6: unknown record type 'CH'",
      "z.zone:7:1: class 'CH' does not match the zone's class 'IN'",
      "z.zone:9:1: unknown directive '$FOO'",
    ]);
    assert.deepEqual(r.lines.slice(1), ['ok.example.com.\t60\tIN\tA\t192.0.2.9']);
  });

  it('caps the error list at maxErrors', () => {
    const r = parse('$TTL 60\n' + 'x A bad\n'.repeat(20), { maxErrors: 5 });
    assert.equal(r.errors.length, 6);
    assert.match(r.errors[5]!, /too many errors \(5\)/);
  });

  it('reports unbalanced parentheses and quotes', () => {
    assert.match(parse('$TTL 60\nx TXT ( "a"\n').errors[0]!, /z\.zone:2:\d+: unbalanced parentheses/);
    assert.match(parse('$TTL 60\nx TXT "a\n').errors[0]!, /z\.zone:2:7: unterminated quoted string/);
    assert.match(parse('$TTL 60\nx A 1.2.3.4 )\n').errors[0]!, /z\.zone:2:13: unbalanced parentheses/);
  });

  it('refuses obsolete MD and MF as BIND does', () => {
    assert.match(parse('$TTL 60\nx MD a.example.\n').errors[0]!, /type 'MD' is obsolete/);
  });

  it('keeps SVCB key="quoted value" together', () => {
    const r = parse('$TTL 60\ns SVCB 1 . alpn="h2,h3" key9="a b"\n');
    assert.deepEqual(r.errors, []);
    assert.equal(r.lines[0], 's.example.com.\t60\tIN\tSVCB\t1 . alpn="h2,h3" key9="a b"');
  });
});

describe('$GENERATE (BIND)', () => {
  it('expands ranges, steps and ${offset,width,base}', () => {
    const r = parse('$TTL 60\n$GENERATE 1-10/4 h${-1,3} 30 IN A 10.0.0.$\n$GENERATE 4660-4660 ${0,0,x}-${0,6,X}-${0,0,o} PTR x${0,8,n}ip6.arpa.\n$GENERATE 1-2 m$ MX "10 mx$"\n$GENERATE 1-1 a\\$ TXT "\\$"\n');
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.lines, [
      'h000.example.com.\t30\tIN\tA\t10.0.0.1',
      'h004.example.com.\t30\tIN\tA\t10.0.0.5',
      'h008.example.com.\t30\tIN\tA\t10.0.0.9',
      '1234-001234-11064.example.com.\t60\tIN\tPTR\tx4.3.2.1.ip6.arpa.',
      'm1.example.com.\t60\tIN\tMX\t10 mx1.example.com.',
      'm2.example.com.\t60\tIN\tMX\t10 mx2.example.com.',
      'a\\$.example.com.\t60\tIN\tTXT\t"$"',
    ]);
  });

  it('reports a bad range or template once, at its position', () => {
    assert.match(parse('$TTL 60\n$GENERATE 5-1 h$ A 10.0.0.$\n').errors[0]!, /z\.zone:2:11: \$GENERATE range '5-1' starts after it stops/);
    const r = parse('$TTL 60\n$GENERATE 1-300 h$ A 10.0.0.$\n');
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0]!, /\$GENERATE 256: bad IPv4 address '10\.0\.0\.256'/);
    assert.match(parse('$TTL 60\n$GENERATE 0-100 h$ A 10.0.0.$\n', { maxGenerate: 50 }).errors[0]!, /makes 101 records, more than 50/);
  });
});

describe('$INCLUDE', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tyne-include-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'main.zone'), `$TTL 60\n${SOA}$INCLUDE sub/hosts.inc hosts\n$INCLUDE loop.inc\nafter A 192.0.2.3\n`);
  writeFileSync(join(dir, 'loop.inc'), '$INCLUDE loop.inc\n');
  writeFileSync(join(dir, 'sub', 'hosts.inc'), 'a A 192.0.2.1\n$INCLUDE ../leaf.inc\n');
  writeFileSync(join(dir, 'leaf.inc'), 'b A 192.0.2.2\n');

  it('reads files relative to the including file, with their own origin, and detects cycles', () => {
    const records: string[] = [];
    const res = parseZoneFile(join(dir, 'main.zone'), { origin }, (rr) => records.push(formatRecord(rr)));
    assert.deepEqual(records.slice(1), [
      'a.hosts.example.com.\t60\tIN\tA\t192.0.2.1',
      'b.hosts.example.com.\t60\tIN\tA\t192.0.2.2',
      'after.example.com.\t60\tIN\tA\t192.0.2.3',
    ]);
    assert.equal(res.errors.length, 1);
    assert.match(formatDiagnostic(res.errors[0]!), /loop\.inc:1:1: \$INCLUDE cycle/);
  });

  it('names a missing file at the $INCLUDE line', () => {
    writeFileSync(join(dir, 'missing.zone'), '$TTL 60\n$INCLUDE nope.inc\n');
    const res = parseZoneFile(join(dir, 'missing.zone'), { origin }, () => {});
    assert.match(formatDiagnostic(res.errors[0]!), /missing\.zone:2:1: cannot read zone file '.*nope\.inc': no such file/);
  });
});

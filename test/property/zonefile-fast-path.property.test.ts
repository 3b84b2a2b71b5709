/**
 * The zone-file fast path (plain A and AAAA lines read without token
 * objects, strings or Names, and stored by ZoneBuilder.addAddress) must
 * agree with the general path on every input: random zone text made of
 * lines near the fast path's edges (owners that are `@`, blank, absolute,
 * out of the zone, wildcards, too long, with escapes or empty labels; TTLs
 * in digits, with units, too large, missing; classes and types in other
 * cases; addresses that do not parse; duplicates, CNAME conflicts) is read
 * with `fastPath: false` and with the fast path, and the records, the
 * diagnostics and the zone built must be the same.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseZoneText, type AddressSink } from '../../src/zonefile/index.js';
import { Name, RRClass, type Diagnostic, type ResourceRecord, type SourcePosition } from '../../src/wire/index.js';
import { ZoneBuilder, checkNames, hostOwnerOk, loadZoneFromText } from '../../src/zone/index.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const ORIGIN = Name.fromText('fast.example.');

const owner = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,8}$/) },
  fc.constantFrom('@', '', '', 'Host', 'HOST', 'host', 'a.b', '*', '*.w', 'x.*.y', 'fast.example.', 'sub.fast.example.', 'other.example.', '.', 'a..b', '.a'),
  fc.constantFrom('$bad', 'a\\.b', 'a\\065', 'x_y', 'a@b', '@b', '@60', '@IN', 'é', 'ā', 'a'.repeat(63), 'a'.repeat(64), `${'abcdefgh.'.repeat(27)}z`),
);
const ttl = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom('', '', '3600', '0', '60') },
  fc.constantFrom('1h', '2147483647', '2147483648', '4294967295', '99999999999', '007', '1w2d'),
);
const cls = fc.oneof({ weight: 8, arbitrary: fc.constantFrom('', 'IN') }, fc.constantFrom('in', 'CH', 'CLASS1'));
const oddType = fc.constantFrom('a', 'aaaa', 'TXT', 'CNAME', 'MX', 'NS');
const oddAddress = fc.constantFrom('1.2.3', '01.2.3.4', '256.1.1.1', '::', '::ffff:1.2.3.4', 'gg::1', 'target', '10 mx', '"quoted"', 'x (', '1.2.3.4 extra');
/** Type and address: mostly an A or AAAA with an address of its kind. */
const typed = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(fc.constant('A'), fc.ipV4()) },
  { weight: 5, arbitrary: fc.tuple(fc.constant('AAAA'), fc.ipV6()) },
  fc.tuple(fc.oneof(fc.constantFrom('A', 'AAAA'), oddType), fc.oneof(fc.ipV4(), fc.ipV6(), oddAddress)),
);
const recordLine = fc
  .tuple(owner, ttl, cls, fc.boolean(), typed, fc.constantFrom(' ', '\t', '  '))
  .map(([o, t, c, swap, [ty, a], sep]) => [o, ...(swap ? [c, t] : [t, c]), ty, a].filter((w, i) => i === 0 || w !== '').join(sep));
/** A record line with something put in anywhere: a character no plain line has, a word more, a comment, an escape. */
const spoiledLine = fc
  .tuple(recordLine, fc.nat(), fc.constantFrom('(', ')', '"', '\\', ';', '; (', ' ', '\t', '\r', '.', '@', '$', ' extra', ' 1.2.3.4', '\\065', '..', '=', 'ā'))
  .map(([l, at, what]) => l.slice(0, at % (l.length + 1)) + what + l.slice(at % (l.length + 1)));
const line = fc.oneof(
  { weight: 12, arbitrary: recordLine },
  { weight: 4, arbitrary: spoiledLine },
  fc.constantFrom('$TTL 300', '$TTL 1h', '$ORIGIN sub.fast.example.', '$ORIGIN fast.example.', '; a comment', '', '   ', 'host IN A 192.0.2.1 ; comment', 'host IN A 192.0.2.1\r'),
  fc.constantFrom('@ IN SOA ns hostmaster 1 3600 900 604800 300', '@ NS ns', 'ns A 192.0.2.53', 'c CNAME host', 'c A 192.0.2.9', 'm ( IN A', '  192.0.2.7 )', 'q "quoted" A 1.2.3.4'),
);
const zoneText = fc.tuple(fc.constantFrom(true, true, true, false), fc.array(line, { maxLength: 30 })).map(([ttlFirst, lines]) => (ttlFirst ? ['$TTL 3600', ...lines] : lines).join('\n') + '\n');

function diag(d: Diagnostic): string {
  return `${d.severity} ${d.code} ${d.at?.file}:${d.at?.line}:${d.at?.col} ${d.message}`;
}

function show(rr: ResourceRecord, at: SourcePosition): string {
  return `${hex(rr.name.wire)} ${rr.type} ${rr.class} ${rr.ttl} ${hex(rr.rdata)} @${at.file}:${at.line}:${at.col}`;
}

/** What the parser hands on, in order, both sinks together; and its diagnostics. */
function parsed(text: string, fastPath: boolean, withAddressSink: boolean, zoneClass: number): string[] {
  const got: string[] = [];
  const sink: AddressSink = {
    address(o, n, t, c, ttlValue, rdata, file, lineNo, col) {
      seen.fast++;
      got.push(`${hex(o.subarray(0, n))} ${t} ${c} ${ttlValue} ${hex(rdata)} @${file}:${lineNo}:${col}`);
    },
  };
  const res = parseZoneText(text, { origin: ORIGIN, fastPath, zoneClass }, (rr, at) => got.push(show(rr, at)), '<text>', withAddressSink ? sink : undefined);
  return [...got, '--', ...res.errors.map(diag), '--', ...res.warnings.map(diag), `records ${res.records}`];
}

/** Cases that built a zone and cases that took the fast path, so the properties can tell they did not test nothing. */
const seen = { zones: 0, fast: 0 };

function zoneOutcome(res: ReturnType<typeof loadZoneFromText>): string[] {
  if (res.zone !== null) seen.zones++;
  const records = res.zone === null ? ['no zone'] : res.zone.canonicalRecords().map((rr) => `${hex(rr.name.wire)} ${rr.type} ${rr.ttl} ${hex(rr.rdata)}`);
  return [...records, '--', ...res.errors.map(diag), '--', ...res.warnings.map(diag), `count ${res.zone?.recordCount ?? -1}`];
}

/** check-zone's use: an onRecord that reports check-names problems, and the quietAddress that lets the fast path skip it. */
function checked(text: string, fastPath: boolean): string[] {
  const own: string[] = [];
  const res = loadZoneFromText(text, ORIGIN, {
    fastPath,
    onRecord: (rr, at) => {
      for (const bad of checkNames(rr)) own.push(`${bad.where} ${hex(bad.wire.subarray(bad.offset))} ${at.line}:${at.col}`);
    },
    quietAddress: (o) => hostOwnerOk(o),
  });
  return [...zoneOutcome(res), '--', ...own];
}

describe('zone-file fast path', () => {
  it('parses to the same records and diagnostics as the general path (RecordSink only, and with an AddressSink)', () => {
    seen.fast = 0;
    fc.assert(
      fc.property(zoneText, fc.constantFrom(RRClass.IN, RRClass.IN, RRClass.IN, RRClass.CH), (text, zoneClass) => {
        const general = parsed(text, false, false, zoneClass);
        assert.deepEqual(parsed(text, true, false, zoneClass), general, text);
        assert.deepEqual(parsed(text, true, true, zoneClass), general, text);
      }),
      { numRuns: 600, seed: 16 },
    );
    assert.ok(seen.fast > 1000, `the fast path took only ${seen.fast} records`);
  });

  it('builds the same zone, with the same diagnostics, as the general path (and check-zone\'s checks say the same)', () => {
    seen.zones = 0;
    fc.assert(
      fc.property(zoneText, (text) => {
        const withSoa = `$TTL 60\n@ IN SOA ns hostmaster 1 3600 900 604800 300\n@ NS ns.other.\n${text}`;
        for (const t of [text, withSoa]) {
          assert.deepEqual(zoneOutcome(loadZoneFromText(t, ORIGIN, {})), zoneOutcome(loadZoneFromText(t, ORIGIN, { fastPath: false })), t);
          assert.deepEqual(checked(t, true), checked(t, false), t);
        }
      }),
      { numRuns: 400, seed: 4592 },
    );
    assert.ok(seen.zones > 200, `only ${seen.zones} zones built`);
  });

  it('is taken for plain A and AAAA lines only', () => {
    const text = '$TTL 60\nhost IN A 192.0.2.1\n  AAAA 2001:db8::1\nhost TXT "x"\n( h2 A 192.0.2.2 )\n*.w A 192.0.2.3\nh3 3600 IN AAAA ::1 ; c\n';
    const viaAddress: string[] = [];
    const viaSink: string[] = [];
    const res = parseZoneText(text, { origin: ORIGIN }, (rr) => viaSink.push(rr.name.toText()), '<text>', {
      address: (o, n, t) => viaAddress.push(`${Name.fromWire(o.slice(0, n)).toText()} ${t}`),
    });
    assert.deepEqual(res.errors, []);
    assert.deepEqual(viaAddress, ['host.fast.example. 1', 'host.fast.example. 28', '*.w.fast.example. 1', 'h3.fast.example. 28']);
    assert.deepEqual(viaSink, ['host.fast.example.', 'h2.fast.example.']);
  });
});

describe('ZoneBuilder.addAddress', () => {
  const rec = fc.tuple(
    fc.constantFrom('a', 'b', 'B', 'c', '*', 'x.*', 'out.', 'cn', '@'),
    fc.oneof({ weight: 20, arbitrary: fc.constant(RRClass.IN) }, fc.constant(RRClass.CH)),
    fc.constantFrom(1, 28),
    fc.constantFrom(60, 60, 120),
    fc.uint8Array({ minLength: 4, maxLength: 4 }),
  );
  it('builds what add builds from the same records (small chunks too, so the inline layouts do not always fit)', () => {
    seen.zones = 0;
    fc.assert(
      fc.property(fc.array(rec, { maxLength: 40 }), fc.constantFrom(undefined, 64, 512), (recs, chunkSize) => {
        const outcome = (viaAddress: boolean): string[] => {
          const b = new ZoneBuilder(ORIGIN, chunkSize === undefined ? {} : { chunkSize });
          b.add({ name: ORIGIN, type: 6, class: 1, ttl: 60, rdata: new Uint8Array(22) }, { file: 'f', line: 1, col: 1 });
          b.add({ name: Name.fromText('cn', ORIGIN), type: 5, class: 1, ttl: 60, rdata: ORIGIN.wire }, { file: 'f', line: 2, col: 1 });
          b.add({ name: ORIGIN, type: 2, class: 1, ttl: 60, rdata: Name.fromText('ns.other.').wire }, { file: 'f', line: 2, col: 1 });
          recs.forEach(([o, c, t, ttlValue, addr], i) => {
            const name = o === '@' ? ORIGIN : o.endsWith('.') ? Name.fromText(`${o}example.`) : Name.fromText(o, ORIGIN);
            const rdata = t === 1 ? addr : Uint8Array.from([...addr, ...addr, ...addr, ...addr]);
            if (viaAddress) b.addAddress(name.wire, name.wire.length, t, c, ttlValue, rdata, 'f', i + 3, 1);
            else b.add({ name, type: t, class: c, ttl: ttlValue, rdata }, { file: 'f', line: i + 3, col: 1 });
          });
          const res = b.build();
          if (res.zone !== null) seen.zones++;
          const records = res.zone === null ? ['no zone'] : res.zone.canonicalRecords().map((rr) => `${hex(rr.name.wire)} ${rr.type} ${rr.ttl} ${hex(rr.rdata)}`);
          return [...records, '--', ...res.errors.map(diag), '--', ...res.warnings.map(diag)];
        };
        assert.deepEqual(outcome(true), outcome(false));
      }),
      { numRuns: 400, seed: 2181 },
    );
    assert.ok(seen.zones > 200, `only ${seen.zones} zones built`);
  });
});

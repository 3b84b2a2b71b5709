/**
 * readCatalog, table-driven: each row a small catalog zone text. Broken
 * variants (RFC 9432 §4.2, §4.3, §4.4.1) must give ok: false with a reason
 * naming the owner at fault; ignored variants must read as a catalog whose
 * members are exactly the ones listed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildCatalogZone, readCatalog, type CatalogReading } from '../../../src/catalog/index.js';
import { Name } from '../../../src/wire/index.js';
import { loadZoneText } from '../../../src/zone/index.js';

const ORIGIN = Name.fromText('catalog.example.');
const APEX = ['$TTL 0', '@ SOA invalid. invalid. 1 3600 600 2147483646 0', '@ NS invalid.'];
const VERSION = 'version TXT "2"';

function read(lines: readonly string[]): CatalogReading {
  return readCatalog(loadZoneText([...APEX, ...lines].join('\n'), ORIGIN));
}

/** A member as [id, name, groups, coo or null], for comparing. */
type Row = [string, string, string[], string | null];

function members(reading: CatalogReading): Row[] {
  assert.ok(reading.ok, reading.ok ? '' : `unexpectedly broken: ${reading.reason}`);
  return reading.members.map((m) => [m.id, m.name.toText(), m.groups, m.coo === null ? null : m.coo.toText()]);
}

const BROKEN: { title: string; lines: string[]; reason: RegExp }[] = [
  { title: 'no version property', lines: ['aa.zones PTR a.example.'], reason: /^version\.catalog\.example\. has no TXT record/ },
  { title: 'a version node without TXT', lines: ['version A 192.0.2.1'], reason: /^version\.catalog\.example\. has no TXT record/ },
  { title: 'two version TXT records', lines: [VERSION, 'version TXT "1"'], reason: /^version\.catalog\.example\. has 2 TXT records/ },
  { title: 'version "1" (BIND\'s draft)', lines: ['version TXT "1"'], reason: /^version\.catalog\.example\. TXT is "1": .*BIND's old catalog zone draft/ },
  { title: 'version "3"', lines: ['version TXT "3"'], reason: /^version\.catalog\.example\. TXT is "3"; .*version "2" only/ },
  { title: 'version "2" in two strings', lines: ['version TXT "2" "2"'], reason: /TXT is "2" "2"/ },
  { title: 'version "2.0"', lines: ['version TXT "2.0"'], reason: /TXT is "2\.0"/ },
  { title: 'an empty version string', lines: ['version TXT ""'], reason: /TXT is ""/ },
  {
    title: 'a member node with two PTR records',
    lines: [VERSION, 'aa.zones PTR a.example.', 'aa.zones PTR b.example.'],
    reason: /^aa\.zones\.catalog\.example\. has 2 PTR records/,
  },
  {
    title: 'two IDs naming one member (any letter case)',
    lines: [VERSION, 'bb.zones PTR a.example.', 'aa.zones PTR A.EXAMPLE.'],
    reason: /is listed under two IDs, aa\.zones\.catalog\.example\. and bb\.zones\.catalog\.example\./,
  },
  {
    title: 'a coo property with two PTR records',
    lines: [VERSION, 'aa.zones PTR a.example.', 'coo.aa.zones PTR other1.example.', 'coo.aa.zones PTR other2.example.'],
    reason: /^coo\.aa\.zones\.catalog\.example\. has 2 PTR records/,
  },
  {
    title: 'two problems: the first in canonical order is named, the other counted',
    lines: [VERSION, 'bb.zones PTR b.example.', 'bb.zones PTR c.example.', 'aa.zones PTR a.example.', 'aa.zones PTR d.example.'],
    reason: /^aa\.zones\.catalog\.example\. has 2 PTR records.* \(and 1 more problem\)$/,
  },
];

const IGNORED: { title: string; lines: string[]; members: Row[] }[] = [
  { title: 'a catalog without members', lines: [VERSION], members: [] },
  { title: 'a version spelled in capitals', lines: ['VERSION TXT "2"', 'aa.zones PTR a.example.'], members: [['aa', 'a.example.', [], null]] },
  { title: 'a node under zones. without PTR', lines: [VERSION, 'aa.zones TXT "not a member"', 'bb.zones PTR b.example.'], members: [['bb', 'b.example.', [], null]] },
  { title: 'other types beside the PTR', lines: [VERSION, 'aa.zones PTR a.example.', 'aa.zones TXT "x"', 'aa.zones A 192.0.2.1'], members: [['aa', 'a.example.', [], null]] },
  {
    title: 'names deeper than the properties',
    lines: [VERSION, 'aa.zones PTR a.example.', 'x.group.aa.zones TXT "deep"', 'x.y.aa.zones PTR b.example.', 'x.y.aa.zones PTR c.example.', 'x.coo.aa.zones PTR d.example.', 'x.coo.aa.zones PTR e.example.'],
    members: [['aa', 'a.example.', [], null]],
  },
  {
    title: 'everything under ext. (RFC 9432 §4.5)',
    lines: [VERSION, 'aa.zones PTR a.example.', 'ext PTR x.example.', 'foo.ext PTR x.example.', 'foo.ext PTR y.example.', 'ext.aa.zones PTR p.example.', 'ext.aa.zones PTR q.example.', 'x.ext.aa.zones TXT "x"'],
    members: [['aa', 'a.example.', [], null]],
  },
  {
    title: 'unknown properties, and other types at group and coo',
    lines: [VERSION, 'aa.zones PTR a.example.', 'serial.aa.zones TXT "5"', 'foo.aa.zones PTR f1.example.', 'foo.aa.zones PTR f2.example.', 'group.aa.zones A 192.0.2.1', 'coo.aa.zones TXT "x"'],
    members: [['aa', 'a.example.', [], null]],
  },
  {
    title: 'properties of an ID without a member',
    lines: [VERSION, 'group.zz.zones TXT "g"', 'coo.zz.zones PTR other.example.', 'aa.zones PTR a.example.'],
    members: [['aa', 'a.example.', [], null]],
  },
  { title: 'records at the apex and elsewhere', lines: [VERSION, '@ TXT "hello"', 'other A 192.0.2.1', 'aa.zones PTR a.example.'], members: [['aa', 'a.example.', [], null]] },
  {
    title: 'groups: every string of every TXT record',
    lines: [VERSION, 'aa.zones PTR a.example.', 'group.aa.zones TXT "one"', 'group.aa.zones TXT "two" "three"', 'group.aa.zones TXT "caf\\195\\169"'],
    members: [['aa', 'a.example.', ['one', 'two', 'three', 'café'], null]],
  },
  {
    title: 'a coo property of one PTR',
    lines: [VERSION, 'aa.zones PTR a.example.', 'coo.aa.zones PTR New-Catalog.example.'],
    members: [['aa', 'a.example.', [], 'New-Catalog.example.']],
  },
  {
    title: 'an ID in capitals: lower-cased, its properties found in any case',
    lines: [VERSION, 'AbC.zones PTR a.example.', 'GROUP.abc.ZONES TXT "g"', 'coo.ABC.zones PTR n.example.'],
    members: [['abc', 'a.example.', ['g'], 'n.example.']],
  },
  {
    title: 'an ID label needing escapes',
    lines: [VERSION, 'a\\.b\\255.zones PTR a.example.'],
    members: [['a\\.b\\255', 'a.example.', [], null]],
  },
  {
    title: 'members sorted by name, spelled as the catalog spells them',
    lines: [VERSION, 'aa.zones PTR Zed.example.', 'bb.zones PTR alpha.Example.', 'cc.zones PTR b.alpha.example.'],
    members: [
      ['bb', 'alpha.Example.', [], null],
      ['cc', 'b.alpha.example.', [], null],
      ['aa', 'Zed.example.', [], null],
    ],
  },
];

describe('readCatalog', () => {
  describe('broken catalogs', () => {
    for (const c of BROKEN) {
      it(c.title, () => {
        const r = read(c.lines);
        assert.equal(r.ok, false);
        if (!r.ok) {
          assert.match(r.reason, c.reason);
          assert.doesNotMatch(r.reason, /\n/);
        }
      });
    }
  });

  describe('what a consumer ignores', () => {
    for (const c of IGNORED) {
      it(c.title, () => {
        assert.deepEqual(members(read(c.lines)), c.members);
      });
    }
  });

  it('reads a catalog buildCatalogZone made', () => {
    const zone = buildCatalogZone(ORIGIN, 3, [
      { name: Name.fromText('b.example.'), id: '0123456789abcdef', groups: ['x', 'y'] },
      { name: Name.fromText('a.example.'), id: 'fedcba9876543210', groups: [] },
    ]);
    assert.deepEqual(members(readCatalog(zone)), [
      ['fedcba9876543210', 'a.example.', [], null],
      ['0123456789abcdef', 'b.example.', ['x', 'y'], null],
    ]);
  });
});

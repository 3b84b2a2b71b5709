/**
 * buildCatalogZone: the exact records of RFC 9432 §4 (SOA and NS at the
 * apex, version "2", a PTR per member and a TXT per group, TTL 0), what it
 * refuses, and named-checkzone accepting the zone as printed.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MAX_CATALOG_ORIGIN_OCTETS, buildCatalogZone, type CatalogMember } from '../../../src/catalog/index.js';
import { Name } from '../../../src/wire/index.js';
import type { Zone } from '../../../src/zone/index.js';
import { formatRecord } from '../../../src/zonefile/index.js';
import { haveTool } from '../../support/tools.js';

const ORIGIN = Name.fromText('catalog.example.');
const n = (text: string): Name => Name.fromText(text);
const lines = (zone: Zone): string[] => zone.canonicalRecords().map(formatRecord);

describe('buildCatalogZone', () => {
  it('holds exactly the RFC 9432 §4 records, in canonical order, every TTL 0', () => {
    const members: CatalogMember[] = [
      { name: n('Shop.Example.'), id: '0123456789abcdef', groups: [] },
      { name: n('mail.example.net.'), id: 'fedcba9876543210', groups: ['eu', 'signed zone'] },
    ];
    const zone = buildCatalogZone(ORIGIN, 42, members);
    assert.deepEqual(lines(zone), [
      'catalog.example.\t0\tIN\tNS\tinvalid.',
      'catalog.example.\t0\tIN\tSOA\tinvalid. invalid. 42 3600 600 2147483646 0',
      'version.catalog.example.\t0\tIN\tTXT\t"2"',
      '0123456789abcdef.zones.catalog.example.\t0\tIN\tPTR\tShop.Example.',
      'fedcba9876543210.zones.catalog.example.\t0\tIN\tPTR\tmail.example.net.',
      'group.fedcba9876543210.zones.catalog.example.\t0\tIN\tTXT\t"eu"',
      'group.fedcba9876543210.zones.catalog.example.\t0\tIN\tTXT\t"signed zone"',
    ]);
    assert.equal(zone.serial, 42);
    assert.equal(zone.recordCount, 7);
  });

  it('with no members is the apex and the version only', () => {
    assert.deepEqual(lines(buildCatalogZone(ORIGIN, 4294967295, [])), [
      'catalog.example.\t0\tIN\tNS\tinvalid.',
      'catalog.example.\t0\tIN\tSOA\tinvalid. invalid. 4294967295 3600 600 2147483646 0',
      'version.catalog.example.\t0\tIN\tTXT\t"2"',
    ]);
  });

  it('writes a group listed twice once, and a group in UTF-8', () => {
    const zone = buildCatalogZone(ORIGIN, 1, [{ name: n('a.example.'), id: 'aa', groups: ['x', 'x', 'café'] }]);
    assert.deepEqual(lines(zone).filter((l) => l.startsWith('group.')), [
      'group.aa.zones.catalog.example.\t0\tIN\tTXT\t"x"',
      'group.aa.zones.catalog.example.\t0\tIN\tTXT\t"caf\\195\\169"',
    ]);
  });

  const member = (name: string, id: string, groups: string[] = []): CatalogMember => ({ name: n(name), id, groups });
  const REFUSED: { title: string; origin?: Name; serial?: number; members: CatalogMember[]; message: RegExp }[] = [
    { title: 'a serial over 32 bits', serial: 2 ** 32, members: [], message: /serial/ },
    { title: 'a negative serial', serial: -1, members: [], message: /serial/ },
    { title: 'two members with one ID (any letter case)', members: [member('a.example.', 'ab'), member('b.example.', 'AB')], message: /ID 'AB' is used twice/ },
    { title: 'one name twice (any letter case)', members: [member('a.example.', 'aa'), member('A.EXAMPLE.', 'bb')], message: /A\.EXAMPLE\. is listed twice/ },
    { title: 'an ID of two labels', members: [member('a.example.', 'a.b')], message: /is not one label/ },
    { title: 'an empty ID', members: [member('a.example.', '')], message: /is not one label/ },
    { title: 'an ID that does not read', members: [member('a.example.', 'a\\')], message: /is not a label/ },
    { title: 'a group over 255 octets', members: [member('a.example.', 'aa', ['é'.repeat(128)])], message: /over 255 octets/ },
  ];
  for (const c of REFUSED) {
    it(`refuses ${c.title} with a RangeError`, () => {
      assert.throws(() => buildCatalogZone(c.origin ?? ORIGIN, c.serial ?? 1, c.members), (e: unknown) => e instanceof RangeError && c.message.test(e.message));
    });
  }

  it(`takes an origin of ${MAX_CATALOG_ORIGIN_OCTETS} octets with 16-digit IDs, and refuses one octet more`, () => {
    // Labels of 63 octets and one shorter label, so the wire form is exactly `octets` long.
    const originOf = (octets: number): Name => {
      const parts: string[] = [];
      let left = octets - 1;
      while (left > 64) {
        parts.push('a'.repeat(63));
        left -= 64;
      }
      parts.push('b'.repeat(left - 1));
      const name = Name.fromText(parts.join('.') + '.');
      assert.equal(name.wire.length, octets);
      return name;
    };
    const members = [member('a.example.', '0123456789abcdef', ['g'])];
    const zone = buildCatalogZone(originOf(MAX_CATALOG_ORIGIN_OCTETS), 1, members);
    assert.equal(zone.recordCount, 5);
    assert.throws(() => buildCatalogZone(originOf(MAX_CATALOG_ORIGIN_OCTETS + 1), 1, members), /over 255 octets/);
  });

  it('is a zone named-checkzone accepts, as the zone-file printer writes it', { skip: !haveTool('named-checkzone') }, () => {
    const zone = buildCatalogZone(ORIGIN, 7, [
      member('shop.example.', '0123456789abcdef', ['eu']),
      member('mail.example.net.', 'fedcba9876543210', ['eu', 'us']),
      member('x\\.y.example.', '00000000000000aa'),
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'tyne-catalog-'));
    try {
      const file = join(dir, 'catalog.zone');
      writeFileSync(file, lines(zone).join('\n') + '\n');
      const r = spawnSync('named-checkzone', ['-k', 'fail', 'catalog.example', file], { encoding: 'utf8' });
      assert.equal(r.status, 0, `named-checkzone: ${r.stdout}${r.stderr}`);
      assert.match(r.stdout, /loaded serial 7/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

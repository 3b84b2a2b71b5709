/** `zone-directories:`, `type: catalog` and `catalog:` (issue 14 §1, §2): what is read, and every problem reported. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseConfig } from '../../../src/config/index.js';
import { configProblems } from '../../support/config-problems.js';

const AT = join('/srv', 'tyne', 'ns1.yaml');
const HEAD = 'listen: ["127.0.0.1:5300"]\n';

/** The error lines of a text, with the file's path as F. */
const problems = (text: string): string[] => configProblems(HEAD + text, AT).map((l) => l.replaceAll(AT, 'F'));

describe('zone-directories', () => {
  it('reads an entry: the folder against the configuration, the default match and max-removals, the primary settings every zone takes', () => {
    const c = parseConfig(
      `${HEAD}server: { serial-policy: unixtime, max-records: 5000 }\nzones:\n  - { name: catalog.example, type: catalog, allow-transfer: ["127.0.0.1/32"] }\nzone-directories:\n  - path: customers\n    notify: ["127.0.0.1:5301"]\n    allow-transfer: ["127.0.0.1/32"]\n    catalog: catalog.example\n    catalog-group: [premium, eu]\n  - { path: /var/zones, match: '^db\\.(.+)$', max-removals: 3, serial-policy: file, include-confine: false }\n`,
      AT,
    );
    const [a, b] = c.zoneDirectories;
    assert.equal(a!.path, join('/srv', 'tyne', 'customers'));
    assert.equal(a!.matchText, '^(.+)\\.zone$');
    assert.equal(a!.match.exec('customer.com.zone')?.[1], 'customer.com');
    assert.deepEqual(a!.maxRemovals, { share: 0.1, atLeast: 5 });
    assert.equal(a!.template.type, 'primary');
    assert.equal(a!.template.notify[0]?.port, 5301);
    assert.equal(a!.template.allowTransfer.length, 1);
    assert.equal(a!.template.catalog, 'catalog.example');
    assert.deepEqual(a!.template.catalogGroups, ['premium', 'eu']);
    assert.equal(a!.template.directory, 0);
    // What the entry does not set comes from server:; include-confine defaults to true for a customer's file.
    assert.equal(a!.template.serialPolicy, 'unixtime');
    assert.equal(a!.template.limits.maxRecords, 5000);
    assert.equal(a!.template.includeConfine, true);
    assert.equal(b!.path, '/var/zones');
    assert.equal(b!.match.exec('db.example.org')?.[1], 'example.org');
    assert.deepEqual(b!.maxRemovals, { share: 0, atLeast: 3 });
    assert.equal(b!.template.serialPolicy, 'file');
    assert.equal(b!.template.includeConfine, false);
    assert.equal(b!.template.directory, 1);
    const cat = c.zones[0]!;
    assert.equal(cat.type, 'catalog');
    assert.equal(cat.file, join('/srv', 'tyne', 'catalog.example.catalog'));
  });

  it('a share of max-removals keeps its floor of 5', () => {
    const c = parseConfig(`${HEAD}zones: []\nzone-directories:\n  - { path: d, max-removals: 25% }\n`, AT);
    assert.deepEqual(c.zoneDirectories[0]!.maxRemovals, { share: 0.25, atLeast: 5 });
  });

  for (const [what, text, expected] of [
    ['a missing path', 'zones: []\nzone-directories:\n  - { notify: ["127.0.0.1:53"] }\n', ['F:4:5: zone-directories[0].path: required key missing']],
    ['a match with no capture', "zones: []\nzone-directories:\n  - { path: d, match: '\\.zone$' }\n", ['F:4:23: zone-directories[0].match: needs a capture group for the zone\'s name, such as ^(.+)\\.zone$']],
    ['a match that is not a regular expression', "zones: []\nzone-directories:\n  - { path: d, match: '(' }\n", [/^F:4:23: zone-directories\[0\]\.match: not a regular expression/]],
    ['a bad max-removals', 'zones: []\nzone-directories:\n  - { path: d, max-removals: lots }\n', ["F:4:30: zone-directories[0].max-removals: expected a share such as 10% or a number of zones, got 'lots'"]],
    ['one folder twice', 'zones: []\nzone-directories:\n  - { path: d }\n  - { path: ./d }\n', ["F:5:5: zone-directories[1]: the folder '/srv/tyne/d' is already listed at zone-directories[0]"]],
    ['a secondary key', 'zones: []\nzone-directories:\n  - { path: d, primaries: ["127.0.0.1:53"] }\n', [/^F:4:16: zone-directories\[0\]\.primaries: unknown key 'primaries'/]],
    ['a catalog that is not listed', 'zones: []\nzone-directories:\n  - { path: d, catalog: cat.example }\n', ["F:4:25: zone-directories[0].catalog: no zone 'cat.example' of type catalog is listed in zones:"]],
    ['a group with no catalog', 'zones: []\nzone-directories:\n  - { path: d, catalog-group: x }\n', ['F:4:16: zone-directories[0].catalog-group: needs a catalog (the catalog zone to list the zone in, with this group)']],
    ['not a list', 'zones: []\nzone-directories: customers\n', ["F:3:19: zone-directories: expected a list (write [] for none), got 'customers'"]],
  ] as const) {
    it(`reports ${what}`, () => {
      const got = problems(text);
      assert.equal(got.length, expected.length, got.join('\n'));
      expected.forEach((e, i) => (typeof e === 'string' ? assert.equal(got[i], e) : assert.match(got[i]!, e)));
    });
  }
});

describe('type: catalog and catalog:', () => {
  for (const [what, text, expected] of [
    ['a file on a catalog', 'zones:\n  - { name: c.example, type: catalog, file: c.zone }\n', ['F:3:39: zones[0].file: not for type catalog (Tyne writes the catalog zone from its members)']],
    ['a serial policy on a catalog', 'zones:\n  - { name: c.example, type: catalog, serial-policy: file }\n', ['F:3:39: zones[0].serial-policy: not for type catalog (Tyne writes the catalog zone from its members)']],
    ['a catalog in a catalog', 'zones:\n  - { name: c.example, type: catalog, catalog: c.example }\n', ['F:3:39: zones[0].catalog: not for type catalog (a catalog is not a member of a catalog)']],
    ['a catalog: naming a primary', 'zones:\n  - { name: a.example, file: a.zone }\n  - { name: b.example, file: b.zone, catalog: a.example }\n', ["F:4:47: zones[1].catalog: zone 'a.example' is type primary, not catalog"]],
    ['a catalog on a secondary', 'zones:\n  - { name: c.example, type: catalog }\n  - { name: s.example, type: secondary, primaries: ["127.0.0.1:53"], file: s.zone, catalog: c.example }\n', ['F:4:84: zones[1].catalog: only for type primary']],
    ['a file missing on a primary', 'zones:\n  - { name: a.example }\n', ['F:3:5: zones[0].file: required key missing']],
  ] as const) {
    it(`reports ${what}`, () => {
      assert.deepEqual(problems(text), expected);
    });
  }

  it('a primary lists itself in a catalog, with groups; a catalog is type catalog with no file of its own', () => {
    const c = parseConfig(`${HEAD}zones:\n  - { name: c.example, type: catalog, notify: ["127.0.0.1:5301"] }\n  - { name: a.example, file: a.zone, catalog: c.example, catalog-group: premium }\n`, AT);
    assert.deepEqual([c.zones[1]!.catalog, c.zones[1]!.catalogGroups], ['c.example', ['premium']]);
    assert.equal(c.zones[0]!.notify.length, 1);
  });
});

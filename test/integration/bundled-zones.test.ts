/**
 * The bundled configuration (zones/ns1.yaml) and every zone it serves:
 * the configuration loads, each zone loads in Tyne with no error and no
 * warning, and BIND's named-checkzone accepts it without a word. Also the
 * secondary's configuration (zones/ns2.yaml): it loads, and consumes ns1's
 * catalog, so it copies every zone of ns1 with no line per zone. The
 * bundled zones are the company's own (listed in ns1.yaml) and the
 * customers' (files in zones/customers/, ns1's zone directory).
 *
 * named-checkzone runs with `-i local`: its default (`-i full`) also looks
 * up out-of-zone MX targets and delegation name servers with the system
 * resolver, which the `.example` names here never satisfy, so its output
 * would depend on the network. The default mode is run too, and may print
 * only those lookup lines. (test/integration/zonefile-oracle.test.ts
 * compares the records themselves with BIND's.)
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config/index.js';
import { loadZoneFile } from '../../src/zone/load-zone.js';
import { Name, formatDiagnostic, typeToText } from '../../src/wire/index.js';
import { repoRoot } from '../support/paths.js';
import { haveTool } from '../support/tools.js';

const config = loadConfig(join(repoRoot, 'zones', 'ns1.yaml'));
const ns2 = loadConfig(join(repoRoot, 'zones', 'ns2.yaml'));
const haveNamed = haveTool('named-checkzone');

function origin(name: string): Name {
  return Name.fromText(name.endsWith('.') ? name : `${name}.`);
}

/** Record types each bundled zone is meant to show off, so a trimmed file fails here. */
const EXPECTED_TYPES: Record<string, string[]> = {
  'hosting.example': ['SOA', 'NS', 'A', 'AAAA', 'MX', 'TXT', 'CNAME'],
  '2.0.192.in-addr.arpa': ['SOA', 'NS', 'PTR'],
  'bakery.example': ['SOA', 'NS', 'A', 'AAAA', 'MX', 'TXT', 'CNAME'],
  'garage.example': ['SOA', 'NS', 'A', 'AAAA', 'MX', 'TXT', 'CNAME'],
  'shop.example': ['SOA', 'NS', 'A', 'AAAA', 'MX', 'TXT', 'CNAME', 'SRV', 'NAPTR', 'CAA', 'DS'],
};
/** The company's own zones, listed in ns1.yaml; the customers' are files in zones/customers/. */
const OWN = ['hosting.example', '2.0.192.in-addr.arpa'];
const CUSTOMERS = ['bakery.example', 'garage.example', 'shop.example'];
const CATALOG = 'catalog.hosting.example';
const NS2_ADDR = [{ host: '127.0.0.1', port: 5301, family: 4, key: null }];
const ACL = [{ kind: 'range', family: 4, network: Uint8Array.from([127, 0, 0, 1]), prefix: 32, key: null }];

/** Every bundled zone file: the listed ones and the customers' folder. */
const BUNDLED: { name: string; file: string }[] = [
  ...OWN.map((name) => ({ name, file: join(repoRoot, 'zones', `${name}.zone`) })),
  ...readdirSync(join(repoRoot, 'zones', 'customers')).filter((f) => f.endsWith('.zone')).sort().map((f) => ({ name: f.slice(0, -'.zone'.length), file: join(repoRoot, 'zones', 'customers', f) })),
];

describe('zones/ns1.yaml', () => {
  it('loads: the company\'s own zones listed, a catalog, and the customers\' folder', () => {
    assert.equal(config.path, join(repoRoot, 'zones', 'ns1.yaml'));
    assert.deepEqual(config.listen, [{ host: '127.0.0.1', port: 5300, family: 4 }]);
    assert.equal(config.log.level, 'info');
    assert.equal(config.server.identity, 'ns1.hosting.example');
    assert.equal(config.server.version, null);
    assert.deepEqual(
      config.zones.filter((z) => z.type === 'primary').map((z) => [z.name, z.file]),
      OWN.map((n) => [n, join(repoRoot, 'zones', `${n}.zone`)]),
    );
    assert.deepEqual(config.zones.filter((z) => z.type === 'catalog').map((z) => z.name), [CATALOG]);
    assert.deepEqual(config.zoneDirectories.map((d) => d.path), [join(repoRoot, 'zones', 'customers')]);
    assert.deepEqual(BUNDLED.map((z) => z.name).sort(), Object.keys(EXPECTED_TYPES).sort());
    assert.deepEqual(BUNDLED.filter((z) => z.file.includes('customers')).map((z) => z.name), CUSTOMERS);
  });

  it('is the primary for ns2: every zone (listed or in the folder) notifies 127.0.0.1:5301, lets 127.0.0.1 transfer it, and is in the catalog', () => {
    assert.deepEqual(config.keys, []);
    const templates = [...config.zones, ...config.zoneDirectories.map((d) => ({ ...d.template, name: d.path }))];
    for (const z of templates) {
      assert.deepEqual(z.notify, NS2_ADDR, z.name);
      assert.deepEqual(z.allowTransfer, ACL, z.name);
      assert.deepEqual(z.primaries, [], z.name);
      assert.equal(z.allowNotify, null, z.name);
      if (z.type === 'primary') assert.equal(z.catalog, CATALOG, z.name);
    }
  });
});

describe('zones/ns2.yaml', () => {
  it('loads, listening on 127.0.0.1:5301 as ns2.hosting.example', () => {
    assert.equal(ns2.path, join(repoRoot, 'zones', 'ns2.yaml'));
    assert.deepEqual(ns2.listen, [{ host: '127.0.0.1', port: 5301, family: 4 }]);
    assert.equal(ns2.log.level, 'info');
    assert.equal(ns2.server.identity, 'ns2.hosting.example');
    assert.equal(ns2.server.version, null);
    assert.deepEqual(ns2.keys, []);
  });

  it("lists one zone, ns1's catalog, a secondary of 127.0.0.1:5300 consumed with members: (no line per zone)", () => {
    assert.deepEqual(ns2.zones.map((z) => z.name), [CATALOG]);
    const z = ns2.zones[0]!;
    assert.equal(z.type, 'secondary');
    assert.deepEqual(z.primaries, [{ host: '127.0.0.1', port: 5300, family: 4, key: null }]);
    assert.equal(z.file, join(repoRoot, 'zones', 'data', 'ns2', `${CATALOG}.zone`));
    assert.equal(z.members?.file, join(repoRoot, 'zones', 'data', 'ns2', 'members', '%s.zone'));
    assert.equal(z.members?.primaries, null); // the catalog's
    assert.deepEqual(z.allowTransfer, []); // nobody transfers from ns2
    assert.deepEqual(z.notify, []);
    assert.equal(z.allowNotify, null); // NOTIFY from the primary's address
  });
});

for (const zone of BUNDLED) {
  describe(`bundled zone ${zone.name}`, () => {
    it('loads in Tyne with no errors and no warnings', () => {
      const res = loadZoneFile(zone.file, origin(zone.name));
      assert.deepEqual([...res.errors, ...res.warnings].map(formatDiagnostic), []);
      assert.ok(res.zone !== null);
      const types = new Set(res.zone.canonicalRecords().map((rr) => typeToText(rr.type)));
      for (const t of EXPECTED_TYPES[zone.name] ?? []) assert.ok(types.has(t), `${zone.name} has no ${t} record`);
    });

    it('passes named-checkzone -k fail -n fail without a warning', { skip: !haveNamed }, (t) => {
      const local = spawnSync('named-checkzone', ['-k', 'fail', '-n', 'fail', '-i', 'local', zone.name, zone.file], { encoding: 'utf8', timeout: 20_000 });
      assert.equal(local.error, undefined, String(local.error));
      assert.equal(local.stderr, '');
      assert.match(local.stdout, new RegExp(`^zone ${zone.name.replaceAll('.', '\\.')}/IN: loaded serial \\d+\\nOK\\n$`));
      assert.equal(local.status, 0);

      // The default mode: the same, apart from out-of-zone lookups through the system resolver.
      const full = spawnSync('named-checkzone', ['-k', 'fail', '-n', 'fail', zone.name, zone.file], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(full.status, 0, full.stdout + full.stderr);
      const lookups = /\(out of zone\) has no addresses records|getaddrinfo\(.*\) failed/;
      const other = (full.stdout + full.stderr).split('\n').filter((l) => l !== '' && l !== 'OK' && !/: loaded serial \d+$/.test(l) && !lookups.test(l));
      assert.deepEqual(other, []);
      const skipped = (full.stdout + full.stderr).split('\n').filter((l) => lookups.test(l));
      if (skipped.length > 0) t.diagnostic(`out-of-zone lookups that the resolver could not answer: ${skipped.length}`);
    });
  });
}

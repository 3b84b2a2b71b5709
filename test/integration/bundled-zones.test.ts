/**
 * The bundled configuration (zones/ns1.yaml) and every zone it serves:
 * the configuration loads, each zone loads in Tyne with no error and no
 * warning, and BIND's named-checkzone accepts it without a word. Also the
 * secondary's configuration (zones/ns2.yaml): it loads, and copies exactly
 * ns1's zones from ns1 (its zone files are transfer copies, not checked here).
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
  'shop.example': ['SOA', 'NS', 'A', 'AAAA', 'MX', 'TXT', 'CNAME', 'SRV', 'NAPTR', 'CAA', 'DS'],
  '2.0.192.in-addr.arpa': ['SOA', 'NS', 'PTR'],
};

describe('zones/ns1.yaml', () => {
  it('loads, and serves the three bundled zones from zones/', () => {
    assert.equal(config.path, join(repoRoot, 'zones', 'ns1.yaml'));
    assert.deepEqual(config.listen, [{ host: '127.0.0.1', port: 5300, family: 4 }]);
    assert.equal(config.log.level, 'info');
    assert.equal(config.server.identity, 'ns1.hosting.example');
    assert.equal(config.server.version, null);
    assert.deepEqual(
      config.zones.map((z) => [z.name, z.file]),
      Object.keys(EXPECTED_TYPES).map((n) => [n, join(repoRoot, 'zones', `${n}.zone`)]),
    );
  });

  it('is the primary for ns2: notifies 127.0.0.1:5301 and lets 127.0.0.1 transfer every zone', () => {
    assert.deepEqual(config.keys, []);
    for (const z of config.zones) {
      assert.equal(z.type, 'primary', z.name);
      assert.deepEqual(z.notify, [{ host: '127.0.0.1', port: 5301, family: 4, key: null }], z.name);
      assert.deepEqual(z.allowTransfer, [{ kind: 'range', family: 4, network: Uint8Array.from([127, 0, 0, 1]), prefix: 32, key: null }], z.name);
      assert.deepEqual(z.primaries, [], z.name);
      assert.equal(z.allowNotify, null, z.name);
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

  it("lists exactly ns1's zones, each a secondary of 127.0.0.1:5300 kept in zones/data/", () => {
    assert.deepEqual(
      ns2.zones.map((z) => z.name),
      config.zones.map((z) => z.name),
    );
    for (const z of ns2.zones) {
      assert.equal(z.type, 'secondary', z.name);
      assert.deepEqual(z.primaries, [{ host: '127.0.0.1', port: 5300, family: 4, key: null }], z.name);
      assert.equal(z.file, join(repoRoot, 'zones', 'data', `${z.name}.zone`));
      assert.deepEqual(z.allowTransfer, [], z.name); // nobody transfers from ns2
      assert.deepEqual(z.notify, [], z.name);
      assert.equal(z.allowNotify, null, z.name); // NOTIFY from the primary's address
    }
  });
});

for (const zone of config.zones) {
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

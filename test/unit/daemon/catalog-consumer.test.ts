/**
 * CatalogConsumer (issue 14 §3) on catalogs built from text: what each
 * change of a catalog does to the membership (add, remove, reset, group
 * change), what a broken one does (nothing), the removal guard, clashes
 * with configured zones and with another catalog (and a coo hand-over),
 * and the saved membership read back by a new consumer.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseConfig, type Config } from '../../../src/config/index.js';
import { CatalogConsumer } from '../../../src/daemon/catalog-consumer.js';
import { Name } from '../../../src/wire/index.js';
import { loadZoneText, type Zone } from '../../../src/zone/index.js';
import { memoryLog } from '../../support/memory-log.js';
import { until } from '../../support/wait.js';

const dir = mkdtempSync(join(tmpdir(), 'tyne-catz-unit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let configs = 0;
/** A configuration in a folder of its own (its saved memberships are its own). */
function config(extra = '', catalogs = ['cat.example']): Config {
  const own = join(dir, `c${configs++}`);
  mkdirSync(own);
  const entries = catalogs.map((c) => `  - { name: ${c}, type: secondary, primaries: ["127.0.0.1:5300"], file: ${c}.zone, members: { file: "m/%s.zone", max-removals: 10% } }`);
  return parseConfig(`listen: ["127.0.0.1:5301"]\nzones:\n${entries.join('\n')}\n${extra}`, join(own, 'ns2.yaml'));
}

let serial = 1;
/** A catalog zone: `members` as [id, name] (or lines of text), version "2" unless `version` says otherwise. */
function catalog(members: (readonly [string, string] | string)[], opts: { origin?: string; version?: string[] } = {}): Zone {
  const origin = opts.origin ?? 'cat.example';
  const lines = [`@ 0 IN SOA invalid. invalid. ${serial++} 3600 600 2147483646 0`, '@ 0 IN NS invalid.'];
  for (const v of opts.version ?? ['"2"']) lines.push(`version 0 IN TXT ${v}`);
  for (const m of members) lines.push(typeof m === 'string' ? m : `${m[0]}.zones 0 IN PTR ${m[1]}.`);
  return loadZoneText(lines.join('\n') + '\n', Name.fromText(`${origin}.`));
}

/** A consumer of `cfg` fed `zones` (catalog origin → zone). */
function consumer(cfg: Config): { c: CatalogConsumer; feed: (z: Zone, force?: boolean) => boolean; names: () => string[]; log: ReturnType<typeof memoryLog> } {
  const log = memoryLog();
  const c = new CatalogConsumer(log.log);
  c.configure(cfg);
  const data = new Map<string, Zone>();
  return {
    c,
    log,
    feed: (z, force = false) => {
      data.set(z.origin.key, z);
      return c.check((o) => (data.has(o.key) ? { zone: data.get(o.key)!, expired: false } : undefined), { force });
    },
    names: () => c.zones().map((z) => z.name).sort(),
  };
}

const SIX = ['a', 'b', 'c', 'd', 'e', 'f'].map((x, i) => [`id${i}`, `${x}.example`] as const);

describe('CatalogConsumer', () => {
  it('adds each member as a secondary zone with the members: settings, the catalog\'s primaries by default', () => {
    const cfg = config();
    const r = consumer(cfg);
    assert.equal(r.feed(catalog([['one', 'a.example'], ['two', 'b.example']])), true);
    assert.deepEqual(r.names(), ['a.example.', 'b.example.']);
    const z = r.c.zones()[0]!;
    assert.equal(z.type, 'secondary');
    assert.equal(z.file, join(dirname(cfg.path), 'm', `${z.name.replace(/\.$/, '')}.zone`));
    assert.equal(z.primaries[0]?.port, 5300);
    // The same data again: nothing to do.
    assert.equal(r.feed(catalog([['one', 'a.example'], ['two', 'b.example']])), false);
  });

  for (const [what, zone, reason] of [
    ['version missing', () => catalog([['x', 'x.example']], { version: [] }), /version/],
    ['two version records', () => catalog([['x', 'x.example']], { version: ['"2"', '"3"'] }), /version/],
    ['version "1" (the old draft)', () => catalog([['x', 'x.example']], { version: ['"1"'] }), /version/],
    ['a member with two PTRs', () => catalog([['one', 'a.example'], ['one', 'x.example']]), /PTR/],
    ['two IDs for one member', () => catalog([['one', 'a.example'], ['two', 'b.example'], ['three', 'a.example']]), /a\.example/],
    ['a coo with two PTRs', () => catalog([['one', 'a.example'], ['two', 'b.example'], 'coo.one.zones 0 IN PTR x.example.', 'coo.one.zones 0 IN PTR y.example.']), /coo/],
  ] as const) {
    it(`a broken catalog (${what}) changes nothing, and says why: in the log and in the catalog's state`, async () => {
      const cfg = config();
      const r = consumer(cfg);
      const cat = Name.fromText('cat.example.');
      r.feed(catalog([['one', 'a.example'], ['two', 'b.example']]));
      const broken = zone();
      assert.equal(r.feed(broken), false);
      assert.deepEqual(r.names(), ['a.example.', 'b.example.']);
      const line = r.log.lines.find((l) => String(l.msg).includes('is broken, not processed'));
      assert.ok(line !== undefined, JSON.stringify(r.log.lines.slice(-3)));
      assert.match(String(line.reason), reason);
      assert.equal(r.c.problem(cat)?.reason, line.reason);
      assert.equal(r.c.problem(cat)?.serial, broken.serial);
      // The saved state of the catalog: the reason, and the last valid membership, unchanged.
      const state = join(dirname(cfg.path), 'cat.example.zone.members.json');
      const saved = (): { problem?: { reason: string; serial: number; since: string } | null; members: { name: string }[] } | null => {
        try {
          return JSON.parse(readFileSync(state, 'utf8')) as { problem?: { reason: string; serial: number; since: string } | null; members: { name: string }[] };
        } catch {
          return null;
        }
      };
      await until('the catalog state says why it is not processed', () => saved()?.problem?.reason === line.reason, { timeoutMs: 2000, everyMs: 20 });
      assert.deepEqual(saved()!.members.map((m) => m.name).sort(), ['a.example.', 'b.example.']);
      assert.equal(saved()!.problem!.serial, broken.serial);
      assert.ok(!Number.isNaN(Date.parse(saved()!.problem!.since)));
      // Valid again: processed again, and the state says so.
      assert.equal(r.feed(catalog([['one', 'a.example'], ['two', 'b.example'], ['three', 'c.example']])), true);
      assert.deepEqual(r.names(), ['a.example.', 'b.example.', 'c.example.']);
      assert.equal(r.c.problem(cat), null);
      await until('the catalog state is valid again', () => saved()?.problem === null && saved()!.members.length === 3, { timeoutMs: 2000, everyMs: 20 });
    });
  }

  it('a member under a new ID is reset: configured without it first, then with it', () => {
    const r = consumer(config());
    r.feed(catalog([['one', 'a.example'], ['two', 'b.example']]));
    assert.equal(r.c.resetting, false);
    assert.equal(r.feed(catalog([['one', 'a.example'], ['new', 'b.example']])), true);
    assert.equal(r.c.resetting, true);
    assert.deepEqual(r.c.zones({ withoutResets: true }).map((z) => z.name), ['a.example.']);
    r.c.resetsDone();
    assert.deepEqual(r.names(), ['a.example.', 'b.example.']);
  });

  it('removals over max-removals, or of every member, are held until forced (SIGHUP); additions go ahead', () => {
    const r = consumer(config());
    r.feed(catalog(SIX));
    // Removing 5 of 6 (max(10 % of 6, 5) = 5) goes ahead...
    assert.equal(r.feed(catalog([SIX[0]!])), true);
    assert.deepEqual(r.names(), ['a.example.']);
    r.feed(catalog(SIX));
    // ...an empty catalog is held (every member), an addition beside a held removal goes ahead.
    assert.equal(r.feed(catalog([])), false);
    assert.equal(r.names().length, 6);
    assert.ok(r.log.messages(50).some((m) => m.includes('would remove 6 of 6 members at once (all of them)')));
    const seven = [...SIX, ['id9', 'g.example'] as const];
    r.feed(catalog(seven));
    const many = Array.from({ length: 30 }, (_, i) => [`m${i}`, `m${i}.example`] as const);
    r.feed(catalog([...seven, ...many]));
    assert.equal(r.names().length, 37);
    // 36 of 37 removed (more than max(3, 5)) and one added: the addition goes, the removals wait.
    assert.equal(r.feed(catalog([['id0', 'a.example'], ['z', 'z.example']])), true);
    assert.equal(r.names().length, 38);
    assert.equal(r.feed(catalog([['id0', 'a.example'], ['z', 'z.example']]), true), true);
    assert.deepEqual(r.names(), ['a.example.', 'z.example.']);
  });

  it('a member that is a configured zone, or another catalog\'s, is ignored with an error; a coo in the old catalog hands it over', () => {
    const cfg = config('  - { name: own.example, type: secondary, primaries: ["127.0.0.1:5300"], file: own.zone }\n', ['cat.example', 'other.example']);
    const r = consumer(cfg);
    r.feed(catalog([['one', 'own.example'], ['two', 'a.example']]));
    assert.deepEqual(r.names(), ['a.example.']);
    assert.ok(r.log.lines.some((l) => l.member === 'own.example.' && String(l.reason).includes('a zone of the configuration')));
    // other.example lists a.example too: cat.example keeps it.
    r.feed(catalog([['x', 'a.example'], ['y', 'b.example']], { origin: 'other.example' }));
    assert.deepEqual(r.names(), ['a.example.', 'b.example.']);
    assert.ok(r.log.lines.some((l) => l.member === 'a.example.' && String(l.reason).includes('a member of catalog cat.example.')));
    // cat.example hands a.example over with a coo naming other.example; other.example still lists it: it moves.
    r.feed(catalog([['one', 'own.example'], ['two', 'a.example'], 'coo.two.zones 0 IN PTR other.example.']));
    r.feed(catalog([['x', 'a.example'], ['y', 'b.example']], { origin: 'other.example' }));
    assert.ok(r.log.messages().includes('catalog member moved (coo)'));
    assert.deepEqual(r.names(), ['a.example.', 'b.example.']);
  });

  it('the membership is saved, and a new consumer (a restart) starts from it before any catalog data', async () => {
    const cfg = config();
    const r = consumer(cfg);
    r.feed(catalog([['one', 'a.example'], ['two', 'b.example']]));
    await until('the saved membership is read back by a new consumer', () => consumer(cfg).names().join() === 'a.example.,b.example.', { timeoutMs: 2000, everyMs: 20 });
    const again = consumer(cfg);
    assert.ok(again.log.messages().includes('catalog membership read from its saved state: members are served from their saved copies'));
    // The same catalog data: nothing changes (the IDs read back are the catalog's).
    assert.equal(again.feed(catalog([['one', 'a.example'], ['two', 'b.example']])), false);
  });
});

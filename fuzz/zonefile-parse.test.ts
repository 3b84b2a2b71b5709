/**
 * The CI part of the zone-file fuzz target: the seeds themselves, every
 * saved crash (fuzz/crashes/zonefile-*.zone, regressions) and a short
 * deterministic fuzz run, all in a watched worker so that a hang fails
 * the test instead of stalling it. `npm run fuzz -- --target zonefile` is
 * the long version.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runSession } from './session.js';
import { Rng } from '../test/support/rng.js';
import {
  externalZoneSeeds, mutateZone, nextZoneInput, runZoneText, zoneCrashInputs, zoneSeeds, zoneTarget,
  type ZoneCrash, type ZoneMutation, type ZoneSeed,
} from './zonefile-parse.js';

const SEED = 0x2011e;

function report(crashes: ZoneCrash[]): string {
  return crashes.map((c) => `${c.kind} [${c.input.name}, origin ${c.input.origin}]: ${c.message}\n  input: ${JSON.stringify(c.input.text.slice(0, 400))}`).join('\n');
}

async function replay(pool: ZoneSeed[]): Promise<void> {
  const r = await runSession(zoneTarget, { seconds: 60, seed: SEED, replay: pool });
  assert.equal(r.crashes.length, 0, `failing inputs:\n${report(r.crashes)}`);
  assert.equal(r.execs, pool.length, 'every input ran');
}

describe('fuzz target zonefile-parse', () => {
  it('the seeds run clean, and the valid test zones load', async () => {
    const seeds = zoneSeeds();
    assert.ok(seeds.length >= 50, `expected the test zones as seeds, found ${seeds.length}`);
    // The project's valid zones (test/zones/*.zone) load; $INCLUDE is refused for text in memory.
    for (const s of seeds.filter((x) => !x.name.includes('/') && !/^\$INCLUDE/im.test(x.text))) {
      assert.match(runZoneText(s.text, s.origin), /^ok/, s.name);
    }
    await replay([...seeds, ...externalZoneSeeds()]);
  });

  it('every saved crash in fuzz/crashes/zonefile-*.zone passes now (regressions)', async () => {
    const crashes = zoneCrashInputs();
    if (crashes.length > 0) await replay(crashes);
  });

  it('a short deterministic fuzz run finds nothing', async () => {
    const pool = [...zoneSeeds(), ...externalZoneSeeds()];
    const r = await runSession(zoneTarget, { seconds: 3, seed: SEED, pool, maxExecs: 60_000, slowMs: 1000 });
    console.error(`zonefile fuzz: ${r.execs} executions in ${r.elapsedMs} ms, ${r.accepted} loaded, ${r.signatures} features, slowest ${r.slowestMs.toFixed(1)} ms, seed ${SEED}`);
    assert.equal(r.crashes.length, 0, `failures (reproduce with seed ${SEED}):\n${report(r.crashes)}`);
    assert.ok(r.execs > 1000, `only ${r.execs} executions ran`);
    assert.ok(r.accepted > 50, `only ${r.accepted} mutants loaded: the mutator destroys too much`);
  });
});

describe('zonefile fuzz engine', () => {
  it('is reproducible from its seed', () => {
    const pool = zoneSeeds();
    const run = (): string[] => {
      const rng = new Rng(42);
      return Array.from({ length: 300 }, () => nextZoneInput(rng, pool).text);
    };
    assert.deepEqual(run(), run());
  });

  it('every mutation changes some input', () => {
    const pool = zoneSeeds();
    const kinds: ZoneMutation[] = ['flip', 'special', 'word', 'tokenDelete', 'tokenDuplicate', 'tokenSwap', 'lineDelete', 'lineDuplicate', 'directive', 'splice', 'truncate', 'unbalance', 'number'];
    for (const k of kinds) {
      const rng = new Rng(9);
      const changed = pool.slice(0, 10).some((s) => mutateZone(rng, s.text, pool, k) !== s.text);
      assert.ok(changed, `mutation ${k} never changed anything`);
    }
  });

  it('mutants reach both outcomes and many kinds of refusal', () => {
    const pool = zoneSeeds();
    const rng = new Rng(7);
    const kinds = new Set<string>();
    for (let i = 0; i < 3000; i++) {
      const s = nextZoneInput(rng, pool);
      for (const f of runZoneText(s.text, s.origin).split('|')) if (!f.startsWith('t')) kinds.add(f);
    }
    assert.ok(kinds.has('ok'), 'some mutants still load');
    const codes = ['ZONEFILE_SYNTAX', 'ZONEFILE_BAD_RDATA', 'ZONEFILE_UNKNOWN_TYPE', 'ZONEFILE_GENERATE', 'ZONEFILE_BAD_DIRECTIVE', 'ZONEFILE_INCLUDE'];
    // ZoneBuilder's checks too, not only the parser's.
    for (const code of [...codes, 'ZONE_NO_SOA', 'ZONE_CNAME_AND_OTHER_DATA', 'ZONE_SOA_NOT_AT_APEX', 'ZONE_MULTIPLE_SOA']) {
      assert.ok(kinds.has(code), `no mutant reached ${code}; reached ${[...kinds].join(', ')}`);
    }
  });
});

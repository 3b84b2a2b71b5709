/**
 * BIND as the oracle for whole zones: every zone BIND's named-compilezone
 * loads (bundled zones/, this project's test/zones/, and the corpora) must
 * load in Tyne too, with the same set of records. Records are compared by
 * owner (case-insensitively: BIND keeps the case of a name's first
 * appearance), TTL, class, type and rdata octets (exactly); BIND's printed
 * rdata is read back with Tyne's rdata parser.
 *
 * Tyne's side is `tyne check-zone --print` for this project's zones, and
 * the same code in process for the corpora (test/zones/runners.ts says
 * why). DEVIATIONS says why the two differ where they do; any other
 * difference, or a listed one that no longer happens, fails the test.
 * Tyne's printed order (RFC 4034 canonical, no duplicates) is checked too.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { compareCanonical } from '../../src/wire/index.js';
import { haveTool } from '../support/tools.js';
import {
  bindMasterFixups, bindMasterZones, bundledZones, knotCases, nsdZones, otherCorpusZones, ownZones, type ZoneInput,
} from '../zones/sources.js';
import { bindCompile, mapLimit, readPrinted, recKey, recText, tyneCheck, tyneHasCheckZone } from '../zones/runners.js';

/**
 * Inputs BIND loads where Tyne differs: id → reason. "reported:" marks a
 * Tyne bug or gap waiting for a decision or a fix; the others are
 * deliberate.
 */
const DEVIATIONS = new Map<string, string>([
  ['nsd:include_rel.tdir/m/com/example.com.zone',
    'a relative $INCLUDE is resolved against the including file\'s folder (Tyne), not the working folder (BIND, NSD): m/com/example.com.zone says `$INCLUDE m/common/ns.cf`'],
  ['knot-extra:records.zone',
    'the same MX four times, differing only in case: Tyne keeps the first spelling, BIND one that its rdata sort happens to leave (here the second)'],
  ['own:generate-quirks.example.zone',
    'BIND carries a ${offset} over to later plain `$` of the same template (a BIND quirk that its documentation does not describe); Tyne expands each `$` on its own'],
  ['nsd:rr-wks.tdir/rr-wks.zone',
    'reported: WKS service names (`tcpmux`); BIND looks them up in /etc/services, Tyne takes port numbers only'],
  ['zonemd:22-lots-rr-types',
    'reported: SIG (type 24) has no text form in Tyne; and a DNSKEY of algorithm 253 whose key does not start with a domain name is refused (RFC 4034 A.1.1, as newer BIND does; 9.18 takes it)'],
]);

/** What happened to one input. */
interface Outcome {
  input: ZoneInput;
  /** BIND refused it: not part of the comparison. */
  bindRejected?: string;
  /** Empty when Tyne agrees. */
  differences: string[];
  records: number;
  cli?: boolean;
}

function firstLines(s: string, n: number): string {
  return s.split('\n').filter((l) => l.trim() !== '').slice(0, n).join(' | ');
}

async function compare(z: ZoneInput): Promise<Outcome> {
  const bind = await bindCompile(z);
  if (bind.status !== 0) return { input: z, bindRejected: firstLines(bind.stderr || bind.stdout, 1), differences: [], records: 0 };
  const tyne = await tyneCheck(z, true);
  const cli = tyne.via === 'cli';
  if (tyne.status !== 0) {
    return { input: z, differences: [`Tyne rejects a zone BIND loads (exit ${tyne.status}): ${firstLines(tyne.stderr, 3)}`], records: 0, cli };
  }
  const differences: string[] = [];
  const b = readPrinted(bind.stdout);
  const t = readPrinted(tyne.stdout);
  for (const p of b.problems.slice(0, 5)) differences.push(`BIND's text does not parse in Tyne: ${p}`);
  for (const p of t.problems.slice(0, 5)) differences.push(`Tyne's own --print output does not parse: ${p}`);
  // --print promises RFC 4034 canonical order, hence no duplicates either.
  for (let i = 1; i < t.records.length; i++) {
    const a = t.records[i - 1]!;
    const c = t.records[i]!;
    if (compareCanonical(a.owner, c.owner) > 0) {
      differences.push(`--print is not in canonical order: ${a.owner.toText()} before ${c.owner.toText()}`);
      break;
    }
  }
  const tyneKeys = new Map<string, string>();
  for (const r of t.records) {
    const k = recKey(r);
    if (tyneKeys.has(k)) differences.push(`Tyne prints a record twice: ${recText(r)}`);
    tyneKeys.set(k, recText(r));
  }
  const bindKeys = new Map(b.records.map((r) => [recKey(r), recText(r)]));
  const onlyBind = [...bindKeys].filter(([k]) => !tyneKeys.has(k)).map(([, v]) => v);
  const onlyTyne = [...tyneKeys].filter(([k]) => !bindKeys.has(k)).map(([, v]) => v);
  if (onlyBind.length > 0) differences.push(`${onlyBind.length} only in BIND, e.g. ${onlyBind.slice(0, 3).join('; ')}`);
  if (onlyTyne.length > 0) differences.push(`${onlyTyne.length} only in Tyne, e.g. ${onlyTyne.slice(0, 3).join('; ')}`);
  return { input: z, differences, records: bindKeys.size, cli };
}

describe('BIND and Tyne load the same records', { skip: !haveTool('named-compilezone') }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'tyne-zone-oracle-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('every zone named-compilezone accepts, as a set of records', { timeout: 120_000 }, async () => {
    tyneHasCheckZone();
    const inputs: ZoneInput[] = [
      ...bundledZones(),
      ...ownZones(),
      ...bindMasterFixups(bindMasterZones(), tmp),
      ...knotCases(tmp, true),
      ...nsdZones(),
      ...otherCorpusZones({ bigRoot: true }),
    ];
    assert.ok(ownZones().length >= 6, 'test/zones/ holds the project\'s own zones');
    const outcomes = await mapLimit(inputs, 6, compare);
    const compared = outcomes.filter((o) => o.bindRejected === undefined);
    const differing = compared.filter((o) => o.differences.length > 0);

    const bySource = new Map<string, { agree: number; differ: number; bindRejected: number }>();
    for (const o of outcomes) {
      const s = bySource.get(o.input.source) ?? { agree: 0, differ: 0, bindRejected: 0 };
      if (o.bindRejected !== undefined) s.bindRejected++;
      else if (o.differences.length > 0) s.differ++;
      else s.agree++;
      bySource.set(o.input.source, s);
    }
    for (const [src, s] of bySource) console.error(`  ${src}: ${s.agree} agree, ${s.differ} differ, ${s.bindRejected} not loaded by BIND`);
    const records = compared.reduce((n, o) => n + o.records, 0);
    console.error(`zonefile oracle: ${compared.length - differing.length} files agree, ${differing.length} deviations (${records} records compared; ${outcomes.length - compared.length} files BIND does not load; ${outcomes.filter((o) => o.cli).length} through the CLI)`);

    // Our own zones must all be loadable by BIND: they are written to be valid.
    const ownRejected = outcomes.filter((o) => (o.input.source === 'own' || o.input.source === 'zones') && o.bindRejected !== undefined);
    assert.deepEqual(ownRejected.map((o) => `${o.input.id}: ${o.bindRejected}`), [], 'BIND refuses one of our own zones');

    const unexpected = differing.filter((o) => !DEVIATIONS.has(o.input.id));
    const ran = new Set(inputs.map((z) => z.id));
    const stale = [...DEVIATIONS.keys()].filter((id) => ran.has(id) && !differing.some((o) => o.input.id === id));
    assert.deepEqual(
      {
        differences: unexpected.map((o) => `${o.input.id} (${o.input.origin}):\n    ${o.differences.join('\n    ')}`),
        staleDeviations: stale,
      },
      { differences: [], staleDeviations: [] },
      'zones where Tyne and BIND differ, and listed deviations that no longer happen (remove those from DEVIATIONS)',
    );
  });
});

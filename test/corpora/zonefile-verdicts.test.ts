/**
 * Verdicts on invalid and edge-case zone files: Tyne's `check-zone` must
 * refuse a zone exactly when BIND's `named-checkzone` does (same file,
 * same origin, BIND run from the file's folder). Inputs: Knot's zscanner
 * cases (each behind an apex SOA/NS, so that the verdict is about the
 * case's own lines), NSD's tpkg zones (parser regressions, fuzzer crash
 * files, SVCB failure cases), BIND's master-file cases and this project's
 * test/zones/invalid/.
 *
 * DEVIATIONS lists every input where the verdicts differ, with the reason;
 * the test fails on any other disagreement, on any crash not in
 * KNOWN_CRASHES, and on a listed entry that no longer happens. Entries
 * marked "reported:" are bugs or gaps waiting for a decision or a fix.
 * Where both accept, the records themselves are compared by
 * test/integration/zonefile-oracle.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { haveTool } from '../support/tools.js';
import { bindMasterFixups, bindMasterZones, knotCases, nsdZones, ownInvalidZones, type ZoneInput } from '../zones/sources.js';
import { bindCheck, mapLimit, tyneCheck, tyneHasCheckZone } from '../zones/runners.js';

type Verdict = 'accept' | 'reject';

const INCLUDE_BASE = 'a relative $INCLUDE is resolved against the including file\'s folder (Tyne), not the process\'s working folder (BIND, NSD)';

/**
 * Inputs where Tyne's verdict differs from BIND's: id → [BIND's verdict,
 * reason]. "reported:" marks a Tyne bug or gap waiting for a decision or
 * a fix; the others are deliberate.
 */
const DEVIATIONS = new Map<string, [Verdict, string]>([
  ['invalid:include-nested-relative.zone', ['reject', `${INCLUDE_BASE}: Tyne finds sub/b.inc beside sub/a.inc`]],
  ['knot:06-8_INCLUDE', ['reject', `${INCLUDE_BASE}: includes/include6 says \`$INCLUDE include2\`, which Tyne finds beside it`]],
  ['nsd:include_rel.tdir/m/com/example.com.zone', ['accept', `${INCLUDE_BASE}: m/com/example.com.zone says \`$INCLUDE m/common/ns.cf\`, relative to NSD's folder`]],
  ['nsd:ipseckey.tdir/ipseckey.zone', ['reject', 'RFC 4025 §2.6 allows an IPSECKEY without a public key; BIND 9.18 text requires one (as in bind-rdata-oracle.test.ts)']],
  ['nsd:rr-wks.tdir/rr-wks.zone', ['accept', 'reported: WKS service names (`tcpmux`); BIND looks them up in /etc/services, Tyne takes port numbers only']],
]);

/** Inputs that make Tyne crash (exit status other than 0 and 1), reported and waiting for a fix. */
const KNOWN_CRASHES = new Map<string, string>([
]);

interface Outcome {
  input: ZoneInput;
  bind: Verdict;
  tyne: Verdict;
  bindWhy: string;
  tyneWhy: string;
  /** Tyne exited with neither 0 nor 1: a crash, whatever BIND said. */
  crash?: string;
  cli: boolean;
}

const firstLine = (s: string): string => s.split('\n').find((l) => l.trim() !== '' && !/loaded serial|^OK$/.test(l)) ?? '';

async function judge(z: ZoneInput): Promise<Outcome> {
  const [b, t] = await Promise.all([bindCheck(z), tyneCheck(z, false)]);
  const out: Outcome = {
    input: z, bind: b.status === 0 ? 'accept' : 'reject', tyne: t.status === 0 ? 'accept' : 'reject',
    bindWhy: firstLine(`${b.stdout}\n${b.stderr}`), tyneWhy: firstLine(t.stderr), cli: t.via === 'cli',
  };
  if (t.status !== 0 && t.status !== 1) out.crash = `exit ${t.status}: ${t.stderr.split('\n').slice(0, 4).join(' | ')}`;
  return out;
}

describe('Tyne refuses exactly the zones BIND refuses', { skip: !haveTool('named-checkzone') }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'tyne-zone-verdicts-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('same verdict as named-checkzone, apart from the listed deviations', { timeout: 120_000 }, async () => {
    tyneHasCheckZone();
    const inputs: ZoneInput[] = [
      ...knotCases(tmp, true),
      ...nsdZones(),
      ...bindMasterFixups(bindMasterZones(), tmp),
      ...ownInvalidZones(),
    ];
    assert.ok(ownInvalidZones().length >= 40, 'test/zones/invalid/ holds the project\'s own cases');
    const outcomes = await mapLimit(inputs, 6, judge);

    const crashes = outcomes.filter((o) => o.crash !== undefined && !KNOWN_CRASHES.has(o.input.id));
    const known = outcomes.filter((o) => o.crash !== undefined && KNOWN_CRASHES.has(o.input.id)).length;
    const disagree = outcomes.filter((o) => o.crash === undefined && o.bind !== o.tyne);
    const bySource = new Map<string, { agree: number; disagree: number; bindRejects: number }>();
    for (const o of outcomes) {
      const s = bySource.get(o.input.source) ?? { agree: 0, disagree: 0, bindRejects: 0 };
      if (o.bind === o.tyne && o.crash === undefined) s.agree++;
      else s.disagree++;
      if (o.bind === 'reject') s.bindRejects++;
      bySource.set(o.input.source, s);
    }
    for (const [src, s] of bySource) console.error(`  ${src}: ${s.agree} agree, ${s.disagree} disagree (BIND rejects ${s.bindRejects})`);
    const listed = disagree.filter((o) => DEVIATIONS.has(o.input.id)).length;
    console.error(`zonefile verdicts: ${outcomes.length - disagree.length - crashes.length - known} of ${outcomes.length} agree with named-checkzone, ${disagree.length} disagree (${listed} listed), ${crashes.length + known} crashes (${known} known); ${outcomes.filter((o) => o.cli).length} through the CLI`);

    const unexpected = disagree
      .filter((o) => DEVIATIONS.get(o.input.id)?.[0] !== o.bind)
      .map((o) => `${o.input.id} (${o.input.origin}): BIND ${o.bind}s${o.bindWhy ? ` (${o.bindWhy})` : ''}, Tyne ${o.tyne}s${o.tyneWhy ? ` (${o.tyneWhy})` : ''}`);
    const ran = new Set(inputs.map((z) => z.id));
    const stale = [
      ...[...DEVIATIONS.keys()].filter((id) => ran.has(id) && !disagree.some((o) => o.input.id === id)),
      ...[...KNOWN_CRASHES.keys()].filter((id) => ran.has(id) && !outcomes.some((o) => o.input.id === id && o.crash !== undefined)),
    ];
    // One comparison, so that a failure shows every problem at once.
    assert.deepEqual(
      {
        crashes: crashes.map((o) => `${o.input.id}: ${o.crash}`),
        unexpectedVerdicts: unexpected,
        staleDeviations: stale,
      },
      { crashes: [], unexpectedVerdicts: [], staleDeviations: [] },
      'crashes (exit status other than 0 or 1), verdicts that differ from BIND\'s, and listed deviations that no longer happen (remove those from DEVIATIONS)',
    );
  });
});

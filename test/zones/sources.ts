/**
 * Where the zone-file tests find their inputs: this folder's own zones, the
 * bundled zones/ folder, and the third-party corpora (read in place; knot's
 * cases are written to a temporary folder because they live in JSON).
 *
 * Each input names the file, the origin to load it with and the folder to
 * run BIND from: BIND resolves a relative $INCLUDE against its working
 * folder, Tyne against the including file's folder, so the two agree when
 * BIND runs in the zone file's folder.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { corpusPath, haveCorpus, repoRoot } from '../support/paths.js';

export interface ZoneInput {
  /** Stable id used in deviation lists: `source:relative/path`. */
  id: string;
  source: string;
  path: string;
  origin: string;
  /** BIND's working folder (for relative $INCLUDE). */
  cwd: string;
}

/** This folder in the checkout (the compiled file lives under dist/). */
export const testZonesDir = join(repoRoot, 'test', 'zones');

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function walk(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

const abs = (o: string): string => (o.endsWith('.') ? o : `${o}.`);

/**
 * The origin a file names for itself: its first $ORIGIN, else the owner
 * of its first SOA when that owner is absolute. Only the first 200 lines
 * are looked at.
 */
export function originFromText(text: string): string | undefined {
  const lines = text.split('\n', 200);
  for (const l of lines) {
    const m = /^\$ORIGIN\s+([!-~]+)/i.exec(l);
    if (m) return abs(m[1]!);
    const s = /^([!-~]+\.)\s+(?:.*\s)?SOA\s/i.exec(l);
    if (s && !l.trimStart().startsWith(';')) return s[1]!;
  }
  return undefined;
}

/** Zones written for these tests: `<origin>.zone` in this folder. */
export function ownZones(): ZoneInput[] {
  return readdirSync(testZonesDir)
    .filter((f) => f.endsWith('.zone'))
    .sort()
    .map((f) => ({ id: `own:${f}`, source: 'own', path: join(testZonesDir, f), origin: abs(f.slice(0, -'.zone'.length)), cwd: testZonesDir }));
}

/**
 * Invalid and edge cases written for these tests (test/zones/invalid/):
 * the origin is `example.` unless the first line says `; origin: NAME`.
 */
export function ownInvalidZones(): ZoneInput[] {
  const dir = join(testZonesDir, 'invalid');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.zone'))
    .sort()
    .map((f) => {
      const path = join(dir, f);
      const m = /^; origin: (\S+)/.exec(readFileSync(path, 'latin1'));
      return { id: `invalid:${f}`, source: 'invalid', path, origin: abs(m?.[1] ?? 'example.'), cwd: dir };
    });
}

/** The bundled zones (zones/<origin>.zone), if any. */
export function bundledZones(): ZoneInput[] {
  const dir = join(repoRoot, 'zones');
  return walk(dir)
    .filter((p) => p.endsWith('.zone'))
    .map((p) => ({ id: `zones:${relative(dir, p)}`, source: 'zones', path: p, origin: abs(basename(p).slice(0, -'.zone'.length)), cwd: dirname(p) }));
}

/** BIND's master-file cases (origin test.). master8 includes `testdata/master/master6.data`: see `bindMasterFixups`. */
export function bindMasterZones(): ZoneInput[] {
  if (!haveCorpus('bind-testdata/master')) return [];
  const dir = corpusPath('bind-testdata/master');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.data'))
    .sort((a, b) => Number(/\d+/.exec(a)![0]) - Number(/\d+/.exec(b)![0]))
    .map((f) => ({ id: `bind:${f}`, source: 'bind-master', path: join(dir, f), origin: 'test.', cwd: dir }));
}

/**
 * BIND's own test runs from a folder where master8's include path
 * `testdata/master/master6.data` exists; the copy written to `tmp` has it
 * rewritten to `./master6.data` (as EXPECTED.tsv says).
 */
export function bindMasterFixups(inputs: ZoneInput[], tmp: string): ZoneInput[] {
  return inputs.map((z) => {
    if (!z.path.endsWith('master8.data') && !z.path.endsWith('master9.data')) return z;
    const dir = join(tmp, 'bind-master');
    mkdirSync(dir, { recursive: true });
    for (const f of readdirSync(z.cwd)) if (f.endsWith('.data')) writeFileSync(join(dir, f), readFileSync(join(z.cwd, f)));
    const text = readFileSync(z.path, 'latin1').replace(/testdata\/master\//g, './');
    const path = join(dir, basename(z.path));
    writeFileSync(path, text, 'latin1');
    return { ...z, path, cwd: dir };
  });
}

/** Knot zscanner cases: one file per case in `tmp`, with includes/ beside it and @TMPDIR@ replaced. */
export interface KnotCase extends ZoneInput {
  name: string;
  /** Knot's own verdict: a fatal error, or the count of non-fatal rejections. */
  knotFatal: boolean;
  knotRejected: number;
  knotAccepted: number;
}

interface KnotJson {
  input: string;
  default_origin: string;
  results: ({ error: string; fatal: boolean } | { owner_wire: string })[];
  needs_tmpdir_substitution: boolean;
}

/**
 * Writes the knot cases under `tmp`. With `apex`, each case is preceded
 * by `$INCLUDE apex.inc` (an SOA, NS and glue at the root), so that
 * named-checkzone's zone checks pass and the verdict is about the case's
 * own records; the include keeps the case's line numbers off by one only.
 */
export function knotCases(tmp: string, apex: boolean): KnotCase[] {
  if (!haveCorpus('knot-libzscanner/cases.json')) return [];
  const cases = JSON.parse(readFileSync(corpusPath('knot-libzscanner/cases.json'), 'utf8')) as Record<string, KnotJson>;
  const dir = join(tmp, apex ? 'knot-apex' : 'knot');
  const inc = join(dir, 'includes');
  mkdirSync(inc, { recursive: true });
  const srcInc = corpusPath('knot-libzscanner/data/includes');
  for (const f of readdirSync(srcInc)) writeFileSync(join(inc, f), readFileSync(join(srcInc, f)));
  writeFileSync(join(dir, 'apex.inc'), '. 3600 IN SOA a.root-test. b.root-test. 1 3600 600 86400 60\n. 3600 IN NS a.root-test.\na.root-test. 3600 IN A 192.0.2.1\n');
  return Object.entries(cases).map(([name, c]) => {
    let text = c.needs_tmpdir_substitution ? c.input.replaceAll('@TMPDIR@', dir) : c.input;
    if (apex) text = `$INCLUDE ${join(dir, 'apex.inc')}\n${text}`;
    const path = join(dir, `${name}.zone`);
    writeFileSync(path, text, 'latin1');
    const errs = c.results.filter((r): r is { error: string; fatal: boolean } => 'error' in r);
    return {
      id: `knot:${name}`, source: apex ? 'knot+apex' : 'knot', name, path, origin: abs(c.default_origin), cwd: dir,
      knotFatal: errs.some((e) => e.fatal), knotRejected: errs.length, knotAccepted: c.results.length - errs.length,
    };
  });
}

/** Zone name → file name pairs in an NSD configuration. */
function nsdConfZones(text: string): [string, string][] {
  const out: [string, string][] = [];
  let name: string | undefined;
  for (const raw of text.split('\n')) {
    const l = raw.replace(/#.*/, '').trim();
    const n = /(?:^|\s)name:\s*"?([^"\s]+)"?/.exec(l);
    if (n) name = n[1];
    const z = /^zonefile:\s*"?([^"\s]+)"?/.exec(l);
    if (z && name !== undefined) out.push([abs(name), z[1]!]);
  }
  return out;
}

/** NSD's compiled databases and harness files are not zone text. */
const NSD_NOT_ZONES = /\.(conf\d?|conf\.in|dsc|help|db|test|pre|post|testns|datafile|cmp)$|known_good|current_respons|\.zone\.cmp$/;

/**
 * NSD tpkg zone files: those its configurations name (with their zone
 * name), the svcb cases, the parsezone crash inputs and zonec_tests'
 * files (origin from the file's own $ORIGIN or SOA, else the directory's
 * zone, else example.com.). NSD's `%z`/`%s` patterns are expanded.
 */
export function nsdZones(): ZoneInput[] {
  if (!haveCorpus('nsd-tpkg')) return [];
  const root = corpusPath('nsd-tpkg');
  const out: ZoneInput[] = [];
  for (const tdir of readdirSync(root).filter((d) => d.endsWith('.tdir')).sort()) {
    const dir = join(root, tdir);
    const mapped = new Map<string, string>();
    for (const f of walk(dir)) {
      if (/\.conf\d?(\.in)?$/.test(f) || f.endsWith('.conf2') || f.endsWith('.conf3')) {
        for (const [name, file] of nsdConfZones(readFileSync(f, 'utf8'))) {
          const bare = name.replace(/\.$/, '');
          const p = join(dir, file.replace('%z', bare.split('.').pop()!).replace('%s', bare));
          if (isFile(p) && !mapped.has(p)) mapped.set(p, name);
        }
      }
    }
    const dirDefault = new Set(mapped.values()).size === 1 ? [...mapped.values()][0] : undefined;
    for (const p of walk(dir)) {
      const f = relative(dir, p);
      if (NSD_NOT_ZONES.test(f) || /^m\/common\//.test(f)) continue;
      let origin = mapped.get(p);
      if (origin === undefined) {
        const text = readFileSync(p, 'latin1');
        origin = originFromText(text) ?? dirDefault ?? 'example.com.';
      }
      out.push({ id: `nsd:${tdir}/${f}`, source: 'nsd', path: p, origin, cwd: dir });
    }
  }
  return out;
}

/** The other corpora's zones: valid material for the record-set oracle. */
export function otherCorpusZones(opts: { bigRoot: boolean }): ZoneInput[] {
  const out: ZoneInput[] = [];
  if (haveCorpus('dnspython-zone/example')) {
    const p = corpusPath('dnspython-zone/example');
    out.push({ id: 'dnspython:example', source: 'dnspython', path: p, origin: 'example.', cwd: dirname(p) });
  }
  if (haveCorpus('knot-tests-extra/data')) {
    const dir = corpusPath('knot-tests-extra/data');
    for (const f of readdirSync(dir).sort()) {
      const p = join(dir, f);
      const origin = f === 'rootzone' ? '.' : originFromText(readFileSync(p, 'latin1')) ?? abs(f.replace(/\.zone$/, ''));
      out.push({ id: `knot-extra:${f}`, source: 'knot-extra', path: p, origin, cwd: dir });
    }
  }
  if (haveCorpus('zonemd-test-cases/zones')) {
    const dir = corpusPath('zonemd-test-cases/zones');
    for (const c of readdirSync(dir).sort()) {
      const conf = join(dir, c, 'config');
      if (!isFile(conf)) continue;
      const kv = Object.fromEntries(readFileSync(conf, 'utf8').split('\n').filter((l) => l.includes('=')).map((l) => l.split('=', 2) as [string, string]));
      if (kv.zonefile === undefined || kv.origin === undefined) continue;
      if (!opts.bigRoot && statSync(join(dir, c, kv.zonefile)).size > 1_000_000) continue;
      out.push({ id: `zonemd:${c}`, source: 'zonemd', path: join(dir, c, kv.zonefile), origin: abs(kv.origin), cwd: join(dir, c) });
    }
  }
  if (haveCorpus('pdns-regression-tests/named.conf')) {
    const conf = readFileSync(corpusPath('pdns-regression-tests/named.conf'), 'utf8');
    const dir = corpusPath('pdns-regression-tests/zones');
    for (const m of conf.matchAll(/zone\s+"([^"]+)"\s*\{[^}]*?file\s+"([^"]+)"/g)) {
      let p = join(dir, m[2]!);
      if (!isFile(p) && isFile(`${p}.orig`)) p = `${p}.orig`;
      if (!isFile(p)) continue;
      out.push({ id: `pdns:${m[2]}`, source: 'pdns', path: p, origin: abs(m[1]!), cwd: dir });
    }
    // Zones named.conf does not load (ZONEMD cases of another test): their origin is in the text.
    const seen = new Set(out.map((z) => z.path));
    for (const f of readdirSync(dir).sort()) {
      const p = join(dir, f);
      if (seen.has(p) || seen.has(p.replace(/\.orig$/, '')) || !isFile(p)) continue;
      const origin = originFromText(readFileSync(p, 'latin1'));
      if (origin !== undefined) out.push({ id: `pdns:${f}`, source: 'pdns', path: p, origin, cwd: dir });
    }
  }
  return out;
}

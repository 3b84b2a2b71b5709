/**
 * `tyne serve` seen through BIND's `dig`: the options operators use
 * (+norec, +tcp, +bufsize with and without +ignore, +edns=1, +dnssec,
 * +nsid, CHAOS version.bind) against a running daemon, plus 100 queries
 * pipelined on one TCP connection. Tyne serves the bundled zones of
 * zones/ns1.yaml (when present) and the differential zones of
 * test/zones/serve (which hold the large RRset the truncation cases need).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { RRType, decodeMessage } from '../../src/wire/index.js';
import { buildQuery, queryTcp } from '../support/dns-client.js';
import { repoRoot } from '../support/paths.js';
import { freePort } from '../support/ports.js';
import { haveTool } from '../support/tools.js';
import { startTyne, type TyneProcess } from '../support/tyne-process.js';
import { digRaw } from '../support/dig.js';

const IDENTITY = 'ns1.test';
const VERSION = 'tyne-test';
const SERVE_DIR = resolve(repoRoot, 'test', 'zones', 'serve');
const OWN_ZONES = [
  { name: 'example.com', file: join(SERVE_DIR, 'example.com.zone') },
  { name: 'eu.example.com', file: join(SERVE_DIR, 'eu.example.com.zone') },
  { name: 'example.net', file: join(SERVE_DIR, 'example.net.zone') },
];
const NS1_YAML = resolve(repoRoot, 'zones', 'ns1.yaml');

/** The zones of zones/ns1.yaml (listed, and in its zone directories), with absolute file paths; empty when it is absent. */
function bundledZones(): { name: string; file: string }[] {
  if (!existsSync(NS1_YAML)) {
    console.error('\n!!!! NOTE: zones/ns1.yaml is absent; dig tests use test/zones/serve only !!!!\n');
    return [];
  }
  const doc = parseYaml(readFileSync(NS1_YAML, 'utf8')) as { zones?: { name: string; file?: string }[]; 'zone-directories'?: { path: string }[] };
  // The zones listed with a file (the catalog has none), and the customers' files in its zone directories.
  const listed = (doc.zones ?? []).filter((z) => z.file !== undefined).map((z) => ({ name: String(z.name).replace(/\.$/, ''), file: resolve(dirname(NS1_YAML), String(z.file)) }));
  const found = (doc['zone-directories'] ?? []).flatMap((d) => {
    const folder = resolve(dirname(NS1_YAML), d.path);
    return readdirSync(folder).filter((f) => f.endsWith('.zone')).sort().map((f) => ({ name: f.slice(0, -'.zone'.length), file: join(folder, f) }));
  });
  return [...listed, ...found];
}

/** `identity` undefined: the key is left out, so the server uses its default (the host name). */
async function startWith(tmp: string, tag: string, zones: { name: string; file: string }[], version: string | null, identity?: string) {
  const port = await freePort();
  const yaml = [
    `listen: ["127.0.0.1:${port}"]`,
    'log: { level: info }', // startTyne waits for the info-level "serving" line
    // data-dir: journals and served-serial state in the temp folder, not beside the zone files in the checkout.
    `server: { udp-payload: 1232, ${identity === undefined ? '' : `identity: ${identity}, `}version: ${version === null ? 'null' : JSON.stringify(version)}, data-dir: ${JSON.stringify(join(tmp, `${tag}-state`))} }`,
    'zones:',
    ...zones.map((z) => `  - { name: ${JSON.stringify(z.name)}, file: ${JSON.stringify(z.file)} }`),
  ].join('\n');
  const conf = join(tmp, `${tag}.yaml`);
  writeFileSync(conf, `${yaml}\n`);
  const proc = await startTyne(conf);
  return { port, proc };
}

// ---------------------------------------------------------------- dig output

interface DigAnswer {
  raw: string;
  status: string;
  flags: string[];
  edns: { version: number; flags: string[]; udp: number } | null;
  nsid: string | null;
  /** Records of each section, split on whitespace (owner, ttl, class, type, rdata...). */
  sections: Record<'QUESTION' | 'ANSWER' | 'AUTHORITY' | 'ADDITIONAL', string[][]>;
  /** "UDP" or "TCP", from the ;; SERVER line. */
  transport: string;
  retriedOverTcp: boolean;
}

/** Parses dig's default output; the last ->>HEADER<<- block is the answer that counted. */
export function parseDig(out: string): DigAnswer {
  const at = out.lastIndexOf('->>HEADER<<-');
  if (at < 0) throw new Error(`dig printed no answer:\n${out}`);
  const text = out.slice(at);
  const status = /status: ([A-Z0-9]+)/.exec(text)?.[1];
  const flagLine = /^;; flags:([^;]*);/m.exec(text);
  if (status === undefined || flagLine === null) throw new Error(`unparsable dig output:\n${out}`);
  const ednsLine = /^; EDNS: version: (\d+), flags:([^;]*); udp: (\d+)/m.exec(text);
  const nsid = /^; NSID: .*\("(.*)"\)\s*$/m.exec(text)?.[1] ?? null;
  const sections: DigAnswer['sections'] = { QUESTION: [], ANSWER: [], AUTHORITY: [], ADDITIONAL: [] };
  let current: keyof DigAnswer['sections'] | null = null;
  for (const line of text.split('\n')) {
    const head = /^;; (QUESTION|ANSWER|AUTHORITY|ADDITIONAL) SECTION:/.exec(line);
    if (head) {
      current = head[1] as keyof DigAnswer['sections'];
      continue;
    }
    if (line.trim() === '' || (line.startsWith(';;') && current !== null)) {
      current = null;
      continue;
    }
    if (current === 'QUESTION') sections.QUESTION.push(line.replace(/^;/, '').trim().split(/\s+/));
    else if (current !== null && !line.startsWith(';')) sections[current].push(line.trim().split(/\s+/));
  }
  return {
    raw: out,
    status,
    flags: flagLine[1]!.trim().split(/\s+/).filter((f) => f !== ''),
    edns: ednsLine ? { version: Number(ednsLine[1]), flags: ednsLine[2]!.trim().split(/\s+/).filter((f) => f !== ''), udp: Number(ednsLine[3]) } : null,
    nsid,
    sections,
    transport: /^;; SERVER: .*\((UDP|TCP)\)\s*$/m.exec(text)?.[1] ?? '?',
    retriedOverTcp: /Truncated, retrying in TCP mode/.test(out),
  };
}

async function dig(port: number, args: string[]): Promise<DigAnswer> {
  const r = await digRaw({ port }, ['+time=2', '+tries=1', '+nocookie', ...args], 15_000);
  if (r.status !== 0 && !r.stdout.includes('->>HEADER<<-')) throw new Error(`dig ${args.join(' ')} failed (exit ${r.status}):\n${r.out}`);
  return parseDig(r.stdout);
}

/** Owner names compare case-insensitively in dig output (case is the differential test's business). */
const lc = (s: string) => s.toLowerCase();

// ---------------------------------------------------------------- tests

describe('dig against tyne serve', { skip: !haveTool('dig') }, () => {
  let tmp = '';
  let main: { port: number; proc: TyneProcess } | undefined;
  let noVersion: { port: number; proc: TyneProcess } | undefined;
  const bundled = bundledZones();

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'tyne-dig-'));
    main = await startWith(tmp, 'main', [...bundled, ...OWN_ZONES], VERSION, IDENTITY);
    noVersion = await startWith(tmp, 'noversion', OWN_ZONES, null);
  });
  after(async () => {
    await main?.proc.stop();
    await noVersion?.proc.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('+norec: authoritative SOA of every served zone, over UDP and TCP', async () => {
    for (const z of [...bundled, ...OWN_ZONES]) {
      for (const tcp of [false, true]) {
        const a = await dig(main!.port, ['+norec', ...(tcp ? ['+tcp'] : []), z.name, 'SOA']);
        assert.equal(a.status, 'NOERROR', a.raw);
        assert.deepEqual(a.flags, ['qr', 'aa'], a.raw);
        assert.equal(a.transport, tcp ? 'TCP' : 'UDP', a.raw);
        assert.equal(a.sections.ANSWER.length, 1, a.raw);
        assert.equal(lc(a.sections.ANSWER[0]![0]!), `${lc(z.name)}.`, a.raw);
        assert.equal(a.sections.ANSWER[0]![3], 'SOA', a.raw);
        assert.deepEqual(a.sections.QUESTION, [[`${z.name}.`, 'IN', 'SOA']], a.raw);
      }
    }
  });

  it('+norec: NXDOMAIN carries the SOA with the negative TTL (RFC 2308 §3)', async () => {
    const a = await dig(main!.port, ['+norec', 'nothere.example.com', 'A']);
    assert.equal(a.status, 'NXDOMAIN', a.raw);
    assert.deepEqual(a.flags, ['qr', 'aa'], a.raw);
    assert.equal(a.sections.ANSWER.length, 0, a.raw);
    const soa = a.sections.AUTHORITY.find((r) => r[3] === 'SOA');
    assert.ok(soa, a.raw);
    assert.equal(soa[1], '300', 'min(SOA TTL 86400, MINIMUM 300)');
  });

  it('recursion desired is echoed (RD) but not offered (no RA)', async () => {
    const a = await dig(main!.port, ['+rec', 'WWW.example.com', 'A']);
    assert.equal(a.status, 'NOERROR', a.raw);
    assert.deepEqual(a.flags, ['qr', 'aa', 'rd'], a.raw);
    assert.deepEqual(a.sections.ANSWER.map((r) => r.slice(3)), [['A', '192.0.2.80']], a.raw);
  });

  it('+bufsize=512 on a large RRset: TC over UDP, then dig retries over TCP and gets all of it', async () => {
    const a = await dig(main!.port, ['+norec', '+bufsize=512', 'big.example.com', 'TXT']);
    assert.ok(a.retriedOverTcp, `dig should have retried over TCP:\n${a.raw}`);
    assert.equal(a.transport, 'TCP', a.raw);
    assert.equal(a.status, 'NOERROR', a.raw);
    assert.deepEqual(a.flags, ['qr', 'aa'], a.raw);
    assert.equal(a.sections.ANSWER.filter((r) => r[3] === 'TXT').length, 40, a.raw);
  });

  it('+bufsize=512 +ignore: the truncated UDP answer itself (flags qr aa tc)', async () => {
    const a = await dig(main!.port, ['+norec', '+bufsize=512', '+ignore', 'big.example.com', 'TXT']);
    assert.ok(!a.retriedOverTcp, a.raw);
    assert.equal(a.transport, 'UDP', a.raw);
    assert.equal(a.status, 'NOERROR', a.raw);
    assert.deepEqual(a.flags, ['qr', 'aa', 'tc'], a.raw);
    assert.ok(a.edns, `OPT is kept in a truncated answer (RFC 6891 §7):\n${a.raw}`);
    assert.equal(a.edns.udp, 1232, a.raw);
    // A partial RRset is never sent; 40 records of ~110 octets cannot fit in 512.
    assert.equal(a.sections.ANSWER.length, 0, a.raw);
    const b = await dig(main!.port, ['+norec', '+bufsize=512', '+ignore', 'med.example.com', 'TXT']);
    assert.deepEqual(b.flags, ['qr', 'aa', 'tc'], b.raw);
    const c = await dig(main!.port, ['+norec', '+bufsize=1232', '+ignore', 'med.example.com', 'TXT']);
    assert.deepEqual(c.flags, ['qr', 'aa'], `8 TXT of 100 octets fit in 1232:\n${c.raw}`);
    assert.equal(c.sections.ANSWER.length, 8, c.raw);
  });

  it('+edns=1: BADVERS, with an OPT of version 0 (RFC 6891 §6.1.3)', async () => {
    const a = await dig(main!.port, ['+norec', '+edns=1', '+noednsnegotiation', 'WWW.example.com', 'A']);
    assert.equal(a.status, 'BADVERS', a.raw);
    assert.ok(a.edns, a.raw);
    assert.equal(a.edns.version, 0, a.raw);
    assert.equal(a.sections.ANSWER.length, 0, a.raw);
    assert.ok(!a.flags.includes('aa'), a.raw);
  });

  it('+dnssec: the DO bit is echoed (RFC 3225 §3)', async () => {
    const a = await dig(main!.port, ['+norec', '+dnssec', 'WWW.example.com', 'A']);
    assert.equal(a.status, 'NOERROR', a.raw);
    assert.ok(a.edns, a.raw);
    assert.deepEqual(a.edns.flags, ['do'], a.raw);
    const b = await dig(main!.port, ['+norec', 'WWW.example.com', 'A']);
    assert.deepEqual(b.edns?.flags, [], `no DO unless asked:\n${b.raw}`);
  });

  it('+nsid: the identity comes back as NSID (RFC 5001)', async () => {
    const a = await dig(main!.port, ['+norec', '+nsid', 'WWW.example.com', 'A']);
    assert.equal(a.status, 'NOERROR', a.raw);
    assert.equal(a.nsid, IDENTITY, a.raw);
    const b = await dig(main!.port, ['+norec', 'WWW.example.com', 'A']);
    assert.equal(b.nsid, null, `no NSID unless asked:\n${b.raw}`);
  });

  it('identity left out: id.server, hostname.bind and NSID give the host name (as Knot and NSD)', async () => {
    assert.notEqual(hostname(), '');
    for (const name of ['id.server', 'hostname.bind']) {
      const id = await dig(noVersion!.port, ['+norec', name, 'CH', 'TXT']);
      assert.equal(id.status, 'NOERROR', id.raw);
      assert.deepEqual(id.sections.ANSWER.map((r) => r.slice(4).join(' ')), [`"${hostname()}"`], id.raw);
    }
    const a = await dig(noVersion!.port, ['+norec', '+nsid', 'WWW.example.com', 'A']);
    assert.equal(a.nsid, hostname(), a.raw);
  });

  it('version.bind CH TXT: the configured version, or REFUSED when unset', async () => {
    const a = await dig(main!.port, ['+norec', 'version.bind', 'CH', 'TXT']);
    assert.equal(a.status, 'NOERROR', a.raw);
    assert.ok(a.flags.includes('aa'), a.raw);
    assert.deepEqual(a.sections.ANSWER.map((r) => [lc(r[0]!), r[2], r[3], r.slice(4).join(' ')]), [['version.bind.', 'CH', 'TXT', `"${VERSION}"`]], a.raw);
    const id = await dig(main!.port, ['+norec', 'id.server', 'CH', 'TXT']);
    assert.equal(id.status, 'NOERROR', id.raw);
    assert.deepEqual(id.sections.ANSWER.map((r) => r.slice(4).join(' ')), [`"${IDENTITY}"`], id.raw);
    const b = await dig(noVersion!.port, ['+norec', 'version.bind', 'CH', 'TXT']);
    assert.equal(b.status, 'REFUSED', b.raw);
    assert.equal(b.sections.ANSWER.length, 0, b.raw);
  });

  it('names outside every zone are REFUSED', async () => {
    const a = await dig(main!.port, ['+norec', 'www.example.org', 'A']);
    assert.equal(a.status, 'REFUSED', a.raw);
    assert.ok(!a.flags.includes('aa'), a.raw);
    assert.equal(a.sections.ANSWER.length, 0, a.raw);
  });

  it('100 queries pipelined on one TCP connection all get their answers (RFC 7766 §6.2.1.1)', async () => {
    const names = ['WWW.example.com', 'mail.example.com', 'nothere.example.com', 'big.example.com', 'foo.wild.example.com'];
    const types = [RRType.A, RRType.AAAA, RRType.TXT, RRType.MX];
    const specs = Array.from({ length: 100 }, (_, i) => ({
      id: 1000 + i * 37,
      name: names[i % names.length]!,
      type: types[Math.floor(i / names.length) % types.length]!,
    }));
    const answers = await queryTcp(main!.port, specs.map((s) => buildQuery(s)), 10_000);
    assert.equal(answers.length, 100);
    for (let i = 0; i < 100; i++) {
      const m = decodeMessage(answers[i]!);
      const s = specs[i]!;
      assert.equal(m.id, s.id);
      assert.ok(m.qr && m.aa && !m.tc, `answer ${i} flags`);
      assert.equal(m.questions.length, 1);
      assert.equal(m.questions[0]!.name.toText().toLowerCase(), `${s.name.toLowerCase()}.`);
      assert.equal(m.questions[0]!.type, s.type);
      assert.equal(m.rcode, s.name.startsWith('nothere') ? 3 : 0, `answer ${i} rcode`);
    }
    // The big RRset is complete over TCP.
    const big = answers.findIndex((_, i) => specs[i]!.name === 'big.example.com' && specs[i]!.type === RRType.TXT);
    assert.equal(decodeMessage(answers[big]!).answers.length, 40);
  });
});

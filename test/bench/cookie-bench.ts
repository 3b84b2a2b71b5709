/**
 * The cost of DNS COOKIE (RFC 7873, RFC 9018) on the query path.
 * 1. In process: Responder.handle for `www.example.com A` (a prepared
 *    answer) with EDNS and no cookie (the control), a client cookie alone
 *    (one SipHash to make a cookie), and a valid server cookie (one SipHash
 *    to check it; sent back as it was); runs interleaved, medians.
 * 2. Through the sockets: dnsperf against `tyne serve` with the same three
 *    kinds of query (dnsperf -e, -E 10:<client cookie>, -E 10:<valid
 *    cookie>), interleaved, each compared with the control of its round.
 * Every figure is a ratio to a control measured in the same run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadZoneText } from '../../src/zone/load-zone.js';
import { ZoneSet } from '../../src/query/index.js';
import { Responder } from '../../src/server/responder.js';
import { ServerCookies } from '../../src/server/server-cookie.js';
import { fixedSecrets } from '../../src/server/cookie-secrets.js';
import { Name, emptyMessage, encodeMessageToBytes, RRType } from '../../src/wire/index.js';
import { freePort } from '../support/ports.js';
import { tyneYaml, zoneText } from '../support/tyne-config.js';
import { startTyne } from '../support/tyne-process.js';
import { FULL, QUICK, measure } from './wire-bench.js';

const SECRET_HEX = '0123456789abcdef0123456789abcdef';
const SECRET = Uint8Array.from(Buffer.from(SECRET_HEX, 'hex'));
const CLIENT = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);

function query(cookie: Uint8Array | null): Uint8Array {
  const m = emptyMessage(0x1234);
  m.questions.push({ name: Name.fromText('www.example.com.'), type: RRType.A, class: 1 });
  m.edns = { udpPayload: 1232, version: 0, dnssecOk: false, z: 0, options: cookie === null ? [] : [{ code: 10, data: cookie }] };
  return encodeMessageToBytes(m);
}

/** A server cookie valid now for 127.0.0.1 (client cookie and server cookie). */
function validCookie(): Uint8Array {
  const c = new ServerCookies(fixedSecrets([SECRET]));
  c.check(CLIENT, 0, 8, '127.0.0.1');
  return Uint8Array.from(c.out);
}

export async function runCookieBench(quick: boolean): Promise<void> {
  console.log('Cookie benchmark: the query path with and without DNS COOKIE (ratios against EDNS without a cookie, measured in the same run)');
  const zone = zoneText('example.com', 1, { hosts: 100, extra: ['www A 192.0.2.80'] });
  const responder = new Responder(new ZoneSet([loadZoneText(zone, Name.fromText('example.com.'))]), {
    udpPayload: 1232, identity: null, version: null, cookies: new ServerCookies(fixedSecrets([SECRET])),
  });
  const ctx = { tcp: false, address: '127.0.0.1' };
  const valid = validCookie();
  const cases = [
    { label: 'EDNS, no cookie (control)', q: query(null) },
    { label: 'client cookie alone', q: query(CLIENT) },
    { label: 'valid server cookie', q: query(valid) },
  ].map((c) => ({ label: c.label, fn: () => responder.handle(c.q, ctx)!.length }));
  const results = measure(cases, quick ? QUICK : FULL);
  const base = results.get(cases[0]!.label)!.median;
  console.log('  in process (Responder.handle, prepared answer):');
  for (const c of cases) {
    const m = results.get(c.label)!.median;
    console.log(`    ${c.label.padEnd(28)} ${Math.round(m).toLocaleString('en-US').padStart(12)} q/s  ${(m / base).toFixed(3)}x`);
  }
  await dnsperfRounds(quick, valid);
}

async function dnsperfRounds(quick: boolean, valid: Uint8Array): Promise<void> {
  if (spawnSync('sh', ['-c', 'command -v dnsperf']).status !== 0) {
    console.log('\n!!!! SKIP cookie benchmark through the sockets: dnsperf is not installed !!!!\n');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'tyne-cookie-bench-'));
  const zoneFile = join(dir, 'example.com.zone');
  writeFileSync(zoneFile, zoneText('example.com', 1, { hosts: 100, extra: ['www A 192.0.2.80'] }));
  writeFileSync(join(dir, 'queries'), 'www.example.com A\n');
  const port = await freePort();
  const conf = join(dir, 'tyne.yaml');
  writeFileSync(conf, tyneYaml({ listen: [`127.0.0.1:${port}`], server: [`cookie-secret: "${SECRET_HEX}"`, `data-dir: ${JSON.stringify(join(dir, 'state'))}`], primaries: [{ name: 'example.com', file: zoneFile }] }));
  const tyne = await startTyne(conf);
  const seconds = quick ? 2 : 5;
  const rounds = quick ? 1 : 3;
  const kinds = [
    { label: 'EDNS, no cookie (control)', args: ['-e'] },
    { label: 'client cookie alone', args: ['-E', `10:${Buffer.from(CLIENT).toString('hex')}`] },
    { label: 'valid server cookie', args: ['-E', `10:${Buffer.from(valid).toString('hex')}`] },
  ];
  const ratios = new Map<string, number[]>(kinds.map((k) => [k.label, []]));
  const qps = new Map<string, number[]>(kinds.map((k) => [k.label, []]));
  try {
    for (let r = 0; r < rounds; r++) {
      let control = 0;
      for (const k of kinds) {
        const out = spawnSync('dnsperf', ['-s', '127.0.0.1', '-p', String(port), '-d', join(dir, 'queries'), '-l', String(seconds), '-c', '4', '-q', '200', ...k.args], { encoding: 'utf8', timeout: (seconds + 10) * 1000 });
        const m = /Queries per second:\s+([\d.]+)/.exec(out.stdout ?? '');
        if (m === null) throw new Error(`dnsperf gave no qps: ${out.stdout}${out.stderr}`);
        const v = Number(m[1]);
        if (k === kinds[0]) control = v;
        qps.get(k.label)!.push(v);
        ratios.get(k.label)!.push(v / control);
      }
    }
  } finally {
    await tyne.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(`  through the sockets (dnsperf -c 4 -q 200, ${seconds} s per run, ${rounds} interleaved round(s); ratio to the control of the same round, median):`);
  for (const k of kinds) {
    console.log(`    ${k.label.padEnd(28)} ${Math.round(med(qps.get(k.label)!)).toLocaleString('en-US').padStart(12)} q/s  ${med(ratios.get(k.label)!).toFixed(3)}x`);
  }
}

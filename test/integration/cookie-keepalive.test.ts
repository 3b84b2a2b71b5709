/**
 * DNS COOKIE (RFC 7873, RFC 9018), edns-tcp-keepalive (RFC 7828) and
 * FORMERR with OPT, seen through BIND 9.18's dig, against `tyne serve` and,
 * as the reference, named with the same `cookie-secret`:
 * - a client cookie alone gets a server cookie, which echoed back is "good";
 * - named and Tyne make the same server cookie for the same client cookie,
 *   address and second (RFC 9018's point: one client, many servers);
 * - a tampered server cookie gets BADCOOKIE over UDP (named answers it
 *   normally: RFC 7873 §5.2.3 lets a server choose) and dig's retry works;
 * - +tcp +keepalive shows the idle timeout as named shows its own;
 * - dig +header-only gets what named gives (§5.4), and with +nocookie a
 *   FORMERR with OPT and no warning.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { digEdns, type DigTarget } from '../support/dig.js';
import { startNamed, type NamedProcess } from '../support/named-process.js';
import { freePort } from '../support/ports.js';
import { haveTool } from '../support/tools.js';
import { tyneYaml, zoneText } from '../support/tyne-config.js';
import { startTyne, tyneLogTail, type TyneProcess } from '../support/tyne-process.js';

const SECRET = '0123456789abcdef0123456789abcdef';
const CLIENT = '0102030405060708';
const have = haveTool('dig') && haveTool('named');

/** The RFC 9018 timestamp (seconds) of a 24-octet cookie in hex. */
const stampOf = (cookie: string): number => parseInt(cookie.slice(24, 32), 16);

describe('DNS COOKIE, edns-tcp-keepalive and FORMERR with OPT, against dig and named', { skip: !have }, () => {
  let tmp = '';
  let tyne: TyneProcess | null = null;
  let named: NamedProcess | null = null;
  let T: DigTarget;
  let N: DigTarget;

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'tyne-cookie-'));
    const zone = join(tmp, 'example.com.zone');
    writeFileSync(zone, zoneText('example.com', 1, { hosts: 2, extra: ['www A 192.0.2.80'] }));
    const port = await freePort();
    const conf = join(tmp, 'tyne.yaml');
    writeFileSync(conf, tyneYaml({
      listen: [`127.0.0.1:${port}`],
      server: ['tcp-idle-timeout: 30s', `cookie-secret: "${SECRET}"`, `data-dir: ${JSON.stringify(join(tmp, 'state'))}`],
      primaries: [{ name: 'example.com', file: zone }],
    }));
    tyne = await startTyne(conf);
    T = { port };
    // named's tcp-idle-timeout is 30 s by default, as set for Tyne here.
    named = await startNamed([{ name: 'example.com', file: zone }], { extraOptions: `  cookie-secret "${SECRET}";` });
    N = { port: named.port };
  });

  after(async () => {
    await tyne?.stop();
    await named?.stop();
    if (tmp !== '') rmSync(tmp, { recursive: true, force: true });
  });

  it('returns a server cookie to a client cookie alone, and dig finds it good when echoed back (RFC 7873 §5.2.3, §5.2.5)', async () => {
    const first = await digEdns(T, 'www.example.com', 'A', ['+cookie']);
    assert.equal(first.status, 'NOERROR', tyneLogTail(tyne));
    assert.match(first.cookie ?? '', /^[0-9a-f]{16}01000000[0-9a-f]{24}$/, first.raw);
    assert.equal(first.cookieVerdict, 'good', first.raw);
    const again = await digEdns(T, 'www.example.com', 'A', [`+cookie=${first.cookie}`]);
    assert.equal(again.status, 'NOERROR');
    assert.equal(again.answers, 1);
    assert.equal(again.cookieVerdict, 'good', again.raw);
    // RFC 9018 §4.3: a cookie less than half an hour old is sent back as it was.
    assert.equal(again.cookie, first.cookie);
    assert.deepEqual(again.warnings, []);
  });

  it('makes the same server cookie as named for the same client cookie, address and second (RFC 9018)', async () => {
    let compared = 0;
    for (let i = 0; i < 10 && compared < 2; i++) {
      const [t, n] = await Promise.all([digEdns(T, 'www.example.com', 'A', [`+cookie=${CLIENT}`]), digEdns(N, 'www.example.com', 'A', [`+cookie=${CLIENT}`])]);
      assert.ok(t.cookie !== null && n.cookie !== null, `${t.raw}\n${n.raw}`);
      if (stampOf(t.cookie) !== stampOf(n.cookie)) continue;
      assert.equal(t.cookie, n.cookie, 'same secret, client cookie, address and time: same cookie');
      compared++;
    }
    assert.ok(compared > 0, 'no two answers in the same second in 10 tries');
    // And each takes the other's cookie as valid: Tyne answers named's cookie normally, not with BADCOOKIE.
    const fromNamed = await digEdns(N, 'www.example.com', 'A', ['+cookie=1112131415161718']);
    const atTyne = await digEdns(T, 'www.example.com', 'A', [`+cookie=${fromNamed.cookie}`, '+nobadcookie']);
    assert.equal(atTyne.status, 'NOERROR', atTyne.raw);
    assert.equal(atTyne.cookieVerdict, 'good');
  });

  it('answers a tampered server cookie over UDP with BADCOOKIE and a fresh cookie, which dig retries with (§5.2.4)', async () => {
    const first = await digEdns(T, 'www.example.com', 'A', [`+cookie=${CLIENT}`]);
    const good = first.cookie!;
    const tampered = good.slice(0, 47) + (good[47] === '0' ? '1' : '0');
    const bad = await digEdns(T, 'www.example.com', 'A', [`+cookie=${tampered}`, '+nobadcookie']);
    assert.equal(bad.status, 'BADCOOKIE', bad.raw);
    assert.equal(bad.answers, 0);
    assert.equal(bad.cookie?.slice(0, 16), CLIENT);
    assert.notEqual(bad.cookie, tampered);
    // dig's default: retry with the cookie it was given, and get the answer.
    const retried = await digEdns(T, 'www.example.com', 'A', [`+cookie=${tampered}`]);
    assert.ok(retried.warnings.includes(';; BADCOOKIE, retrying.'), retried.raw);
    assert.equal(retried.status, 'NOERROR');
    assert.equal(retried.answers, 1);
    // Over TCP the source address is not spoofed: a normal answer with a fresh cookie.
    const tcp = await digEdns(T, 'www.example.com', 'A', [`+cookie=${tampered}`, '+tcp']);
    assert.equal(tcp.status, 'NOERROR');
    assert.equal(tcp.cookieVerdict, 'good');
    // Too old (RFC 9018 §4.3: more than an hour): also BADCOOKIE.
    const old = (stampOf(good) - 7200) >>> 0;
    const stale = good.slice(0, 24) + old.toString(16).padStart(8, '0') + good.slice(32);
    assert.equal((await digEdns(T, 'www.example.com', 'A', [`+cookie=${stale}`, '+nobadcookie'])).status, 'BADCOOKIE');
  });

  it('sends edns-tcp-keepalive over TCP only, with the idle timeout, as named does (RFC 7828 §3.3)', async () => {
    const t = await digEdns(T, 'www.example.com', 'A', ['+tcp', '+keepalive']);
    const n = await digEdns(N, 'www.example.com', 'A', ['+tcp', '+keepalive']);
    assert.equal(t.keepalive, '30.0 secs', t.raw);
    assert.equal(t.keepalive, n.keepalive);
    assert.equal((await digEdns(T, 'www.example.com', 'A', ['+keepalive'])).keepalive, null, 'never over UDP');
    assert.equal((await digEdns(T, 'www.example.com', 'A', ['+tcp'])).keepalive, null, 'only when asked');
  });

  it('answers dig +header-only as named does: NOERROR with a cookie (§5.4), and with +nocookie FORMERR with OPT, no warning', async () => {
    for (const extra of [[], ['+nocookie']]) {
      const t = await digEdns(T, '', '', ['+header-only', ...extra]);
      const n = await digEdns(N, '', '', ['+header-only', ...extra]);
      const label = `+header-only ${extra.join(' ')}`;
      assert.equal(t.status, n.status, `${label}\n${t.raw}`);
      assert.equal(t.opt, true, `${label}: OPT in the answer`);
      assert.equal(t.opt, n.opt);
      assert.equal(t.cookie === null, n.cookie === null, label);
      assert.deepEqual(t.warnings, [], `${label}: ${t.raw}`);
    }
    assert.equal((await digEdns(T, '', '', ['+header-only', '+nocookie'])).status, 'FORMERR');
  });

  it('answers a malformed COOKIE option with FORMERR and OPT, as named (§5.2.2)', async () => {
    const t = await digEdns(T, 'www.example.com', 'A', ['+nocookie', '+ednsopt=10:01020304']);
    const n = await digEdns(N, 'www.example.com', 'A', ['+nocookie', '+ednsopt=10:01020304']);
    assert.equal(t.status, 'FORMERR');
    assert.equal(t.status, n.status);
    assert.equal(t.opt, n.opt);
    assert.deepEqual(t.warnings, []);
  });
});

describe('DNS COOKIE with workers and a generated secret', { skip: !haveTool('dig') }, () => {
  it('every worker accepts the cookies every other made (the primary hands them one seed)', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'tyne-cookie-workers-'));
    let tyne: TyneProcess | null = null;
    try {
      const zone = join(tmp, 'example.com.zone');
      writeFileSync(zone, zoneText('example.com', 1, { hosts: 2, extra: ['www A 192.0.2.80'] }));
      const port = await freePort();
      const conf = join(tmp, 'tyne.yaml');
      writeFileSync(conf, tyneYaml({ listen: [`127.0.0.1:${port}`], server: ['workers: 2', `data-dir: ${JSON.stringify(join(tmp, 'state'))}`], primaries: [{ name: 'example.com', file: zone }] }));
      tyne = await startTyne(conf, { timeoutMs: 30_000 });
      const t: DigTarget = { port };
      // Cookies for several client cookies (each answered by whichever worker got the datagram)...
      const cookies: string[] = [];
      for (let i = 0; i < 6; i++) {
        const r = await digEdns(t, 'www.example.com', 'A', [`+cookie=0${i}02030405060708`]);
        assert.ok(r.cookie !== null && r.cookie.length === 48, r.raw);
        cookies.push(r.cookie);
      }
      // ...each sent back several times: never BADCOOKIE, whichever worker answers.
      let answered = 0;
      for (const c of cookies) {
        for (let k = 0; k < 4; k++) {
          const r = await digEdns(t, 'www.example.com', 'A', [`+cookie=${c}`, '+nobadcookie']);
          assert.equal(r.status, 'NOERROR', `${c}: ${r.raw}\n${tyneLogTail(tyne)}`);
          answered++;
        }
      }
      assert.equal(answered, 24);
    } finally {
      await tyne?.stop();
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

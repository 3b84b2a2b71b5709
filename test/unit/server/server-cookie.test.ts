/**
 * Server cookies (RFC 7873, RFC 9018): the cookies BIND 9.18 made with the
 * same secret are the ones we make (so a client may be answered by either,
 * as in an anycast set), timestamp bounds (§4.3), re-issuing, rotation of
 * generated secrets, several configured secrets, IPv4 and IPv6 clients.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CookieVerdict, ServerCookies } from '../../../src/server/server-cookie.js';
import { fixedSecrets, rotatingSecrets, GENERATED_SECRET_LIFETIME_SEC } from '../../../src/server/cookie-secrets.js';

const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const SECRET = hex('0123456789abcdef0123456789abcdef');
const OTHER = hex('ffeeddccbbaa99887766554433221100');

/**
 * Cookies named 9.18 (`cookie-secret "0123456789abcdef0123456789abcdef"`)
 * answered to dig: client cookie | server cookie, and the client's address.
 */
const BIND = [
  { address: '127.0.0.1', cookie: '74f3b5c60e91d5c3' + '010000006b1016444e4f07bbdaafd584' },
  { address: '127.0.0.1', cookie: '74f3b5c60e91d5c3' + '010000006b10164b0bb979d89216127e' },
  { address: '127.0.0.1', cookie: 'b17cb8d9f63ac9e4' + '010000006b10164b6b84915fb071590c' },
  { address: '127.0.0.1', cookie: '0102030405060708' + '010000006b1016845a17e027566617da' },
  { address: '::1', cookie: '0102030405060708' + '010000006b101684f0d58c525b5f518b' },
];

/** The timestamp (seconds) in a 24-octet cookie given in hex. */
const stamp = (cookie: string): number => parseInt(cookie.slice(24, 32), 16);

function check(c: ServerCookies, cookie: string, address: string): number {
  const b = hex(cookie);
  return c.check(b, 0, b.length, address);
}

describe('ServerCookies', () => {
  it('makes the cookies BIND makes from the same secret, client cookie and address (RFC 9018 interoperability)', () => {
    for (const v of BIND) {
      const c = new ServerCookies(fixedSecrets([SECRET]), () => stamp(v.cookie));
      // The client cookie alone: a new server cookie stamped now, which is the one BIND gave.
      assert.equal(check(c, v.cookie.slice(0, 16), v.address), CookieVerdict.CLIENT_ONLY);
      assert.equal(toHex(c.out), v.cookie, `${v.address} ${v.cookie}`);
      // And BIND's cookie is valid here.
      assert.equal(check(c, v.cookie, v.address), CookieVerdict.VALID);
    }
  });

  it('ties a cookie to the client address, the client cookie and the secret', () => {
    const v = BIND[3]!;
    const now = () => stamp(v.cookie);
    assert.equal(check(new ServerCookies(fixedSecrets([SECRET]), now), v.cookie, '127.0.0.2'), CookieVerdict.INVALID);
    assert.equal(check(new ServerCookies(fixedSecrets([SECRET]), now), v.cookie, '::1'), CookieVerdict.INVALID);
    assert.equal(check(new ServerCookies(fixedSecrets([OTHER]), now), v.cookie, '127.0.0.1'), CookieVerdict.INVALID);
    const otherClient = '0102030405060709' + v.cookie.slice(16);
    assert.equal(check(new ServerCookies(fixedSecrets([SECRET]), now), otherClient, '127.0.0.1'), CookieVerdict.INVALID);
    // A dual-stack socket's view of an IPv4 client is that client.
    assert.equal(check(new ServerCookies(fixedSecrets([SECRET]), now), v.cookie, '::ffff:127.0.0.1'), CookieVerdict.VALID);
  });

  it('refuses server cookies that are not Version 1 of 16 octets', () => {
    const v = BIND[3]!;
    const c = new ServerCookies(fixedSecrets([SECRET]), () => stamp(v.cookie));
    assert.equal(check(c, '0102030405060708' + '02' + v.cookie.slice(18), '127.0.0.1'), CookieVerdict.INVALID);
    assert.equal(check(c, v.cookie + '00', '127.0.0.1'), CookieVerdict.INVALID);
    assert.equal(check(c, v.cookie.slice(0, 32), '127.0.0.1'), CookieVerdict.INVALID);
  });

  it('accepts timestamps from one hour past to five minutes ahead, and re-issues after half an hour (RFC 9018 §4.3)', () => {
    const v = BIND[4]!;
    const t = stamp(v.cookie);
    const cases: { age: number; verdict: number; same: boolean }[] = [
      { age: 0, verdict: CookieVerdict.VALID, same: true },
      { age: 1799, verdict: CookieVerdict.VALID, same: true },
      { age: 1800, verdict: CookieVerdict.VALID, same: false },
      { age: 3600, verdict: CookieVerdict.VALID, same: false },
      { age: 3601, verdict: CookieVerdict.INVALID, same: false },
      { age: -300, verdict: CookieVerdict.VALID, same: true },
      { age: -301, verdict: CookieVerdict.INVALID, same: false },
    ];
    for (const k of cases) {
      const now = t + k.age;
      const c = new ServerCookies(fixedSecrets([SECRET]), () => now);
      assert.equal(check(c, v.cookie, '::1'), k.verdict, `age ${k.age}`);
      assert.equal(toHex(c.out) === v.cookie, k.same, `age ${k.age}: sent back as it was`);
      // Whatever came in, what goes out is valid now.
      assert.equal(stamp(toHex(c.out)), k.same ? t : now >>> 0);
      assert.equal(check(c, toHex(c.out), '::1'), CookieVerdict.VALID);
    }
  });

  it('handles the timestamp in serial arithmetic across 2^32 seconds', () => {
    const c = new ServerCookies(fixedSecrets([SECRET]), () => 0xfffffff0);
    check(c, '0102030405060708', '192.0.2.1');
    const made = toHex(c.out);
    const later = new ServerCookies(fixedSecrets([SECRET]), () => 0x100000010 >>> 0);
    assert.equal(check(later, made, '192.0.2.1'), CookieVerdict.VALID);
  });

  it('with several configured secrets, makes cookies with the first and accepts all', () => {
    const now = () => 1_800_000_000;
    const old = new ServerCookies(fixedSecrets([OTHER]), now);
    check(old, '0102030405060708', '2001:db8::1');
    const fromOther = toHex(old.out);
    const c = new ServerCookies(fixedSecrets([SECRET, OTHER]), now);
    assert.equal(check(c, fromOther, '2001:db8::1'), CookieVerdict.VALID);
    // Valid, but not of the secret in use: replaced by one of the first secret.
    assert.notEqual(toHex(c.out), fromOther);
    const first = new ServerCookies(fixedSecrets([SECRET]), now);
    assert.equal(check(first, toHex(c.out), '2001:db8::1'), CookieVerdict.VALID);
    assert.throws(() => fixedSecrets([]), RangeError);
    assert.throws(() => fixedSecrets([new Uint8Array(8)]), RangeError);
  });

  it('rotates generated secrets: the previous one is still accepted, the one before is not', () => {
    const seed = new Uint8Array(32).fill(7);
    const life = GENERATED_SECRET_LIFETIME_SEC;
    let now = 1000 * life + life - 60; // a minute before a rotation
    const c = new ServerCookies(rotatingSecrets(seed), () => now);
    check(c, '0102030405060708', '198.51.100.7');
    const made = toHex(c.out);
    now += 120; // a minute after it
    assert.equal(check(c, made, '198.51.100.7'), CookieVerdict.VALID);
    // Re-issued with the new secret.
    assert.notEqual(toHex(c.out), made);
    // Another process with the same seed (a cluster worker) agrees.
    const worker = new ServerCookies(rotatingSecrets(seed), () => now);
    assert.equal(check(worker, made, '198.51.100.7'), CookieVerdict.VALID);
    // A different seed (another start) does not.
    assert.equal(check(new ServerCookies(rotatingSecrets(new Uint8Array(32).fill(8)), () => now), made, '198.51.100.7'), CookieVerdict.INVALID);
    // Two rotations on, the first secret is gone (its cookies are older than an hour anyway: checked with a clock that says otherwise).
    const s = rotatingSecrets(seed);
    const first = s.at(1000 * life)[0]!;
    assert.deepEqual(s.at(1001 * life)[1], first);
    assert.ok(!s.at(1002 * life).some((k) => toHex(k) === toHex(first)));
  });
});

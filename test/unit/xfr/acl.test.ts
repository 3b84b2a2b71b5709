/**
 * Who may copy a zone or send a NOTIFY (src/xfr/acl.ts): a table of
 * `allow-transfer` / `allow-notify` lists against requesters (source
 * address, verified TSIG key), and the address parsing behind it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aclAllows, addressOctets, type AclEntry, type Requester } from '../../../src/xfr/acl.js';

/** `"addr/n"` (or `"addr"`: a host), optionally keyed, as the configuration reader builds it. */
function range(text: string, key: string | null = null): AclEntry {
  const [addr, bits] = text.split('/');
  const network = addressOctets(addr!);
  if (network === null) throw new Error(`not an address: ${text}`);
  const family = network.length === 4 ? 4 : 6;
  return { kind: 'range', family, network, prefix: bits === undefined ? network.length * 8 : Number(bits), key };
}
const keyed = (key: string): AclEntry => ({ kind: 'key', key });
const from = (address: string, key: string | null = null): Requester => ({ address, key });

describe('aclAllows', () => {
  const cases: { name: string; acl: AclEntry[]; who: Requester; allowed: boolean }[] = [
    // Deny by default.
    { name: 'an empty list admits nobody', acl: [], who: from('127.0.0.1'), allowed: false },
    { name: 'an empty list admits no key either', acl: [], who: from('127.0.0.1', 'xfr.'), allowed: false },
    { name: 'no entry matching: refused', acl: [range('192.0.2.1'), keyed('other.')], who: from('192.0.2.2', 'xfr.'), allowed: false },

    // IPv4 hosts and prefixes.
    { name: 'v4 host: the same address', acl: [range('192.0.2.1')], who: from('192.0.2.1'), allowed: true },
    { name: 'v4 host: another address', acl: [range('192.0.2.1')], who: from('192.0.2.2'), allowed: false },
    { name: 'v4 /32: the same address', acl: [range('192.0.2.1/32')], who: from('192.0.2.1'), allowed: true },
    { name: 'v4 /32: the next address', acl: [range('192.0.2.1/32')], who: from('192.0.2.0'), allowed: false },
    { name: 'v4 /24: inside', acl: [range('192.0.2.0/24')], who: from('192.0.2.255'), allowed: true },
    { name: 'v4 /24: outside', acl: [range('192.0.2.0/24')], who: from('192.0.3.0'), allowed: false },
    { name: 'v4 /20 (not on an octet): inside', acl: [range('10.1.16.0/20')], who: from('10.1.31.200'), allowed: true },
    { name: 'v4 /20 (not on an octet): outside', acl: [range('10.1.16.0/20')], who: from('10.1.32.0'), allowed: false },
    { name: 'v4 /31: both addresses', acl: [range('198.51.100.4/31')], who: from('198.51.100.5'), allowed: true },
    { name: 'v4 /31: the one past it', acl: [range('198.51.100.4/31')], who: from('198.51.100.6'), allowed: false },
    { name: 'v4 host bits beyond the prefix are ignored', acl: [range('192.0.2.77/24')], who: from('192.0.2.1'), allowed: true },
    { name: 'v4 /0: any IPv4 address', acl: [range('0.0.0.0/0')], who: from('203.0.113.9'), allowed: true },
    { name: 'v4 /0: not an IPv6 address', acl: [range('0.0.0.0/0')], who: from('2001:db8::1'), allowed: false },

    // IPv6 hosts and prefixes.
    { name: 'v6 host: the same address', acl: [range('2001:db8::1')], who: from('2001:db8::1'), allowed: true },
    { name: 'v6 host: written out in full', acl: [range('2001:db8::1')], who: from('2001:0db8:0000:0000:0000:0000:0000:0001'), allowed: true },
    { name: 'v6 /128: another address', acl: [range('2001:db8::1/128')], who: from('2001:db8::2'), allowed: false },
    { name: 'v6 /64: inside', acl: [range('2001:db8:1:2::/64')], who: from('2001:db8:1:2:ffff:ffff:ffff:ffff'), allowed: true },
    { name: 'v6 /64: outside', acl: [range('2001:db8:1:2::/64')], who: from('2001:db8:1:3::'), allowed: false },
    { name: 'v6 /52 (not on an octet): inside', acl: [range('2001:db8:0:f000::/52')], who: from('2001:db8:0:ffff::1'), allowed: true },
    { name: 'v6 /52 (not on an octet): outside', acl: [range('2001:db8:0:f000::/52')], who: from('2001:db8:0:e000::1'), allowed: false },
    { name: 'v6 ::1 (loopback)', acl: [range('::1/128')], who: from('::1'), allowed: true },
    { name: 'v6 /0: any IPv6 address', acl: [range('::/0')], who: from('fe80::1'), allowed: true },
    { name: 'v6 /0: not an IPv4 address', acl: [range('::/0')], who: from('127.0.0.1'), allowed: false },
    { name: 'v6 zone index on the source is ignored', acl: [range('fe80::/10')], who: from('fe80::1%eth0'), allowed: true },

    // IPv4-mapped IPv6 sources (dual-stack sockets) count as IPv4.
    { name: 'mapped source, v4 entry: matches', acl: [range('192.0.2.0/24')], who: from('::ffff:192.0.2.7'), allowed: true },
    { name: 'mapped source, v4 entry: outside', acl: [range('192.0.2.0/24')], who: from('::ffff:192.0.3.7'), allowed: false },
    { name: 'mapped source, v4 /0', acl: [range('0.0.0.0/0')], who: from('::ffff:10.0.0.1'), allowed: true },
    { name: 'mapped source is not IPv6: the v6 /0 does not admit it', acl: [range('::/0')], who: from('::ffff:10.0.0.1'), allowed: false },
    { name: 'mapped source is not IPv6: nor a ::ffff:0:0/96 entry', acl: [range('::ffff:0:0/96')], who: from('::ffff:10.0.0.1'), allowed: false },
    // Only the lower-case form sockets give is recognised as mapped.
    { name: 'upper-case ::FFFF: is read as IPv6', acl: [range('192.0.2.0/24')], who: from('::FFFF:192.0.2.7'), allowed: false },

    // Sources that are not addresses.
    { name: 'a source that is not an address matches no range', acl: [range('0.0.0.0/0'), range('::/0')], who: from('localhost'), allowed: false },
    { name: 'an empty source matches no range', acl: [range('0.0.0.0/0')], who: from(''), allowed: false },

    // Keys alone.
    { name: 'key entry: signed with it, from anywhere', acl: [keyed('xfr.example.')], who: from('203.0.113.1', 'xfr.example.'), allowed: true },
    { name: 'key entry: from a source that is not even an address', acl: [keyed('xfr.example.')], who: from('nowhere', 'xfr.example.'), allowed: true },
    { name: 'key entry: unsigned', acl: [keyed('xfr.example.')], who: from('203.0.113.1'), allowed: false },
    { name: 'key entry: another key', acl: [keyed('xfr.example.')], who: from('203.0.113.1', 'other.example.'), allowed: false },
    { name: 'key names: case does not matter', acl: [keyed('XFR.Example.')], who: from('127.0.0.1', 'xfr.example.'), allowed: true },
    { name: 'key names: the final dot does not matter', acl: [keyed('xfr.example')], who: from('127.0.0.1', 'xfr.example.'), allowed: true },
    { name: 'key names: nor on the requester side', acl: [keyed('xfr.example.')], who: from('127.0.0.1', 'XFR.EXAMPLE'), allowed: true },
    { name: 'key names: a longer name is another key', acl: [keyed('xfr.example.')], who: from('127.0.0.1', 'a.xfr.example.'), allowed: false },

    // Address and key together: both must hold.
    { name: 'range with key: both right', acl: [range('192.0.2.0/24', 'xfr.')], who: from('192.0.2.9', 'xfr.'), allowed: true },
    { name: 'range with key: unsigned', acl: [range('192.0.2.0/24', 'xfr.')], who: from('192.0.2.9'), allowed: false },
    { name: 'range with key: wrong key', acl: [range('192.0.2.0/24', 'xfr.')], who: from('192.0.2.9', 'other.'), allowed: false },
    { name: 'range with key: right key, wrong address', acl: [range('192.0.2.0/24', 'xfr.')], who: from('198.51.100.9', 'xfr.'), allowed: false },
    { name: 'range with key: key compared without case', acl: [range('192.0.2.9', 'Xfr')], who: from('192.0.2.9', 'xfr.'), allowed: true },
    { name: 'range without key: a signed request is admitted too', acl: [range('192.0.2.9')], who: from('192.0.2.9', 'xfr.'), allowed: true },

    // Lists: any entry admitting is enough, in any order.
    { name: 'list: a later entry admits', acl: [range('10.0.0.0/8'), range('2001:db8::/32'), keyed('xfr.')], who: from('2001:db8::5'), allowed: true },
    { name: 'list: a key entry after a keyed range that fails', acl: [range('10.0.0.0/8', 'xfr.'), keyed('xfr.')], who: from('192.0.2.1', 'xfr.'), allowed: true },
    { name: 'list: no entry', acl: [range('10.0.0.0/8'), range('2001:db8::/32'), keyed('xfr.')], who: from('192.0.2.1', 'other.'), allowed: false },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(aclAllows(c.acl, c.who), c.allowed);
    });
  }
});

describe('addressOctets', () => {
  const hex = (b: Uint8Array | null): string | null => (b === null ? null : Buffer.from(b).toString('hex'));
  const cases: [string, string | null][] = [
    ['192.0.2.1', 'c0000201'],
    ['0.0.0.0', '00000000'],
    ['255.255.255.255', 'ffffffff'],
    ['::', '00000000000000000000000000000000'],
    ['::1', '00000000000000000000000000000001'],
    ['2001:db8::1', '20010db8000000000000000000000001'],
    ['2001:db8:1::', '20010db8000100000000000000000000'],
    ['2001:db8:0:0:1:0:0:1', '20010db8000000000001000000000001'],
    ['fe80::1%eth0', 'fe800000000000000000000000000001'],
    ['::ffff:192.0.2.1', 'c0000201'],
    ['::1.2.3.4', '00000000000000000000000001020304'],
    ['64:ff9b::192.0.2.1', '0064ff9b0000000000000000c0000201'],
    ['192.0.2', null],
    ['192.0.2.256', null],
    ['localhost', null],
    ['', null],
    ['2001:db8::1::2', null],
  ];
  for (const [text, want] of cases) {
    it(`${JSON.stringify(text)} -> ${want ?? 'null'}`, () => {
      assert.equal(hex(addressOctets(text)), want);
    });
  }
});

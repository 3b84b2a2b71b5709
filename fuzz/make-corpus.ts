/**
 * Builds the saved seed corpus fuzz/corpus/wire/*.bin from our own encoder
 * and from dns-packet's (a second, independent encoder). Run after a build:
 *
 *   node dist/fuzz/make-corpus.js
 *
 * Output is deterministic, so re-running it only rewrites identical files.
 * Every message written must decode with our decoder; the script fails
 * otherwise.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  Name, RRType, decodeMessage, emptyMessage, encodeMessage, encodeMessageToBytes, rdataFromText, tokenize,
  type EdnsOption, type Message, type ResourceRecord,
} from '../src/wire/index.js';
import { savedCorpusDir } from './fuzz-kit.js';

const dnsp = createRequire(import.meta.url)('dns-packet') as { encode(p: unknown): Buffer };

const ORIGIN = Name.fromText('example.com.');
const n = (s: string): Name => Name.fromText(s, ORIGIN);

function rr(owner: string, type: number, text: string, cls = 1, ttl = 3600): ResourceRecord {
  return { name: n(owner), type, class: cls, ttl, rdata: rdataFromText(type, tokenize(text), ORIGIN) };
}

function raw(owner: string, type: number, rdata: Uint8Array, cls = 1, ttl = 0): ResourceRecord {
  return { name: n(owner), type, class: cls, ttl, rdata };
}

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));

function query(id: number, qname: string, qtype: number, extra: Partial<Message> = {}): Message {
  return { ...emptyMessage(id), rd: true, questions: [{ name: n(qname), type: qtype, class: 1 }], ...extra };
}

function response(id: number, qname: string, qtype: number, answers: ResourceRecord[], extra: Partial<Message> = {}): Message {
  return { ...query(id, qname, qtype), qr: true, aa: true, answers, ...extra };
}

const edns = (options: EdnsOption[] = [], dnssecOk = false, udpPayload = 1232) => ({ udpPayload, version: 0, dnssecOk, z: 0, options });
const COOKIE: EdnsOption = { code: 10, data: hex('0102030405060708a1a2a3a4a5a6a7a8b1b2b3b4b5b6b7b8') };
const ECS: EdnsOption = { code: 8, data: hex('00011800c0000200') };
const NSID: EdnsOption = { code: 3, data: new Uint8Array(0) };
const PADDING: EdnsOption = { code: 12, data: new Uint8Array(16) };
const KEEPALIVE: EdnsOption = { code: 11, data: hex('0064') };
const EXPIRE: EdnsOption = { code: 9, data: new Uint8Array(0) };

const SOA = rr('example.com.', RRType.SOA, 'ns1.example.com. hostmaster.example.com. 2024010101 7200 3600 1209600 300');
const KEY_B64 = 'AwEAAagAIKlVZrpC6Ia7gEzahOR+9W29euxhJhVVLOyQbSEW0O8gcCjFFVQUTf6v58fLjwBd0YI0EzrAcQqBGCzh/RStIoO8g0NfnfL2MTJRkxoXbfDaUeVPQuYEhg37NZWAJQ9VnMVDxP/VHL496M/QZxkjf5/Efucp2gaDX6RS6CXpoY68LsvPVjR0ZSwzz1apAzvN9dlzEheX7ICJBBtuA6G3LQpzW5hOA2hzCTMjJPJ8LbqF6dsV6DoBQzgul0sGIcGOYl7OyQdXfZ57relSQageu+ipAdTTJ25AsRTAoub8ONGcLmqrAmRLKBP1dfwhYB4N7knNnulqQxA+Uk1ihz0=';
const SIG_B64 = 'oJB1W6WNGv+ldvQ3WDG0MQkg5IEhjRip8WTrPYGv07h108dUKGMeDPKijVCHX3DDKdfb+v6oB9wfuh3DTJXUAfI/M0zmO/zz8bW0Rznl8O3tGNazPwQKkRN20XPXV6nwwfoXmJQbsLNrLfkGJ5D6fwFm8nN+6pBzeDQfsS3Ap3o=';
const TSIG_RDATA = hex('0b686d61632d73686132353600' + '000065a1b2c3' + '012c' + '0020' + 'aa'.repeat(32) + '1234' + '0000' + '0000');

/** Messages from our encoder: [file stem, message, options]. */
function ours(): [string, Message, { compress?: boolean; limit?: number }][] {
  const rrsig = (covered: string): ResourceRecord =>
    rr('www.example.com.', RRType.RRSIG, `${covered} 13 3 3600 20300101000000 20240101000000 12345 example.com. ${SIG_B64}`);
  return [
    ['ours-query-a', query(0x0101, 'www.example.com.', RRType.A), {}],
    ['ours-query-edns-cookie-ecs', query(0x0102, 'www.example.com.', RRType.AAAA, { edns: edns([COOKIE, ECS, NSID], true, 4096) }), {}],
    ['ours-query-axfr', { ...query(0x0103, 'example.com.', 252), rd: false }, {}],
    ['ours-query-ixfr', { ...query(0x0104, 'example.com.', 251), rd: false, authorities: [SOA] }, {}],
    ['ours-notify', { ...query(0x0105, 'example.com.', RRType.SOA), rd: false, aa: true, opcode: 4, answers: [SOA] }, {}],
    ['ours-resp-a-aaaa', response(0x0201, 'www.example.com.', RRType.A, [
      rr('www.example.com.', RRType.CNAME, 'web.example.com.'),
      rr('web.example.com.', RRType.A, '192.0.2.1'), rr('web.example.com.', RRType.A, '192.0.2.2'),
      rr('web.example.com.', RRType.AAAA, '2001:db8::1'),
    ], { authorities: [rr('example.com.', RRType.NS, 'ns1.example.com.'), rr('example.com.', RRType.NS, 'ns2.example.net.')],
      additionals: [rr('ns1.example.com.', RRType.A, '192.0.2.53')], edns: edns([NSID]) }), {}],
    ['ours-resp-a-uncompressed', response(0x0202, 'www.example.com.', RRType.A, [
      rr('www.example.com.', RRType.A, '192.0.2.1'), rr('www.example.com.', RRType.A, '192.0.2.2'),
    ], { authorities: [rr('example.com.', RRType.NS, 'ns1.example.com.')] }), { compress: false }],
    ['ours-resp-mx-soa-ns', response(0x0203, 'example.com.', RRType.MX, [
      rr('example.com.', RRType.MX, '10 mail.example.com.'), rr('example.com.', RRType.MX, '20 MAIL2.Example.COM.'),
      SOA, rr('example.com.', RRType.NS, 'ns1.example.com.'),
    ]), {}],
    ['ours-resp-txt-spf-hinfo', response(0x0204, 'example.com.', RRType.TXT, [
      rr('example.com.', RRType.TXT, '"v=spf1 -all" "second string" ""'), rr('example.com.', RRType.SPF, '"v=spf1 mx"'),
      rr('host.example.com.', RRType.HINFO, '"PDP-11" "UNIX"'), rr('example.com.', RRType.TXT, '"\\000\\255 binary"'),
    ]), {}],
    ['ours-resp-srv-naptr-uri', response(0x0205, '_sip._udp.example.com.', RRType.SRV, [
      rr('_sip._udp.example.com.', RRType.SRV, '10 60 5060 sip.example.com.'),
      rr('example.com.', RRType.NAPTR, '100 10 "S" "SIP+D2U" "" _sip._udp.example.com.'),
      rr('_http._tcp.example.com.', RRType.URI, '10 1 "https://www.example.com/"'),
    ]), {}],
    ['ours-resp-dnssec-keys', response(0x0206, 'example.com.', RRType.DNSKEY, [
      rr('example.com.', RRType.DNSKEY, `257 3 13 ${KEY_B64}`), rr('example.com.', RRType.CDNSKEY, `257 3 13 ${KEY_B64}`),
      rr('example.com.', RRType.DS, '12345 13 2 ' + 'ab'.repeat(32)), rr('example.com.', RRType.CDS, '12345 13 4 ' + 'cd'.repeat(48)),
      rrsig('DNSKEY'),
    ], { edns: edns([], true) }), {}],
    ['ours-resp-nxdomain-nsec', response(0x0207, 'nope.example.com.', RRType.A, [], { rcode: 3,
      authorities: [SOA, rr('example.com.', RRType.NSEC, 'www.example.com. A NS SOA MX TXT AAAA RRSIG NSEC DNSKEY TYPE65000'), rrsig('NSEC')],
      edns: edns([], true) }), {}],
    ['ours-resp-nsec3', response(0x0208, 'nope.example.com.', RRType.A, [], { rcode: 3,
      authorities: [SOA, rr('2vptu5timamqttgl4luu9kg21e0aor3s.example.com.', RRType.NSEC3, '1 1 12 aabbccdd 2vptu5timamqttgl4luu9kg21e0aor3s A RRSIG'),
        rr('example.com.', RRType.NSEC3PARAM, '1 0 0 -')], edns: edns([], true) }), {}],
    ['ours-resp-tlsa-sshfp-caa', response(0x0209, '_443._tcp.www.example.com.', RRType.TLSA, [
      rr('_443._tcp.www.example.com.', RRType.TLSA, '3 1 1 ' + '0f'.repeat(32)),
      rr('www.example.com.', RRType.SSHFP, '4 2 ' + '12'.repeat(32)),
      rr('example.com.', RRType.CAA, '0 issue "ca.example.net; account=1"'), rr('example.com.', RRType.CAA, '128 iodef "mailto:x@example.com"'),
      rr('example.com.', RRType.SMIMEA, '3 0 0 0a0b0c'), rr('example.com.', RRType.OPENPGPKEY, 'AAECAwQ='),
    ]), {}],
    ['ours-resp-svcb-https', response(0x020a, 'example.com.', RRType.HTTPS, [
      rr('example.com.', RRType.HTTPS, '1 . alpn=h3,h2 ipv4hint=192.0.2.1 ech=AEX+DQBB port=8443'),
      rr('example.com.', RRType.HTTPS, '0 svc.example.net.'),
      rr('_dns.example.com.', RRType.SVCB, '2 doh.example.com. mandatory=alpn alpn=h2 dohpath=/dns-query{?dns} ipv6hint=2001:db8::53'),
    ]), {}],
    ['ours-resp-loc-apl-ipseckey', response(0x020b, 'example.com.', RRType.LOC, [
      rr('example.com.', RRType.LOC, '52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m'),
      rr('example.com.', RRType.APL, '1:192.0.2.0/24 !2:2001:db8::/32'),
      rr('example.com.', RRType.IPSECKEY, `10 1 2 192.0.2.38 AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ==`),
      rr('example.com.', RRType.IPSECKEY, `10 3 2 gw.example.com. AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ==`),
    ]), {}],
    ['ours-resp-misc-types', response(0x020c, 'example.com.', RRType.ANY, [
      rr('example.com.', RRType.RP, 'admin.example.com. info.example.com.'), rr('example.com.', RRType.AFSDB, '1 afs.example.com.'),
      rr('example.com.', RRType.MINFO, 'rm.example.com. em.example.com.'), rr('example.com.', RRType.KX, '10 kx.example.com.'),
      rr('example.com.', RRType.WKS, '192.0.2.1 6 25 80'), rr('example.com.', RRType.EUI48, '00-00-5e-00-53-2a'),
      rr('example.com.', RRType.EUI64, '00-00-5e-ef-10-00-00-2a'), rr('example.com.', RRType.DHCID, 'AAIBY2/AuCccgoJbsaxcQc9TUapptP69lOjxfNuVAA2kjEA='),
      rr('example.com.', RRType.CERT, 'PKIX 12345 RSASHA256 AQID'), rr('example.com.', RRType.CSYNC, '66 3 A NS AAAA'),
      rr('example.com.', RRType.ZONEMD, '2024010101 1 1 ' + '77'.repeat(48)), rr('old.example.com.', RRType.DNAME, 'new.example.com.'),
      rr('example.com.', RRType.X25, '311061700956'), rr('example.com.', RRType.ISDN, '150862028003217 004'),
      rr('example.com.', RRType.RT, '10 relay.example.com.'), rr('example.com.', RRType.PX, '10 map822.example.com. mapx400.example.com.'),
      rr('example.com.', RRType.NID, '10 0014:4fff:ff20:ee64'), rr('example.com.', RRType.L32, '10 10.1.2.0'),
      rr('example.com.', RRType.LP, '10 l64.example.com.'), rr('example.com.', RRType.HIP, `2 200100107B1A74DF365639CC39F1D578 ${KEY_B64} rvs.example.com.`),
      raw('example.com.', 65280, hex('deadbeef'), 1, 60), raw('example.com.', RRType.NULL, hex('00ff'), 1, 60),
    ], { edns: edns([PADDING, KEEPALIVE]) }), {}],
    ['ours-resp-tsig', response(0x020d, 'www.example.com.', RRType.A, [rr('www.example.com.', RRType.A, '192.0.2.1')],
      { edns: edns([COOKIE]), tsig: raw('key.example.com.', RRType.TSIG, TSIG_RDATA, 255, 0) }), {}],
    ['ours-query-tsig-only', { ...query(0x020e, 'example.com.', 252), tsig: raw('key.', RRType.TSIG, TSIG_RDATA, 255, 0) }, {}],
    ['ours-resp-truncated', response(0x020f, 'big.example.com.', RRType.TXT,
      Array.from({ length: 12 }, (_, i) => rr(`t${i >> 1}.big.example.com.`, RRType.TXT, `"${String(i).padStart(2, '0')} ${'x'.repeat(60)}"`)),
      { edns: edns([EXPIRE], false, 512) }), { limit: 512 }],
    ['ours-resp-extended-rcode', response(0x0210, 'example.com.', RRType.A, [], { rcode: 16, edns: { ...edns([]), version: 1 } }), {}],
    ['ours-resp-deep-compression', response(0x0211, 'a.b.c.d.e.f.g.example.com.', RRType.PTR, [
      rr('a.b.c.d.e.f.g.example.com.', RRType.PTR, 'b.c.d.e.f.g.example.com.'),
      rr('b.c.d.e.f.g.example.com.', RRType.PTR, 'c.d.e.f.g.example.com.'),
      rr('c.d.e.f.g.example.com.', RRType.NS, 'x.c.d.e.f.g.example.com.'),
      rr('C.D.E.F.G.EXAMPLE.COM.', RRType.SOA, 'a.b.c.d.e.f.g.example.com. G.Example.Com. 1 2 3 4 5'),
    ]), {}],
    ['ours-update', { ...emptyMessage(0x0300), opcode: 5, questions: [{ name: n('example.com.'), type: RRType.SOA, class: 1 }],
      answers: [raw('example.com.', RRType.TXT, new Uint8Array(0), 254, 0)],
      authorities: [rr('new.example.com.', RRType.A, '192.0.2.9'), raw('old.example.com.', 255, new Uint8Array(0), 255, 0),
        raw('gone.example.com.', RRType.A, hex('c0000201'), 254, 0)] }, {}],
    ['ours-resp-chaos', { ...response(0x0400, 'version.bind.', RRType.TXT, []), questions: [{ name: n('version.bind.'), type: RRType.TXT, class: 3 }],
      answers: [rr('version.bind.', RRType.TXT, '"tyne"', 3, 0)] }, {}],
    ['ours-resp-max-label-name', response(0x0500, `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}.`, RRType.A, [
      rr(`${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}.`, RRType.A, '192.0.2.1'),
    ]), {}],
    ['ours-resp-root-ns', response(0x0600, '.', RRType.NS, [rr('.', RRType.NS, 'a.root-servers.net.'), rr('.', RRType.NS, 'b.root-servers.net.')],
      { additionals: [rr('a.root-servers.net.', RRType.A, '198.41.0.4'), rr('a.root-servers.net.', RRType.AAAA, '2001:503:ba3e::2:30')] }), {}],
  ];
}

/** Messages from dns-packet's encoder. */
function theirs(): [string, Buffer][] {
  const opt = (options: unknown[], flags = 0) => ({ type: 'OPT', name: '.', udpPayloadSize: 4096, flags, options });
  return [
    ['dnsp-query-a', dnsp.encode({ type: 'query', id: 1, flags: 0x0100, questions: [{ type: 'A', name: 'example.org' }] })],
    ['dnsp-query-edns-options', dnsp.encode({ type: 'query', id: 2, flags: 0x0100, questions: [{ type: 'AAAA', name: 'www.example.org' }],
      additionals: [opt([{ code: 'CLIENT_SUBNET', family: 1, sourcePrefixLength: 24, scopePrefixLength: 0, ip: '198.51.100.0' },
        { code: 'PADDING', length: 8 }, { code: 'TCP_KEEPALIVE', timeout: 150 }, { code: 'KEY_TAG', tags: [1, 2, 3] }], 0x8000)] })],
    ['dnsp-resp-a-ns-soa', dnsp.encode({ type: 'response', id: 3, flags: 0x8580, questions: [{ type: 'A', name: 'example.org' }],
      answers: [{ type: 'A', name: 'example.org', ttl: 300, data: '93.184.216.34' }],
      authorities: [{ type: 'NS', name: 'example.org', ttl: 86400, data: 'a.iana-servers.net' }, { type: 'NS', name: 'example.org', ttl: 86400, data: 'b.iana-servers.net' }],
      additionals: [{ type: 'AAAA', name: 'a.iana-servers.net', ttl: 60, data: '2001:500:8f::53' }] })],
    ['dnsp-resp-mx-txt-srv', dnsp.encode({ type: 'response', id: 4, flags: 0x8400, questions: [{ type: 'ANY', name: 'example.org' }],
      answers: [
        { type: 'MX', name: 'example.org', ttl: 300, data: { preference: 10, exchange: 'mx.example.org' } },
        { type: 'TXT', name: 'example.org', ttl: 300, data: ['hello', 'world'] },
        { type: 'SRV', name: '_xmpp._tcp.example.org', ttl: 300, data: { priority: 5, weight: 0, port: 5269, target: 'xmpp.example.org' } },
        { type: 'CNAME', name: 'www.example.org', ttl: 300, data: 'example.org' },
        { type: 'PTR', name: '1.2.0.192.in-addr.arpa', ttl: 300, data: 'host.example.org' },
        { type: 'HINFO', name: 'host.example.org', ttl: 300, data: { cpu: 'x86', os: 'linux' } },
        { type: 'CAA', name: 'example.org', ttl: 300, data: { flags: 0, tag: 'issue', value: 'letsencrypt.org' } },
        { type: 'NAPTR', name: 'example.org', ttl: 300, data: { order: 100, preference: 10, flags: 's', services: 'SIP+D2T', regexp: '', replacement: '_sip._tcp.example.org' } },
        { type: 'DNAME', name: 'old.example.org', ttl: 300, data: 'new.example.org' },
        { type: 'RP', name: 'example.org', ttl: 300, data: { mbox: 'admin.example.org', txt: 'txt.example.org' } },
      ] })],
    ['dnsp-resp-soa', dnsp.encode({ type: 'response', id: 5, flags: 0x8403, questions: [{ type: 'A', name: 'nx.example.org' }],
      authorities: [{ type: 'SOA', name: 'example.org', ttl: 3600, data: { mname: 'ns.icann.org', rname: 'noc.dns.icann.org', serial: 2024010101, refresh: 7200, retry: 3600, expire: 1209600, minimum: 3600 } }] })],
    ['dnsp-resp-dnssec', dnsp.encode({ type: 'response', id: 6, flags: 0x8420, questions: [{ type: 'DNSKEY', name: 'example.org' }],
      answers: [
        { type: 'DNSKEY', name: 'example.org', ttl: 3600, data: { flags: 257, algorithm: 13, key: Buffer.from(KEY_B64, 'base64').subarray(0, 64) } },
        { type: 'DS', name: 'example.org', ttl: 3600, data: { keyTag: 12345, algorithm: 13, digestType: 2, digest: Buffer.alloc(32, 0xab) } },
        { type: 'RRSIG', name: 'example.org', ttl: 3600, data: { typeCovered: 'DNSKEY', algorithm: 13, labels: 2, originalTTL: 3600, expiration: 1900000000, inception: 1700000000, keyTag: 12345, signersName: 'example.org', signature: Buffer.from(SIG_B64, 'base64') } },
        { type: 'NSEC', name: 'example.org', ttl: 3600, data: { nextDomain: 'a.example.org', rrtypes: ['A', 'NS', 'SOA', 'RRSIG', 'NSEC', 'DNSKEY'] } },
        { type: 'NSEC3', name: 'abc.example.org', ttl: 3600, data: { algorithm: 1, flags: 0, iterations: 0, salt: Buffer.alloc(0), nextDomain: Buffer.alloc(20, 0x11), rrtypes: ['A', 'RRSIG'] } },
        { type: 'TLSA', name: '_443._tcp.example.org', ttl: 3600, data: { usage: 3, selector: 1, matchingType: 1, certificate: Buffer.alloc(32, 0x42) } },
        { type: 'SSHFP', name: 'example.org', ttl: 3600, data: { algorithm: 4, hash: 2, fingerprint: Buffer.alloc(32, 0x24).toString('hex') } },
      ], additionals: [opt([], 0x8000)] })],
    ['dnsp-resp-many-a', dnsp.encode({ type: 'response', id: 7, flags: 0x8180, questions: [{ type: 'A', name: 'pool.example.org' }],
      answers: Array.from({ length: 16 }, (_, i) => ({ type: 'A', name: 'pool.example.org', ttl: 30, data: `203.0.113.${i + 1}` })) })],
    ['dnsp-resp-nsid-cookie', dnsp.encode({ type: 'response', id: 8, flags: 0x8400, questions: [{ type: 'TXT', name: 'example.org' }],
      answers: [{ type: 'TXT', name: 'example.org', ttl: 60, data: 'single' }],
      additionals: [opt([{ code: 'NSID', data: Buffer.from('ns1') }, { code: 10, data: Buffer.from('0102030405060708', 'hex') }])] })],
  ];
}

function main(): void {
  mkdirSync(savedCorpusDir, { recursive: true });
  const written: string[] = [];
  const write = (stem: string, bytes: Uint8Array, mustDecode = true): void => {
    if (mustDecode) decodeMessage(bytes); // a seed meant to be valid that does not decode: fail loudly
    writeFileSync(join(savedCorpusDir, `${stem}.bin`), bytes);
    written.push(`${stem}.bin (${bytes.length})`);
  };
  for (const [stem, msg, opts] of ours()) {
    if (opts.limit !== undefined) {
      const buf = new Uint8Array(opts.limit);
      const res = encodeMessage(msg, buf, opts);
      if (!res.truncated) throw new Error(`${stem}: expected truncation`);
      write(stem, buf.slice(0, res.length));
    } else {
      write(stem, encodeMessageToBytes(msg, opts));
    }
  }
  for (const [stem, bytes] of theirs()) write(stem, new Uint8Array(bytes));
  // Raw cuts (as a short UDP read would give): these do not decode, on purpose.
  const full = encodeMessageToBytes(ours().find(([stem]) => stem === 'ours-resp-a-aaaa')![1]);
  write('cut-resp-a-aaaa-mid-rdata', full.subarray(0, 77), false);
  write('cut-resp-a-aaaa-mid-name', full.subarray(0, 40), false);
  write('ours-multi-question', encodeMessageToBytes({ ...emptyMessage(0x0700), questions: [
    { name: n('a.example.com.'), type: RRType.A, class: 1 }, { name: n('b.example.com.'), type: RRType.AAAA, class: 1 },
    { name: n('A.example.com.'), type: RRType.MX, class: 255 }] }));
  // Hand-made edge cases: a bare header, pointer chains, root-only names.
  write('edge-header-only', hex('abcd01000000000000000000'));
  write('edge-pointer-chain', hex('0001818000010001000000000161016201630000010001' + 'c00e0001000100000e100004c0000201'));
  write('edge-root-question-opt', hex('00020000000100000000000100000200010000290200000000000000'));
  write('edge-opt-options-only', hex('000300000000000000000001' + '00002910000000808000' + '10' + '000a00080102030405060708' + '00030000'));
  console.log(`wrote ${written.length} files to ${savedCorpusDir}:\n  ${written.join('\n  ')}`);
}

main();

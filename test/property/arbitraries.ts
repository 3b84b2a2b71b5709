/**
 * fast-check generators for wire-format values, written from the RFCs
 * independently of src/wire's field tables, so the codecs are checked
 * against a second description of each rdata layout.
 */
import fc from 'fast-check';
import { Name, RRType, type Message, type ResourceRecord } from '../../src/wire/index.js';

const cat = (...parts: (Uint8Array | readonly number[])[]): Uint8Array => {
  const out: number[] = [];
  for (const p of parts) out.push(...p);
  return Uint8Array.from(out);
};
const u8 = fc.integer({ min: 0, max: 0xff }).map((v) => [v]);
const u16v = (v: number): number[] => [v >>> 8, v & 0xff];
const u16 = fc.integer({ min: 0, max: 0xffff }).map(u16v);
const u32v = (v: number): number[] => [v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
const u32 = fc.integer({ min: 0, max: 0xffffffff }).map(u32v);
const bytes = (min: number, max: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ minLength: min, maxLength: max });
const str = bytes(0, 40).map((b) => cat([b.length], b));
const strs = fc.array(str, { minLength: 1, maxLength: 3 }).map((a) => cat(...a));

/** A label of any octets (dots, backslashes, non-UTF-8 bytes included). */
export const anyLabel = fc.uint8Array({ minLength: 1, maxLength: 12 });
/** A letter-digit-hyphen label, for libraries that keep names as strings. */
export const ldhLabel = fc.stringMatching(/^[a-zA-Z0-9]([a-zA-Z0-9-]{0,10}[a-zA-Z0-9])?$/).map((s) => Uint8Array.from(Buffer.from(s)));

export function nameFrom(labelArb: fc.Arbitrary<Uint8Array>, maxLabels = 4): fc.Arbitrary<Name> {
  return fc.array(labelArb, { minLength: 0, maxLength: maxLabels }).map((labels) => {
    let n = Name.ROOT;
    for (const l of labels.reverse()) n = n.prepend(l);
    return n;
  });
}

export const anyName = nameFrom(anyLabel);
/** Names drawn from a small pool under one suffix, so compression has work to do. */
export const zoneName = fc
  .tuple(fc.constantFrom('www', 'mail', 'ns1', 'WWW', 'a.b', ''), fc.constantFrom('example.com.', 'Example.COM.', 'example.net.'))
  .map(([l, z]) => Name.fromText(l === '' ? z : `${l}.${z}`));
const nameW = fc.oneof(anyName, zoneName).map((n) => n.wire);

/** RFC 4034 §4.1.2 bitmap of the given types. */
export function bitmap(types: number[]): Uint8Array {
  const set = [...new Set(types)].sort((a, b) => a - b);
  const out: number[] = [];
  for (let i = 0; i < set.length; ) {
    const win = set[i]! >> 8;
    const bits = new Array<number>(32).fill(0);
    let max = 0;
    for (; i < set.length && set[i]! >> 8 === win; i++) {
      const low = set[i]! & 0xff;
      bits[low >> 3]! |= 0x80 >> (low & 7);
      max = Math.max(max, (low >> 3) + 1);
    }
    out.push(win, max, ...bits.slice(0, max));
  }
  return Uint8Array.from(out);
}
const typeList = (min: number): fc.Arbitrary<Uint8Array> =>
  fc.array(fc.oneof(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 0, max: 0xffff })), { minLength: min, maxLength: 6 }).map(bitmap);

const alnum = fc.stringMatching(/^[a-zA-Z0-9]{1,15}$/).map((s) => Uint8Array.from(Buffer.from(s)));

/** RFC 9460 SvcParams with valid values, in key order. */
const svcParams = fc
  .record({
    alpn: fc.option(fc.array(bytes(1, 10), { minLength: 1, maxLength: 3 }), { nil: undefined }),
    port: fc.option(fc.integer({ min: 0, max: 0xffff }), { nil: undefined }),
    v4: fc.option(fc.array(bytes(4, 4), { minLength: 1, maxLength: 3 }), { nil: undefined }),
    ech: fc.option(bytes(1, 20), { nil: undefined }),
    v6: fc.option(fc.array(bytes(16, 16), { minLength: 1, maxLength: 2 }), { nil: undefined }),
    extra: fc.option(fc.tuple(fc.integer({ min: 8, max: 0xffff }), bytes(0, 12)), { nil: undefined }),
    mandatoryPort: fc.boolean(),
  })
  .map((p) => {
    const params: [number, Uint8Array][] = [];
    if (p.alpn) params.push([1, cat(...p.alpn.map((a) => cat([a.length], a)))]);
    if (p.port !== undefined) params.push([3, Uint8Array.from(u16v(p.port))]);
    if (p.v4) params.push([4, cat(...p.v4)]);
    if (p.ech) params.push([5, p.ech]);
    if (p.v6) params.push([6, cat(...p.v6)]);
    if (p.extra) params.push([p.extra[0], p.extra[1]]);
    if (p.mandatoryPort && p.port !== undefined) params.unshift([0, Uint8Array.from(u16v(3))]);
    return cat(...params.map(([k, v]) => cat(u16v(k), u16v(v.length), v)));
  });

const ds = fc.oneof(
  fc.tuple(u16, u8, fc.constant([1]), bytes(20, 20)),
  fc.tuple(u16, u8, fc.constant([2]), bytes(32, 32)),
  fc.tuple(u16, u8, fc.constant([4]), bytes(48, 48)),
  fc.tuple(u16, u8, fc.constantFrom([0], [3], [5], [200]), bytes(1, 30)),
).map((p) => cat(...p));
/**
 * Algorithm octet plus key (or signature) material. RFC 4034 Appendix A.1.1:
 * PRIVATEDNS (253) material starts with a domain name, PRIVATEOID (254)
 * with a length octet and a BER-encoded OID.
 */
const algAndMaterial = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.integer({ min: 0, max: 252 }).map((v) => [v]), bytes(1, 40)) },
  fc.tuple(fc.constant([253]), fc.tuple(nameW, bytes(0, 20)).map(([n, b]) => cat(n, b))),
  fc.tuple(fc.constant([254]), fc.tuple(fc.array(fc.integer({ min: 0, max: 127 }), { minLength: 1, maxLength: 6 }), bytes(0, 20)).map(([ids, b]) => cat([ids.length + 2, 0x06, ids.length], ids, b))),
);
const key = fc.tuple(u16, u8, algAndMaterial).map(([flags, proto, [alg, material]]) => cat(flags, proto, alg, material));
/** draft-reid-dnsext-rkey: RKEY flags are zero. */
const rkey = fc.tuple(u8, algAndMaterial).map(([proto, [alg, material]]) => cat([0, 0], proto, alg, material));
/** RFC 4034 §3.1: the signer has no more labels than the Labels field. */
const rrsig = fc
  .tuple(u16, algAndMaterial, nameW, fc.integer({ min: 0, max: 255 }), u32, u32, u32, u16)
  .map(([covered, [alg, sig], signer, extra, ttl, exp, inc, tag]) => {
    let labels = 0;
    for (let p = 0; signer[p] !== 0; p += signer[p]! + 1) labels++;
    return cat(covered, alg, [Math.min(255, labels + (extra % 4))], ttl, exp, inc, tag, signer, sig);
  });
/** RFC 3403 §3.2: an empty regexp, or `!ere!replacement!` with an optional `i` flag. */
export const naptrRegexpText = fc.oneof(
  fc.constant(''),
  fc
    .tuple(fc.constantFrom('!', '/', '#'), fc.stringMatching(/^[a-z.^$]{1,8}$/), fc.boolean(), fc.stringMatching(/^[a-z:@.]{0,8}$/), fc.constantFrom('', 'i'))
    .map(([d, re, group, repl, flag]) => (group ? `${d}(${re})x*${d}${repl}\\1${d}${flag}` : `${d}${re}${d}${repl}${d}${flag}`)),
);
const naptrRegexp = naptrRegexpText.map((t) => cat([t.length], Buffer.from(t, 'latin1')));

/** RFC 1035 §3.4.2: a WKS bit map of port numbers, without trailing zero octets. */
const wksPorts = fc.uniqueArray(fc.integer({ min: 0, max: 1023 }), { maxLength: 6 }).map((ports) => {
  const bits = new Array<number>(ports.length === 0 ? 0 : (Math.max(...ports) >> 3) + 1).fill(0);
  for (const port of ports) bits[port >> 3]! |= 0x80 >> (port & 7);
  return bits;
});
/** RFC 3123 §4: APL items for IPv4 and IPv6, addresses without trailing zero octets. */
const aplItem = fc.tuple(fc.boolean(), fc.boolean(), bytes(0, 16)).map(([v6, neg, addr]) => {
  const full = addr.subarray(0, v6 ? 16 : 4);
  let len = full.length;
  while (len > 0 && full[len - 1] === 0) len--;
  const prefix = len * 8;
  return cat(u16v(v6 ? 2 : 1), [prefix], [(neg ? 0x80 : 0) | len], full.subarray(0, len));
});
/** RFC 8005 §5 HIP: HIT, public key and optional rendezvous servers. */
const hip = fc.tuple(bytes(1, 16), u8, bytes(1, 30), fc.array(nameW, { maxLength: 2 })).map(([hit, alg, pk, servers]) =>
  cat([hit.length], alg, u16v(pk.length), hit, pk, ...servers));
/** RFC 8777 §4.2: AMTRELAY precedence, D bit and relay type, relay. */
const amtrelay = fc.oneof(
  fc.tuple(u8, fc.boolean().map((d) => [d ? 0x80 : 0]), fc.constant(new Uint8Array(0))),
  fc.tuple(u8, fc.boolean().map((d) => [(d ? 0x80 : 0) | 1]), bytes(4, 4)),
  fc.tuple(u8, fc.boolean().map((d) => [(d ? 0x80 : 0) | 2]), bytes(16, 16)),
  fc.tuple(u8, fc.boolean().map((d) => [(d ? 0x80 : 0) | 3]), nameW),
).map((p) => cat(...p));
const txt = strs;
const loc = fc
  .tuple(
    // RFC 1876 sizes: mantissa and power of ten; a zero size is only written 0e0, its one text form.
    fc.array(fc.tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 9 })).map(([m, e]) => (m === 0 ? [0, 0] : [m, e])), { minLength: 3, maxLength: 3 }),
    fc.integer({ min: -90 * 3600000, max: 90 * 3600000 }),
    fc.integer({ min: -180 * 3600000, max: 180 * 3600000 }),
    u32,
  )
  .map(([sizes, lat, lon, alt]) => cat([0], sizes.map(([m, e]) => (m! << 4) | e!), u32v(2 ** 31 + lat), u32v(2 ** 31 + lon), alt));
const ipseckey = fc.oneof(
  fc.tuple(u8, fc.constant([0]), u8, fc.constant(new Uint8Array(0)), bytes(0, 20)),
  fc.tuple(u8, fc.constant([1]), u8, bytes(4, 4), bytes(0, 20)),
  fc.tuple(u8, fc.constant([2]), u8, bytes(16, 16), bytes(0, 20)),
  fc.tuple(u8, fc.constant([3]), u8, nameW, bytes(0, 20)),
).map((p) => cat(...p));
const zonemd = fc.oneof(
  fc.tuple(u32, u8, fc.constant([1]), bytes(48, 48)),
  fc.tuple(u32, u8, fc.constant([2]), bytes(64, 64)),
  fc.tuple(u32, u8, fc.constantFrom([0], [3], [241]), bytes(12, 70)),
).map((p) => cat(...p));
const sshfp = fc.oneof(
  fc.tuple(u8, fc.constant([1]), bytes(20, 20)),
  fc.tuple(u8, fc.constant([2]), bytes(32, 32)),
  fc.tuple(u8, fc.constantFrom([0], [3], [9]), bytes(0, 30)),
).map((p) => cat(...p));
const saltA = bytes(0, 20).map((b) => cat([b.length], b));

/** Valid rdata (uncompressed wire) for every type Tyne has a text codec for. */
export const RDATA: Record<number, fc.Arbitrary<Uint8Array>> = {
  [RRType.A]: bytes(4, 4),
  [RRType.NS]: nameW,
  [RRType.MD]: nameW,
  [RRType.MF]: nameW,
  [RRType.CNAME]: nameW,
  [RRType.SOA]: fc.tuple(nameW, nameW, u32, u32, u32, u32, u32).map((p) => cat(...p)),
  [RRType.MB]: nameW,
  [RRType.MG]: nameW,
  [RRType.MR]: nameW,
  [RRType.PTR]: nameW,
  [RRType.HINFO]: fc.tuple(str, str).map((p) => cat(...p)),
  [RRType.MINFO]: fc.tuple(nameW, nameW).map((p) => cat(...p)),
  [RRType.MX]: fc.tuple(u16, nameW).map((p) => cat(...p)),
  [RRType.TXT]: txt,
  [RRType.RP]: fc.tuple(nameW, nameW).map((p) => cat(...p)),
  [RRType.AFSDB]: fc.tuple(u16, nameW).map((p) => cat(...p)),
  // RFC 1183 §3.1: a PSDN address of at least four decimal digits.
  [RRType.X25]: fc.stringMatching(/^[0-9]{4,15}$/).map((d) => cat([d.length], Buffer.from(d))),
  [RRType.ISDN]: fc.tuple(str, fc.option(str, { nil: new Uint8Array(0) })).map((p) => cat(...p)),
  [RRType.RT]: fc.tuple(u16, nameW).map((p) => cat(...p)),
  [RRType.PX]: fc.tuple(u16, nameW, nameW).map((p) => cat(...p)),
  [RRType.GPOS]: fc.tuple(str, str, str).map((p) => cat(...p)),
  [RRType.AAAA]: bytes(16, 16),
  [RRType.LOC]: loc,
  [RRType.SRV]: fc.tuple(u16, u16, u16, nameW).map((p) => cat(...p)),
  [RRType.NAPTR]: fc.tuple(u16, u16, str, str, naptrRegexp, nameW).map((p) => cat(...p)),
  [RRType.KX]: fc.tuple(u16, nameW).map((p) => cat(...p)),
  [RRType.CERT]: fc.tuple(u16, u16, u8, bytes(1, 40)).map((p) => cat(...p)),
  [RRType.DNAME]: nameW,
  [RRType.DS]: ds,
  [RRType.SSHFP]: sshfp,
  [RRType.IPSECKEY]: ipseckey,
  [RRType.RRSIG]: rrsig,
  [RRType.NSEC]: fc.tuple(nameW, typeList(1)).map((p) => cat(...p)),
  [RRType.DNSKEY]: key,
  [RRType.DHCID]: bytes(1, 40),
  [RRType.NSEC3]: fc.tuple(u8, u8, u16, saltA, bytes(1, 39).map((b) => cat([b.length], b)), typeList(0)).map((p) => cat(...p)),
  [RRType.NSEC3PARAM]: fc.tuple(u8, u8, u16, saltA).map((p) => cat(...p)),
  [RRType.TLSA]: fc.tuple(u8, u8, u8, bytes(1, 40)).map((p) => cat(...p)),
  [RRType.SMIMEA]: fc.tuple(u8, u8, u8, bytes(1, 40)).map((p) => cat(...p)),
  [RRType.NINFO]: txt,
  [RRType.RKEY]: rkey,
  [RRType.TALINK]: fc.tuple(nameW, nameW).map((p) => cat(...p)),
  [RRType.CDS]: ds,
  [RRType.CDNSKEY]: key,
  [RRType.KEY]: key,
  [RRType.OPENPGPKEY]: bytes(1, 40),
  [RRType.CSYNC]: fc.tuple(u32, u16, typeList(0)).map((p) => cat(...p)),
  [RRType.ZONEMD]: zonemd,
  [RRType.SVCB]: fc.tuple(fc.integer({ min: 1, max: 0xffff }).map(u16v), nameW, svcParams).map((p) => cat(...p)),
  [RRType.HTTPS]: fc.tuple(fc.integer({ min: 0, max: 0xffff }).map(u16v), nameW, svcParams).map((p) => cat(...p)),
  [RRType.DSYNC]: fc.tuple(u16, u8, u16, nameW).map((p) => cat(...p)),
  [RRType.SPF]: txt,
  [RRType.NID]: fc.tuple(u16, bytes(8, 8)).map((p) => cat(...p)),
  [RRType.L32]: fc.tuple(u16, bytes(4, 4)).map((p) => cat(...p)),
  [RRType.L64]: fc.tuple(u16, bytes(8, 8)).map((p) => cat(...p)),
  [RRType.LP]: fc.tuple(u16, nameW).map((p) => cat(...p)),
  [RRType.EUI48]: bytes(6, 6),
  [RRType.EUI64]: bytes(8, 8),
  [RRType.URI]: fc.tuple(u16, u16, bytes(1, 40)).map((p) => cat(...p)),
  [RRType.CAA]: fc.tuple(u8, alnum.map((t) => cat([t.length], t)), bytes(0, 40)).map((p) => cat(...p)),
  [RRType.AVC]: txt,
  [RRType.RESINFO]: txt,
  [RRType.WALLET]: txt,
  [RRType.TSIG]: fc
    .tuple(nameW, fc.integer({ min: 0, max: 2 ** 48 - 1 }), u16, bytes(0, 32), u16, u16, bytes(0, 6))
    .map(([alg, t, fudge, mac, id, err, other]) =>
      cat(alg, u16v(Math.floor(t / 2 ** 32)), u32v(t % 2 ** 32), fudge, u16v(mac.length), mac, id, err, u16v(other.length), other)),
  [RRType.WKS]: fc.tuple(bytes(4, 4), u8, wksPorts).map((p) => cat(...p)),
  [RRType.NSAP]: bytes(1, 20),
  [RRType['NSAP-PTR']]: nameW,
  [RRType.EID]: bytes(1, 20),
  [RRType.NIMLOC]: bytes(1, 20),
  [RRType.ATMA]: fc.oneof(
    fc.tuple(fc.constant([0]), bytes(1, 20)),
    fc.tuple(fc.constant([1]), fc.stringMatching(/^[0-9]{1,15}$/).map((d) => Uint8Array.from(Buffer.from(d)))),
  ).map((p) => cat(...p)),
  [RRType.APL]: fc.array(aplItem, { maxLength: 3 }).map((items) => cat(...items)),
  [RRType.HIP]: hip,
  [RRType.HHIT]: bytes(1, 30),
  [RRType.BRID]: bytes(1, 30),
  [RRType.DOA]: fc.tuple(u32, u32, u8, str, bytes(0, 20)).map((p) => cat(...p)),
  [RRType.AMTRELAY]: amtrelay,
  [RRType.TA]: ds,
  [RRType.DLV]: ds,
};

/** A record of a known type or of an unknown type carried as opaque rdata (RFC 3597). */
export const record: fc.Arbitrary<ResourceRecord> = fc
  .oneof(
    fc.constantFrom(...Object.keys(RDATA).map(Number)).filter((t) => t !== RRType.TSIG).chain((t) => fc.tuple(fc.constant(t), RDATA[t]!)),
    fc.tuple(fc.integer({ min: 65280, max: 65534 }), bytes(0, 30)),
  )
  .chain(([type, rdata]) =>
    fc.record({
      name: fc.oneof(zoneName, anyName),
      type: fc.constant(type),
      class: fc.constant(1),
      ttl: fc.integer({ min: 0, max: 0x7fffffff }),
      rdata: fc.constant(rdata),
    }),
  );

export const message: fc.Arbitrary<Message> = fc.record({
  id: fc.integer({ min: 0, max: 0xffff }),
  qr: fc.boolean(),
  opcode: fc.integer({ min: 0, max: 15 }),
  aa: fc.boolean(),
  tc: fc.boolean(),
  rd: fc.boolean(),
  ra: fc.boolean(),
  z: fc.boolean(),
  ad: fc.boolean(),
  cd: fc.boolean(),
  rcode: fc.integer({ min: 0, max: 15 }),
  questions: fc.array(fc.record({ name: fc.oneof(zoneName, anyName), type: fc.integer({ min: 0, max: 0xffff }).filter((t) => t !== 41), class: fc.integer({ min: 0, max: 0xffff }) }), { maxLength: 2 }),
  answers: fc.array(record, { maxLength: 6 }),
  authorities: fc.array(record, { maxLength: 4 }),
  additionals: fc.array(record, { maxLength: 4 }),
  edns: fc.option(
    fc.record({
      udpPayload: fc.integer({ min: 0, max: 0xffff }),
      version: fc.integer({ min: 0, max: 255 }),
      dnssecOk: fc.boolean(),
      z: fc.integer({ min: 0, max: 0x7fff }),
      options: fc.array(fc.record({ code: fc.integer({ min: 0, max: 0xffff }), data: bytes(0, 16) }), { maxLength: 3 }),
    }),
    { nil: null },
  ),
  tsig: fc.option(
    fc.tuple(anyName, RDATA[RRType.TSIG]!).map(([name, rdata]) => ({ name, type: RRType.TSIG, class: 255, ttl: 0, rdata })),
    { nil: null },
  ),
});

/** Plain comparable form of a message: names and rdata as hex. */
export function plain(m: Message): unknown {
  const h = (b: Uint8Array): string => Buffer.from(b).toString('hex');
  const r = (x: ResourceRecord): unknown => ({ n: h(x.name.wire), t: x.type, c: x.class, ttl: x.ttl, d: h(x.rdata) });
  return {
    ...m,
    questions: m.questions.map((q) => ({ n: h(q.name.wire), t: q.type, c: q.class })),
    answers: m.answers.map(r),
    authorities: m.authorities.map(r),
    additionals: m.additionals.map(r),
    edns: m.edns && { ...m.edns, options: m.edns.options.map((o) => ({ code: o.code, d: h(o.data) })) },
    tsig: m.tsig && r(m.tsig),
  };
}

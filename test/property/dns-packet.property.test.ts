import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Name, RRType, decodeMessage, emptyMessage, encodeMessageToBytes, typeToText, type Message, type ResourceRecord } from '../../src/wire/index.js';
import { bitmap, ldhLabel, nameFrom, naptrRegexpText, plain } from './arbitraries.js';

// dns-packet is CommonJS; it is a second opinion here and never used by src/.
const dnsp = createRequire(import.meta.url)('dns-packet') as {
  encode(p: unknown): Buffer;
  decode(b: Buffer): { answers: DnspRecord[]; authorities: DnspRecord[]; additionals: DnspRecord[] };
  record(type: string): { encode(data: unknown): Buffer };
};
interface DnspRecord {
  name: string;
  type: string;
  ttl: number;
  class: string;
  data: unknown;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const cat = (...parts: (Uint8Array | readonly number[])[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));
const u16 = (v: number): number[] => [v >>> 8, v & 0xff];
const u32 = (v: number): number[] => [v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
const int = (max: number): fc.Arbitrary<number> => fc.integer({ min: 0, max });
const bytes = (min: number, max: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ minLength: min, maxLength: max });
// dns-packet keeps names and character-strings as JS strings: stick to what survives that.
// RRSIG labels ≥ 3 cover the signers (at most 3 labels); algorithms 253/254 have prefix rules, left to the other property tests.
const name = nameFrom(ldhLabel, 3).map((n) => n.wire);
const printable = fc.stringMatching(/^[ -~]{0,30}$/).map((s) => Uint8Array.from(Buffer.from(s, 'latin1')));
const str = printable.map((b) => cat([b.length], b));
const KNOWN = [1, 2, 5, 6, 12, 13, 15, 16, 17, 28, 33, 35, 39, 43, 46, 47, 48, 50, 52];
const knownTypes = fc.uniqueArray(fc.constantFrom(...KNOWN), { minLength: 1, maxLength: 5 }).map(bitmap);

/** Rdata for every type dns-packet has a codec for, in forms it represents losslessly. */
const DNSP_RDATA: [number, fc.Arbitrary<Uint8Array>][] = [
  [RRType.A, bytes(4, 4)],
  [RRType.AAAA, bytes(16, 16)],
  [RRType.NS, name],
  [RRType.CNAME, name],
  [RRType.PTR, name],
  [RRType.DNAME, name],
  [RRType.MX, fc.tuple(int(0xffff).map(u16), name).map((p) => cat(...p))],
  [RRType.SOA, fc.tuple(name, name, int(0xffffffff).map(u32), int(0xffffffff).map(u32), int(0xffffffff).map(u32), int(0xffffffff).map(u32), int(0xffffffff).map(u32)).map((p) => cat(...p))],
  [RRType.TXT, fc.array(str, { minLength: 1, maxLength: 3 }).map((a) => cat(...a))],
  [RRType.HINFO, fc.tuple(str, str).map((p) => cat(...p))],
  [RRType.RP, fc.tuple(name, name).map((p) => cat(...p))],
  [RRType.SRV, fc.tuple(int(0xffff).map(u16), int(0xffff).map(u16), int(0xffff).map(u16), name).map((p) => cat(...p))],
  [RRType.NAPTR, fc.tuple(int(0xffff).map(u16), int(0xffff).map(u16), str, str, naptrRegexpText.map((t) => cat([t.length], Buffer.from(t))), name).map((p) => cat(...p))],
  [RRType.CAA, fc.tuple(fc.constantFrom([0], [128]), fc.constantFrom('issue', 'issuewild', 'iodef').map((t) => cat([t.length], Buffer.from(t))), printable).map((p) => cat(...p))],
  [RRType.DS, fc.tuple(int(0xffff).map(u16), int(255).map((v) => [v]), fc.constant([2]), bytes(32, 32)).map((p) => cat(...p))],
  [RRType.DNSKEY, fc.tuple(int(0xffff).map(u16), fc.constant([3]), int(252).map((v) => [v]), bytes(1, 40)).map((p) => cat(...p))],
  [RRType.RRSIG, fc.tuple(fc.constantFrom(...KNOWN).map(u16), int(252).map((v) => [v]), fc.integer({ min: 3, max: 255 }).map((v) => [v]), int(0x7fffffff).map(u32), int(0xffffffff).map(u32), int(0xffffffff).map(u32), int(0xffff).map(u16), name, bytes(1, 40)).map((p) => cat(...p))],
  [RRType.NSEC, fc.tuple(name, knownTypes).map((p) => cat(...p))],
  [RRType.NSEC3, fc.tuple(fc.constant([1]), int(1).map((v) => [v]), int(0xffff).map(u16), bytes(0, 8).map((b) => cat([b.length], b)), bytes(20, 20).map((b) => cat([20], b)), knownTypes).map((p) => cat(...p))],
  [RRType.TLSA, fc.tuple(int(255).map((v) => [v]), int(255).map((v) => [v]), int(255).map((v) => [v]), bytes(1, 40)).map((p) => cat(...p))],
  [RRType.SSHFP, fc.tuple(int(255).map((v) => [v]), fc.constant([2]), bytes(32, 32)).map((p) => cat(...p))],
  [65300, bytes(0, 20)],
];

const record: fc.Arbitrary<ResourceRecord> = fc
  .constantFrom(...DNSP_RDATA)
  .chain(([type, arb]) => fc.tuple(fc.constant(type), arb, nameFrom(ldhLabel, 3), int(0x7fffffff)))
  .map(([type, rdata, owner, ttl]) => ({ name: owner, type, class: 1, ttl, rdata }));

const messageArb: fc.Arbitrary<Message> = fc
  .tuple(fc.array(record, { maxLength: 5 }), fc.array(record, { maxLength: 3 }), fc.array(record, { maxLength: 3 }), int(0xffff))
  .map(([answers, authorities, additionals, id]) => ({ ...emptyMessage(id), qr: true, answers, authorities, additionals }));

/** dns-packet's view of a record, re-encoded with its own rdata encoder (length prefix dropped). */
function dnspRdata(r: DnspRecord): string {
  return hex(dnsp.record(r.type).encode(r.data).subarray(2));
}

describe('agreement with dns-packet', () => {
  it('dns-packet decodes our bytes to the same records', () => {
    fc.assert(
      fc.property(messageArb, fc.boolean(), (m, compress) => {
        const theirs = dnsp.decode(Buffer.from(encodeMessageToBytes(m, { compress })));
        const pairs: [ResourceRecord[], DnspRecord[]][] = [[m.answers, theirs.answers], [m.authorities, theirs.authorities], [m.additionals, theirs.additionals]];
        for (const [ours, got] of pairs) {
          assert.equal(got.length, ours.length);
          ours.forEach((o, i) => {
            const t = got[i]!;
            assert.equal(`${t.name}.`.replace(/^\.$/, '').replace(/^\.?/, '') || '.', o.name.toText() === '.' ? '.' : o.name.toText());
            assert.equal(t.type.replace(/^UNKNOWN_/, 'TYPE'), typeToText(o.type));
            assert.equal(t.ttl, o.ttl);
            assert.equal(t.class, 'IN');
            assert.equal(dnspRdata(t), hex(o.rdata), `${typeToText(o.type)} rdata`);
          });
        }
      }),
      { numRuns: 300, seed: 11 },
    );
  });

  it('we decode dns-packet bytes to the same records', () => {
    fc.assert(
      fc.property(messageArb, (m) => {
        // dns-packet encodes from its own object form of the message.
        const asObjects = dnsp.decode(Buffer.from(encodeMessageToBytes(m)));
        const theirBytes = dnsp.encode({ type: 'response', id: m.id, flags: 0x8000, ...asObjects });
        const back = decodeMessage(theirBytes);
        const strip = (x: Message): unknown => {
          const p = plain(x) as Record<string, unknown>;
          return { answers: p.answers, authorities: p.authorities, additionals: p.additionals };
        };
        assert.deepEqual(strip(back), strip(m));
      }),
      { numRuns: 300, seed: 12 },
    );
  });

  it('reads the root name the same way', () => {
    const m = { ...emptyMessage(1), answers: [{ name: Name.ROOT, type: RRType.NS, class: 1, ttl: 1, rdata: Name.fromText('a.root-servers.net.').wire }] };
    const theirs = dnsp.decode(Buffer.from(encodeMessageToBytes(m)));
    assert.equal(theirs.answers[0]!.name, '.');
    assert.equal(theirs.answers[0]!.data, 'a.root-servers.net');
  });
});

/**
 * TSIG verification leaves its input alone (RFC 8945 §4.3.1 strips the
 * TSIG and restores the original ID for the MAC, on a copy): random
 * messages signed with random keys, verified with the right key, a wrong
 * secret, a wrong key name, a tampered octet, a changed ID (a forwarded
 * message) and a wrong request MAC, each given as a Uint8Array, as a
 * Buffer, and as a Buffer that is a view into a larger ArrayBuffer (as a
 * received packet is). The octets around the view must not change either,
 * and verifying twice must give the same answer.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { encodeMessageToBytes, type Name } from '../../src/wire/index.js';
import { TSIG_ALGORITHMS, type TsigKey } from '../../src/tsig/tsig-key.js';
import { TsigStreamSigner, TsigStreamVerifier, tsigSign, tsigVerify } from '../../src/tsig/tsig.js';
import { ldhLabel, message, nameFrom } from './arbitraries.js';

const NOW = 1_700_000_000;
const RUNS = 1000;

const keyArb: fc.Arbitrary<TsigKey> = fc.record({
  name: nameFrom(ldhLabel, 3).filter((n) => n.wire.length > 1),
  algorithm: fc.constantFrom(...TSIG_ALGORITHMS),
  secret: fc.uint8Array({ minLength: 1, maxLength: 64 }),
});

/** How the signed octets reach tsigVerify. */
const CONTAINERS = ['Uint8Array', 'Buffer', 'pooled Buffer view'] as const;
type Container = (typeof CONTAINERS)[number];

interface Held {
  /** What is passed to tsigVerify. */
  view: Uint8Array;
  /** The whole memory behind it (the view plus what surrounds it). */
  whole: Uint8Array;
}

/** `bytes` in the given container; the pooled view sits at `offset` inside a larger buffer filled with `fill`. */
function hold(bytes: Uint8Array, container: Container, offset: number, fill: number): Held {
  if (container === 'Uint8Array') {
    const view = Uint8Array.from(bytes);
    return { view, whole: new Uint8Array(view.buffer) };
  }
  if (container === 'Buffer') {
    // Buffer.from copies small inputs into Node's shared pool: also a view into a larger ArrayBuffer.
    const view = Buffer.from(bytes);
    return { view, whole: new Uint8Array(view.buffer, view.byteOffset, view.length) };
  }
  const backing = Buffer.alloc(offset + bytes.length + 64, fill);
  backing.set(bytes, offset);
  const view = backing.subarray(offset, offset + bytes.length);
  return { view, whole: new Uint8Array(backing.buffer, backing.byteOffset, backing.length) };
}

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/** The comparable part of a verification result. */
function summary(v: ReturnType<typeof tsigVerify>): unknown {
  return {
    present: v.present, error: v.error, malformed: v.malformed, tsigError: v.tsigError, originalId: v.originalId,
    time: v.time, fudge: v.fudge, mac: hex(v.mac), other: hex(v.otherData), stripped: hex(v.stripped),
    key: v.key?.name.toText() ?? null, keyName: v.keyName?.toText() ?? null,
  };
}

/** True when `a` and `b` share memory. */
function overlaps(a: Uint8Array, b: Uint8Array): boolean {
  if (a.buffer !== b.buffer || a.length === 0 || b.length === 0) return false;
  return a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}

const CASES = ['right key', 'wrong secret', 'wrong key name', 'tampered octet', 'changed ID', 'wrong request MAC'] as const;

describe('tsigVerify never changes its input', () => {
  it('right and wrong keys, tampering, forwarded IDs; Uint8Array, Buffer and pooled views; twice each', () => {
    fc.assert(
      fc.property(
        message.map((m) => ({ ...m, tsig: null })),
        keyArb,
        fc.option(fc.uint8Array({ minLength: 10, maxLength: 64 }), { nil: undefined }),
        fc.constantFrom(...CASES),
        fc.constantFrom(...CONTAINERS),
        fc.record({ offset: fc.integer({ min: 0, max: 300 }), fill: fc.integer({ min: 0, max: 255 }), at: fc.nat(), id: fc.integer({ min: 0, max: 0xffff }) }),
        (m, key, requestMac, kase, container, r) => {
          const unsigned = encodeMessageToBytes(m);
          const signed = tsigSign(unsigned, key, { now: NOW, ...(requestMac === undefined ? {} : { requestMac }) }).bytes;
          const bytes = Uint8Array.from(signed);
          // An octet the MAC covers (the ID is not one: see 'changed ID').
          if (kase === 'tampered octet') bytes[2 + (r.at % (unsigned.length - 2))] = bytes[2 + (r.at % (unsigned.length - 2))]! ^ (0x01 + (r.fill % 0xff));
          if (kase === 'changed ID') {
            // A forwarder gives the message a new ID; the MAC still covers the original (§4.3.1 / §5.4.1).
            const id = r.id === ((bytes[0]! << 8) | bytes[1]!) ? r.id ^ 1 : r.id;
            bytes[0] = id >>> 8;
            bytes[1] = id & 0xff;
          }
          const useKey: TsigKey = kase === 'wrong secret' ? { ...key, secret: Uint8Array.from([...key.secret, 1]) } : key;
          const lookup = kase === 'wrong key name'
            ? (): TsigKey | undefined => undefined
            : (n: Name): TsigKey | undefined => (n.equals(useKey.name) ? useKey : undefined);
          const mac = kase === 'wrong request MAC' ? Uint8Array.from([...(requestMac ?? []), 0]) : requestMac;
          const opts = { now: NOW, ...(mac === undefined ? {} : { requestMac: mac }) };

          const held = hold(bytes, container, r.offset, r.fill);
          const before = hex(held.whole);
          const first = tsigVerify(held.view, lookup, opts);
          assert.equal(hex(held.whole), before, `${kase}, ${container}: the first verify changed the octets`);
          const second = tsigVerify(held.view, lookup, opts);
          assert.equal(hex(held.whole), before, `${kase}, ${container}: the second verify changed the octets`);
          assert.deepEqual(summary(second), summary(first), `${kase}, ${container}: a second verify answers as the first`);
          // The one verdict that does not depend on the container.
          assert.deepEqual(summary(first), summary(tsigVerify(Uint8Array.from(bytes), lookup, opts)));
          if (kase === 'right key' || kase === 'changed ID') assert.equal(first.error, 0, `${kase} verifies`);
          else assert.notEqual(first.error, 0, `${kase} does not verify`);
          // What the result keeps (MAC, other data) is not the caller's memory; the stripped
          // message is a copy, or the input itself when there is nothing to strip (absent, unparsable).
          for (const part of [first.mac, first.otherData]) assert.ok(!overlaps(part, held.view), `${kase}, ${container}: the result shares the input's memory`);
          assert.ok(first.stripped === held.view || !overlaps(first.stripped, held.view), `${kase}, ${container}: stripped is a view of the input`);
        },
      ),
      { numRuns: RUNS, seed: 8945, includeErrorInReport: true },
    );
  });

  it('a signed stream verified from Buffers (TsigStreamVerifier) leaves every message as it was', () => {
    fc.assert(
      fc.property(
        fc.array(message.map((m) => ({ ...m, tsig: null })), { minLength: 1, maxLength: 5 }),
        keyArb,
        fc.uint8Array({ minLength: 10, maxLength: 64 }),
        fc.constantFrom(...CONTAINERS),
        fc.integer({ min: 0, max: 300 }),
        (msgs, key, requestMac, container, offset) => {
          const signer = new TsigStreamSigner(key, requestMac, { now: () => NOW });
          const verifier = new TsigStreamVerifier(key, requestMac, { now: () => NOW });
          for (const [i, m] of msgs.entries()) {
            const held = hold(signer.sign(encodeMessageToBytes(m)), container, offset, i);
            const before = hex(held.whole);
            const v = verifier.verify(held.view);
            assert.equal(hex(held.whole), before, `message ${i + 1}, ${container}: changed by the verifier`);
            assert.equal(v.error, 0, `message ${i + 1} verifies`);
          }
          assert.equal(verifier.finish(), true);
        },
      ),
      { numRuns: 150, seed: 5301 },
    );
  });
});

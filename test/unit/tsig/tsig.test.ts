import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { Name, RRType, decodeMessage, emptyMessage, encodeMessageToBytes, rdataToText } from '../../../src/wire/index.js';
import { TSIG_ALGORITHMS, type TsigAlgorithm, type TsigKey } from '../../../src/tsig/tsig-key.js';
import {
  DEFAULT_FUDGE, TsigError, TsigStreamSigner, TsigStreamVerifier, algorithmFromName, algorithmName, constantTimeEqual,
  tsigAppendUnsigned, tsigSign, tsigTimeOtherData, tsigVerify,
} from '../../../src/tsig/tsig.js';
import { buildQuery } from '../../support/dns-client.js';

const NOW = 1_700_000_000;
const HASH_SIZE: Record<TsigAlgorithm, number> = {
  'hmac-sha1': 20, 'hmac-sha224': 28, 'hmac-sha256': 32, 'hmac-sha384': 48, 'hmac-sha512': 64,
};
const DIGEST: Record<TsigAlgorithm, string> = {
  'hmac-sha1': 'sha1', 'hmac-sha224': 'sha224', 'hmac-sha256': 'sha256', 'hmac-sha384': 'sha384', 'hmac-sha512': 'sha512',
};

function makeKey(alg: TsigAlgorithm = 'hmac-sha256', name = 'transfer.example.', secret = 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0'): TsigKey {
  return { name: Name.fromText(name), algorithm: alg, secret: Uint8Array.from(Buffer.from(secret, 'base64')) };
}

const lookup = (...keys: TsigKey[]) => (n: Name): TsigKey | undefined => keys.find((k) => k.name.equals(n));

function query(id = 0x1234, name = 'example.com.', type: number = RRType.SOA): Uint8Array {
  return buildQuery({ id, name, type });
}

/** A response with a few answers, built with the project's encoder. */
function response(id: number, n: number): Uint8Array {
  const m = emptyMessage(id);
  m.qr = true;
  m.aa = true;
  m.questions.push({ name: Name.fromText('example.com.'), type: RRType.AXFR, class: 1 });
  for (let i = 0; i < n; i++) {
    m.answers.push({ name: Name.fromText(`h${i}.example.com.`), type: RRType.A, class: 1, ttl: 300, rdata: Uint8Array.of(192, 0, 2, i & 0xff) });
  }
  return encodeMessageToBytes(m);
}

const u16 = (v: number): number[] => [(v >>> 8) & 0xff, v & 0xff];
const u48 = (v: number): number[] => {
  const hi = Math.floor(v / 2 ** 32);
  const lo = v % 2 ** 32;
  return [...u16(hi), (lo >>> 24) & 0xff, (lo >>> 16) & 0xff, (lo >>> 8) & 0xff, lo & 0xff];
};
const cat = (...parts: (Uint8Array | number[])[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));

interface RawTsig {
  owner: Name;
  alg: Name;
  time: number;
  fudge: number;
  mac: Uint8Array;
  originalId: number;
  error: number;
  other: Uint8Array;
  cls?: number;
  ttl?: number;
}

/** A TSIG RR laid out by hand from RFC 8945 §4.2, independent of the code under test. */
function rawTsig(t: RawTsig): Uint8Array {
  const rdata = cat(t.alg.wire, u48(t.time), u16(t.fudge), u16(t.mac.length), t.mac, u16(t.originalId), u16(t.error), u16(t.other.length), t.other);
  const ttl = t.ttl ?? 0;
  return cat(t.owner.wire, u16(250), u16(t.cls ?? 255), [...u16(Math.floor(ttl / 65536)), ...u16(ttl & 0xffff)], u16(rdata.length), rdata);
}

/** Appends a raw TSIG RR and bumps ARCOUNT. */
function withRecord(msg: Uint8Array, rr: Uint8Array): Uint8Array {
  const out = cat(msg, rr);
  const ar = (out[10]! << 8) | out[11]!;
  out[10] = (ar + 1) >> 8;
  out[11] = (ar + 1) & 0xff;
  return out;
}

/** The §4.3.3 TSIG variables, by hand. */
function vars(key: TsigKey, time: number, fudge: number, error = 0, other: Uint8Array = new Uint8Array(0)): Uint8Array {
  return cat(key.name.toLowerCase().wire, u16(255), [0, 0, 0, 0], algorithmName(key.algorithm).wire, u48(time), u16(fudge), u16(error), u16(other.length), other);
}

function hmac(key: TsigKey, ...parts: Uint8Array[]): Uint8Array {
  const h = createHmac(DIGEST[key.algorithm], key.secret);
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

const prefixed = (mac: Uint8Array): Uint8Array => cat(u16(mac.length), mac);

describe('TSIG algorithm names', () => {
  it('uses the RFC 8945 §6 names', () => {
    assert.equal(algorithmName('hmac-sha1').toText(), 'hmac-sha1.');
    assert.equal(algorithmName('hmac-sha224').toText(), 'hmac-sha224.');
    assert.equal(algorithmName('hmac-sha256').toText(), 'hmac-sha256.');
    assert.equal(algorithmName('hmac-sha384').toText(), 'hmac-sha384.');
    assert.equal(algorithmName('hmac-sha512').toText(), 'hmac-sha512.');
    assert.equal(algorithmFromName(Name.fromText('HMAC-SHA256.')), 'hmac-sha256');
    assert.equal(algorithmFromName(Name.fromText('hmac-md5.sig-alg.reg.int.')), undefined);
    assert.equal(DEFAULT_FUDGE, 300);
  });

  it('compares in constant time', () => {
    assert.equal(constantTimeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2)), true);
    assert.equal(constantTimeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 3)), false);
    assert.equal(constantTimeEqual(Uint8Array.of(1, 2), Uint8Array.of(1)), false);
  });
});

describe('tsigSign / tsigVerify', () => {
  for (const alg of TSIG_ALGORITHMS) {
    it(`round-trips with ${alg}`, () => {
      const key = makeKey(alg);
      const q = query();
      const s = tsigSign(q, key, { now: NOW });
      assert.equal(s.mac.length, HASH_SIZE[alg]);
      // The project's decoder sees a well-placed TSIG.
      const m = decodeMessage(s.bytes);
      assert.ok(m.tsig);
      assert.equal(m.tsig.name.toText(), 'transfer.example.');
      assert.equal(m.tsig.class, 255);
      assert.equal(m.tsig.ttl, 0);
      const text = rdataToText(RRType.TSIG, m.tsig.rdata);
      assert.match(text, new RegExp(`^${alg}\\. ${NOW} 300 ${HASH_SIZE[alg]} \\S+ 4660 0 0$`));
      const v = tsigVerify(s.bytes, lookup(makeKey('hmac-sha1', 'other.'), key), { now: NOW + 10 });
      assert.equal(v.present, true);
      assert.equal(v.malformed, false);
      assert.equal(v.error, TsigError.NOERROR);
      assert.equal(v.key, key);
      assert.equal(v.keyName!.toText(), 'transfer.example.');
      assert.equal(v.algorithm!.toText(), `${alg}.`);
      assert.deepEqual(v.mac, s.mac);
      assert.equal(v.time, NOW);
      assert.equal(v.fudge, 300);
      assert.equal(v.originalId, 0x1234);
      assert.equal(v.tsigError, 0);
      assert.deepEqual(v.stripped, q);
    });
  }

  it('computes the MAC over the RFC 8945 §4.3.3 input (independent reconstruction)', () => {
    for (const alg of TSIG_ALGORITHMS) {
      const key = makeKey(alg, 'Transfer.EXAMPLE.');
      const q = query(0xbeef);
      const s = tsigSign(q, key, { now: NOW, fudge: 17 });
      assert.deepEqual(s.mac, hmac(key, q, vars(key, NOW, 17)), alg);
      // The owner keeps the key's case; the MAC input uses lowercase.
      const expected = withRecord(q, rawTsig({
        owner: key.name, alg: algorithmName(alg), time: NOW, fudge: 17, mac: s.mac, originalId: 0xbeef, error: 0, other: new Uint8Array(0),
      }));
      assert.deepEqual(s.bytes, expected, alg);
    }
  });

  it('is insensitive to the case of the key name on the wire', () => {
    const key = makeKey('hmac-sha256', 'transfer.example.');
    const s = tsigSign(query(), { ...key, name: Name.fromText('TRANSFER.Example.') }, { now: NOW });
    assert.equal(tsigVerify(s.bytes, lookup(key), { now: NOW }).error, TsigError.NOERROR);
  });

  it('handles times beyond 32 bits', () => {
    const key = makeKey();
    const t = 2 ** 40 + 12345;
    const s = tsigSign(query(), key, { now: t });
    const v = tsigVerify(s.bytes, lookup(key), { now: t });
    assert.equal(v.error, TsigError.NOERROR);
    assert.equal(v.time, t);
  });

  it('detects tampering with any octet', () => {
    const key = makeKey();
    const q = query();
    const s = tsigSign(q, key, { now: NOW });
    for (let i = 0; i < s.bytes.length; i++) {
      const t = s.bytes.slice();
      t[i] = t[i]! ^ 0x01;
      const v = tsigVerify(t, lookup(key), { now: NOW });
      if (i < 2) {
        // The ID is not covered as such: the original ID stands in for it (§4.3.2).
        assert.equal(v.error, TsigError.NOERROR, `octet ${i}`);
        assert.equal(v.originalId, 0x1234);
        assert.deepEqual(v.stripped, q);
        continue;
      }
      // Changing the TSIG's TYPE turns it into an unknown record: the message is then simply unsigned.
      assert.ok(v.error !== TsigError.NOERROR || !v.present, `octet ${i}`);
      if (!v.present && !v.malformed) assert.deepEqual(decodeMessage(t).tsig, null, `octet ${i}`);
      if (i >= 12 && i < q.length) assert.equal(v.error, TsigError.BADSIG, `octet ${i}`);
    }
    // Flipping a bit of the MAC itself.
    const t = s.bytes.slice();
    t[t.length - 10] = t[t.length - 10]! ^ 0x80;
    assert.equal(tsigVerify(t, lookup(key), { now: NOW }).error, TsigError.BADSIG);
  });

  it('reports BADKEY for an unknown key or a mismatched algorithm', () => {
    const key = makeKey('hmac-sha256');
    const s = tsigSign(query(), key, { now: NOW });
    const v = tsigVerify(s.bytes, () => undefined, { now: NOW });
    assert.equal(v.present, true);
    assert.equal(v.error, TsigError.BADKEY);
    assert.equal(v.key, null);
    assert.equal(v.keyName!.toText(), 'transfer.example.');
    assert.equal(v.malformed, false);
    const other = { ...key, algorithm: 'hmac-sha512' as const };
    assert.equal(tsigVerify(s.bytes, lookup(other), { now: NOW }).error, TsigError.BADKEY);
    // A throwing lookup is treated as unknown.
    assert.equal(tsigVerify(s.bytes, () => { throw new Error('boom'); }, { now: NOW }).error, TsigError.BADKEY);
  });

  it('reports BADSIG for a wrong secret', () => {
    const key = makeKey();
    const s = tsigSign(query(), { ...key, secret: Uint8Array.of(1, 2, 3) }, { now: NOW });
    const v = tsigVerify(s.bytes, lookup(key), { now: NOW });
    assert.equal(v.error, TsigError.BADSIG);
    assert.equal(v.key, key);
  });

  it('reports BADTIME outside the fudge, after the MAC check', () => {
    const key = makeKey();
    const s = tsigSign(query(), key, { now: NOW, fudge: 300 });
    assert.equal(tsigVerify(s.bytes, lookup(key), { now: NOW + 300 }).error, TsigError.NOERROR);
    assert.equal(tsigVerify(s.bytes, lookup(key), { now: NOW - 300 }).error, TsigError.NOERROR);
    const late = tsigVerify(s.bytes, lookup(key), { now: NOW + 301 });
    assert.equal(late.error, TsigError.BADTIME);
    assert.equal(late.key, key);
    assert.equal(tsigVerify(s.bytes, lookup(key), { now: NOW - 301 }).error, TsigError.BADTIME);
    // A bad MAC outside the window is BADSIG, not BADTIME (§5.2 order).
    const bad = tsigSign(query(), { ...key, secret: Uint8Array.of(9) }, { now: NOW });
    assert.equal(tsigVerify(bad.bytes, lookup(key), { now: NOW + 10_000 }).error, TsigError.BADSIG);
  });

  it('signs and verifies responses with the request MAC', () => {
    const key = makeKey('hmac-sha384');
    const req = tsigSign(query(0x4242), key, { now: NOW });
    const resp = response(0x4242, 3);
    const signed = tsigSign(resp, key, { now: NOW + 1, requestMac: req.mac });
    assert.deepEqual(signed.mac, hmac(key, prefixed(req.mac), resp, vars(key, NOW + 1, 300)));
    assert.equal(tsigVerify(signed.bytes, lookup(key), { now: NOW, requestMac: req.mac }).error, TsigError.NOERROR);
    assert.equal(tsigVerify(signed.bytes, lookup(key), { now: NOW }).error, TsigError.BADSIG);
    const otherMac = req.mac.slice();
    otherMac[0] = otherMac[0]! ^ 1;
    assert.equal(tsigVerify(signed.bytes, lookup(key), { now: NOW, requestMac: otherMac }).error, TsigError.BADSIG);
  });

  it('carries an error, e.g. a signed BADTIME response with the server time', () => {
    const key = makeKey();
    const req = tsigSign(query(7), key, { now: NOW - 1000 });
    const resp = response(7, 0);
    const other = tsigTimeOtherData(NOW);
    assert.deepEqual([...other], u48(NOW));
    const signed = tsigSign(resp, key, { now: NOW - 1000, requestMac: req.mac, error: TsigError.BADTIME, otherData: other });
    assert.deepEqual(signed.mac, hmac(key, prefixed(req.mac), resp, vars(key, NOW - 1000, 300, 18, other)));
    const v = tsigVerify(signed.bytes, lookup(key), { now: NOW - 1000, requestMac: req.mac });
    assert.equal(v.error, TsigError.NOERROR);
    assert.equal(v.tsigError, TsigError.BADTIME);
    assert.deepEqual(v.otherData, other);
  });

  it('reports no TSIG on an unsigned message', () => {
    const q = query();
    const v = tsigVerify(q, () => undefined);
    assert.equal(v.present, false);
    assert.equal(v.malformed, false);
    assert.equal(v.error, TsigError.NOERROR);
    assert.equal(v.mac.length, 0);
    assert.deepEqual(v.stripped, q);
  });

  it('keeps an OPT record before the TSIG', () => {
    const key = makeKey();
    const q = buildQuery({ id: 99, name: 'example.com.', type: RRType.SOA, edns: { udpPayload: 1232 } });
    const s = tsigSign(q, key, { now: NOW });
    const m = decodeMessage(s.bytes);
    assert.ok(m.edns);
    assert.ok(m.tsig);
    const v = tsigVerify(s.bytes, lookup(key), { now: NOW });
    assert.equal(v.error, TsigError.NOERROR);
    assert.deepEqual(v.stripped, q);
  });
});

describe('MAC truncation (RFC 8945 §5.2.2.1)', () => {
  function truncated(alg: TsigAlgorithm, len: number): Uint8Array {
    const key = makeKey(alg);
    const q = query(0x0101);
    const mac = hmac(key, q, vars(key, NOW, 300));
    const use = len <= mac.length ? mac.subarray(0, len) : cat(mac, new Uint8Array(len - mac.length));
    return withRecord(q, rawTsig({ owner: key.name, alg: algorithmName(alg), time: NOW, fudge: 300, mac: use, originalId: 0x0101, error: 0, other: new Uint8Array(0) }));
  }

  for (const alg of TSIG_ALGORITHMS) {
    const size = HASH_SIZE[alg];
    const min = Math.max(10, Math.ceil(size / 2));
    it(`${alg}: a full-length key takes only ${size} octets (BADTRUNC below, as BIND); below ${min} or above ${size} is malformed`, () => {
      const keys = lookup(makeKey(alg));
      const full = tsigVerify(truncated(alg, size), keys, { now: NOW });
      assert.equal(full.error, TsigError.NOERROR);
      for (const len of [min, size - 1]) {
        const v = tsigVerify(truncated(alg, len), keys, { now: NOW });
        assert.equal(v.error, TsigError.BADTRUNC, `${len}`);
        assert.equal(v.malformed, false, `${len}`);
        assert.notEqual(v.key, null, 'the MAC verified: the key is known');
      }
      for (const len of [1, min - 1, size + 1]) {
        const v = tsigVerify(truncated(alg, len), keys, { now: NOW });
        assert.equal(v.error, TsigError.BADSIG, `${len}`);
        assert.equal(v.malformed, true, `${len}`);
      }
    });

    it(`${alg}: a key allowing ${min}-octet MACs (BIND's ${alg}-${min * 8}) takes ${min}..${size}, and signs with ${min}`, () => {
      const key = { ...makeKey(alg), macLength: min };
      for (const len of [min, size - 1, size]) {
        const v = tsigVerify(truncated(alg, len), lookup(key), { now: NOW });
        assert.equal(v.error, TsigError.NOERROR, `${len}`);
        assert.equal(v.mac.length, len);
      }
      if (min + 1 < size) {
        const tighter = { ...makeKey(alg), macLength: min + 1 };
        assert.equal(tsigVerify(truncated(alg, min), lookup(tighter), { now: NOW }).error, TsigError.BADTRUNC);
      }
      const signed = tsigSign(query(0x0202), key, { now: NOW });
      assert.equal(signed.mac.length, min);
      const back = tsigVerify(signed.bytes, lookup(key), { now: NOW });
      assert.equal(back.error, TsigError.NOERROR);
      assert.equal(back.mac.length, min);
      // The same MAC to a full-length key: BADTRUNC.
      assert.equal(tsigVerify(signed.bytes, lookup(makeKey(alg)), { now: NOW }).error, TsigError.BADTRUNC);
    });
  }
});

describe('malformed TSIG', () => {
  const key = makeKey();
  const base = { owner: key.name, alg: algorithmName('hmac-sha256'), time: NOW, fudge: 300, originalId: 0x1234, error: 0, other: new Uint8Array(0) };

  it('rejects a TSIG that is not last, or with a wrong class or TTL', () => {
    const q = query();
    const mac = hmac(key, q, vars(key, NOW, 300));
    const rr = rawTsig({ ...base, mac });
    assert.equal(tsigVerify(withRecord(q, rr), lookup(key), { now: NOW }).error, TsigError.NOERROR);
    // Another record after it.
    const opt = cat([0], u16(41), u16(1232), [0, 0, 0, 0], u16(0));
    const notLast = tsigVerify(withRecord(withRecord(q, rr), opt), lookup(key), { now: NOW });
    assert.equal(notLast.malformed, true);
    assert.equal(notLast.present, true);
    assert.equal(notLast.error, TsigError.BADSIG);
    for (const bad of [rawTsig({ ...base, mac, cls: 1 }), rawTsig({ ...base, mac, ttl: 5 })]) {
      const v = tsigVerify(withRecord(q, bad), lookup(key), { now: NOW });
      assert.equal(v.malformed, true);
      assert.equal(v.error, TsigError.BADSIG);
    }
  });

  it('rejects a TSIG with trailing or missing rdata octets', () => {
    const q = query();
    const mac = hmac(key, q, vars(key, NOW, 300));
    const rr = rawTsig({ ...base, mac });
    // Grow the RDLENGTH by one and add an octet.
    const longer = cat(rr, [0]);
    const rdl = rr.length - (key.name.wire.length + 10);
    longer[key.name.wire.length + 8] = (rdl + 1) >> 8;
    longer[key.name.wire.length + 9] = (rdl + 1) & 0xff;
    assert.equal(tsigVerify(withRecord(q, longer), lookup(key), { now: NOW }).malformed, true);
  });

  it('never throws on truncated or garbage input', () => {
    const s = tsigSign(response(5, 4), key, { now: NOW });
    for (let n = 0; n < s.bytes.length; n++) {
      const v = tsigVerify(s.bytes.subarray(0, n), lookup(key), { now: NOW });
      assert.notEqual(v.error === TsigError.NOERROR && v.present, true, `length ${n}`);
    }
    let seed = 1;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
    for (let i = 0; i < 2000; i++) {
      const t = s.bytes.slice();
      for (let k = 0; k < 4; k++) t[rnd() % t.length] = rnd();
      tsigVerify(t, lookup(key), { now: NOW });
    }
  });
});

describe('tsigAppendUnsigned', () => {
  it('appends an unsigned error TSIG with an empty MAC (§5.3.2)', () => {
    const resp = response(0x2222, 0);
    const keyName = Name.fromText('nokey.example.');
    const alg = Name.fromText('hmac-sha256.');
    const out = tsigAppendUnsigned(resp, keyName, alg, TsigError.BADKEY, { now: NOW, originalId: 0x3333 });
    const expected = withRecord(resp, rawTsig({ owner: keyName, alg, time: NOW, fudge: 300, mac: new Uint8Array(0), originalId: 0x3333, error: 17, other: new Uint8Array(0) }));
    assert.deepEqual(out, expected);
    const m = decodeMessage(out);
    assert.equal(rdataToText(RRType.TSIG, m.tsig!.rdata), `hmac-sha256. ${NOW} 300 0 13107 17 0`);
    const v = tsigVerify(out, lookup(makeKey()), { now: NOW });
    assert.equal(v.present, true);
    assert.equal(v.malformed, false);
    assert.equal(v.error, TsigError.BADKEY); // key not known to us either
    assert.equal(v.tsigError, TsigError.BADKEY);
    // Known key, empty MAC: cannot verify.
    const known = tsigAppendUnsigned(resp, makeKey().name, alg, TsigError.BADSIG, { now: NOW });
    const kv = tsigVerify(known, lookup(makeKey()), { now: NOW });
    assert.equal(kv.error, TsigError.BADSIG);
    assert.equal(kv.tsigError, TsigError.BADSIG);
    assert.equal(kv.mac.length, 0);
    assert.equal(kv.originalId, 0x2222);
  });
});

describe('multi-message responses (§5.3.1)', () => {
  const key = makeKey('hmac-sha512');
  const req = tsigSign(query(0x5151, 'example.com.', RRType.AXFR), key, { now: NOW });

  it('signs the first with the request MAC and later ones with the prior MAC and timers', () => {
    const signer = new TsigStreamSigner(key, req.mac, { now: () => NOW });
    const msgs = [response(0x5151, 3), response(0x5151, 4), response(0x5151, 5)];
    const out = msgs.map((m) => signer.sign(m));
    const v = tsigVerify(out[0]!, lookup(key), { now: NOW, requestMac: req.mac });
    assert.equal(v.error, TsigError.NOERROR);
    const mac1 = hmac(key, prefixed(v.mac), msgs[1]!, cat(u48(NOW), u16(300)));
    const v1 = tsigVerify(out[1]!, lookup(key), { now: NOW, priorMac: v.mac });
    assert.equal(v1.error, TsigError.NOERROR);
    assert.deepEqual(v1.mac, mac1);
    // Full variables do not match a timers-only MAC.
    assert.equal(tsigVerify(out[1]!, lookup(key), { now: NOW, priorMac: v.mac, timersOnly: false }).error, TsigError.BADSIG);

    const ver = new TsigStreamVerifier(key, req.mac, { now: () => NOW });
    for (const m of out) assert.equal(ver.verify(m).error, TsigError.NOERROR);
    assert.equal(ver.finish(), true);
  });

  it('rejects reordered, foreign or altered messages', () => {
    const signer = new TsigStreamSigner(key, req.mac, { now: () => NOW });
    const out = [1, 2, 3].map((n) => signer.sign(response(0x5151, n)));
    const ver = new TsigStreamVerifier(key, req.mac, { now: () => NOW });
    assert.equal(ver.verify(out[0]!).error, TsigError.NOERROR);
    assert.equal(ver.verify(out[2]!).error, TsigError.BADSIG);
    assert.equal(ver.verify(out[1]!).error, TsigError.BADSIG); // broken stream stays broken
    assert.equal(ver.finish(), false);

    const other = makeKey('hmac-sha512', 'other.');
    const ver2 = new TsigStreamVerifier(key, req.mac, { now: () => NOW });
    assert.equal(ver2.verify(out[0]!).error, TsigError.NOERROR);
    const foreign = tsigSign(response(0x5151, 2), other, { now: NOW, priorMac: out[0]!.subarray(0, 0) });
    assert.equal(ver2.verify(foreign.bytes).error, TsigError.BADKEY);
    assert.equal(ver2.finish(), false);
  });

  /** A signed message covering `unsigned` messages before it, built by hand. */
  function signedAfter(prior: Uint8Array, unsigned: Uint8Array[], msg: Uint8Array): { bytes: Uint8Array; mac: Uint8Array } {
    const mac = hmac(key, prefixed(prior), ...unsigned, msg, cat(u48(NOW), u16(300)));
    const id = (msg[0]! << 8) | msg[1]!;
    const bytes = withRecord(msg, rawTsig({ owner: key.name, alg: algorithmName(key.algorithm), time: NOW, fudge: 300, mac, originalId: id, error: 0, other: new Uint8Array(0) }));
    return { bytes, mac };
  }

  it('accepts up to 99 unsigned messages between signed ones', () => {
    const first = tsigSign(response(0x5151, 1), key, { now: NOW, requestMac: req.mac });
    const unsigned = Array.from({ length: 99 }, (_, i) => response(0x5151, i % 7));
    const last = signedAfter(first.mac, unsigned, response(0x5151, 9));
    const ver = new TsigStreamVerifier(key, req.mac, { now: () => NOW });
    assert.equal(ver.verify(first.bytes).error, TsigError.NOERROR);
    for (const u of unsigned) {
      const v = ver.verify(u);
      assert.equal(v.present, false);
      assert.equal(v.error, TsigError.NOERROR);
      assert.equal(ver.finish(), false);
    }
    assert.equal(ver.verify(last.bytes).error, TsigError.NOERROR);
    assert.equal(ver.finish(), true);
  });

  it('rejects a 100th unsigned message, an unsigned first message, and an unsigned end', () => {
    const first = tsigSign(response(0x5151, 1), key, { now: NOW, requestMac: req.mac });
    const ver = new TsigStreamVerifier(key, req.mac, { now: () => NOW });
    assert.equal(ver.verify(first.bytes).error, TsigError.NOERROR);
    for (let i = 0; i < 99; i++) assert.equal(ver.verify(response(0x5151, 1)).error, TsigError.NOERROR);
    assert.equal(ver.verify(response(0x5151, 1)).error, TsigError.BADSIG);
    assert.equal(ver.finish(), false);

    const ver2 = new TsigStreamVerifier(key, req.mac, { now: () => NOW });
    assert.equal(ver2.verify(response(0x5151, 1)).error, TsigError.BADSIG);

    const ver3 = new TsigStreamVerifier(key, req.mac, { now: () => NOW });
    assert.equal(ver3.verify(first.bytes).error, TsigError.NOERROR);
    assert.equal(ver3.verify(response(0x5151, 2)).error, TsigError.NOERROR);
    assert.equal(ver3.finish(), false);
  });

  it('rejects a signed message that does not cover the unsigned ones before it', () => {
    const first = tsigSign(response(0x5151, 1), key, { now: NOW, requestMac: req.mac });
    const u = response(0x5151, 2);
    const skipping = signedAfter(first.mac, [], response(0x5151, 3));
    const ver = new TsigStreamVerifier(key, req.mac, { now: () => NOW });
    assert.equal(ver.verify(first.bytes).error, TsigError.NOERROR);
    assert.equal(ver.verify(u).error, TsigError.NOERROR);
    assert.equal(ver.verify(skipping.bytes).error, TsigError.BADSIG);
  });

  it('checks the time of each signed message', () => {
    let t = NOW;
    const signer = new TsigStreamSigner(key, req.mac, { now: () => t });
    const a = signer.sign(response(0x5151, 1));
    t = NOW + 1000;
    const b = signer.sign(response(0x5151, 2));
    const ver = new TsigStreamVerifier(key, req.mac, { now: () => NOW });
    assert.equal(ver.verify(a).error, TsigError.NOERROR);
    assert.equal(ver.verify(b).error, TsigError.BADTIME);
  });
});

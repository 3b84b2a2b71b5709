/** The `keys:` section: TSIG keys (RFC 8945), a name, an algorithm and a base64 secret each. */
import { isSeq } from 'yaml';
import { Name } from '../wire/index.js';
import { TSIG_ALGORITHMS, tsigMacSize, type TsigAlgorithm } from '../tsig/index.js';
import type { KeySettings } from './config-types.js';
import { field, readMap, type KeyTable, type Reader } from './key-table.js';
import { keyNameKey, type KeyRefCtx } from './key-refs.js';
import { text } from './scalar-readers.js';
import { describe, problem, scalarOf, valueOf, type Value } from './yaml-value.js';

interface KeyDraft {
  name?: string;
  nameValue?: Value;
  algorithm?: TsigAlgorithm;
  macLength?: number;
  secret?: Uint8Array;
}

/** A TSIG key name: a domain name, such as `transfer` or `ns1-ns2.hosting.example`. */
const keyName: Reader<string> = (ctx, v) => {
  const name = text(255)(ctx, v);
  if (name === undefined) return undefined;
  try {
    Name.fromText(name.endsWith('.') ? name : `${name}.`);
  } catch (err) {
    return problem(ctx, v, `'${name}' is not a valid key name (${(err as Error).message})`);
  }
  return name;
};

/**
 * An RFC 8945 algorithm, in any case, optionally with a MAC length in bits
 * as BIND writes it (`hmac-sha256-128`): a multiple of 8, at least 80 and
 * half the HMAC (RFC 8945 §5.2.2.1), at most all of it.
 */
const algorithm: Reader<{ alg: TsigAlgorithm; macLength?: number }> = (ctx, v) => {
  const x = scalarOf(v)?.value;
  const lower = typeof x === 'string' ? x.toLowerCase() : undefined;
  const m = lower === undefined ? null : /^(hmac-sha\d+)(?:-(\d+))?$/.exec(lower);
  if (m !== null && (TSIG_ALGORITHMS as readonly string[]).includes(m[1]!)) {
    const alg = m[1] as TsigAlgorithm;
    if (m[2] === undefined) return { alg };
    const bits = Number(m[2]);
    const full = tsigMacSize(alg) * 8;
    const min = Math.max(80, full / 2);
    if (bits % 8 !== 0 || bits < min || bits > full) {
      return problem(ctx, v, `${lower}: the MAC length must be a multiple of 8 from ${min} to ${full} bits (RFC 8945 §5.2.2.1); write ${alg} for full-length MACs`);
    }
    return bits === full ? { alg } : { alg, macLength: bits / 8 };
  }
  return problem(ctx, v, `expected one of ${TSIG_ALGORITHMS.join(', ')} (or, to allow truncated MACs, one with a length in bits as BIND writes it: hmac-sha256-128), got ${describe(v)}`);
};

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Strict base64 (padded, no white space, no stray bits); the secret itself never appears in a message. */
const secret: Reader<Uint8Array> = (ctx, v) => {
  const s = text()(ctx, v);
  if (s === undefined) return undefined;
  const bytes = BASE64.test(s) ? Buffer.from(s, 'base64') : undefined;
  if (bytes === undefined || bytes.length === 0 || bytes.toString('base64') !== s) return problem(ctx, v, 'not valid base64');
  return new Uint8Array(bytes);
};

/** Keys of one `keys:` entry. */
const KEY_KEYS: KeyTable<KeyDraft> = {
  name: field(keyName, (d, x, v) => {
    d.name = x;
    d.nameValue = v;
  }, true),
  algorithm: field(algorithm, (d, x) => {
    d.algorithm = x.alg;
    if (x.macLength !== undefined) d.macLength = x.macLength;
  }, true),
  secret: field(secret, (d, x) => { d.secret = x; }, true),
};

export const keyList: Reader<KeySettings[], KeyRefCtx> = (ctx, v) => {
  if (v.node === null || !isSeq(v.node)) return problem(ctx, v, `expected a list (write [] for none), got ${describe(v)}`);
  const out: KeySettings[] = [];
  const first = new Map<string, number>();
  v.node.items.forEach((n, i) => {
    const entry = valueOf(ctx, n, `${v.path}[${i}]`, v.offset);
    const draft: KeyDraft = {};
    if (!readMap(ctx, entry, KEY_KEYS, draft)) return;
    if (draft.name !== undefined && draft.nameValue !== undefined) {
      const canon = keyNameKey(draft.name);
      const j = first.get(canon);
      if (j !== undefined) {
        problem(ctx, draft.nameValue, `key '${draft.name}' is already listed at keys[${j}]`);
        return;
      }
      first.set(canon, i);
      ctx.keyNames.set(canon, draft.name);
    }
    if (draft.name !== undefined && draft.algorithm !== undefined && draft.secret !== undefined) {
      out.push({ name: draft.name, algorithm: draft.algorithm, secret: draft.secret, ...(draft.macLength === undefined ? {} : { macLength: draft.macLength }) });
    }
  });
  return out;
};

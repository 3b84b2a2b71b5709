/**
 * Readers of ACLs (`allow-transfer`, `allow-notify`): networks, TSIG keys,
 * or both; and of the networks alone (rate-limit `exempt`).
 */
import { isMap, isSeq } from 'yaml';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6, prefixMaskOctet } from '../wire/index.js';
import type { AclEntry } from '../xfr/acl.js';
import { readMap, type KeyTable, type Reader } from './key-table.js';
import { keyRef, type KeyRefCtx } from './key-refs.js';
import { text } from './scalar-readers.js';
import { describe, problem, scalarOf, valueOf, type Value } from './yaml-value.js';

export type Network = { family: 4 | 6; network: Uint8Array; prefix: number };

/**
 * `a.b.c.d/n`, `v6/n`, or a bare address (/32, /128). An IPv4-mapped IPv6
 * network (`::ffff:a.b.c.d/n`, n ≥ 96) becomes the IPv4 network, as the
 * server sees such clients as IPv4.
 */
export const network: Reader<Network> = (ctx, v) => {
  const x = scalarOf(v)?.value;
  if (typeof x !== 'string') return problem(ctx, v, `expected "address" or "address/prefix", got ${describe(v)}`);
  const slash = x.indexOf('/');
  const addr = slash < 0 ? x : x.slice(0, slash);
  const prefixText = slash < 0 ? undefined : x.slice(slash + 1);
  let octets: Uint8Array;
  let family: 4 | 6;
  const v4 = new Uint8Array(4);
  const v6 = new Uint8Array(16);
  if (parseIPv4(addr, v4)) {
    octets = v4;
    family = 4;
  } else if (parseIPv6(addr, v6)) {
    octets = v6;
    family = 6;
  } else {
    return problem(ctx, v, `'${x}' is not an address or network (a.b.c.d, a.b.c.d/n, v6 or v6/n; no host names, no ports)`);
  }
  const max = family === 4 ? 32 : 128;
  let prefix = max;
  if (prefixText !== undefined) {
    if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) return problem(ctx, v, `bad prefix length '/${prefixText}' (0..${max})`);
    prefix = Number(prefixText);
  }
  const masked = octets.map((b, i) => b & prefixMaskOctet(prefix, i));
  if (masked.some((b, i) => b !== octets[i])) {
    const net = family === 4 ? formatIPv4(masked) : formatIPv6(masked);
    return problem(ctx, v, `'${x}': host bits set (the network is ${net}/${prefix})`);
  }
  const mapped = family === 6 && prefix >= 96 && octets.subarray(0, 10).every((b) => b === 0) && octets[10] === 0xff && octets[11] === 0xff;
  if (mapped) return { family: 4, network: octets.slice(12), prefix: prefix - 96 };
  return { family, network: octets, prefix };
};

interface AclDraft {
  network?: Network;
  addressGiven?: boolean;
  keyValue?: Value;
}

/** Keys of a `{ address, key }` / `{ key }` ACL entry. */
const ACL_KEYS: KeyTable<AclDraft> = {
  address: { read: (ctx, v, d) => { d.addressGiven = true; d.network = network(ctx, v); } },
  key: { read: (ctx, v, d) => { if (text(255)(ctx, v) !== undefined) d.keyValue = v; } },
};

/** One ACL entry: `"addr[/n]"`, `{ address: "addr[/n]", key?: NAME }` or `{ key: NAME }`. */
function aclEntry(ctx: KeyRefCtx, v: Value): AclEntry | undefined {
  if (v.node !== null && isMap(v.node)) {
    const draft: AclDraft = {};
    readMap(ctx, v, ACL_KEYS, draft);
    if (draft.addressGiven !== true && draft.keyValue === undefined) {
      if (v.node.items.length === 0) problem(ctx, v, 'needs an address, a key, or both');
      return undefined;
    }
    if (draft.addressGiven === true && draft.network === undefined) return undefined;
    if (draft.network === undefined) {
      const e: AclEntry = { kind: 'key', key: '' };
      const k = keyRef(ctx, draft.keyValue!, (name) => { e.key = name; });
      if (k === undefined) return undefined;
      e.key = k;
      return e;
    }
    const e: AclEntry = { kind: 'range', ...draft.network, key: null };
    if (draft.keyValue !== undefined) e.key = keyRef(ctx, draft.keyValue, (name) => { e.key = name; }) ?? null;
    return e;
  }
  if (v.node !== null && isSeq(v.node)) return problem(ctx, v, `expected "address[/prefix]" or { address, key }, got a list`);
  const n = network(ctx, v);
  return n === undefined ? undefined : { kind: 'range', ...n, key: null };
}

/** A list of ACL entries; empty admits nobody. */
export const aclList: Reader<AclEntry[], KeyRefCtx> = (ctx, v) => {
  if (v.node === null || !isSeq(v.node)) return problem(ctx, v, `expected a list (write [] for nobody), got ${describe(v)}`);
  const out: AclEntry[] = [];
  v.node.items.forEach((n, i) => {
    const e = aclEntry(ctx, valueOf(ctx, n, `${v.path}[${i}]`, v.offset));
    if (e !== undefined) out.push(e);
  });
  return out;
};

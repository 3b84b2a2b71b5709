/** Readers of peers, the `notify` targets and `primaries` of a zone: an address, or an address and a TSIG key. */
import { isMap, isSeq } from 'yaml';
import type { Peer } from '../xfr/peer.js';
import { canonicalHost, peerAddress } from './address-readers.js';
import { field, readMap, type KeyTable, type Reader } from './key-table.js';
import { keyRef, type KeyRefCtx } from './key-refs.js';
import { text } from './scalar-readers.js';
import { describe, problem, valueOf, type Value } from './yaml-value.js';

interface PeerDraft {
  address?: { host: string; port: number; family: 4 | 6 };
  keyValue?: Value;
}

/** Keys of a `{ address, key }` entry of `notify` / `primaries`. */
const PEER_KEYS: KeyTable<PeerDraft> = {
  address: field(peerAddress, (d, x) => { d.address = x; }, true),
  key: { read: (ctx, v, d) => { if (text(255)(ctx, v) !== undefined) d.keyValue = v; } },
};

/** One peer: `"address[:port]"` or `{ address: "address[:port]", key: NAME }`. */
function peer(ctx: KeyRefCtx, v: Value): Peer | undefined {
  if (v.node !== null && isMap(v.node)) {
    const draft: PeerDraft = {};
    readMap(ctx, v, PEER_KEYS, draft);
    if (draft.address === undefined) return undefined;
    const p: Peer = { ...draft.address, key: null };
    if (draft.keyValue !== undefined) {
      p.key = keyRef(ctx, draft.keyValue, (name) => { p.key = name; }) ?? null;
    }
    return p;
  }
  if (v.node !== null && isSeq(v.node)) return problem(ctx, v, `expected "address[:port]" or { address, key }, got a list`);
  const a = peerAddress(ctx, v);
  return a === undefined ? undefined : { ...a, key: null };
}

/** A list of peers (may be empty); a repeated address and port is reported against the later entry. */
export const peerList: Reader<Peer[], KeyRefCtx> = (ctx, v) => {
  if (v.node === null || !isSeq(v.node)) return problem(ctx, v, `expected a list of addresses (write [] for none), got ${describe(v)}`);
  const out: Peer[] = [];
  const first = new Map<string, number>();
  v.node.items.forEach((n, i) => {
    const item = valueOf(ctx, n, `${v.path}[${i}]`, v.offset);
    const p = peer(ctx, item);
    if (p === undefined) return;
    const key = `${canonicalHost(p)}#${p.port}`;
    const j = first.get(key);
    if (j !== undefined) {
      problem(ctx, item, `duplicate of ${v.path}[${j}]`);
      return;
    }
    first.set(key, i);
    out.push(p);
  });
  return out;
};

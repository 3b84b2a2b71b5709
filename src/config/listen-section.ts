/** The `listen:` section: the addresses served, UDP and TCP on each, none twice. */
import { isSeq } from 'yaml';
import { canonicalHost, listenAddress } from './address-readers.js';
import type { ListenAddress } from './config-types.js';
import type { Reader } from './key-table.js';
import { describe, problem, valueOf } from './yaml-value.js';

export const listenList: Reader<ListenAddress[]> = (ctx, v) => {
  if (v.node === null || !isSeq(v.node)) return problem(ctx, v, `expected a list of addresses, got ${describe(v)}`);
  if (v.node.items.length === 0) return problem(ctx, v, 'must list at least one address');
  const out: ListenAddress[] = [];
  // Duplicates are reported against the later entry, naming the first.
  const first = new Map<string, number>();
  v.node.items.forEach((n, i) => {
    const item = valueOf(ctx, n, `${v.path}[${i}]`, v.offset);
    const a = listenAddress(ctx, item);
    if (a === undefined) return;
    const key = `${canonicalHost(a)}#${a.port}`;
    const j = first.get(key);
    if (j !== undefined) {
      problem(ctx, item, `duplicate of ${v.path}[${j}]`);
      return;
    }
    first.set(key, i);
    out.push(a);
  });
  return out;
};

/** `server.cookie-secret`: the DNS COOKIE server secrets (RFC 9018), one or a list. */
import { isSeq } from 'yaml';
import type { Reader } from './key-table.js';
import { describe, problem, scalarOf, valueOf, type Ctx, type Value } from './yaml-value.js';

/** One `cookie-secret`: 128 bits in hex (BIND's form for SipHash-2-4 cookies, RFC 9018 §4.4). */
function cookieSecret(ctx: Ctx, v: Value): Uint8Array | undefined {
  const x = scalarOf(v)?.value;
  if (typeof x !== 'string' || !/^[0-9a-fA-F]{32}$/.test(x)) {
    return problem(ctx, v, `expected 32 hex digits (a 128-bit secret, e.g. from 'openssl rand -hex 16'), got ${typeof x === 'string' ? `${x.length} characters` : describe(v)}`);
  }
  return Uint8Array.from(Buffer.from(x, 'hex'));
}

/** `cookie-secret`: one secret, or a list (the first makes cookies, all are accepted: for rotation across servers). */
export const cookieSecrets: Reader<Uint8Array[]> = (ctx, v) => {
  if (v.node === null || !isSeq(v.node)) {
    const one = cookieSecret(ctx, v);
    return one === undefined ? undefined : [one];
  }
  if (v.node.items.length === 0) return problem(ctx, v, 'expected at least one secret (leave cookie-secret out to have one generated)');
  const out: Uint8Array[] = [];
  let ok = true;
  v.node.items.forEach((n, i) => {
    const one = cookieSecret(ctx, valueOf(ctx, n, `${v.path}[${i}]`, v.offset));
    if (one === undefined) ok = false;
    else out.push(one);
  });
  return ok ? out : undefined;
};

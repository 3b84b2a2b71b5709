/**
 * Readers of addresses with a port: a `listen` entry (`host:port`,
 * `[v6]:port`) and a peer's (`address[:port]`, port 53 when left out), and
 * the one spelling of an address that duplicate checks compare.
 */
import { isIP } from 'node:net';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from '../wire/index.js';
import type { ListenAddress } from './config-types.js';
import type { Reader } from './key-table.js';
import { describe, problem, scalarOf } from './yaml-value.js';

/** `host:port` for IPv4, `[v6]:port` for IPv6. */
export const listenAddress: Reader<ListenAddress> = (ctx, v) => {
  const x = scalarOf(v)?.value;
  if (typeof x !== 'string') return problem(ctx, v, `expected "host:port" or "[v6]:port", got ${describe(v)}`);
  let host: string;
  let portText: string;
  const v6 = /^\[([^\]]*)\]:(.*)$/.exec(x);
  if (v6 !== null) {
    host = v6[1]!;
    portText = v6[2]!;
    if (isIP(host) !== 6) return problem(ctx, v, `'${host}' is not an IPv6 address`);
  } else {
    const colon = x.lastIndexOf(':');
    if (colon < 0) return problem(ctx, v, `'${x}' has no port (write "host:port", or "[v6]:port" for IPv6)`);
    host = x.slice(0, colon);
    portText = x.slice(colon + 1);
    if (host.includes(':')) {
      if (isIP(host) === 6 || isIP(x) === 6) return problem(ctx, v, `'${x}': an IPv6 address goes in brackets, as "[::1]:5300"`);
      return problem(ctx, v, `'${x}' is not "host:port"`);
    }
    if (isIP(host) !== 4) return problem(ctx, v, `'${host}' is not an IP address (host names are not allowed)`);
  }
  if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
    return problem(ctx, v, `bad port '${portText}' (1..65535)`);
  }
  return { host, port: Number(portText), family: v6 !== null ? 6 : 4 };
};

/** The address in one spelling, so `::1` and `0:0::1` are seen as the same. */
export function canonicalHost(a: ListenAddress): string {
  const buf = new Uint8Array(16);
  if (a.family === 4) return parseIPv4(a.host, buf) ? formatIPv4(buf) : a.host;
  return parseIPv6(a.host, buf) ? formatIPv6(buf) : a.host.toLowerCase();
}

/**
 * `host[:port]` for IPv4; `[v6]:port`, `[v6]` or a bare IPv6 literal for
 * IPv6. The port defaults to 53.
 */
export const peerAddress: Reader<{ host: string; port: number; family: 4 | 6 }> = (ctx, v) => {
  const x = scalarOf(v)?.value;
  if (typeof x !== 'string') return problem(ctx, v, `expected "address[:port]", got ${describe(v)}`);
  let host = x;
  let portText: string | undefined;
  let family: 4 | 6;
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(x);
  if (bracketed !== null) {
    host = bracketed[1]!;
    portText = bracketed[2];
    if (isIP(host) !== 6) return problem(ctx, v, `'${host}' is not an IPv6 address`);
    family = 6;
  } else if (isIP(x) === 6) {
    family = 6;
  } else {
    const colon = x.lastIndexOf(':');
    if (colon >= 0) {
      host = x.slice(0, colon);
      portText = x.slice(colon + 1);
    }
    if (host.includes(':')) return problem(ctx, v, `'${x}' is not "address[:port]" (an IPv6 address with a port goes in brackets, as "[::1]:53")`);
    if (isIP(host) !== 4) return problem(ctx, v, `'${host}' is not an IP address (host names are not allowed)`);
    family = 4;
  }
  if (portText !== undefined && (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535)) {
    return problem(ctx, v, `bad port '${portText}' (1..65535)`);
  }
  return { host, port: portText === undefined ? 53 : Number(portText), family };
};

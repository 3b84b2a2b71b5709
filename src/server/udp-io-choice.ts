/**
 * Which UDP I/O a server uses (issue 16 §2, `server.udp-io`): the batched
 * native socket (recvmmsg/sendmmsg) or node:dgram, decided once at start.
 */
import { TyneError } from '../wire/index.js';
import { loadBatchModule, type BatchModule, type BatchModuleLoad } from './batched-udp-socket.js';

/** Stable codes of UdpIoError. */
export const UdpIoErrorCode = {
  /** `udp-io: batched`, and the native module cannot be loaded: the start fails. */
  UNAVAILABLE: 'UDP_IO_UNAVAILABLE',
  /** `udp-io: auto`, and the native module cannot be loaded: one warning, UDP through node:dgram. */
  FALLBACK: 'UDP_IO_FALLBACK',
  /** `server.threads` above 1 without SO_REUSEPORT: no native module, and a Node older than 22.12 (node:dgram's reusePort): the start fails. */
  NO_REUSEPORT: 'UDP_IO_NO_REUSEPORT',
} as const;

export type UdpIoErrorCode = (typeof UdpIoErrorCode)[keyof typeof UdpIoErrorCode];

/** Why the batched UDP I/O is not used; the message is one line for the operator. */
export class UdpIoError extends TyneError<UdpIoErrorCode> {}

/** What fixes a missing module. */
const FIX = 'install g++, make and python3, then run `npm run build:native` in the Tyne folder';

/** The outcome: the module to serve UDP with (null: node:dgram), and the one warning or the error to report. */
export interface UdpIoChoice {
  module: BatchModule | null;
  /** `auto` without the module: logged once as a warning. */
  warning: UdpIoError | null;
  /** `batched` without the module: the start fails with this line. */
  error: UdpIoError | null;
}

/**
 * `setting` is server.udp-io; `clustered` is true with server.workers above
 * 1 (cluster workers share node:dgram sockets through the primary, which
 * the batched socket cannot: `auto` then uses node:dgram, and `batched` is
 * refused when the configuration is read).
 */
export function chooseUdpIo(setting: 'auto' | 'batched' | 'dgram', clustered: boolean, load: () => BatchModuleLoad = loadBatchModule): UdpIoChoice {
  if (setting === 'dgram' || (setting === 'auto' && clustered)) return { module: null, warning: null, error: null };
  const r = load();
  if (r.module !== null) return { module: r.module, warning: null, error: null };
  if (setting === 'batched') {
    return { module: null, warning: null, error: new UdpIoError(UdpIoErrorCode.UNAVAILABLE, `server.udp-io is batched, but the native UDP module cannot be used (${r.reason}); ${FIX}, or set udp-io: auto`) };
  }
  return {
    module: null,
    warning: new UdpIoError(UdpIoErrorCode.FALLBACK, `batched UDP I/O is not available (${r.reason}); serving UDP through node:dgram, which is slower: ${FIX}, or set server.udp-io: dgram`),
    error: null,
  };
}

/** True when node:dgram has `reusePort` (Node 22.12 and later, and 23.1 and later of 23). */
export function dgramHasReusePort(version = process.versions.node): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 23 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12);
}

/**
 * Why `server.threads: n` cannot run with this UDP I/O (issue 16 §3), or
 * null: each serving thread needs a socket of its own on the same address
 * (SO_REUSEPORT), from the native module or from node:dgram's reusePort.
 */
export function threadsUdpIoError(threads: number, module: BatchModule | null, version = process.versions.node): UdpIoError | null {
  if (threads <= 1 || module !== null || dgramHasReusePort(version)) return null;
  return new UdpIoError(
    UdpIoErrorCode.NO_REUSEPORT,
    `server.threads is ${threads}, and each serving thread needs its own UDP socket (SO_REUSEPORT): the native UDP module is not in use and node:dgram has reusePort only from Node 22.12 (this is ${version}); ${FIX} (with udp-io: auto or batched), use Node 22.12 or later, or set threads: 1`,
  );
}

import { TyneError } from '../wire/index.js';

/** Stable codes of ListenError. */
export const ListenErrorCode = {
  /** EACCES: a port below 1024 without the privilege, or a security policy. */
  PERMISSION: 'LISTEN_PERMISSION',
  /** EADDRINUSE: another socket holds the address and port. */
  IN_USE: 'LISTEN_IN_USE',
  /** EADDRNOTAVAIL: the address is not one of this host's. */
  NO_ADDRESS: 'LISTEN_NO_ADDRESS',
  /** EAFNOSUPPORT: IPv6 (or IPv4) is not available here. */
  FAMILY: 'LISTEN_FAMILY',
  /** Anything else the system refused. */
  FAILED: 'LISTEN_FAILED',
} as const;

export type ListenErrorCode = (typeof ListenErrorCode)[keyof typeof ListenErrorCode];

export type Transport = 'udp' | 'tcp';

/** An address of `listen` that could not be bound; the message is one line for the operator. */
export class ListenError extends TyneError<ListenErrorCode> {
  /** The address as `listen` names it: `127.0.0.1:53`, `[::1]:53`. */
  readonly address: string;
  readonly transport: Transport;

  constructor(code: ListenErrorCode, address: string, transport: Transport, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.address = address;
    this.transport = transport;
  }

  /** The system's error code (EACCES, EADDRINUSE, ...), or null. */
  get errno(): string | null {
    const c = (this.cause as NodeJS.ErrnoException | undefined)?.code;
    return typeof c === 'string' ? c : null;
  }
}

/** Ports below this need privilege on Linux (net.ipv4.ip_unprivileged_port_start, 1024 by default). */
const PRIVILEGED_BELOW = 1024;

/**
 * The ListenError for `err`, the failure to bind `address` (port `port`)
 * for `transport`: the cause in words and what fixes it. `nodePath` is the
 * binary a capability would be given to.
 */
export function listenError(address: string, port: number, transport: Transport, err: unknown, nodePath = process.execPath): ListenError {
  const sys = (err as NodeJS.ErrnoException | null)?.code;
  const head = `cannot listen on ${address} (${transport})`;
  const make = (code: ListenErrorCode, why: string): ListenError => new ListenError(code, address, transport, `${head}: ${why}`, { cause: err });
  switch (sys) {
    case 'EACCES':
      return port < PRIVILEGED_BELOW
        ? make('LISTEN_PERMISSION', `permission denied; ports below ${PRIVILEGED_BELOW} need root or CAP_NET_BIND_SERVICE `
          + `(for example \`setcap cap_net_bind_service=+ep ${nodePath}\`, or AmbientCapabilities=CAP_NET_BIND_SERVICE in the systemd unit)`)
        : make('LISTEN_PERMISSION', 'permission denied (a security policy such as SELinux or AppArmor refuses it); allow it or change `listen`');
    case 'EADDRINUSE':
      return make('LISTEN_IN_USE', 'address already in use: another server is listening there; stop it or change `listen`');
    case 'EADDRNOTAVAIL':
      return make('LISTEN_NO_ADDRESS', 'no such local address: no interface of this host has it; add it or change `listen`');
    case 'EAFNOSUPPORT':
      return make('LISTEN_FAMILY', `${address.startsWith('[') ? 'IPv6' : 'IPv4'} is not available on this host; enable it or change \`listen\``);
    default: {
      const text = err instanceof Error ? err.message : String(err);
      return make('LISTEN_FAILED', text.replace(/\s+/g, ' ').trim());
    }
  }
}

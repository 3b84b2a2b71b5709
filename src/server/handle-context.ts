import type { TsigKey } from '../tsig/index.js';
import type { Requester } from '../xfr/acl.js';

/** Where a request came in: UDP or TCP, the client's address, the TCP connection's idle timeout. */
export interface HandleContext {
  readonly tcp: boolean;
  /** The client's address (for transfer and NOTIFY ACLs, and server cookies). */
  readonly address?: string;
  /** RFC 7828 §3.3.2: the connection's idle timeout in units of 100 ms, sent to TCP clients that ask. */
  readonly keepalive?: number;
}

/** The client as the ACLs see it (src/xfr/acl.ts): its address, and the TSIG key it signed with (null: none). */
export function requesterOf(ctx: HandleContext, key: TsigKey | null): Requester {
  return { address: ctx.address ?? '', key: key === null ? null : key.name.toText() };
}

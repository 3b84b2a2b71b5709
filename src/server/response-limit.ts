/** How large a response may be: RFC 1035's 512 octets without EDNS, the EDNS payload agreed (RFC 6891), 65535 over TCP. */
import type { HandleContext } from './handle-context.js';
import type { Request } from './request.js';

/** RFC 1035 §4.2.1: the UDP limit without EDNS; RFC 6891 §6.2.5: never below it with EDNS either. */
export const MIN_UDP = 512;

/** The octets a response to `req` may have: 65535 over TCP, else the client's EDNS payload up to ours (`udpPayload`). */
export function responseLimit(req: Request, ctx: HandleContext, udpPayload: number): number {
  if (ctx.tcp) return 65535;
  if (!req.edns) return MIN_UDP;
  return Math.max(MIN_UDP, Math.min(req.ednsPayload, udpPayload));
}

/** TSIG in the responder (RFC 8945): a request whose TSIG failed is reported and answered with the TSIG error. */
import { Name, Rcode } from '../wire/index.js';
import { TsigError, tsigAppendUnsigned, tsigSign, tsigTimeOtherData, type TsigVerified } from '../tsig/index.js';
import type { HandleContext } from './handle-context.js';
import type { Request } from './request.js';
import type { ResponderState } from './responder-state.js';
import { smallResponse } from './small-response.js';
import type { TransferHooks, TsigFailure } from './transfer-hooks.js';

const TSIG_ERROR_NAMES: Record<number, TsigFailure['error']> = {
  [TsigError.BADSIG]: 'BADSIG', [TsigError.BADKEY]: 'BADKEY', [TsigError.BADTIME]: 'BADTIME', [TsigError.BADTRUNC]: 'BADTRUNC',
};

/** Tells the daemon that a request's TSIG failed (the server does not log; the daemon rate-limits the lines). */
export function reportTsig(hooks: TransferHooks | null, v: TsigVerified & { malformed: boolean }, ctx: HandleContext, opcode: TsigFailure['opcode']): void {
  if (hooks === null || hooks.tsigFailed === undefined) return;
  hooks.tsigFailed({
    address: ctx.address ?? '',
    tcp: ctx.tcp,
    key: v.keyName === null ? null : v.keyName.toText(),
    algorithm: v.algorithm === null ? null : v.algorithm.toText(),
    error: v.malformed ? 'FORMERR' : (TSIG_ERROR_NAMES[v.error] ?? 'BADKEY'),
    opcode,
    macLength: v.mac.length,
    skewSec: v.error === TsigError.BADTIME ? Math.floor(Date.now() / 1000) - v.time : null,
  });
}

/** RFC 8945 §5.3.2: NOTAUTH with the TSIG error (see `withTsigError`). */
export function tsigErrorAnswer(s: ResponderState, req: Request, v: TsigVerified): Uint8Array {
  return withTsigError(smallResponse(s, req, Rcode.NOTAUTH, false, null), v, req.id);
}

/**
 * RFC 8945 §5.3.2: the TSIG for an error answer to a request that did not
 * verify: BADKEY and BADSIG unsigned; BADTIME signed, with the request's
 * time as time signed and ours in Other Data (§5.2.3, as BIND does);
 * BADTRUNC signed with the whole MAC (the MAC did verify; as BIND does).
 */
export function withTsigError(base: Uint8Array, v: TsigVerified, originalId: number): Uint8Array {
  if (v.error === TsigError.BADTIME && v.key !== null) {
    const other = tsigTimeOtherData(Math.floor(Date.now() / 1000));
    return tsigSign(base, v.key, { requestMac: v.mac, error: TsigError.BADTIME, otherData: other, now: v.time }).bytes;
  }
  // RFC 8945 §5.2.2.1: BADTRUNC.
  if (v.error === TsigError.BADTRUNC && v.key !== null) return tsigSign(base, v.key, { requestMac: v.mac, error: TsigError.BADTRUNC }).bytes;
  const error = v.error === TsigError.NOERROR ? TsigError.BADKEY : v.error;
  return tsigAppendUnsigned(base, v.keyName ?? Name.ROOT, v.algorithm ?? Name.ROOT, error, { originalId });
}

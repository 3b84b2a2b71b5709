/** Transfers out: AXFR (RFC 5936) and IXFR (RFC 1995) of a zone we serve, behind `allow-transfer` and `transfers-out`. */
import { copyBytes, Rcode, RRType } from '../wire/index.js';
import type { TsigKey } from '../tsig/index.js';
import { axfrMessages } from '../xfr/axfr-out.js';
import { ixfrMessages } from '../xfr/ixfr-out.js';
import { requesterOf, type HandleContext } from './handle-context.js';
import type { MultiMessageAnswer } from './multi-message-answer.js';
import type { Request } from './request.js';
import type { ResponderState } from './responder-state.js';
import { HEADER } from './response-header.js';
import { responseLimit } from './response-limit.js';
import { signedStream, tsigReserve } from './signed-stream.js';
import { smallResponse } from './small-response.js';

/** AXFR (RFC 5936) and IXFR (RFC 1995) out, behind `allow-transfer`. */
export function transferAnswer(s: ResponderState, req: Request, ctx: HandleContext, key: TsigKey | null, requestMac: Uint8Array): Uint8Array | MultiMessageAnswer {
  // RFC 5936 §4.2: AXFR is a TCP affair; BIND answers one over UDP with FORMERR.
  if (!ctx.tcp && req.qtype === RRType.AXFR) return smallResponse(s, req, Rcode.FORMERR, false, null);
  if (req.qtype === RRType.IXFR && req.ixfrSerial < 0) return smallResponse(s, req, Rcode.FORMERR, false, null);
  const buf = req.buf;
  const zone = s.zones.find(buf, HEADER, req.qnameEnd);
  // A zone configured but without data yet (loading, a catalog not built, a secondary not transferred): SERVFAIL,
  // as BIND answers a zone it has not loaded; a secondary asking tries again soon, where NOTAUTH reads as "not here".
  if (zone === null) return smallResponse(s, req, Rcode.SERVFAIL, false, null);
  // Only a zone's apex can be transferred, and only a zone we have.
  if (zone === undefined || zone.origin.wire.length !== req.qnameEnd - HEADER) {
    return smallResponse(s, req, Rcode.NOTAUTH, false, null);
  }
  const hooks = s.hooks;
  const who = requesterOf(ctx, key);
  const axfr = req.qtype === RRType.AXFR;
  if (hooks === null) return smallResponse(s, req, Rcode.REFUSED, false, null);
  if (!hooks.mayTransfer(zone, who)) {
    hooks.transferRefused?.({ zone: zone.origin.toText(), peer: who.address, kind: axfr ? 'AXFR' : 'IXFR', key: who.key, reason: 'acl', limit: 0 });
    return smallResponse(s, req, Rcode.REFUSED, false, null);
  }
  // `req` (and a UDP `ctx`) describe the next request once this one returns, while the
  // stream goes on being written across many turns of the event loop: the stream and its
  // log line keep their own copies of everything they need from them.
  // (A real copy: `buf` is the listener's Buffer, whose slice() would be a view.)
  const quota = ctx.tcp ? s.options.transfers : undefined;
  if (quota !== undefined && quota.full) {
    // BIND's transfers-out: past the limit a transfer is refused, and the secondary retries later.
    hooks.transferRefused?.({ zone: zone.origin.toText(), peer: who.address, kind: axfr ? 'AXFR' : 'IXFR', key: who.key, reason: 'transfers-out', limit: quota.limit });
    return smallResponse(s, req, Rcode.REFUSED, false, null);
  }
  const query = { id: req.id, question: copyBytes(buf, HEADER, req.questionEnd), rd: (req.flags & 0x0100) !== 0 };
  const fromSerial = axfr ? null : req.ixfrSerial;
  const peer = who.address;
  const reserve = key === null ? 0 : tsigReserve(key);
  const info: { kind?: string; reason?: string; records?: number } = {};
  const messages = axfr
    ? axfrMessages(zone, query, { reserve })
    : ixfrMessages(zone, hooks.journal(zone), req.ixfrSerial, query, { reserve, info, ...(ctx.tcp ? {} : { udpLimit: responseLimit(req, ctx, s.options.udpPayload) }) });
  if (!ctx.tcp) {
    const first = messages.next();
    return first.done === true ? smallResponse(s, req, Rcode.SERVFAIL, false, null) : first.value;
  }
  const stream = signedStream(messages, key, requestMac, (n, bytes, ms, complete) => {
    const kind = axfr || info.kind === 'AXFR' ? 'AXFR' : info.kind === 'UPTODATE' ? 'UPTODATE' : 'IXFR';
    // AXFR: every record and the closing SOA again; IXFR: the condensed sequence; up to date: one SOA.
    const records = kind === 'AXFR' ? zone.recordCount + 1 : kind === 'UPTODATE' ? 1 : (info.records ?? 0);
    hooks.transferred({
      zone: zone.origin.toText(), peer, kind, reason: info.reason ?? null, fromSerial, serial: zone.serial,
      records, messages: n, bytes, durationMs: ms, key: who.key, complete,
    });
  });
  // (Checked to be free above, and nothing ran since.)
  return quota === undefined ? stream : (quota.hold(stream) ?? smallResponse(s, req, Rcode.REFUSED, false, null));
}

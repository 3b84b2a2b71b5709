/**
 * The SOA serial query a refresh starts with (RFC 1034 §4.3.5): over UDP with tries, then over TCP when
 * the UDP answer is truncated, refused or missing.
 */
import { randomInt } from 'node:crypto';
import { Opcode, RRClass, RRType, Rcode, decodeMessage, soaSerial, type Message, type Name } from '../wire/index.js';
import type { TsigKey, XfrSigner, XfrSignerFactory } from '../tsig/index.js';
import { checkResponse } from './check-response.js';
import { peerText, type Peer } from './peer.js';
import { TcpMessageConnection } from './tcp-message-connection.js';
import { TransferError } from './transfer-error.js';
import { queryMessage } from './transfer-messages.js';
import { finishSigner, makeSigner } from './transfer-signing.js';
import { udpExchange } from './udp-exchange.js';

export interface SoaQueryOptions {
  origin: Name;
  peer: Peer;
  key: TsigKey | null;
  /**
   * The UDP tries (default 5 s). A TCP retry after them gets its own time
   * of the same length (`tcpTimeoutMs`), so the whole query takes at most
   * twice this.
   */
  timeoutMs?: number;
  /** The TCP retry: connecting and the answer (default `timeoutMs`). */
  tcpTimeoutMs?: number;
  signer?: XfrSignerFactory;
}

const DEFAULT_SOA_TIMEOUT_MS = 5_000;
/** UDP tries of an SOA query within its time. */
const UDP_TRIES = 3;

/** Sends one UDP query and waits (tries spread over `timeoutMs`) for the reply with its ID from the peer. */
async function soaOverUdp(peer: Peer, query: Uint8Array, id: number, timeoutMs: number): Promise<Uint8Array> {
  const label = peerText(peer);
  const res = await udpExchange({
    peer,
    // A connected socket: the kernel drops datagrams from elsewhere, and an ICMP refusal shows up as an error.
    connect: true,
    tries: UDP_TRIES,
    message: () => query,
    waitUntil: (i, started) => started + (timeoutMs * (i + 1)) / UDP_TRIES,
    accept: (data, rinfo): Uint8Array | null => {
      // Only the peer's reply to this query counts; anything else is ignored.
      if (rinfo.port !== peer.port || rinfo.address.toLowerCase() !== peer.host.toLowerCase()) return null;
      if (data.length < 2 || data.readUInt16BE(0) !== id) return null;
      return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    },
    socketErrors: 'fail',
    sendErrors: 'fail',
  });
  switch (res.type) {
    case 'answer':
      return res.answer;
    case 'noAnswer':
    case 'aborted':
      throw new TransferError('XFR_TIMEOUT', label, `no answer to the SOA query within ${timeoutMs} ms`);
    case 'failed': {
      const e = res.error as Error;
      if (res.stage === 'send') throw new TransferError('XFR_CONNECTION', label, `could not send the SOA query: ${e.message}`, { cause: e });
      throw new TransferError('XFR_CONNECTION', label, `SOA query failed: ${e.message}`, { cause: e });
    }
  }
}

function decodeSoaAnswer(bytes: Uint8Array, label: string): Message {
  try {
    return decodeMessage(bytes);
  } catch (e) {
    throw new TransferError('XFR_MALFORMED', label, `SOA answer does not decode: ${(e as Error).message}`, { cause: e });
  }
}

/** Checks an SOA answer and returns the serial. */
function soaSerialFrom(msg: Message, bytes: Uint8Array, id: number, origin: Name, signer: XfrSigner | null, label: string): number {
  checkResponse(msg, bytes, id, origin, RRType.SOA, true, signer, label);
  finishSigner(signer, label);
  if (!msg.aa) throw new TransferError('XFR_REFUSED', label, `SOA answer for ${origin.toText()} is not authoritative (AA clear)`);
  const soa = msg.answers.find((rr) => rr.type === RRType.SOA && rr.name.equals(origin) && rr.class === RRClass.IN);
  if (soa === undefined) throw new TransferError('XFR_MALFORMED', label, `SOA answer holds no SOA record of ${origin.toText()}`);
  const serial = soaSerial(soa.rdata);
  if (Number.isNaN(serial)) throw new TransferError('XFR_MALFORMED', label, 'SOA rdata too short');
  return serial;
}

/** A TransferError's message without the `peer: ` prefix its constructor added. */
function withoutPeer(e: TransferError): string {
  const prefix = `${e.peer}: `;
  return e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
}

/**
 * Asks `peer` for the SOA serial of `origin`: over UDP (a few tries), then
 * again over TCP when the UDP answer is truncated (RFC 1035 §4.2.1, RFC
 * 7766 §5), REFUSED, or does not come at all (no answer, or an ICMP
 * refusal), as BIND does after a timeout (`try-tcp-refresh yes`, its
 * default). The answer must be authoritative and hold the zone's SOA.
 * Throws TransferError; after a failed TCP retry, its message says what
 * happened over UDP too.
 */
export async function querySoaSerial(opts: SoaQueryOptions): Promise<number> {
  const label = peerText(opts.peer);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_SOA_TIMEOUT_MS;
  const tcpTimeoutMs = opts.tcpTimeoutMs ?? timeoutMs;
  const signer = makeSigner(opts.key, opts.signer);
  const ask = (id: number): Uint8Array => {
    const q = queryMessage(id, opts.origin, RRType.SOA, null);
    return signer === null ? q : signer.signQuery(q);
  };
  const id = randomInt(0, 0x10000);
  let overUdp: string;
  try {
    const reply = await soaOverUdp(opts.peer, ask(id), id, timeoutMs);
    const msg = decodeSoaAnswer(reply, label);
    const ours = msg.id === id && msg.qr && msg.opcode === Opcode.QUERY;
    if (ours && msg.tc && msg.rcode === Rcode.NOERROR) {
      overUdp = 'answer truncated';
    } else if (ours && msg.rcode === Rcode.REFUSED) {
      // Some primaries answer SOA only over TCP: Knot, for the catalog zones it generates.
      overUdp = `answered REFUSED to SOA ${opts.origin.toText()}`;
    } else {
      return soaSerialFrom(msg, reply, id, opts.origin, signer, label);
    }
  } catch (e) {
    if (!(e instanceof TransferError) || (e.code !== 'XFR_TIMEOUT' && e.code !== 'XFR_CONNECTION')) throw e;
    overUdp = withoutPeer(e);
  }
  // The TCP retry has its own time: after UDP timed out, none of the first is left.
  const deadline = Date.now() + tcpTimeoutMs;
  try {
    const stream = await TcpMessageConnection.open(opts.peer, tcpTimeoutMs, deadline, 65535 + 2);
    try {
      const tcpId = randomInt(0, 0x10000);
      stream.send(ask(tcpId));
      const bytes = await stream.next(tcpTimeoutMs, deadline).catch((e: unknown) => {
        // TcpMessageConnection words its timeouts for transfers.
        if (e instanceof TransferError && e.code === 'XFR_TIMEOUT') {
          throw new TransferError('XFR_TIMEOUT', label, `no answer within ${tcpTimeoutMs} ms`, { cause: e });
        }
        throw e;
      });
      if (bytes === null) throw new TransferError('XFR_CONNECTION', label, 'connection closed before the SOA answer');
      const msg = decodeSoaAnswer(bytes, label);
      if (msg.tc) throw new TransferError('XFR_MALFORMED', label, 'SOA answer over TCP is truncated');
      return soaSerialFrom(msg, bytes, tcpId, opts.origin, signer, label);
    } finally {
      stream.close();
    }
  } catch (e) {
    if (!(e instanceof TransferError)) throw e;
    throw new TransferError(e.code, label, `SOA query over UDP: ${overUdp}; over TCP: ${withoutPeer(e)}`, { cause: e });
  }
}

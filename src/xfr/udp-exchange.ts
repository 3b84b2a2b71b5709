/**
 * One UDP request to a peer and its answer, with tries (dgram-as-promised): the exchange under the SOA
 * query (RFC 1034 §4.3.5) and NOTIFY (RFC 1996 §3.6). The callers say when each try's wait ends and
 * which datagram is the answer.
 */
import type { RemoteInfo } from 'node:dgram';
import DgramAsPromised from 'dgram-as-promised';
import type { Peer } from './peer.js';

type UdpSocket = ReturnType<typeof DgramAsPromised.createSocket>;
type Packet = Awaited<ReturnType<UdpSocket['recv']>>;

export interface UdpExchangeOptions<R> {
  peer: Peer;
  /**
   * Connect the socket to the peer (the kernel drops datagrams from
   * elsewhere, and an ICMP refusal shows up as a socket error) rather than
   * bind it to any port.
   */
  connect: boolean;
  /** Messages sent at most. */
  tries: number;
  /** The message of try `i` (from 0); when it throws, the exchange ends ('message'). */
  message(i: number): Uint8Array;
  /** When the wait for an answer to try `i` ends (ms, Date.now()), given when the exchange started and when the try was sent. */
  waitUntil(i: number, started: number, sent: number): number;
  /** A datagram received: the answer, or null to ignore it. */
  accept(data: Buffer, rinfo: RemoteInfo): R | null;
  /** A socket error (ICMP unreachable, ...): 'fail' ends the exchange with it; 'wait' ends the try, waited out. */
  socketErrors: 'fail' | 'wait';
  /** A send that fails: 'fail' ends the exchange with it; 'ignore' counts it as a try sent. */
  sendErrors: 'fail' | 'ignore';
  /** Stops waiting (an 'aborted' result). */
  signal?: AbortSignal;
}

/** How an exchange ended; `tries` is the messages sent. */
export type UdpExchangeResult<R> =
  | { type: 'answer'; answer: R; tries: number }
  | { type: 'noAnswer'; tries: number }
  | { type: 'aborted'; tries: number }
  | { type: 'failed'; stage: 'open' | 'message' | 'send' | 'socket'; error: unknown; tries: number };

async function open(peer: Peer, connect: boolean): Promise<UdpSocket> {
  const sock = DgramAsPromised.createSocket(peer.family === 6 ? 'udp6' : 'udp4');
  if (!connect) {
    await sock.bind();
    return sock;
  }
  await new Promise<void>((resolve, reject) => {
    const onError = (e: Error): void => reject(e);
    sock.socket.once('error', onError);
    sock.socket.connect(peer.port, peer.host, () => {
      sock.socket.removeListener('error', onError);
      resolve();
    });
  });
  return sock;
}

function send(sock: UdpSocket, peer: Peer, connected: boolean, bytes: Uint8Array): Promise<unknown> {
  if (!connected) return sock.send(bytes, peer.port, peer.host);
  return new Promise<void>((resolve, reject) => sock.socket.send(bytes, (e) => (e ? reject(e) : resolve())));
}

/**
 * Sends try after try until an answer comes, the tries run out, a failure
 * ends it or `signal` fires. One receive is outstanding at a time, kept
 * across tries, so a late answer to an earlier try still counts and
 * nothing arriving between waits is lost. Never throws.
 */
export async function udpExchange<R>(opts: UdpExchangeOptions<R>): Promise<UdpExchangeResult<R>> {
  const { peer, signal } = opts;
  const started = Date.now();
  let sock: UdpSocket;
  try {
    sock = await open(peer, opts.connect);
  } catch (error) {
    return { type: 'failed', stage: 'open', error, tries: 0 };
  }
  let pending: Promise<Packet | { error: unknown }> | null = null;
  let aborted = false;
  let wake: (() => void) | null = null;
  const onAbort = (): void => {
    aborted = true;
    wake?.();
  };
  signal?.addEventListener('abort', onAbort, { once: true });

  /** Waits until `deadline` for the answer: it, a socket error to end on, or null (none came in time). */
  const waitForAnswer = async (deadline: number): Promise<{ answer: R } | { error: unknown } | null> => {
    for (;;) {
      if (aborted) return null;
      const left = deadline - Date.now();
      if (left <= 0) return null;
      pending ??= sock.recv().catch((error: unknown) => ({ error }));
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), left);
        wake = () => resolve('timeout');
      });
      const got = await Promise.race([pending, timeout]);
      clearTimeout(timer);
      wake = null;
      if (got === 'timeout') continue;
      pending = null;
      if (got === undefined) return null; // socket closed
      if ('error' in got) {
        if (opts.socketErrors === 'fail') return got;
        // Nothing more for this try.
        await new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())));
        return null;
      }
      const answer = opts.accept(got.msg, got.rinfo);
      if (answer !== null) return { answer };
    }
  };

  let sent = 0;
  try {
    for (let i = 0; i < opts.tries && !aborted; i++) {
      let bytes: Uint8Array;
      try {
        bytes = opts.message(i);
      } catch (error) {
        return { type: 'failed', stage: 'message', error, tries: sent };
      }
      try {
        await send(sock, peer, opts.connect, bytes);
      } catch (error) {
        /* unreachable, no route, ...: counts as a try; wait it out (unless told to fail) */
        if (opts.sendErrors === 'fail') return { type: 'failed', stage: 'send', error, tries: sent + 1 };
      }
      sent++;
      const got = await waitForAnswer(opts.waitUntil(i, started, Date.now()));
      if (got !== null) return 'answer' in got ? { type: 'answer', answer: got.answer, tries: sent } : { type: 'failed', stage: 'socket', error: got.error, tries: sent };
    }
    return aborted ? { type: 'aborted', tries: sent } : { type: 'noAnswer', tries: sent };
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await sock.close().catch(() => undefined);
  }
}

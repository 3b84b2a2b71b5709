/** The transfer client's TCP connection to a primary, read as one DNS message at a time (RFC 1035 §4.2.2). */
import { connect, type Socket } from 'node:net';
import { copyBytes } from '../wire/index.js';
import { peerText, type Peer } from './peer.js';
import { TransferError } from './transfer-error.js';

/** Octets read ahead of the consumer before the socket is paused. */
const READ_AHEAD = 1024 * 1024;

/**
 * A TCP connection read as length-prefixed DNS messages (RFC 1035 §4.2.2),
 * with an idle time per message, an overall deadline, a byte budget and
 * read-ahead bounded by pausing the socket.
 */
export class TcpMessageConnection {
  private readonly sock: Socket;
  private readonly peer: string;
  private readonly maxBytes: number;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private ended = false;
  private failure: TransferError | null = null;
  private wake: (() => void) | null = null;
  private paused = false;
  /** Octets received so far. */
  bytes = 0;

  private constructor(sock: Socket, peer: string, maxBytes: number) {
    this.sock = sock;
    this.peer = peer;
    this.maxBytes = maxBytes;
    sock.on('data', (chunk: Buffer) => {
      this.bytes += chunk.length;
      if (this.bytes > this.maxBytes) {
        this.fail(new TransferError('XFR_MALFORMED', peer, `transfer is larger than the limit of ${this.maxBytes} octets`));
        return;
      }
      this.chunks.push(chunk);
      this.buffered += chunk.length;
      if (this.buffered > READ_AHEAD && !this.paused) {
        this.paused = true;
        sock.pause();
      }
      this.poke();
    });
    sock.on('end', () => {
      this.ended = true;
      this.poke();
    });
    sock.on('close', () => {
      this.ended = true;
      this.poke();
    });
    sock.on('error', (e) => this.fail(new TransferError('XFR_CONNECTION', peer, `connection failed: ${e.message}`, { cause: e })));
  }

  private fail(e: TransferError): void {
    if (this.failure === null) this.failure = e;
    this.sock.destroy();
    this.poke();
  }

  private poke(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  /** Connects, within `idleMs` and the deadline. */
  static async open(peer: Peer, idleMs: number, deadline: number, maxBytes: number): Promise<TcpMessageConnection> {
    const label = peerText(peer);
    const wait = Math.min(idleMs, deadline - Date.now());
    if (wait <= 0) throw new TransferError('XFR_TIMEOUT', label, 'no time left to connect');
    const sock = connect({ host: peer.host, port: peer.port, family: peer.family });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new TransferError('XFR_TIMEOUT', label, `could not connect within ${wait} ms`));
      }, wait);
      sock.once('connect', () => {
        clearTimeout(timer);
        sock.removeAllListeners('error');
        resolve();
      });
      sock.once('error', (e) => {
        clearTimeout(timer);
        sock.destroy();
        reject(new TransferError('XFR_CONNECTION', label, `could not connect: ${e.message}`, { cause: e }));
      });
    });
    sock.setNoDelay(true);
    return new TcpMessageConnection(sock, label, maxBytes);
  }

  send(message: Uint8Array): void {
    const framed = Buffer.alloc(message.length + 2);
    framed.writeUInt16BE(message.length, 0);
    framed.set(message, 2);
    this.sock.write(framed);
  }

  /** Takes one whole message off the buffer, or null when there is none yet. */
  private take(): Uint8Array | null {
    if (this.buffered < 2) return null;
    if (this.chunks[0]!.length < 2) this.chunks = [Buffer.concat(this.chunks)];
    const len = this.chunks[0]!.readUInt16BE(0);
    if (this.buffered < len + 2) return null;
    if (this.chunks[0]!.length < len + 2) this.chunks = [Buffer.concat(this.chunks)];
    const head = this.chunks[0]!;
    const msg = copyBytes(head, 2, len + 2);
    if (head.length === len + 2) this.chunks.shift();
    else this.chunks[0] = head.subarray(len + 2);
    this.buffered -= len + 2;
    if (this.paused && this.buffered <= READ_AHEAD) {
      this.paused = false;
      this.sock.resume();
    }
    return msg;
  }

  /**
   * The next message; null when the peer closed the connection cleanly
   * between messages. Throws XFR_TIMEOUT, XFR_CONNECTION (closed inside a
   * message, reset) or the byte-limit error.
   */
  async next(idleMs: number, deadline: number): Promise<Uint8Array | null> {
    for (;;) {
      if (this.failure !== null) throw this.failure;
      const m = this.take();
      if (m !== null) return m;
      if (this.ended) {
        if (this.buffered > 0) throw new TransferError('XFR_CONNECTION', this.peer, 'connection closed in the middle of a message');
        return null;
      }
      const now = Date.now();
      const wait = Math.min(idleMs, deadline - now);
      if (wait <= 0) throw new TransferError('XFR_TIMEOUT', this.peer, 'transfer took longer than allowed');
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await new Promise<boolean>((resolve) => {
        this.wake = () => resolve(false);
        timer = setTimeout(() => resolve(true), wait);
      });
      clearTimeout(timer);
      this.wake = null;
      if (timedOut) {
        const idle = wait === idleMs;
        throw new TransferError(
          'XFR_TIMEOUT',
          this.peer,
          idle ? `no message for ${idleMs} ms` : 'transfer took longer than allowed',
        );
      }
    }
  }

  close(): void {
    this.sock.destroy();
  }
}

/** The UDP listener: one socket, each datagram answered synchronously by the responder. */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import type { HandleContext } from './handle-context.js';
import type { ListenerErrorSink, QueryObserver } from './listener-callbacks.js';
import type { Responder } from './responder.js';

/** One context for every datagram: handling is synchronous, so only the address changes. */
const UDP: { tcp: false; address: string } & HandleContext = { tcp: false, address: '' };
const RECV_BUFFER = 4 << 20;

/**
 * One UDP socket answering queries (RFC 1035 §4.2.1). Each datagram is
 * answered synchronously from the responder, so nothing queues here.
 * In a node:cluster worker the socket is shared with the other workers.
 */
export class UdpListener {
  readonly #socket: Socket;
  readonly #host: string;
  readonly #port: number;
  readonly #onError: ListenerErrorSink;

  constructor(responder: () => Responder, host: string, port: number, onError: ListenerErrorSink, observe?: QueryObserver) {
    this.#host = host;
    this.#port = port;
    const socket = createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', reuseAddr: false });
    socket.on('message', (msg: Buffer, rinfo: RemoteInfo) => {
      let out: Uint8Array | null;
      try {
        UDP.address = rinfo.address;
        out = responder().handle(msg, UDP);
      } catch (err) {
        // A bug, not the client's fault: no answer, and the process keeps serving.
        onError(err, `udp query from ${rinfo.address}`);
        return;
      }
      if (observe !== undefined) observe(msg, out, rinfo.address, false);
      if (out !== null) socket.send(out, rinfo.port, rinfo.address);
    });
    this.#onError = onError;
    this.#socket = socket;
  }

  /** Binds the socket; rejects when the address cannot be bound. */
  listen(): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      const fail = (err: Error): void => reject(err);
      this.#socket.once('error', fail);
      this.#socket.bind(this.#port, this.#host, () => {
        this.#socket.off('error', fail);
        // From now on errors are the sink's; a failed bind is only the caller's (one report, not two).
        this.#socket.on('error', (err) => this.#onError(err, `udp socket ${this.#host}:${this.#port}`));
        // Bursts overflow Linux's default 208 KiB receive buffer and the kernel drops
        // queries; ask for 4 MiB (the kernel caps it at net.core.rmem_max).
        try {
          this.#socket.setRecvBufferSize(RECV_BUFFER);
        } catch {
          // not allowed: keep the default
        }
        const a = this.#socket.address();
        resolve({ host: a.address, port: a.port });
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      try {
        this.#socket.close(() => resolve());
      } catch {
        resolve(); // never bound or already closed
      }
    });
  }
}

/** The TCP listener: one server socket per address, its connections served by tcp-connection.ts, closed gracefully. */
import { createServer, type Server, type Socket } from 'node:net';
import type { ListenerErrorSink, QueryHooks } from './listener-callbacks.js';
import type { Responder } from './responder.js';
import { serveTcpConnection } from './tcp-connection.js';
import type { TcpQuota } from './tcp-quota.js';

/**
 * DNS over TCP (RFC 7766): two-octet length prefix, many queries per
 * connection, answered in order as they arrive (pipelining, §6.2.1.1).
 * A client that does not read its answers is paused, then dropped, so it
 * never holds up another connection; an idle one is closed after the idle
 * timeout; who may connect at all is the shared TcpQuota's call (per
 * client and in all; a newcomer only displaces a genuinely idle connection).
 */
export class TcpListener {
  readonly #server: Server;
  readonly #host: string;
  readonly #port: number;
  /** This listener's open connections (the quota counts those of every listener). */
  readonly #conns = new Set<Socket>();
  readonly #quota: TcpQuota;
  readonly #onError: ListenerErrorSink;

  constructor(responder: () => Responder, host: string, port: number, quota: TcpQuota, onError: ListenerErrorSink, hooks: QueryHooks) {
    this.#host = host;
    this.#port = port;
    this.#quota = quota;
    this.#server = createServer({ noDelay: true }, (sock) => serveTcpConnection(sock, responder, this.#quota, this.#conns, onError, hooks));
    this.#onError = onError;
  }

  get connections(): number {
    return this.#conns.size;
  }

  listen(): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      const fail = (err: Error): void => reject(err);
      this.#server.once('error', fail);
      this.#server.listen({ port: this.#port, host: this.#host, exclusive: false }, () => {
        this.#server.off('error', fail);
        // From now on errors are the sink's; a failed listen is only the caller's (one report, not two).
        this.#server.on('error', (err) => this.#onError(err, `tcp listener ${this.#host}:${this.#port}`));
        const a = this.#server.address();
        if (a === null || typeof a === 'string') resolve({ host: this.#host, port: this.#port });
        else resolve({ host: a.address, port: a.port });
      });
    });
  }

  /** Stops accepting; open connections finish what they have been sent, then close (destroyed after `graceMs`). */
  close(graceMs = 1500): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        for (const s of this.#conns) s.destroy();
      }, graceMs);
      timer.unref();
      this.#server.close(() => {
        clearTimeout(timer);
        resolve();
      });
      for (const s of this.#conns) s.end();
    });
  }
}

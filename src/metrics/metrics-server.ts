/**
 * The metrics endpoint (issue 15 §3): HTTP (node:http) on `metrics.listen`,
 * as CoreDNS's metrics and health plugins serve:
 *   GET /metrics  the Prometheus text format (render-metrics.ts);
 *   GET /health   200 "OK" while the process serves;
 *   GET /ready    503 with the reasons until every configured zone has
 *                 loaded (or failed) once, then 200 "ready";
 * anything else 404 (a method other than GET or HEAD: 405).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MetricsError } from './metrics-error.js';
import { METRICS_CONTENT_TYPE } from './metrics-text.js';
import { renderMetrics, type MetricsSource } from './render-metrics.js';

/** What the endpoint serves. */
export interface MetricsEndpoint {
  source: MetricsSource;
  /** Null when ready; otherwise why not (`zones loading: 3 of 10 loaded`). */
  notReady(): string | null;
}

/** The address as `listen` would write it: `127.0.0.1:9153`, `[::1]:9153`. */
export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** A metrics endpoint being served. */
export class MetricsServer {
  readonly #server: Server;
  /** Where it listens (the port bound, when 0 was asked for). */
  readonly address: string;

  private constructor(server: Server, address: string) {
    this.#server = server;
    this.address = address;
  }

  /** Binds `host:port` and serves `endpoint`; throws MetricsError METRICS_LISTEN_FAILED when it cannot be bound. */
  static async start(host: string, port: number, endpoint: MetricsEndpoint): Promise<MetricsServer> {
    const server = createServer((req, res) => answer(endpoint, req, res));
    server.keepAliveTimeout = 5000;
    // A scraper gets its answer at once; a client that sends nothing is dropped.
    server.requestTimeout = 10_000;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host, port, exclusive: true }, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      const sys = (err as NodeJS.ErrnoException)?.code ?? String(err);
      const why = sys === 'EADDRINUSE' ? 'address already in use' : sys === 'EADDRNOTAVAIL' ? 'no such local address' : sys === 'EACCES' ? 'permission denied' : (err as Error)?.message ?? sys;
      throw new MetricsError('METRICS_LISTEN_FAILED', `cannot serve metrics on ${hostPort(host, port)}: ${why} (${sys}); DNS is served without /metrics; free the address or change metrics.listen`, { cause: err });
    }
    const a = server.address() as AddressInfo;
    return new MetricsServer(server, hostPort(a.address, a.port));
  }

  async close(): Promise<void> {
    const done = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await done;
  }
}

function answer(endpoint: MetricsEndpoint, req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '/').split('?')[0]!;
  const head = req.method === 'HEAD';
  const send = (status: number, type: string, text: string): void => {
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
    res.end(head ? undefined : text);
  };
  if (req.method !== 'GET' && !head) {
    res.setHeader('allow', 'GET, HEAD');
    send(405, 'text/plain; charset=utf-8', 'only GET and HEAD\n');
    return;
  }
  switch (path) {
    case '/metrics': {
      let text: string;
      try {
        text = renderMetrics(endpoint.source);
      } catch (err) {
        send(500, 'text/plain; charset=utf-8', `metrics could not be rendered: ${(err as Error)?.message ?? String(err)}\n`);
        return;
      }
      send(200, METRICS_CONTENT_TYPE, text);
      return;
    }
    case '/health':
      send(200, 'text/plain; charset=utf-8', 'OK\n');
      return;
    case '/ready': {
      const why = endpoint.notReady();
      send(why === null ? 200 : 503, 'text/plain; charset=utf-8', why === null ? 'ready\n' : `not ready: ${why}\n`);
      return;
    }
    default:
      send(404, 'text/plain; charset=utf-8', 'not found (try /metrics, /health or /ready)\n');
  }
}

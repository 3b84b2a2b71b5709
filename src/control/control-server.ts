/**
 * The control socket: an HTTP server (node:http) with JSON bodies on a
 * Unix domain socket, answering the routes of control-routes.ts. The
 * socket file gets the configured mode (and group), so who may control
 * the server is who may open the file, as with Knot's and PowerDNS's
 * sockets. A socket file left by a process that died is replaced; one a
 * live server answers on is an error.
 */
import { chmodSync, chownSync, lstatSync, mkdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import type { ControlApi } from './control-api.js';
import { ControlError } from './control-error.js';
import { errorAnswer, route, type ControlAnswer } from './control-routes.js';

/** Where and how the socket is made (src/config's ControlSettings has these). */
export interface ControlSocketSettings {
  socket: string;
  mode: number;
  /** A group name or numeric id; null leaves the process's group. */
  group: string | null;
}

/** The largest request body read (the requests are a few words of JSON). */
const MAX_BODY = 64 * 1024;

/** How long the liveness check of an existing socket file waits for a connection. */
const PROBE_MS = 1000;

/** A control socket being served. */
export class ControlServer {
  readonly socket: string;
  readonly #server: Server;
  readonly #ino: number;
  readonly #onExit: () => void;
  #closed = false;

  private constructor(socket: string, server: Server, ino: number) {
    this.socket = socket;
    this.#server = server;
    this.#ino = ino;
    // A process that exits without close() (process.exit after a stop) leaves no socket file behind.
    this.#onExit = () => this.#unlink();
    process.once('exit', this.#onExit);
  }

  /**
   * Makes the socket and serves `api` on it. Throws ControlError
   * CONTROL_SOCKET_IN_USE when a live server answers on the path, and
   * CONTROL_SOCKET_FAILED when it cannot be made or given its mode or group.
   */
  static async start(settings: ControlSocketSettings, api: ControlApi): Promise<ControlServer> {
    const path = settings.socket;
    const gid = settings.group === null ? null : groupId(settings.group);
    await replaceStale(path);
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (err) {
      throw failed(path, `its folder cannot be made (${codeOf(err)})`, err);
    }
    const server = createServer((req, res) => void serveRequest(api, req, res));
    server.keepAliveTimeout = 1000;
    // Made with no permission for others at all, then given its mode: never wider than configured, even for a moment.
    const umask = process.umask(0o177);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(path, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      if (codeOf(err) === 'EADDRINUSE') throw inUse(path);
      throw failed(path, `it cannot be made (${codeOf(err)})`, err);
    } finally {
      process.umask(umask);
    }
    try {
      chmodSync(path, settings.mode);
      if (gid !== null) chownSync(path, -1, gid);
    } catch (err) {
      server.close();
      unlinkQuietly(path);
      const fix = gid !== null && codeOf(err) === 'EPERM' ? `run tyne as root or as a member of group ${settings.group}, or leave control.group out` : 'check the folder\'s owner and permissions';
      throw failed(path, `it cannot be given mode ${settings.mode.toString(8).padStart(4, '0')}${gid === null ? '' : ` and group ${settings.group}`} (${codeOf(err)}); ${fix}`, err);
    }
    return new ControlServer(path, server, statSync(path).ino);
  }

  /** Stops answering and removes the socket file. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    process.off('exit', this.#onExit);
    const done = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await done;
    this.#unlink();
  }

  /** Removes the socket file, if it is still ours (not one a later server made at the same path). */
  #unlink(): void {
    try {
      if (statSync(this.socket).ino === this.#ino) unlinkSync(this.socket);
    } catch {
      // Gone already.
    }
  }
}

async function serveRequest(api: ControlApi, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let answer: ControlAnswer;
  try {
    const body = await readBody(req);
    answer = await route(api, { method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0]!, body });
  } catch (err) {
    answer = err instanceof ControlError ? errorAnswer(400, err.code, err.message) : errorAnswer(500, 'CONTROL_INTERNAL', String(err));
  }
  const text = JSON.stringify(answer.body, null, 2) + '\n';
  res.writeHead(answer.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  if (answer.after !== undefined) res.once('finish', answer.after);
  res.end(req.method === 'HEAD' ? undefined : text);
}

/** The JSON body of a request (undefined when it has none). */
async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    const b = c as Buffer;
    size += b.length;
    if (size > MAX_BODY) throw new ControlError('CONTROL_BAD_REQUEST', `request body over ${MAX_BODY} octets`);
    chunks.push(b);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ControlError('CONTROL_BAD_REQUEST', 'the request body is not JSON');
  }
}

/**
 * A socket file already at `path`: removed when nothing answers on it (a
 * process that died left it), an error when a server does. Anything else
 * at the path (a file, a folder) is an error too: it is not ours to remove.
 */
async function replaceStale(path: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch (err) {
    if (codeOf(err) === 'ENOENT') return;
    throw failed(path, `it cannot be looked at (${codeOf(err)})`, err);
  }
  if (!isSocket) throw failed(path, 'something that is not a socket is at that path; remove it, or set control.socket to another path');
  if (await answers(path)) throw inUse(path);
  unlinkQuietly(path);
}

/** True when something accepts a connection on the socket `path` within PROBE_MS. */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    const timer = setTimeout(() => {
      s.destroy();
      resolve(true);
    }, PROBE_MS);
    s.once('connect', () => {
      clearTimeout(timer);
      s.destroy();
      resolve(true);
    });
    s.once('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}

/** The id of a group given by name (looked up in /etc/group) or number. */
export function groupId(group: string, groupFile = '/etc/group'): number {
  if (/^\d+$/.test(group)) return Number(group);
  let text = '';
  try {
    text = readFileSync(groupFile, 'utf8');
  } catch {
    // No group file: the name cannot be found.
  }
  for (const line of text.split('\n')) {
    const [name, , id] = line.split(':');
    if (name === group && id !== undefined && /^\d+$/.test(id)) return Number(id);
  }
  throw new ControlError('CONTROL_SOCKET_FAILED', `control.group: no group '${group}' on this host; create it (groupadd ${group}) or name another`);
}

function inUse(path: string): ControlError {
  return new ControlError('CONTROL_SOCKET_IN_USE', `control socket ${path} is in use by a running server; stop that one (tyne stop -s ${path}), or give this one another control.socket`);
}

function failed(path: string, why: string, cause?: unknown): ControlError {
  return new ControlError('CONTROL_SOCKET_FAILED', `control socket ${path}: ${why}`, cause === undefined ? undefined : { cause });
}

function codeOf(err: unknown): string {
  return (err as NodeJS.ErrnoException)?.code ?? (err as Error)?.message ?? String(err);
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}

/**
 * The client side of the control socket, used by the `tyne` commands: one
 * HTTP request over the Unix socket, its JSON answer. A server that cannot
 * be reached is ControlError CONTROL_UNREACHABLE (the commands exit 3).
 */
import { request } from 'node:http';
import { ControlError, isControlErrorCode } from './control-error.js';

/** An answer: the HTTP status and the JSON body. */
export interface ClientAnswer {
  status: number;
  body: unknown;
}

/** The error of an answer that is one (`{ error: { code, message } }`), or null. */
export function answerError(a: ClientAnswer): { code: string; message: string } | null {
  if (a.status < 400) return null;
  const e = (a.body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  return { code: typeof e?.code === 'string' ? e.code : `HTTP_${a.status}`, message: typeof e?.message === 'string' ? e.message : `the server answered HTTP ${a.status}` };
}

/** True for an answer whose error is a ControlError code (a bad zone name, a wrong type). */
export function isOperatorError(a: ClientAnswer): boolean {
  return isControlErrorCode(answerError(a)?.code);
}

/**
 * Sends `method path` with `body` (JSON) to the control socket at
 * `socket` and resolves with the answer. `timeoutMs` bounds the whole
 * exchange (a reload of big zones takes a while).
 */
export function controlRequest(socket: string, method: 'GET' | 'POST', path: string, body?: unknown, timeoutMs = 120_000): Promise<ClientAnswer> {
  const text = body === undefined ? '' : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath: socket, method, path, host: 'tyne', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => reject(unreachable(socket, err)));
        res.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          try {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(raw) as unknown });
          } catch (err) {
            reject(new ControlError('CONTROL_BAD_ANSWER', `the answer on ${socket} is not JSON (is it a Tyne control socket?): ${raw.slice(0, 80)}`, { cause: err }));
          }
        });
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new ControlError('CONTROL_UNREACHABLE', `no answer on ${socket} within ${Math.round(timeoutMs / 1000)} s; the server may be busy (see its log)`)));
    req.on('error', (err) => reject(err instanceof ControlError ? err : unreachable(socket, err)));
    req.end(text);
  });
}

/** The one-line error of a socket no server answers on, by the system's reason. */
function unreachable(socket: string, err: unknown): ControlError {
  const code = (err as NodeJS.ErrnoException)?.code;
  const why =
    code === 'ENOENT' ? `no control socket at ${socket}: the server is not running (or uses another control.socket; give it with -s or -c)`
    : code === 'ECONNREFUSED' ? `nothing answers on ${socket}: the server is not running (a socket left by a server that died)`
    : code === 'EACCES' ? `permission denied on ${socket}: run as the server's user, or as a member of the socket's group (control.group)`
    : `cannot reach the server on ${socket} (${code ?? (err as Error)?.message ?? String(err)})`;
  return new ControlError('CONTROL_UNREACHABLE', why, { cause: err });
}

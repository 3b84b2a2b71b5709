/**
 * The control socket's routes: a request (method, path, JSON body) to a
 * ControlApi call, and its answer (status, JSON). No sockets here: the
 * HTTP server (control-server.ts) hands each request to `route`.
 *
 *   GET  /status                     status
 *   GET  /zones/ZONE                 zone status
 *   POST /reload        {zone?}      reload (a zone, or everything)
 *   POST /zones/ZONE/refresh         SOA check now
 *   POST /zones/ZONE/retransfer      AXFR now
 *   POST /zones/ZONE/notify {to?}    NOTIFY now
 *   POST /loglevel      {level}      log level
 *   POST /stop                       stop the server
 *   POST /release       {target}     apply a guard's held removals
 */
import { CONTROL_LOG_LEVELS, type ControlApi, type ControlLogLevel } from './control-api.js';
import { CONTROL_ERROR_STATUS, ControlError } from './control-error.js';

/** A request as the HTTP server read it. */
export interface ControlRequest {
  method: string;
  /** The path, without the query string. */
  path: string;
  /** The JSON body, parsed (undefined when there was none). */
  body: unknown;
}

/** An answer: the HTTP status and the JSON sent. */
export interface ControlAnswer {
  status: number;
  body: unknown;
  /** After the answer is sent (stop). */
  after?: () => void;
}

/** The answer of an error: `{ error: { code, message } }`. */
export function errorAnswer(status: number, code: string, message: string): ControlAnswer {
  return { status, body: { error: { code, message } } };
}

function stringField(body: unknown, key: string): string | null {
  if (body === undefined || body === null || typeof body !== 'object') return null;
  const v = (body as Record<string, unknown>)[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || v === '') throw new ControlError('CONTROL_BAD_REQUEST', `'${key}' must be a non-empty string`);
  return v;
}

/** Hands one request to the API; a ControlError becomes its status and `{ error }`, anything else a 500. */
export async function route(api: ControlApi, req: ControlRequest): Promise<ControlAnswer> {
  try {
    return await dispatch(api, req);
  } catch (err) {
    if (err instanceof ControlError) return errorAnswer(CONTROL_ERROR_STATUS[err.code], err.code, err.message);
    return errorAnswer(500, 'CONTROL_INTERNAL', `the server failed to do it: ${(err as Error)?.message ?? String(err)} (see its log)`);
  }
}

async function dispatch(api: ControlApi, req: ControlRequest): Promise<ControlAnswer> {
  const parts = req.path.split('/').filter((p) => p !== '').map((p) => decodeURIComponent(p));
  const [first, zone, action] = parts;
  const get = req.method === 'GET' || req.method === 'HEAD';
  const post = req.method === 'POST';
  if (first === 'status' && parts.length === 1 && get) return { status: 200, body: api.status() };
  if (first === 'zones' && zone !== undefined && parts.length === 2 && get) return { status: 200, body: api.zoneStatus(zone) };
  if (first === 'secondaries' && parts.length <= 2 && get) return { status: 200, body: api.secondaries(zone ?? null) };
  if (first === 'zones' && zone !== undefined && parts.length === 3 && post) {
    switch (action) {
      case 'refresh':
        return { status: 200, body: await api.refresh(zone, { axfr: false }) };
      case 'retransfer':
        return { status: 200, body: await api.refresh(zone, { axfr: true }) };
      case 'notify':
        return { status: 200, body: await api.notify(zone, stringField(req.body, 'to')) };
    }
  }
  if (parts.length === 1 && post) {
    switch (first) {
      case 'reload':
        return { status: 200, body: await api.reload(stringField(req.body, 'zone')) };
      case 'loglevel': {
        const level = stringField(req.body, 'level');
        if (level === null || !(CONTROL_LOG_LEVELS as readonly string[]).includes(level)) {
          throw new ControlError('CONTROL_BAD_REQUEST', `'level' must be one of ${CONTROL_LOG_LEVELS.join(', ')}`);
        }
        return { status: 200, body: api.logLevel(level as ControlLogLevel) };
      }
      case 'stop':
        // The stop starts once the answer is out, so the client reads it (and then waits for the pid to go).
        return { status: 200, body: { pid: process.pid, stopping: true }, after: () => api.stop() };
      case 'release': {
        const target = stringField(req.body, 'target');
        if (target === null) throw new ControlError('CONTROL_BAD_REQUEST', "'target' (a zone directory's path or a consumed catalog's name) is needed");
        return { status: 200, body: await api.release(target) };
      }
    }
  }
  const known = ['GET /status', 'GET /zones/ZONE', 'GET /secondaries[/ZONE]', 'POST /reload', 'POST /zones/ZONE/refresh', 'POST /zones/ZONE/retransfer', 'POST /zones/ZONE/notify', 'POST /loglevel', 'POST /stop', 'POST /release'];
  return errorAnswer(404, 'CONTROL_BAD_REQUEST', `no such request: ${req.method} ${req.path} (known: ${known.join(', ')})`);
}

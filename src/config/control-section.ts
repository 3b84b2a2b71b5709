/**
 * The `control:` section: where the control socket of the `tyne` commands
 * is (src/control), and its permissions. `control: false` turns it off;
 * left out, it sits beside the data folder (see settleControl).
 */
import { basename, dirname, extname, join, resolve } from 'node:path';
import { isMap } from 'yaml';
import type { ControlSettings } from './config-types.js';
import { field, readMap, type KeyTable, type Reader } from './key-table.js';
import { text } from './scalar-readers.js';
import { describe, problem, scalarOf } from './yaml-value.js';

/** A Unix socket's path holds at most this many octets (Linux's sun_path is 108, with its NUL). */
export const MAX_SOCKET_PATH = 107;

/** Default permission bits: the owner and its group may use the socket, as Knot's and PowerDNS's. */
export const DEFAULT_CONTROL_MODE = 0o660;

/** `control:` as written: null for `control: false`; `socket` null when left to the default. */
export interface ControlDraft {
  socket: string | null;
  mode: number;
  group: string | null;
}

/** `mode: "0660"`: octal permission bits as a string (a YAML 1.2 number 0660 would be decimal 660). */
const modeBits: Reader<number> = (ctx, v) => {
  const x = scalarOf(v)?.value;
  if (typeof x === 'number') return problem(ctx, v, `expected octal permission bits in quotes such as "0660", got ${describe(v)} (quote it: YAML reads 0660 as the decimal number 660)`);
  if (typeof x !== 'string' || !/^0?[0-7]{3}$/.test(x)) return problem(ctx, v, `expected octal permission bits such as "0660", got ${describe(v)}`);
  return parseInt(x, 8);
};

/** A group name or a numeric group id. */
const group: Reader<string> = (ctx, v) => {
  const x = scalarOf(v)?.value;
  if (typeof x === 'number' && Number.isInteger(x) && x >= 0) return String(x);
  const s = text(32)(ctx, v);
  if (s === undefined) return undefined;
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*\$?$/.test(s)) return problem(ctx, v, `'${s}' is not a group name`);
  return s;
};

const CONTROL_KEYS: KeyTable<ControlDraft> = {
  socket: {
    read: (ctx, v, d) => {
      const s = text()(ctx, v);
      if (s === undefined) return;
      const path = resolve(ctx.dir, s);
      if (Buffer.byteLength(path) > MAX_SOCKET_PATH) {
        problem(ctx, v, `the socket path ${path} is ${Buffer.byteLength(path)} octets, more than a Unix socket allows (${MAX_SOCKET_PATH}); choose a shorter path`);
        return;
      }
      d.socket = path;
    },
  },
  mode: field(modeBits, (d, x) => { d.mode = x; }),
  group: field(group, (d, x) => { d.group = x; }),
};

/** `control`: `false` (off), `true` (the defaults) or a mapping `{ socket, mode, group }`. */
export const controlSection: Reader<{ value: ControlDraft | null }> = (ctx, v) => {
  const x = scalarOf(v)?.value;
  const d: ControlDraft = { socket: null, mode: DEFAULT_CONTROL_MODE, group: null };
  if (x === false) return { value: null };
  if (x === true || x === null) return { value: d };
  if (v.node === null || !isMap(v.node)) return problem(ctx, v, `expected false, true or a mapping such as { socket: /run/tyne/tyne.sock, mode: "0660" }, got ${describe(v)}`);
  readMap(ctx, v, CONTROL_KEYS, d);
  return { value: d };
};

/**
 * The control settings in force. Left out, the socket is
 * `<data-dir>/tyne.sock`, or `<stem>.sock` beside the configuration file
 * (`ns1.yaml`: `ns1.sock`) when there is no data-dir, so that two
 * configurations in one folder get two sockets. With `server.workers`
 * above 1 the default is off (the control socket is served by a single
 * process; an explicit `control:` with workers is reported by the caller).
 */
export function settleControl(d: ControlDraft | null | undefined, configFile: string, dataDir: string | null, workers: number): ControlSettings | null {
  if (d === null) return null;
  const draft = d ?? { socket: null, mode: DEFAULT_CONTROL_MODE, group: null };
  if (draft.socket === null && workers > 1 && d === undefined) return null;
  const socket = draft.socket ?? defaultSocketPath(configFile, dataDir);
  return { socket, explicit: draft.socket !== null, mode: draft.mode, group: draft.group };
}

/** The default socket path of a configuration file (absolute) with its data-dir (absolute, or null). */
export function defaultSocketPath(configFile: string, dataDir: string | null): string {
  if (dataDir !== null) return join(dataDir, 'tyne.sock');
  const name = basename(configFile, extname(configFile));
  return join(dirname(configFile), `${name === '' ? 'tyne' : name}.sock`);
}

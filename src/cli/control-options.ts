/**
 * The command line of the commands that talk to the control socket
 * (`tyne status`, `tyne reload ZONE`, ...): the options they share
 * (`-c CONFIG` or `-s SOCKET`, `--json`, `-h`), a command's own flags
 * (`--to ADDRESS`) and its positional arguments, and the socket path a
 * configuration file gives. No socket is opened here.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, readConfigDocument } from '../config/index.js';

/** What a command takes besides the shared options. */
export interface ArgSpec {
  /** Positional arguments by name, in order; a name ending in `?` may be left out (only at the end). */
  args: readonly string[];
  /** The command's own flags that take a value (`--to`), given as `--to X` or `--to=X`. */
  flags?: readonly string[];
}

/** Where the socket is to be found: given (`-s`), or from a configuration file (`-c`). */
export type SocketSource = { kind: 'socket'; path: string } | { kind: 'config'; path: string };

/** A command line read. */
export interface CommandArgs {
  source: SocketSource | null;
  json: boolean;
  help: boolean;
  /** The positional arguments by name (a left-out optional one is absent). */
  values: Record<string, string>;
  /** The command's own flags given. */
  flags: Record<string, string>;
}

/** A command line that cannot be used: a one-line message and the exit code (2: bad usage; 3: the server cannot be reached). */
export class UsageProblem {
  constructor(readonly message: string, readonly exit: 2 | 3 = 2) {}
}

/**
 * Reads a command's arguments (after the command word). `-c FILE`,
 * `--config FILE`, `--config=FILE`; `-s PATH`, `--socket PATH`,
 * `--socket=PATH`; `--json`; `-h`/`--help`. An unknown option, a missing
 * or extra argument, or both `-c` and `-s` is a UsageProblem. The socket
 * source is checked by the caller (it is not needed for `--help`).
 */
export function parseCommandArgs(argv: readonly string[], spec: ArgSpec): CommandArgs | UsageProblem {
  let config: string | null = null;
  let socket: string | null = null;
  let json = false;
  let help = false;
  const flags: Record<string, string> = {};
  const positional: string[] = [];
  const own = new Set(spec.flags ?? []);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const name = eq > 0 ? a.slice(0, eq) : a;
    const value = (): string | UsageProblem => {
      if (eq > 0) return a.slice(eq + 1);
      const v = argv[++i];
      return v === undefined || v === '' ? new UsageProblem(`${name} needs a value`) : v;
    };
    if (name === '-c' || name === '--config' || name === '-s' || name === '--socket' || own.has(name)) {
      const v = value();
      if (v instanceof UsageProblem) return v;
      if (v === '') return new UsageProblem(`${name} needs a value`);
      if (name === '-c' || name === '--config') config = v;
      else if (name === '-s' || name === '--socket') socket = v;
      else flags[name] = v;
    } else if (a === '--json') json = true;
    else if (a === '-h' || a === '--help') help = true;
    else if (a.startsWith('-') && a !== '-') return new UsageProblem(`unknown option '${a}'`);
    else positional.push(a);
  }
  if (config !== null && socket !== null) return new UsageProblem('give -c CONFIG or -s SOCKET, not both');
  const values: Record<string, string> = {};
  const required = spec.args.filter((n) => !n.endsWith('?')).length;
  if (!help && positional.length < required) return new UsageProblem(`missing ${spec.args[positional.length]!}`);
  if (positional.length > spec.args.length) return new UsageProblem(`unexpected argument '${positional[spec.args.length]!}'`);
  positional.forEach((v, i) => (values[spec.args[i]!.replace(/\?$/, '')] = v));
  const source: SocketSource | null = socket !== null ? { kind: 'socket', path: resolve(socket) } : config !== null ? { kind: 'config', path: resolve(config) } : null;
  return { source, json, help, values, flags };
}

/**
 * The control socket's path: the one given, or the one the configuration
 * file `control:` sets (its default when left out: see
 * src/config/control-section.ts). A configuration with problems still
 * gives its socket (`tyne reload` of a broken file must reach the server
 * and say what is wrong); one that cannot be read or is not YAML is a
 * UsageProblem (exit 2); `control: false` is one with exit 3 (no socket
 * to reach the server on).
 */
export function socketPath(source: SocketSource | null): string | UsageProblem {
  if (source === null) return new UsageProblem('give the server\'s configuration with -c CONFIG, or its control socket with -s SOCKET');
  if (source.kind === 'socket') return source.path;
  let text: string;
  try {
    text = readFileSync(source.path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return new UsageProblem(`cannot read ${source.path} (${code === 'ENOENT' ? 'no such file' : (code ?? String(err))}); give the server's configuration file with -c, or its socket with -s`);
  }
  try {
    const { config } = readConfigDocument(text, source.path);
    if (config.control === null) {
      return new UsageProblem(`${source.path} turns the control socket off (control: false, or the default with server.workers above 1); set control: in it and restart the server`, 3);
    }
    return config.control.socket;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return new UsageProblem(`${source.path} is not well-formed YAML, so its control socket is not known (tyne check-config ${source.path}); give the socket with -s`);
  }
}

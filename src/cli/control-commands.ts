/**
 * The `tyne` commands that talk to a running server over its control
 * socket (src/control): each is a row of CONTROL_COMMANDS (its arguments,
 * the request it sends, how its answer is printed and whether it says
 * the command failed); runControlCommand runs one and returns its exit
 * code. Adding a command is adding a row (and its route in
 * src/control/control-routes.ts).
 *
 * Exit codes, as nsd-control's: 0 done; 1 failed (a zone did not reload,
 * a transfer failed, no such zone); 2 bad usage; 3 the server is not
 * running or cannot be reached.
 */
import {
  CONTROL_LOG_LEVELS, ControlError, answerError, controlRequest,
  type NotifyReport, type ReleaseReport, type ReloadReport, type SecondariesReport, type StatusReport, type TransferReport, type ZoneStatusReport,
} from '../control/index.js';
import { parseCommandArgs, socketPath, UsageProblem, type ArgSpec, type CommandArgs } from './control-options.js';
import { logLevelText, notifyText, releaseText, reloadText, secondariesText, statusText, transferText, zoneStatusText } from './report-text.js';
import { waitForExit } from './wait-for-exit.js';

/** What a command writes to (stdout, stderr). */
export interface CommandIo {
  out(s: string): void;
  err(s: string): void;
}

/** A request to the control socket. */
export interface ControlCall {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
}

/** One control command. */
export interface ControlCommand extends ArgSpec {
  /** The arguments as usage shows them, after the command word. */
  usage: string;
  summary: string;
  /** The request it sends (a UsageProblem for an argument that cannot be right). */
  call(a: CommandArgs): ControlCall | UsageProblem;
  /** The readable text of its answer. */
  print(body: unknown): string;
  /** False when the answer says the command failed (exit 1); true when left out. */
  ok?(body: unknown): boolean;
}

const zonePath = (a: CommandArgs, rest = ''): string => `/zones/${encodeURIComponent(a.values.ZONE!)}${rest}`;

/** The commands, by name (the order of `tyne help`). */
export const CONTROL_COMMANDS: Readonly<Record<string, ControlCommand>> = {
  status: {
    usage: '', summary: 'version, uptime, zones loaded / failed / expired, listeners, held removals', args: [],
    call: () => ({ method: 'GET', path: '/status' }),
    print: (b) => statusText(b as StatusReport),
  },
  zonestatus: {
    usage: 'ZONE', summary: 'a zone: type, serial, loaded at, records, last load; a secondary\'s primaries and refresh times', args: ['ZONE'],
    call: (a) => ({ method: 'GET', path: zonePath(a) }),
    print: (b) => zoneStatusText(b as ZoneStatusReport),
  },
  reload: {
    usage: '[ZONE]', summary: 'read the configuration and zone files again (or one zone\'s file); errors with file:line:col', args: ['ZONE?'],
    call: (a) => ({ method: 'POST', path: '/reload', body: a.values.ZONE === undefined ? {} : { zone: a.values.ZONE } }),
    print: (b) => reloadText(b as ReloadReport),
    ok: (b) => (b as ReloadReport).ok,
  },
  refresh: {
    usage: 'ZONE', summary: 'secondary: ask the primary for its serial now, transfer when it is newer', args: ['ZONE'],
    call: (a) => ({ method: 'POST', path: zonePath(a, '/refresh') }),
    print: (b) => transferText(b as TransferReport),
    ok: (b) => (b as TransferReport).ok,
  },
  retransfer: {
    usage: 'ZONE', summary: 'secondary: transfer the whole zone (AXFR) now, whatever the serial', args: ['ZONE'],
    call: (a) => ({ method: 'POST', path: zonePath(a, '/retransfer') }),
    print: (b) => transferText(b as TransferReport),
    ok: (b) => (b as TransferReport).ok,
  },
  notify: {
    usage: 'ZONE [--to ADDRESS[:PORT]]', summary: 'primary: send NOTIFY now, to the zone\'s notify targets or to one address', args: ['ZONE'], flags: ['--to'],
    call: (a) => ({ method: 'POST', path: zonePath(a, '/notify'), body: a.flags['--to'] === undefined ? {} : { to: a.flags['--to'] } }),
    print: (b) => notifyText(b as NotifyReport),
    ok: (b) => (b as NotifyReport).ok,
  },
  secondaries: {
    usage: '[ZONE]', summary: 'primary: what each secondary holds (serial, where learnt, in sync / behind / unreachable, lag, NOTIFY until converged)', args: ['ZONE?'],
    call: (a) => ({ method: 'GET', path: a.values.ZONE === undefined ? '/secondaries' : `/secondaries/${encodeURIComponent(a.values.ZONE)}` }),
    print: (b) => secondariesText(b as SecondariesReport),
  },
  loglevel: {
    usage: 'LEVEL', summary: `change the log level while running (${CONTROL_LOG_LEVELS.join(', ')})`, args: ['LEVEL'],
    call: (a) => {
      const level = a.values.LEVEL!;
      if (!(CONTROL_LOG_LEVELS as readonly string[]).includes(level)) return new UsageProblem(`unknown log level '${level}' (one of ${CONTROL_LOG_LEVELS.join(', ')})`);
      return { method: 'POST', path: '/loglevel', body: { level } };
    },
    print: (b) => logLevelText(b as { from: string; to: string }),
  },
  stop: {
    usage: '', summary: 'stop the server (waits until its process has exited)', args: [],
    call: () => ({ method: 'POST', path: '/stop' }),
    print: (b) => `stopped (pid ${(b as { pid: number }).pid})\n`,
  },
  release: {
    usage: 'ZONE-DIR|CATALOG', summary: 'apply the removals a zone directory\'s or a consumed catalog\'s guard holds back (as SIGHUP does)', args: ['TARGET'],
    call: (a) => ({ method: 'POST', path: '/release', body: { target: a.values.TARGET } }),
    print: (b) => releaseText(b as ReleaseReport),
  },
};

/** The usage lines of the control commands, for `tyne help`. */
export function controlUsage(): string {
  return Object.entries(CONTROL_COMMANDS)
    .map(([name, c]) => `  ${name}${c.usage === '' ? '' : ` ${c.usage}`} -c CONFIG|-s SOCKET [--json]\n                        ${c.summary}`)
    .join('\n');
}

/** How long `tyne stop` waits for the process to exit. */
const STOP_WAIT_MS = 15_000;

/** Runs control command `name` with its arguments; resolves with the exit code. */
export async function runControlCommand(name: string, argv: readonly string[], io: CommandIo): Promise<number> {
  const cmd = CONTROL_COMMANDS[name]!;
  const usage = `usage: tyne ${name}${cmd.usage === '' ? '' : ` ${cmd.usage}`} (-c CONFIG | -s SOCKET) [--json]`;
  const fail = (p: UsageProblem): number => {
    io.err(`tyne ${name}: ${p.message}\n${p.exit === 2 ? `${usage}\n` : ''}`);
    return p.exit;
  };
  const a = parseCommandArgs(argv, cmd);
  if (a instanceof UsageProblem) return fail(a);
  if (a.help) {
    io.out(`${usage}\n  ${cmd.summary}\n`);
    return 0;
  }
  const call = cmd.call(a);
  if (call instanceof UsageProblem) return fail(call);
  const socket = socketPath(a.source);
  if (socket instanceof UsageProblem) return fail(socket);
  const showError = (code: string, message: string): void => {
    if (a.json) io.out(`${JSON.stringify({ error: { code, message } }, null, 2)}\n`);
    io.err(`tyne ${name}: ${message}\n`);
  };
  let answer;
  try {
    answer = await controlRequest(socket, call.method, call.path, call.body);
  } catch (err) {
    if (!(err instanceof ControlError)) throw err;
    showError(err.code, err.message);
    return err.code === 'CONTROL_UNREACHABLE' ? 3 : 1;
  }
  const error = answerError(answer);
  if (error !== null) {
    showError(error.code, error.message);
    // A request the server could not read is bad usage; anything else it refused (no such zone, wrong type) failed.
    return error.code === 'CONTROL_BAD_REQUEST' ? 2 : 1;
  }
  if (name === 'stop') {
    // It waits for its result: the process gone (its socket closes as it stops).
    const pid = (answer.body as { pid?: unknown }).pid;
    if (typeof pid !== 'number' || !(await waitForExit(pid, socket, STOP_WAIT_MS))) {
      showError('CONTROL_STOP_TIMEOUT', `the server (pid ${String(pid)}) said it is stopping but has not exited within ${STOP_WAIT_MS / 1000} s; see its log`);
      return 1;
    }
  }
  io.out(a.json ? `${JSON.stringify(answer.body, null, 2)}\n` : cmd.print(answer.body));
  return cmd.ok === undefined || cmd.ok(answer.body) ? 0 : 1;
}

/**
 * Readiness for systemd's `Type=notify` (sd_notify(3), systemd.service(5)
 * "Type=notify"): once every zone has loaded (or failed), the daemon sends
 * `READY=1` to the datagram socket systemd names in `NOTIFY_SOCKET`. Node
 * has no Unix datagram sockets, so the message is sent by a child process,
 * `systemd-notify --ready` (the unit needs `NotifyAccess=all`, since the
 * sender is not the main process). From systemd 246 on, systemd-notify
 * waits for the manager to have read the message (a BARRIER=1 round trip,
 * see systemd-notify(1) --no-block), so it is attributed to the unit even
 * though the child exits at once.
 *
 * Without `NOTIFY_SOCKET` (not under systemd, or `Type=exec`) nothing is
 * done. A failure is a warning, never a reason to stop serving.
 */
import { spawn } from 'node:child_process';
import type { Logger } from '../log/logger.js';
import { SystemdNotifyError } from './systemd-notify-error.js';

/** systemd-notify waits up to 5 s for the manager's barrier; past this it is killed. */
const NOTIFY_TIMEOUT_MS = 10_000;
/** At most this much of systemd-notify's stderr goes into the warning. */
const STDERR_KEEP = 500;

export interface ReadyOptions {
  /** Default process.env: where NOTIFY_SOCKET is read, and systemd-notify's environment. */
  env?: NodeJS.ProcessEnv;
  /** Default `systemd-notify`, found on PATH by spawn (no shell). */
  command?: string;
  timeoutMs?: number;
}

/**
 * Tells systemd the service is ready (`READY=1`, `STATUS=<status>`,
 * `MAINPID=` this process) when `NOTIFY_SOCKET` is set. Resolves once done:
 * true if sent, false if there was nothing to do or it failed (logged at
 * warn with its code).
 */
export async function notifyReady(log: Logger, status: string, opts: ReadyOptions = {}): Promise<boolean> {
  const env = opts.env ?? process.env;
  const socket = env.NOTIFY_SOCKET;
  if (socket === undefined || socket === '') return false;
  const command = opts.command ?? 'systemd-notify';
  const err = await run(command, ['--ready', `--pid=${process.pid}`, `--status=${status}`], env, opts.timeoutMs ?? NOTIFY_TIMEOUT_MS);
  if (err === null) {
    log.info({ notifySocket: socket }, 'told systemd: ready');
    return true;
  }
  log.warn({ code: err.code, notifySocket: socket, err }, `${err.message}; serving all the same`);
  return false;
}

/** Runs the command; null when it exits 0, else the error saying why and what fixes it. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<SystemdNotifyError | null> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      if (stderr.length < STDERR_KEEP) stderr += c;
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    timer.unref();
    child.once('error', (cause: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(cause.code === 'ENOENT'
        ? new SystemdNotifyError('SYSTEMD_NOTIFY_MISSING', `cannot tell systemd the service is ready: ${command} is not on PATH; install systemd's systemd-notify, or use Type=exec in the unit`, { cause })
        : new SystemdNotifyError('SYSTEMD_NOTIFY_FAILED', `cannot tell systemd the service is ready: ${command}: ${cause.message}`, { cause }));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) {
        resolve(null);
        return;
      }
      const said = stderr.trim().split('\n')[0] ?? '';
      const why = timedOut ? `did not finish within ${timeoutMs} ms` : code !== null ? `exit ${code}${said === '' ? '' : `: ${said}`}` : `killed by ${signal}`;
      resolve(new SystemdNotifyError('SYSTEMD_NOTIFY_FAILED', `cannot tell systemd the service is ready: ${command} --ready ${why}; check NOTIFY_SOCKET and the unit's NotifyAccess=all`, { cause: new Error(stderr.trim() || why) }));
    });
  });
}

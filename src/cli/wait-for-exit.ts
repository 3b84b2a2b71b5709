/**
 * `tyne stop` waits for its result: the server's process gone. Polled by
 * its pid (signal 0); when this user may not signal it (EPERM: another
 * user's server, reached through the socket's group), by its control
 * socket, which the server closes as it stops.
 */
import { connect } from 'node:net';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** True while the process `pid` exists (null: not ours to tell). */
function pidAlive(pid: number): boolean | null {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM' ? null : false;
  }
}

/** True when something accepts a connection on the Unix socket `path`. */
function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Resolves with true once the process `pid` has exited (or, not ours to signal, once `socket` answers no more), false after `timeoutMs`. */
export async function waitForExit(pid: number, socket: string, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const alive = pidAlive(pid);
    if (alive === false || (alive === null && !(await socketAnswers(socket)))) return true;
    if (Date.now() > end) return false;
    await sleep(25);
  }
}

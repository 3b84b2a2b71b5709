/**
 * A stand-in for systemd's notification socket (sd_notify(3)): a Unix
 * datagram socket listening on a path, for tests of `Type=notify`
 * readiness. Node has no Unix datagram sockets, so the listener is a small
 * python3 child that prints each datagram it receives as a JSON line, with
 * the time it arrived; the file descriptors a sender passes (systemd-notify's
 * BARRIER=1 pipe) are closed at once, as systemd does once it has read the
 * messages before them, which lets the sender return.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { haveTool } from './tools.js';

const LISTENER = String.raw`
import array, json, os, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(float(sys.argv[2]))
print(json.dumps({"listening": True}), flush=True)
while True:
    try:
        data, anc, flags, addr = s.recvmsg(65536, socket.CMSG_SPACE(64 * 4))
    except socket.timeout:
        sys.exit(0)
    at = time.time() * 1000
    for level, kind, payload in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds = array.array("i")
            fds.frombytes(payload[: len(payload) - len(payload) % fds.itemsize])
            for fd in fds:
                os.close(fd)
    print(json.dumps({"at": at, "text": data.decode("utf-8", "replace")}), flush=True)
`;

/** One datagram: when it arrived (ms since the epoch) and its VARIABLE=VALUE lines. */
export interface NotifyMessage {
  at: number;
  fields: Record<string, string>;
}

export interface NotifySocket {
  /** The socket's path, for NOTIFY_SOCKET. */
  readonly path: string;
  /** The datagrams received so far, in order. */
  readonly messages: NotifyMessage[];
  /** The first message (received before or after the call) for which `pred` is true; rejects after `timeoutMs`. */
  waitFor(pred: (m: NotifyMessage) => boolean, timeoutMs?: number): Promise<NotifyMessage>;
  close(): void;
}

/** Whether python3 is there to listen (a loud skip when not; an error under CI). */
export const haveNotifyListener = (): boolean => haveTool('python3');

/**
 * Listens on `<dir>/notify.sock` (the folder must exist; the path must fit
 * 107 octets) and resolves once bound. The listener exits on its own after
 * `idleS` seconds without a datagram, and at close().
 */
export async function notifySocket(dir: string, idleS = 120): Promise<NotifySocket> {
  const path = join(dir, 'notify.sock');
  const child: ChildProcess = spawn('python3', ['-c', LISTENER, path, String(idleS)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const messages: NotifyMessage[] = [];
  const waiters: { pred: (m: NotifyMessage) => boolean; done: (m: NotifyMessage) => void }[] = [];
  let err = '';
  let pending = '';
  let bound: () => void = () => undefined;
  const listening = new Promise<void>((res, rej) => {
    bound = res;
    child.once('exit', (code) => rej(new Error(`the notify listener exited (${code}): ${err}`)));
    child.once('error', rej);
  });
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
  child.stdout!.setEncoding('utf8').on('data', (c: string) => {
    pending += c;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = JSON.parse(pending.slice(0, nl)) as { listening?: boolean; at?: number; text?: string };
      pending = pending.slice(nl + 1);
      if (line.listening === true) {
        bound();
        continue;
      }
      const fields: Record<string, string> = {};
      for (const l of (line.text ?? '').split('\n')) {
        const eq = l.indexOf('=');
        if (eq > 0) fields[l.slice(0, eq)] = l.slice(eq + 1);
      }
      const m = { at: line.at ?? 0, fields };
      messages.push(m);
      for (let i = waiters.length - 1; i >= 0; i--) {
        if (waiters[i]!.pred(m)) {
          waiters[i]!.done(m);
          waiters.splice(i, 1);
        }
      }
    }
  });
  await listening;
  return {
    path,
    messages,
    waitFor(pred, timeoutMs = 10_000) {
      const seen = messages.find(pred);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((res, rej) => {
        const timer = setTimeout(() => rej(new Error(`no such notify message within ${timeoutMs} ms; received: ${JSON.stringify(messages)}`)), timeoutMs);
        waiters.push({ pred, done: (m) => { clearTimeout(timer); res(m); } });
      });
    },
    close: () => {
      child.kill('SIGKILL');
    },
  };
}

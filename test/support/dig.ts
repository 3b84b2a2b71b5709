/**
 * BIND's `dig` as the operator's view of a server, for tests: bounded
 * runs against 127.0.0.1 (or ::1), output reduced to comparable lines.
 */
import { execFile } from 'node:child_process';

/** A TSIG key for dig's `-y` (`algorithm:name:base64secret`). */
export interface DigKey {
  algorithm: string;
  name: string;
  secret: string;
}

export interface DigTarget {
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
  key?: DigKey;
  /** The source address to ask from (dig -b), e.g. 127.0.0.2 to be a client an ACL does not admit. */
  source?: string;
}

/** Runs a command; resolves with stdout, rejects with stderr on a non-zero exit or after `timeoutMs`. */
export function run(cmd: string, args: string[], timeoutMs = 10_000): Promise<string> {
  return new Promise((res, rej) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) rej(new Error(`${cmd} ${args.join(' ')}: ${err.message}\n${stdout}${stderr}`));
      else res(stdout);
    });
  });
}

function base(t: DigTarget): string[] {
  const args = [`@${t.host ?? '127.0.0.1'}`, '-p', String(t.port)];
  if (t.key !== undefined) args.push('-y', `${t.key.algorithm}:${t.key.name}:${t.key.secret}`);
  if (t.source !== undefined) args.push('-b', t.source);
  return args;
}

/** How a dig run ended: its exit status (null: killed at the time limit) and what it printed. */
export interface DigRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** stdout, then stderr. */
  out: string;
}

/** `dig` against `t` with `args` as given; resolves however dig exits (SIGKILL after `timeoutMs`). */
export function digRaw(t: DigTarget, args: string[], timeoutMs = 15_000): Promise<DigRun> {
  return new Promise((res) => {
    execFile('dig', [...base(t), ...args], { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const status = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
      res({ status, stdout, stderr, out: stdout + stderr });
    });
  });
}

/** The record lines of dig's output split on blanks (owner, ttl, class, type, rdata...): comments, blank lines and TSIG records left out. */
export function digRecords(out: string): string[][] {
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith(';'))
    .map((l) => l.split(/\s+/))
    .filter((f) => f[3] !== 'TSIG');
}

/** `dig +norec +short NAME TYPE`: the answer lines (empty for NXDOMAIN, NODATA, REFUSED...). */
export async function digShort(t: DigTarget, name: string, type: string, extra: string[] = []): Promise<string[]> {
  const out = await run('dig', [...base(t), '+norec', '+short', '+time=2', '+tries=1', ...extra, name, type], 6000);
  return out.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith(';'));
}

/** The status dig reports (NOERROR, REFUSED, SERVFAIL, ...), or 'TIMEOUT' when nothing came back. */
export async function digStatus(t: DigTarget, name: string, type: string): Promise<string> {
  const out = await run('dig', [...base(t), '+norec', '+time=1', '+tries=1', name, type], 5000).catch((e: Error) => e.message);
  const m = /status: ([A-Z]+)/.exec(out);
  return m === null ? 'TIMEOUT' : m[1]!;
}

/** The SOA serial served for `zone`, or null when there is none to give (error, timeout, not authoritative data). */
export async function digSerial(t: DigTarget, zone: string): Promise<number | null> {
  const lines = await digShort(t, zone, 'SOA').catch(() => []);
  const f = (lines[0] ?? '').split(/\s+/);
  return lines.length === 1 && f.length >= 7 && /^\d+$/.test(f[2]!) ? Number(f[2]) : null;
}

/**
 * `dig AXFR` of `zone` as sorted lines `owner ttl class type rdata` (owner
 * in lower case, blanks squeezed, one SOA, no TSIG records). Throws when
 * dig reports a failed transfer.
 */
export async function digAxfr(t: DigTarget, zone: string): Promise<string[]> {
  const out = await run('dig', [...base(t), zone, 'AXFR', '+onesoa', '+nocmd', '+nocomments', '+nostats', '+tries=1', '+time=5'], 30_000);
  if (/Transfer failed|communications error|connection refused|timed out|couldn't get address/i.test(out)) {
    throw new Error(`dig AXFR ${zone} from ${t.host ?? '127.0.0.1'}:${t.port} failed:\n${out}`);
  }
  const lines = digRecords(out).map(([owner, ...rest]) => [owner!.toLowerCase(), ...rest].join(' '));
  if (lines.length === 0) throw new Error(`dig AXFR ${zone} from ${t.host ?? '127.0.0.1'}:${t.port} gave no records:\n${out}`);
  return lines.sort();
}

/** What dig says about a response's EDNS: status, OPT, COOKIE (RFC 7873), TCP KEEPALIVE (RFC 7828) and its warnings. */
export interface DigEdns {
  status: string;
  /** dig printed an OPT PSEUDOSECTION. */
  opt: boolean;
  /** The COOKIE it printed (client and server cookie, hex), or null. */
  cookie: string | null;
  /** dig's verdict on it: 'good', 'bad', or '' when it printed none. */
  cookieVerdict: string;
  /** `TCP KEEPALIVE: 30.0 secs` as '30.0 secs', or null. */
  keepalive: string | null;
  /** The `;; WARNING` lines, and dig's `;; BADCOOKIE, retrying.` note. */
  warnings: string[];
  /** The number of answer records dig counted. */
  answers: number;
  raw: string;
}

/** `dig NAME TYPE` with `extra` options (+cookie=..., +tcp, +keepalive, +header-only...), reduced to its EDNS lines; '' leaves NAME or TYPE out. */
export async function digEdns(t: DigTarget, name: string, type: string, extra: string[] = []): Promise<DigEdns> {
  const out = await run('dig', [...base(t), '+norec', '+time=2', '+tries=1', ...extra, ...[name, type].filter((x) => x !== '')], 8000);
  const cookie = /; COOKIE: ([0-9a-f]+)(?: \((good|bad)\))?/.exec(out);
  return {
    status: /status: ([A-Z0-9]+)/.exec(out)?.[1] ?? 'TIMEOUT',
    opt: out.includes('OPT PSEUDOSECTION'),
    cookie: cookie?.[1] ?? null,
    cookieVerdict: cookie?.[2] ?? '',
    keepalive: /; TCP KEEPALIVE: ([^\n]+)/.exec(out)?.[1]?.trim() ?? null,
    warnings: out.split('\n').filter((l) => l.startsWith(';; WARNING') || l.startsWith(';; BADCOOKIE')),
    answers: Number(/ANSWER: (\d+)/.exec(out)?.[1] ?? -1),
    raw: out,
  };
}

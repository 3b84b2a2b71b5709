/**
 * Runs BIND's zone tools and Tyne's `check-zone` on one zone file, and
 * turns BIND's printed zone into comparable records.
 *
 * Tyne's own zones run through the real CLI (`node bin/tyne check-zone`),
 * the way a user runs it; the corpora run the same code in process. Until
 * a build knows `check-zone`, everything runs in process, said loudly.
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { loadZoneFile } from '../../src/zone/load-zone.js';
import { formatRecord } from '../../src/zonefile/index.js';
import { Name, classToText, lookupClass, lookupType, rdataFromText, tokenize } from '../../src/wire/index.js';
import { formatDiagnostic } from '../../src/wire/diagnostic.js';
import { repoRoot } from '../support/paths.js';
import type { ZoneInput } from './sources.js';

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a command asynchronously with a time limit (a hang is status -1). */
export function run(cmd: string, args: string[], cwd: string, timeoutMs = 60_000): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ status: code ?? -1, stdout: Buffer.concat(out).toString('latin1'), stderr: Buffer.concat(err).toString('latin1'), ms: Date.now() - started });
    });
  });
}

/** `fn` over `items`, at most `limit` at a time, results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * `named-checkzone -i local ORIGIN FILE` from the file's folder. `-i local`
 * keeps BIND's integrity checks to in-zone names: the out-of-zone ones
 * look names up in the live DNS, which a test must not depend on.
 */
export function bindCheck(z: ZoneInput): Promise<RunResult> {
  return run('named-checkzone', ['-i', 'local', z.origin, z.path], z.cwd);
}

/**
 * `named-compilezone -k ignore -i none -o - ORIGIN FILE`: the zone as BIND
 * loads it. `-k ignore`: Tyne has no check-names policy (host-name syntax
 * is not the zone file's business), so BIND's is switched off here.
 */
export function bindCompile(z: ZoneInput): Promise<RunResult> {
  return run('named-compilezone', ['-k', 'ignore', '-i', 'none', '-o', '-', z.origin, z.path], z.cwd);
}

const tyneBin = join(repoRoot, 'bin', 'tyne');
let cliKnown: boolean | undefined;

/** True when the built CLI knows `check-zone`; otherwise prints a loud line once. */
export function tyneHasCheckZone(): boolean {
  if (cliKnown === undefined) {
    const r = spawnSync(process.execPath, [tyneBin, 'check-zone'], { encoding: 'utf8' });
    cliKnown = !/unknown command|not built/.test(`${r.stdout}${r.stderr}`);
    if (!cliKnown) {
      console.error('\n!!!! NOTE: `tyne check-zone` is not built yet: Tyne runs in process (loadZoneFile), not through the CLI !!!!\n');
    }
  }
  return cliKnown;
}

/** Sources run through the CLI; the corpora run in process (see below). */
const CLI_SOURCES = new Set(['own', 'invalid', 'zones']);

/**
 * `tyne check-zone [--print] ORIGIN FILE`. This project's own zones go
 * through the real command. The corpora (some 400 files) run the same code
 * in process (loadZoneFile, canonicalRecords, formatRecord): a node
 * process per file costs about 0.1 s of CPU, which on a two-core CI
 * machine is most of the test budget.
 */
export async function tyneCheck(z: ZoneInput, print: boolean): Promise<RunResult & { via: 'cli' | 'in-process' }> {
  if (CLI_SOURCES.has(z.source) && tyneHasCheckZone()) {
    const r = await run(process.execPath, [tyneBin, 'check-zone', ...(print ? ['--print'] : []), z.origin, z.path], z.cwd);
    return { ...r, via: 'cli' };
  }
  return { ...inProcess(z, print), via: 'in-process' };
}

/** What `check-zone` does, in process: loadZoneFile, then the records in canonical order. A throw is a crash (70). */
function inProcess(z: ZoneInput, print: boolean): RunResult {
  const started = Date.now();
  let res;
  try {
    res = loadZoneFile(z.path, Name.fromText(z.origin));
  } catch (e) {
    return { status: 70, stdout: '', stderr: `loadZoneFile threw: ${(e as Error).stack}`, ms: Date.now() - started };
  }
  const stderr = res.errors.map((d) => formatDiagnostic(d)).join('\n');
  if (res.zone === null) return { status: 1, stdout: '', stderr, ms: Date.now() - started };
  return {
    status: 0,
    stdout: print ? res.zone.canonicalRecords().map((r) => `${formatRecord(r)}\n`).join('') : '',
    stderr,
    ms: Date.now() - started,
  };
}

/** One record as compared: the owner in lower case, everything else exactly. */
export interface Rec {
  owner: Name;
  ttl: number;
  class: number;
  type: number;
  rdata: Uint8Array;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

export function recKey(r: Rec): string {
  return `${hex(r.owner.toLowerCase().wire)}|${r.ttl}|${r.class}|${r.type}|${hex(r.rdata)}`;
}

export function recText(r: Rec): string {
  return `${r.owner.toText()} ${r.ttl} ${classToText(r.class)} ${r.type} ${hex(r.rdata)}`;
}

/**
 * Reads a printed zone (BIND's `-o -` layout or Tyne's tab-separated one:
 * owner, TTL, class, type, rdata) with Tyne's rdata parser. Lines that do
 * not parse are returned as problems, not thrown.
 */
export function readPrinted(text: string): { records: Rec[]; problems: string[] } {
  const records: Rec[] = [];
  const problems: string[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith(';')) continue;
    const m = /^(\S+)\s+(\d+)\s+(\S+)\s+(\S+)(?:\s+(.*))?$/.exec(line);
    if (m === null) {
      problems.push(`unreadable line: ${line}`);
      continue;
    }
    const cls = lookupClass(m[3]!);
    const type = lookupType(m[4]!);
    try {
      if (cls < 0 || type < 0) throw new Error(`class/type '${m[3]} ${m[4]}'`);
      const rdata = rdataFromText(type, tokenize(m[5] ?? ''), Name.ROOT);
      records.push({ owner: Name.fromText(m[1]!), ttl: Number(m[2]), class: cls, type, rdata });
    } catch (e) {
      problems.push(`${(e as Error).message}: ${line}`);
    }
  }
  return { records, problems };
}

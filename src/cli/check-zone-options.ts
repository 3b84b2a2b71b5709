/**
 * The command line of `tyne check-zone`: named-checkzone 9.18's options
 * with the same meaning (`man named-checkzone`), read as getopt(3) does
 * (`-qD`, `-kfail` and `-k fail` alike), and Tyne's own long options
 * (limits, `--diff`, `--include-from-cwd`). Nothing is read or opened here.
 */
import { parseClass, RRClass } from '../wire/index.js';
import type { DumpStyle, ZoneLimits } from '../zonefile/index.js';

/** -k, -n: what a failed check does. */
export type CheckMode = 'fail' | 'warn' | 'ignore';
/** -i: BIND's post-load integrity check modes. */
export type IntegrityMode = 'full' | 'full-sibling' | 'local' | 'local-sibling' | 'none';

export const CHECK_MODES: readonly CheckMode[] = ['fail', 'warn', 'ignore'];
export const INTEGRITY_MODES: readonly IntegrityMode[] = ['full', 'full-sibling', 'local', 'local-sibling', 'none'];
const STYLES: readonly DumpStyle[] = ['full', 'relative'];

export const CHECK_ZONE_USAGE =
  'usage: tyne check-zone [-jqD] [-c class] [-k mode] [-n mode] [-i mode] [-s (full|relative)] [-o file]\n' +
  '                       [-t dir] [-w dir] [-J journal] [--include-from-cwd] [LIMITS] ORIGIN (FILE|-)\n' +
  '       tyne check-zone [-q] [LIMITS] --diff ORIGIN FILE --against HOST:PORT [--key NAME:ALG:SECRET]\n' +
  '-q quiet (exit code only)   -D dump the zone (--print: the same)   -o FILE dump to FILE (- stdout)\n' +
  '-s full|relative dump style   -k fail|warn|ignore check-names   -n fail|warn|ignore NS that are addresses\n' +
  '-i full|full-sibling|local|local-sibling|none integrity checks   -c CLASS zone class (IN)\n' +
  '-t DIR files under DIR (an emulated chroot)   -w DIR working folder   -j read FILE.jnl   -J FILE that journal\n' +
  '--include-from-cwd $INCLUDE relative to the working folder (BIND) instead of the including file\n' +
  'LIMITS (the server\'s settings; defaults as there): --max-records N --max-include-reads N\n' +
  '       --max-zone-file-size SIZE --max-line-length SIZE (SIZE: octets, or with K, M, G) --include-confine';

/** The limit flags, by flag: the ZoneLimits field, and whether the value is a size (K, M, G). */
const LIMIT_FLAGS: Record<string, { key: keyof ZoneLimits; size: boolean; min: number }> = {
  '--max-records': { key: 'maxRecords', size: false, min: 1 },
  '--max-include-reads': { key: 'maxIncludeReads', size: false, min: 0 },
  '--max-zone-file-size': { key: 'maxFileBytes', size: true, min: 1 },
  '--max-line-length': { key: 'maxLineBytes', size: true, min: 1024 },
};

/** A check-zone command line, read. */
export interface CheckZoneOptions {
  quiet: boolean;
  /** -D / --print, or -o given. */
  dump: boolean;
  /** -o FILE ('-': standard output); null: standard output when dumping. */
  output: string | null;
  style: DumpStyle;
  checkNames: CheckMode;
  checkNs: CheckMode;
  integrity: IntegrityMode;
  zoneClass: number;
  /** -t DIR. */
  chroot: string | null;
  /** -w DIR. */
  workDir: string | null;
  /** -j (true: FILE.jnl) or -J FILE. */
  journal: boolean | string;
  includeFromCwd: boolean;
  limits: Partial<ZoneLimits>;
  confineIncludes: boolean;
  diff: boolean;
  against: string | undefined;
  keyText: string | undefined;
  help: boolean;
  /** ORIGIN and FILE ('-': standard input). */
  origin: string;
  file: string;
}

/** A limit flag's value: a whole number, or for a size one with K, M or G (1024-based). */
function limitValue(flag: string, text: string): number | string {
  const spec = LIMIT_FLAGS[flag]!;
  const m = (spec.size ? /^(\d+)([kmg]?)$/i : /^(\d+)()$/).exec(text);
  const n = m === null ? NaN : Number(m[1]) * 1024 ** ' kmg'.indexOf((m[2] || ' ').toLowerCase());
  if (!Number.isSafeInteger(n) || n < spec.min) {
    return `${flag}: expected ${spec.size ? 'a size such as 1048576 or 512M' : 'a whole number'} of at least ${spec.min}, got '${text}'`;
  }
  return n;
}

/** Short options that take a value (getopt "c:k:n:i:o:s:t:w:J:"). */
const WITH_VALUE = new Set(['c', 'k', 'n', 'i', 'o', 's', 't', 'w', 'J']);
/** Short flags. */
const FLAGS = new Set(['q', 'D', 'j', 'h']);

function oneOf<T extends string>(flag: string, value: string, choices: readonly T[]): T | string {
  return (choices as readonly string[]).includes(value) ? (value as T) : `-${flag}: expected ${choices.join(', ')}, got '${value}'`;
}

/**
 * Reads the arguments after `check-zone`. A string is a usage problem: one
 * line saying what is wrong (the caller adds the usage and exits 2).
 */
export function parseCheckZoneArgs(args: readonly string[]): CheckZoneOptions | string {
  const o: CheckZoneOptions = {
    quiet: false, dump: false, output: null, style: 'full', checkNames: 'warn', checkNs: 'warn', integrity: 'full',
    zoneClass: RRClass.IN, chroot: null, workDir: null, journal: false, includeFromCwd: false, limits: {}, confineIncludes: false,
    diff: false, against: undefined, keyText: undefined, help: false, origin: '', file: '',
  };
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      rest.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      if (a === '--print') o.dump = true;
      else if (a === '--diff') o.diff = true;
      else if (a === '--include-confine') o.confineIncludes = true;
      else if (a === '--include-from-cwd') o.includeFromCwd = true;
      else if (a === '--help') o.help = true;
      else if (Object.hasOwn(LIMIT_FLAGS, a) || a === '--against' || a === '--key') {
        const v = args[++i];
        if (v === undefined) return `${a} needs a value`;
        if (a === '--against') o.against = v;
        else if (a === '--key') o.keyText = v;
        else {
          const n = limitValue(a, v);
          if (typeof n === 'string') return n;
          o.limits[LIMIT_FLAGS[a]!.key] = n;
        }
      } else return `unsupported option '${a}'`;
      continue;
    }
    if (!a.startsWith('-') || a === '-') {
      rest.push(a);
      continue;
    }
    // getopt: flags may be grouped (-qD), a value may follow at once (-kfail) or as the next argument.
    for (let j = 1; j < a.length; j++) {
      const c = a[j]!;
      if (FLAGS.has(c)) {
        if (c === 'q') o.quiet = true;
        else if (c === 'D') o.dump = true;
        else if (c === 'j') o.journal = o.journal === false ? true : o.journal;
        else if (c === 'h') o.help = true;
        continue;
      }
      if (!WITH_VALUE.has(c)) return `unsupported option '-${c}'`;
      const v = j + 1 < a.length ? a.slice(j + 1) : args[++i];
      if (v === undefined) return `-${c} needs a value`;
      const problem = setValue(o, c, v);
      if (problem !== null) return problem;
      break;
    }
  }
  if (o.help) return o;
  if (rest.length !== 2) return rest.length < 2 ? 'expected ORIGIN and FILE' : `expected ORIGIN and FILE, got ${rest.length} arguments`;
  [o.origin, o.file] = rest as [string, string];
  if (o.diff !== (o.against !== undefined) || (o.keyText !== undefined && !o.diff)) return '--diff and --against go together (--key only with them)';
  if (o.diff && (o.dump || o.zoneClass !== RRClass.IN)) return '--diff works on class IN zones and does not dump (-D, -o, --print)';
  if (o.file === '-' && o.journal !== false && typeof o.journal !== 'string') return '-j reads FILE.jnl, and standard input has no file name: give the journal with -J FILE';
  return o;
}

function setValue(o: CheckZoneOptions, c: string, v: string): string | null {
  switch (c) {
    case 'c':
      try {
        o.zoneClass = parseClass(v);
      } catch (e) {
        return `-c: ${(e as Error).message}`;
      }
      return null;
    case 'k':
    case 'n': {
      const m = oneOf(c, v, CHECK_MODES);
      if (!(CHECK_MODES as readonly string[]).includes(m)) return m;
      if (c === 'k') o.checkNames = m as CheckMode;
      else o.checkNs = m as CheckMode;
      return null;
    }
    case 'i': {
      const m = oneOf(c, v, INTEGRITY_MODES);
      if (!(INTEGRITY_MODES as readonly string[]).includes(m)) return m;
      o.integrity = m as IntegrityMode;
      return null;
    }
    case 's': {
      const m = oneOf(c, v, STYLES);
      if (!(STYLES as readonly string[]).includes(m)) return m;
      o.style = m as DumpStyle;
      return null;
    }
    case 'o':
      o.output = v;
      o.dump = true;
      return null;
    case 't':
      o.chroot = v;
      return null;
    case 'w':
      o.workDir = v;
      return null;
    case 'J':
      o.journal = v;
      return null;
  }
  return `unsupported option '-${c}'`;
}

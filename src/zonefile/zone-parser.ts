import { closeSync, fstatSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import {
  MAX_LABEL, MAX_NAME, Name, RRClass, RRType, TextFormatError, classToText, isMetaType, lookupClass, lookupTtl, lookupType, parseIPv4, parseIPv4Range, parseIPv6, parsePlainIPv6Range, rdataFromText, tokenize,
  type Diagnostic, type ResourceRecord, type SourcePosition,
} from '../wire/index.js';
import { expandTemplate, parseGenerateRange } from './generate-template.js';
import { LINE_TOO_LONG, ZoneLexer, type LogicalLine, type ZoneToken } from './zone-lexer.js';
import { zoneLimits, type ZoneLimits } from './zone-limits.js';

export interface ZoneParseOptions {
  /** The zone's origin: the initial $ORIGIN and what `@` means. */
  origin: Name;
  /** Records must be of this class (default IN). */
  zoneClass?: number;
  /** Stop after this many errors (default 100). */
  maxErrors?: number;
  /** $INCLUDE nesting limit (default 16). */
  maxIncludeDepth?: number;
  /** Most records one $GENERATE may produce (default 10,000,000). */
  maxGenerate?: number;
  /** What reading the zone may cost (DEFAULT_ZONE_LIMITS for what is left out); going over one fails the zone. */
  limits?: Partial<ZoneLimits>;
  /**
   * `include-confine`: $INCLUDE may only read files inside the zone file's
   * own folder (or below it), after following symbolic links (default false,
   * as BIND).
   */
  confineIncludes?: boolean;
  /**
   * Where a `$INCLUDE` path leads: given the path as written and the
   * including file, the file to read, or a reason it may not be read.
   * Default: relative to the including file's folder (Tyne's rule; BIND
   * resolves against the working folder, which `tyne check-zone
   * --include-from-cwd` asks for).
   */
  resolveInclude?: (path: string, includingFile: string) => string | { refused: string };
  /**
   * Whether plain lines are read by the fast path (see plainRecord; default
   * true). Set false to have every line go the general way: the result is
   * the same (tests compare the two).
   */
  fastPath?: boolean;
}

/** Receives each record as it is parsed, with where it came from. */
export type RecordSink = (rr: ResourceRecord, at: SourcePosition) => void;

/**
 * Optionally takes, in place of the RecordSink, the A and AAAA records the
 * fast path reads (see plainRecord), in wire form and without objects: the
 * owner is owner[0, ownerLength) (uncompressed, letter case as written),
 * the rdata all of `rdata` (4 or 16 octets), the class the zone's. Both
 * arrays are the parser's, overwritten by the next record: copy what is kept.
 */
export interface AddressSink {
  address(owner: Uint8Array, ownerLength: number, type: number, cls: number, ttl: number, rdata: Uint8Array, file: string, line: number, col: number): void;
}

export interface ZoneParseResult {
  errors: Diagnostic[];
  warnings: Diagnostic[];
  /** Records handed to the sink. */
  records: number;
  /** Absolute paths of the zone file and of every file it $INCLUDEs (also those that could not be read), in reading order. */
  files: string[];
}

/** Stable codes of zone-file diagnostics. */
export const ZoneFileCode = {
  SYNTAX: 'ZONEFILE_SYNTAX',
  BAD_RDATA: 'ZONEFILE_BAD_RDATA',
  BAD_OWNER: 'ZONEFILE_BAD_OWNER',
  NO_OWNER: 'ZONEFILE_NO_OWNER',
  UNKNOWN_TYPE: 'ZONEFILE_UNKNOWN_TYPE',
  BAD_CLASS: 'ZONEFILE_BAD_CLASS',
  NO_TTL: 'ZONEFILE_NO_TTL',
  TTL_DEFAULT: 'ZONEFILE_TTL_DEFAULT',
  BAD_DIRECTIVE: 'ZONEFILE_BAD_DIRECTIVE',
  INCLUDE: 'ZONEFILE_INCLUDE',
  GENERATE: 'ZONEFILE_GENERATE',
  IO: 'ZONEFILE_IO',
  TOO_MANY_ERRORS: 'ZONEFILE_TOO_MANY_ERRORS',
  OBSOLETE_TYPE: 'ZONEFILE_OBSOLETE_TYPE',
  /** More $INCLUDE reads than `max-include-reads`. */
  TOO_MANY_INCLUDES: 'ZONEFILE_TOO_MANY_INCLUDES',
  /** More records than `max-records`. */
  TOO_MANY_RECORDS: 'ZONEFILE_TOO_MANY_RECORDS',
  /** The zone's files add up to more than `max-zone-file-size` octets. */
  TOO_LARGE: 'ZONEFILE_TOO_LARGE',
  /** A line (or a logical line joined by parentheses) longer than `max-line-length`. */
  LINE_TOO_LONG,
  /** An $INCLUDE of a file outside the zone file's folder, with `include-confine`. */
  INCLUDE_OUTSIDE: 'ZONEFILE_INCLUDE_OUTSIDE',
} as const;

const CHUNK = 1 << 20;

/** Per-file state: the file, and its current $ORIGIN. */
interface FileContext {
  file: string;
  origin: Name;
  depth: number;
}

class StopParsing extends Error {}

function ioReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'not a file';
  if (code === 'EACCES') return 'permission denied';
  return (e as Error).message;
}

/** RFC 2181 §8: TTLs above 2^31 - 1 are treated as zero (BIND warns and does so). */
const MAX_TTL = 0x7fffffff;

/**
 * Parses RFC 1035 §5 master files with RFC 2308 $TTL and BIND's
 * extensions ($INCLUDE, $GENERATE, TTL units, class and TTL in either
 * order). Every error is collected (up to `maxErrors`) with file, line and
 * column; records go to the sink one by one, so memory follows the zone,
 * not the text.
 */
class ZoneParser {
  readonly errors: Diagnostic[] = [];
  readonly warnings: Diagnostic[] = [];
  records = 0;
  private readonly zoneClass: number;
  private readonly maxErrors: number;
  private readonly maxIncludeDepth: number;
  private readonly maxGenerate: number;
  private readonly limits: ZoneLimits;
  private readonly confineIncludes: boolean;
  private readonly resolveInclude: (path: string, includingFile: string) => string | { refused: string };
  /** The zone file's folder, as given and with links followed: where a confined $INCLUDE must stay. */
  private confineTo: { given: string; real: string } | undefined;
  /** $INCLUDE reads so far (each read of each file). */
  private includeReads = 0;
  /** Octets of zone text read so far, over every file. */
  private bytesRead = 0;
  /** $TTL, or the SOA minimum when BIND falls back to it. */
  private defaultTtl = -1;
  /** The last TTL written explicitly (RFC 1035 §5.1). */
  private lastTtl = -1;
  private warnedRfc1035 = false;
  /**
   * The owner of the last record (for a line that starts blank): a Name, or
   * (after the fast path) the wire name ownerWire[0, ownerLength) of which
   * a Name is made only when asked for (see lastOwner).
   */
  private lastOwnerName: Name | undefined;
  private ownerWire = new Uint8Array(MAX_NAME + 1);
  private ownerLength = 0;
  /** Where the fast path builds an owner before it is known to be used. */
  private ownerScratch = new Uint8Array(MAX_NAME + 1);
  private readonly ipv4 = new Uint8Array(4);
  private readonly ipv6 = new Uint8Array(16);
  private readonly fastPath: boolean;
  /** The last owner parsed from text, and the text and origin it came from (records of a name are usually together). */
  private ownerCacheText: string | undefined;
  private ownerCacheOrigin: Name | undefined;
  private ownerCacheName: Name | undefined;
  private readonly includeStack: string[] = [];
  /** Every file asked for, as absolute paths. */
  readonly files: string[] = [];

  constructor(options: ZoneParseOptions, private readonly sink: RecordSink, private readonly addressSink?: AddressSink) {
    this.fastPath = options.fastPath ?? true;
    this.zoneClass = options.zoneClass ?? RRClass.IN;
    this.maxErrors = options.maxErrors ?? 100;
    this.maxIncludeDepth = options.maxIncludeDepth ?? 16;
    this.maxGenerate = options.maxGenerate ?? 10_000_000;
    this.limits = zoneLimits(options.limits);
    this.confineIncludes = options.confineIncludes ?? false;
    this.resolveInclude = options.resolveInclude ?? ((path, includingFile) => resolve(dirname(includingFile), path));
  }

  private get lastOwner(): Name | undefined {
    if (this.lastOwnerName === undefined && this.ownerLength > 0) this.lastOwnerName = Name.trusted(this.ownerWire.slice(0, this.ownerLength));
    return this.lastOwnerName;
  }

  private set lastOwner(name: Name | undefined) {
    this.lastOwnerName = name;
    this.ownerLength = 0;
  }

  /** An error that ends the reading at once: a limit was reached (the rest would cost what the limit is there to prevent). */
  fatal(code: string, at: SourcePosition | undefined, message: string): never {
    this.errors.push({ severity: 'error', code, message, ...(at ? { at } : {}) });
    throw new StopParsing();
  }

  error(code: string, at: SourcePosition | undefined, message: string): void {
    this.errors.push({ severity: 'error', code, message, ...(at ? { at } : {}) });
    if (this.errors.length >= this.maxErrors) {
      this.errors.push({ severity: 'error', code: ZoneFileCode.TOO_MANY_ERRORS, message: `too many errors (${this.maxErrors}); stopped reading` });
      throw new StopParsing();
    }
  }

  warning(code: string, at: SourcePosition | undefined, message: string): void {
    this.warnings.push({ severity: 'warning', code, message, ...(at ? { at } : {}) });
  }

  run(body: () => void): void {
    try {
      body();
    } catch (e) {
      if (!(e instanceof StopParsing)) throw e;
    }
  }

  /** Reads one file in chunks. */
  parseFile(path: string, origin: Name, depth: number, from?: SourcePosition): void {
    let fd: number;
    let real: string;
    let size: number;
    const abs = resolve(path);
    if (!this.files.includes(abs)) this.files.push(abs);
    if (depth === 0 && this.confineIncludes) {
      const given = dirname(abs);
      let realDir = given;
      try {
        realDir = realpathSync(given);
      } catch {
        // The file cannot be read either: said below.
      }
      this.confineTo = { given, real: realDir };
    }
    // RFC 1035 §5.1 leaves $INCLUDE's reach to the implementation; confined, a zone reads only its own folder.
    if (depth > 0 && this.confineTo !== undefined && !inside(abs, this.confineTo.given)) {
      this.error(ZoneFileCode.INCLUDE_OUTSIDE, from, `$INCLUDE '${path}' is outside the zone file's folder ${this.confineTo.given} (include-confine); move the file there or set include-confine: false`);
      return;
    }
    try {
      real = realpathSync(path);
      if (depth > 0 && this.confineTo !== undefined && !inside(real, this.confineTo.real)) {
        this.error(ZoneFileCode.INCLUDE_OUTSIDE, from, `$INCLUDE '${path}' leads (by a symbolic link) to ${real}, outside the zone file's folder ${this.confineTo.real} (include-confine); move the file there or set include-confine: false`);
        return;
      }
      if (!statSync(real).isFile()) {
        this.error(ZoneFileCode.IO, from, `cannot read zone file '${path}': not a file`);
        return;
      }
      fd = openSync(path, 'r');
      size = fstatSync(fd).size;
    } catch (e) {
      this.error(ZoneFileCode.IO, from, `cannot read zone file '${path}': ${ioReason(e)}`);
      return;
    }
    // Checked before reading: a file over the limit costs nothing to refuse.
    const at = from ?? { file: path, line: 1, col: 1 };
    if (this.bytesRead + size > this.limits.maxFileBytes) {
      closeSync(fd);
      this.tooLarge(at, path, this.bytesRead + size);
    }
    if (this.includeStack.includes(real)) {
      closeSync(fd);
      this.error(ZoneFileCode.INCLUDE, from, `$INCLUDE cycle: '${path}' is already being read`);
      return;
    }
    this.includeStack.push(real);
    try {
      const ctx: FileContext = { file: path, origin, depth };
      const lexer = this.lexerFor(ctx);
      // Sized to the file (a small $INCLUDE read many times must not cost 1 MiB each time).
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(size + 1, 64 * 1024)));
      const emit = (l: LogicalLine): void => this.logicalLine(l, ctx);
      for (;;) {
        let n: number;
        try {
          n = readSync(fd, buf, 0, buf.length, null);
        } catch (e) {
          this.error(ZoneFileCode.IO, from, `cannot read zone file '${path}': ${ioReason(e)}`);
          return;
        }
        if (n === 0) break;
        // The file may grow while it is read: the octets read count, not the size it had.
        this.bytesRead += n;
        if (this.bytesRead > this.limits.maxFileBytes) this.tooLarge(at, path, this.bytesRead);
        lexer.push(buf.toString('latin1', 0, n), emit);
      }
      lexer.end(emit);
    } finally {
      this.includeStack.pop();
      closeSync(fd);
    }
  }

  private tooLarge(at: SourcePosition, path: string, bytes: number): never {
    const what = this.files.length > 1 ? 'the zone file and its $INCLUDEs add up to' : 'the zone file has';
    this.fatal(ZoneFileCode.TOO_LARGE, at, `zone not read: ${what} ${bytes} octets or more ('${path}'), more than max-zone-file-size (${this.limits.maxFileBytes}); raise max-zone-file-size if the zone is meant to be this large`);
  }

  /** Parses text held in memory (tests, fuzzing, transferred zones). */
  parseText(text: string, file: string, origin: Name): void {
    const ctx: FileContext = { file, origin, depth: 0 };
    const lexer = this.lexerFor(ctx);
    const emit = (l: LogicalLine): void => this.logicalLine(l, ctx);
    lexer.push(text, emit);
    lexer.end(emit);
  }

  private lexerFor(ctx: FileContext): ZoneLexer {
    return new ZoneLexer(
      (line, col, message, code) => this.error(code ?? ZoneFileCode.SYNTAX, { file: ctx.file, line, col }, code === LINE_TOO_LONG ? `${message}; raise max-line-length if such lines are meant` : message),
      this.limits.maxLineBytes,
      this.fastPath ? (s, from, line, blankOwner, count, starts, ends) => this.plainRecord(s, from, line, blankOwner, count, starts, ends, ctx) : undefined,
    );
  }

  /**
   * The fast path: a plain line (see ZoneLexer) that is an A or AAAA record
   * written the usual way, `[owner] [ttl] [IN] A|AAAA address` (TTL and
   * class in either order, the TTL in digits), read straight from the text
   * without token objects, strings or Names. It takes the line only when
   * `record` would read it without a diagnostic, to the same record; for
   * anything else (a directive, another type, a TTL with units, an owner or
   * address that does not parse, a TTL to warn about, a limit reached) it
   * returns false having changed nothing, and the line goes the general way.
   */
  private plainRecord(s: string, from: number, line: number, blankOwner: boolean, n: number, starts: Int32Array, ends: Int32Array, ctx: FileContext): boolean {
    let i = 0;
    let ownerLength: number;
    if (blankOwner) {
      ownerLength = this.ownerLength;
      if (ownerLength === 0) {
        const name = this.lastOwnerName;
        if (name === undefined) return false;
        this.ownerWire.set(name.wire);
        ownerLength = this.ownerLength = name.wire.length;
      }
    } else {
      const a = starts[0]!;
      const c0 = s.charCodeAt(a);
      if (c0 === 0x24 /* $ */) return false;
      if (c0 === 0x40 /* @ */ && ends[0] === a + 1) {
        this.ownerScratch.set(ctx.origin.wire);
        ownerLength = ctx.origin.wire.length;
      } else {
        ownerLength = plainNameToWire(s, a, ends[0]!, ctx.origin.wire, this.ownerScratch);
        if (ownerLength < 0) return false;
      }
      i = 1;
    }
    // [ttl] [class], in either order (as `record`: IN, or a TTL in digits; anything else goes the general way).
    let ttl = -1;
    let inClass = false;
    for (let k = 0; k < 2 && i < n; k++) {
      const a = starts[i]!;
      const b = ends[i]!;
      const c0 = s.charCodeAt(a);
      if (!inClass && b - a === 2 && c0 === 0x49 && s.charCodeAt(a + 1) === 0x4e) {
        inClass = true;
        i++;
        continue;
      }
      if (c0 >= 0x30 && c0 <= 0x39) {
        if (ttl >= 0 || b - a > 10) return false;
        let v = 0;
        for (let j = a; j < b; j++) {
          const c = s.charCodeAt(j);
          if (c < 0x30 || c > 0x39) return false;
          v = v * 10 + (c - 0x30);
        }
        if (v > MAX_TTL) return false;
        ttl = v;
        i++;
        continue;
      }
      break;
    }
    // The type, then exactly one word: the address.
    if (i + 2 !== n) return false;
    const ta = starts[i]!;
    const tn = ends[i]! - ta;
    let type: number;
    if (tn === 1 && s.charCodeAt(ta) === 0x41) type = RRType.A;
    else if (tn === 4 && s.charCodeAt(ta) === 0x41 && s.charCodeAt(ta + 1) === 0x41 && s.charCodeAt(ta + 2) === 0x41 && s.charCodeAt(ta + 3) === 0x41) type = RRType.AAAA;
    else return false;
    if (inClass && this.zoneClass !== RRClass.IN) return false;
    const ra = starts[i + 1]!;
    const rb = ends[i + 1]!;
    const rdata = type === RRType.A ? this.ipv4 : this.ipv6;
    // (parseIPv6 tries the plain forms first too: the text is made only for the others.)
    const parsed = type === RRType.A ? parseIPv4Range(s, ra, rb, rdata) : parsePlainIPv6Range(s, ra, rb, rdata) || parseIPv6(s.slice(ra, rb), rdata);
    if (!parsed) return false;
    const explicitTtl = ttl >= 0;
    if (!explicitTtl) {
      if (this.defaultTtl >= 0) ttl = this.defaultTtl;
      else if (this.lastTtl >= 0 && this.warnedRfc1035) ttl = this.lastTtl;
      else return false;
    }
    if (this.records >= this.limits.maxRecords) return false;
    // Taken: the same changes `record` makes.
    if (!blankOwner) {
      const scratch = this.ownerScratch;
      const name = this.lastOwnerName;
      // The Name made for the last owner still serves when this one is the same octets (a RecordSink sees one Name per run of records of a name).
      if (name !== undefined && !sameOctets(name.wire, scratch, ownerLength)) this.lastOwnerName = undefined;
      this.ownerScratch = this.ownerWire;
      this.ownerWire = scratch;
      this.ownerLength = ownerLength;
    }
    if (explicitTtl) this.lastTtl = ttl;
    this.records++;
    const col = starts[0]! - from + 1;
    if (this.addressSink !== undefined) {
      this.addressSink.address(this.ownerWire, ownerLength, type, this.zoneClass, ttl, rdata, ctx.file, line, col);
    } else {
      this.sink({ name: this.lastOwner!, type, class: this.zoneClass, ttl, rdata: rdata.slice() }, { file: ctx.file, line, col });
    }
    return true;
  }

  private pos(ctx: FileContext, t: ZoneToken | undefined, line: LogicalLine): SourcePosition {
    return { file: ctx.file, line: t?.line ?? line.line, col: t?.col ?? 1 };
  }

  private logicalLine(line: LogicalLine, ctx: FileContext): void {
    const t = line.tokens;
    const first = t[0]!;
    if (!line.blankOwner && !first.quoted && first.text.charCodeAt(0) === 0x24 /* $ */) {
      this.directive(line, ctx);
      return;
    }
    this.record(line, ctx, undefined);
  }

  /** One record: `[owner] [ttl] [class] type rdata` with TTL and class in either order. */
  private record(line: LogicalLine, ctx: FileContext, generated: string | undefined): void {
    const t = line.tokens;
    let i = 0;
    let owner: Name;
    if (line.blankOwner) {
      if (this.lastOwner === undefined) {
        this.error(ZoneFileCode.NO_OWNER, this.pos(ctx, t[0], line), 'no owner name: the first record must name one');
        return;
      }
      owner = this.lastOwner;
    } else {
      const o = t[0]!;
      try {
        if (o.quoted) owner = Name.fromText(o.text, ctx.origin);
        else if (o.text === '@') owner = ctx.origin;
        else if (o.text === this.ownerCacheText && ctx.origin === this.ownerCacheOrigin) owner = this.ownerCacheName!;
        else {
          owner = Name.fromText(o.text, ctx.origin);
          this.ownerCacheText = o.text;
          this.ownerCacheOrigin = ctx.origin;
          this.ownerCacheName = owner;
        }
      } catch (e) {
        this.error(ZoneFileCode.BAD_OWNER, this.pos(ctx, o, line), `${generated ?? ''}${(e as Error).message}`);
        return;
      }
      this.lastOwner = owner;
      i = 1;
    }
    let ttl = -1;
    let cls = -1;
    for (let k = 0; k < 2 && i < t.length; k++) {
      const tok = t[i]!;
      if (tok.quoted) break;
      if (cls < 0 && tok.text === 'IN') {
        // The usual class word (never a TTL): no lookups.
        cls = RRClass.IN;
        i++;
        continue;
      }
      if (ttl < 0) {
        const v = lookupTtl(tok.text);
        if (v >= 0) {
          ttl = v;
          i++;
          continue;
        }
      }
      if (cls < 0) {
        const c = lookupClass(tok.text);
        if (c >= 0) {
          cls = c;
          i++;
          continue;
        }
      }
      break;
    }
    const typeTok = t[i];
    if (typeTok === undefined) {
      this.error(ZoneFileCode.SYNTAX, this.pos(ctx, t[t.length - 1], line), 'missing record type');
      return;
    }
    const typeText = typeTok.text;
    const type = typeTok.quoted ? -1 : typeText === 'A' ? RRType.A : typeText === 'AAAA' ? RRType.AAAA : lookupType(typeText);
    if (type < 0) {
      this.error(ZoneFileCode.UNKNOWN_TYPE, this.pos(ctx, typeTok, line), `unknown record type '${typeTok.text}'`);
      return;
    }
    if (type === 0 || isMetaType(type)) {
      // RFC 6895 §3.1: type 0, OPT and the QTYPEs 128-255 never hold data.
      this.error(ZoneFileCode.UNKNOWN_TYPE, this.pos(ctx, typeTok, line), `invalid use of a meta type '${typeTok.text}'`);
      return;
    }
    if (type === RRType.MD || type === RRType.MF) {
      // RFC 973 §2.5: MD and MF are obsolete (MX replaced them); BIND refuses them.
      this.error(ZoneFileCode.OBSOLETE_TYPE, this.pos(ctx, typeTok, line), `type '${typeTok.text}' is obsolete`);
      return;
    }
    const at = this.pos(ctx, t[0], line);
    if (cls >= 0 && cls !== this.zoneClass) {
      this.error(ZoneFileCode.BAD_CLASS, at, `class '${classToText(cls)}' does not match the zone's class '${classToText(this.zoneClass)}'`);
      return;
    }
    let rdata = fastAddress(type, t, i + 1);
    const rdataTokens = rdata === undefined ? t.slice(i + 1) : [];
    try {
      rdata ??= rdataFromText(type, rdataTokens, ctx.origin);
    } catch (e) {
      if (!(e instanceof TextFormatError)) throw e;
      const bad = e.token >= 0 && e.token < rdataTokens.length ? rdataTokens[e.token] : rdataTokens[rdataTokens.length - 1] ?? typeTok;
      this.error(ZoneFileCode.BAD_RDATA, this.pos(ctx, bad, line), `${generated ?? ''}${e.message}`);
      return;
    }
    if (ttl > MAX_TTL) {
      this.warning(ZoneFileCode.TTL_DEFAULT, at, `TTL ${ttl} is above 2147483647 (RFC 2181 §8); using 0`);
      ttl = 0;
    }
    if (ttl >= 0) {
      this.lastTtl = ttl;
    } else if (this.defaultTtl >= 0) {
      ttl = this.defaultTtl;
    } else if (this.lastTtl >= 0) {
      // RFC 1035 §5.1: an omitted TTL is the last one stated; BIND warns once.
      ttl = this.lastTtl;
      if (!this.warnedRfc1035) this.warning(ZoneFileCode.TTL_DEFAULT, at, 'using RFC 1035 TTL semantics: no $TTL, so the previous TTL is used');
      this.warnedRfc1035 = true;
    } else if (type === RRType.SOA) {
      // RFC 2308 §4 / BIND: with no $TTL and no TTL yet, the SOA MINIMUM serves.
      ttl = (((rdata[rdata.length - 4]! << 24) >>> 0) + ((rdata[rdata.length - 3]! << 16) | (rdata[rdata.length - 2]! << 8) | rdata[rdata.length - 1]!));
      if (ttl > MAX_TTL) {
        this.warning(ZoneFileCode.TTL_DEFAULT, at, `SOA MINTTL ${ttl} is above 2147483647 (RFC 2181 §8); using 0`);
        ttl = 0;
      }
      this.defaultTtl = ttl;
      this.warning(ZoneFileCode.TTL_DEFAULT, at, 'no TTL specified; using SOA MINTTL instead');
    } else {
      this.error(ZoneFileCode.NO_TTL, at, 'no TTL specified (no $TTL, no earlier TTL)');
      return;
    }
    if (this.records >= this.limits.maxRecords) {
      this.fatal(ZoneFileCode.TOO_MANY_RECORDS, at, `${generated ?? ''}zone not read: more than ${this.limits.maxRecords} records (max-records); raise max-records if the zone is meant to be this large`);
    }
    this.records++;
    this.sink({ name: owner, type, class: this.zoneClass, ttl, rdata }, at);
  }

  private directive(line: LogicalLine, ctx: FileContext): void {
    const t = line.tokens;
    const d = t[0]!;
    const name = d.text.toUpperCase();
    const arg = (n: number, what: string): ZoneToken | undefined => {
      const tok = t[n];
      if (tok === undefined) this.error(ZoneFileCode.BAD_DIRECTIVE, this.pos(ctx, t[n - 1], line), `${name} needs ${what}`);
      return tok;
    };
    const noMore = (n: number): boolean => {
      if (t.length <= n) return true;
      this.error(ZoneFileCode.BAD_DIRECTIVE, this.pos(ctx, t[n], line), `unexpected text '${t[n]!.text}' after ${name}`);
      return false;
    };
    switch (name) {
      case '$ORIGIN': {
        const o = arg(1, 'a domain name');
        if (o === undefined || !noMore(2)) return;
        try {
          ctx.origin = Name.fromText(o.text, ctx.origin);
        } catch (e) {
          this.error(ZoneFileCode.BAD_DIRECTIVE, this.pos(ctx, o, line), `$ORIGIN: ${(e as Error).message}`);
        }
        return;
      }
      case '$TTL': {
        const v = arg(1, 'a TTL');
        if (v === undefined || !noMore(2)) return;
        const ttl = lookupTtl(v.text);
        if (ttl < 0) {
          this.error(ZoneFileCode.BAD_DIRECTIVE, this.pos(ctx, v, line), `$TTL: bad TTL '${v.text}'`);
          return;
        }
        if (ttl > MAX_TTL) {
          this.warning(ZoneFileCode.TTL_DEFAULT, this.pos(ctx, v, line), `$TTL ${ttl} is above 2147483647 (RFC 2181 §8); using 0`);
        }
        this.defaultTtl = ttl > MAX_TTL ? 0 : ttl;
        return;
      }
      case '$INCLUDE': {
        const f = arg(1, 'a file name');
        if (f === undefined || !noMore(3)) return;
        const at = this.pos(ctx, d, line);
        if (++this.includeReads > this.limits.maxIncludeReads) {
          // Counted over the whole zone: nesting alone is bounded by depth, but ten $INCLUDEs of a file that does the same, eight deep, are 10^8 reads.
          this.fatal(ZoneFileCode.TOO_MANY_INCLUDES, at, `zone not read: more than ${this.limits.maxIncludeReads} $INCLUDE reads (max-include-reads); include each file fewer times, or raise max-include-reads`);
        }
        if (ctx.depth + 1 > this.maxIncludeDepth) {
          this.error(ZoneFileCode.INCLUDE, at, `$INCLUDE nested more than ${this.maxIncludeDepth} deep`);
          return;
        }
        let origin = ctx.origin;
        if (t[2] !== undefined) {
          try {
            origin = Name.fromText(t[2].text, ctx.origin);
          } catch (e) {
            this.error(ZoneFileCode.INCLUDE, this.pos(ctx, t[2], line), `$INCLUDE origin: ${(e as Error).message}`);
            return;
          }
        }
        if (ctx.file === '<text>') {
          this.error(ZoneFileCode.INCLUDE, at, '$INCLUDE is not available for zone text held in memory');
          return;
        }
        // By default the path is relative to the including file's folder.
        const path = this.resolveInclude(f.text, ctx.file);
        if (typeof path !== 'string') {
          this.error(ZoneFileCode.INCLUDE_OUTSIDE, at, path.refused);
          return;
        }
        // The included file's owners do not carry over (BIND).
        const owner = this.lastOwner;
        this.parseFile(path, origin, ctx.depth + 1, at);
        this.lastOwner = owner;
        return;
      }
      case '$GENERATE':
        this.generate(line, ctx);
        return;
      default:
        this.error(ZoneFileCode.BAD_DIRECTIVE, this.pos(ctx, d, line), `unknown directive '${d.text}'`);
    }
  }

  /** `$GENERATE range lhs [ttl] [class] type rhs...` (BIND). */
  private generate(line: LogicalLine, ctx: FileContext): void {
    const t = line.tokens;
    const at = this.pos(ctx, t[0], line);
    if (t.length < 4) {
      this.error(ZoneFileCode.GENERATE, at, '$GENERATE needs a range, a left-hand side, a type and a right-hand side');
      return;
    }
    const range = parseGenerateRange(t[1]!.text);
    if (typeof range === 'string') {
      this.error(ZoneFileCode.GENERATE, this.pos(ctx, t[1], line), range);
      return;
    }
    const count = Math.floor((range.stop - range.start) / range.step) + 1;
    if (count > this.maxGenerate) {
      this.error(ZoneFileCode.GENERATE, this.pos(ctx, t[1], line), `$GENERATE range makes ${count} records, more than ${this.maxGenerate}`);
      return;
    }
    if (this.records + count > this.limits.maxRecords) {
      // Refused before generating any: the zone would go over max-records anyway.
      this.fatal(ZoneFileCode.TOO_MANY_RECORDS, this.pos(ctx, t[1], line), `zone not read: this $GENERATE makes ${count} records, which with the ${this.records} before it is more than ${this.limits.maxRecords} (max-records); raise max-records if the zone is meant to be this large`);
    }
    const lhs = t[2]!;
    // Everything up to and including the type stays as written; the rest is the template.
    let k = 3;
    while (k < t.length - 1 && lookupType(t[k]!.text) < 0) k++;
    const middle = t.slice(3, k + 1);
    const rhsTokens = t.slice(k + 1);
    if (rhsTokens.length === 0) {
      this.error(ZoneFileCode.GENERATE, at, '$GENERATE needs a right-hand side');
      return;
    }
    if (rhsTokens.length > 1) {
      // BIND reads the right-hand side as one word (quote it to use spaces).
      this.error(ZoneFileCode.GENERATE, this.pos(ctx, rhsTokens[1], line), `unexpected text '${rhsTokens[1]!.text}' after the $GENERATE right-hand side`);
      return;
    }
    const rhs = rhsTokens[0]!.text;
    const rhsPos = rhsTokens[0]!;
    for (let v = range.start; v <= range.stop; v += range.step) {
      const owner = expandTemplate(lhs.text, v);
      const data = expandTemplate(rhs, v);
      if ('error' in owner || 'error' in data) {
        this.error(ZoneFileCode.GENERATE, this.pos(ctx, 'error' in owner ? lhs : rhsPos, line), `$GENERATE: ${'error' in owner ? owner.error : (data as { error: string }).error}`);
        return;
      }
      let words: ZoneToken[];
      try {
        words = tokenize(data.text).map((w) => ({ ...w, line: rhsPos.line, col: rhsPos.col }));
      } catch (e) {
        this.error(ZoneFileCode.GENERATE, this.pos(ctx, rhsPos, line), `$GENERATE: ${(e as Error).message}`);
        return;
      }
      const before = this.errors.length;
      this.record(
        { tokens: [{ ...lhs, text: owner.text }, ...middle, ...words], blankOwner: false, line: line.line },
        ctx,
        `$GENERATE ${v}: `,
      );
      // One bad expansion is reported once, not for every value of the range.
      if (this.errors.length > before) return;
    }
  }
}

/** True when `wire` is exactly the octets b[0, n). */
function sameOctets(wire: Uint8Array, b: Uint8Array, n: number): boolean {
  if (wire.length !== n) return false;
  for (let i = 0; i < n; i++) if (wire[i] !== b[i]) return false;
  return true;
}

/**
 * Name.fromText(s.slice(a, b), origin) into out[0, returned length), for a
 * word without backslashes (the fast path's owner); -1 where fromText would
 * fail, or for the root (`.`), which is left to it.
 */
function plainNameToWire(s: string, a: number, b: number, origin: Uint8Array, out: Uint8Array): number {
  let pos = 1;
  let labelStart = 0;
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x2e /* . */) {
      const len = pos - labelStart - 1;
      if (len === 0) return -1;
      out[labelStart] = len;
      if (i === b - 1) {
        out[pos++] = 0;
        return pos > MAX_NAME ? -1 : pos;
      }
      if (pos >= MAX_NAME) return -1;
      labelStart = pos++;
      continue;
    }
    // RFC 1035 §2.3.4: labels of 63 octets at most, names of 255.
    if (c >= 0x100 || pos - labelStart > MAX_LABEL || pos >= MAX_NAME) return -1;
    out[pos++] = c;
  }
  out[labelStart] = pos - labelStart - 1;
  if (pos + origin.length > MAX_NAME) return -1;
  out.set(origin, pos);
  return pos + origin.length;
}

/** `path` is `folder` or below it (both absolute and normalized). */
function inside(path: string, folder: string): boolean {
  return path === folder || path.startsWith(folder.endsWith(sep) ? folder : folder + sep);
}

/**
 * The common `A addr` and `AAAA addr` records without the general rdata
 * machinery: one plain word that parses is exactly what rdataFromText
 * would make of it; anything else (errors included) goes the general way.
 */
function fastAddress(type: number, t: ZoneToken[], i: number): Uint8Array | undefined {
  if (i !== t.length - 1) return undefined;
  const tok = t[i]!;
  if (tok.quoted) return undefined;
  if (type === RRType.A) {
    const b = new Uint8Array(4);
    return parseIPv4(tok.text, b) ? b : undefined;
  }
  if (type === RRType.AAAA) {
    const b = new Uint8Array(16);
    return parseIPv6(tok.text, b) ? b : undefined;
  }
  return undefined;
}


/** Parses a zone file (and what it includes), sending records to `sink`. */
export function parseZoneFile(path: string, options: ZoneParseOptions, sink: RecordSink, addressSink?: AddressSink): ZoneParseResult {
  const p = new ZoneParser(options, sink, addressSink);
  p.run(() => p.parseFile(path, options.origin, 0));
  return { errors: p.errors, warnings: p.warnings, records: p.records, files: p.files };
}

/** Parses zone text held in memory; `$INCLUDE` is refused there. */
export function parseZoneText(text: string, options: ZoneParseOptions, sink: RecordSink, file = '<text>', addressSink?: AddressSink): ZoneParseResult {
  const p = new ZoneParser(options, sink, addressSink);
  p.run(() => p.parseText(text, file, options.origin));
  return { errors: p.errors, warnings: p.warnings, records: p.records, files: p.files };
}

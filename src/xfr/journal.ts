/**
 * The on-disk journal of a zone's changes (`<zonefile>.jnl`): the ZoneDiffs
 * that led to the current version, oldest first, so an IXFR (RFC 1995) can
 * be answered from any version the journal reaches back to.
 *
 * Layout: an 8-octet magic, then entries, each
 *
 *     u32 payload length | u32 CRC-32 of the payload | payload
 *
 * and a payload is
 *
 *     u32 fromSerial | u32 toSerial | u32 removed count | u32 added count |
 *     records (removed, then added)
 *
 * each record in uncompressed wire form: owner, TYPE, CLASS, TTL, RDLENGTH,
 * RDATA (RFC 1035 §4.1.3). An append that was cut short (a crash) fails
 * its length or checksum at the end of the file and is ignored; the next
 * append writes over it. Damage anywhere else (a bad checksum with entries
 * after it, a broken chain, a foreign file) is reported as corruption,
 * never taken for a journal that merely does not reach back.
 */
import { closeSync, existsSync, fstatSync, fsyncSync, openSync, readFileSync, readSync, writeSync, ftruncateSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { Name, copyBytes, type ResourceRecord } from '../wire/index.js';
import { writeFileAtomicSync } from './atomic-file.js';
import { StorageError } from './storage-error.js';
import type { ZoneDiff } from './zone-diff.js';

const MAGIC = Buffer.from('TYNEJNL\x01', 'latin1');
const ENTRY_HEADER = 8;
const PAYLOAD_HEADER = 16;
export const DEFAULT_JOURNAL_BYTES = 16 * 1024 * 1024;
/** When trimming, the journal is cut down to this share of maxBytes, so trims are not made on every append. */
const TRIM_TO = 0.75;

interface Entry {
  fromSerial: number;
  toSerial: number;
  /** File offset of the entry header. */
  offset: number;
  /** Header and payload. */
  length: number;
}

export interface JournalOptions {
  /** Size bound of the file; the oldest entries are dropped past it. Default 16 MiB. */
  maxBytes?: number;
}

function recordLength(rr: ResourceRecord): number {
  return rr.name.wire.length + 10 + rr.rdata.length;
}

function encodeEntry(diff: ZoneDiff): Buffer {
  let payload = PAYLOAD_HEADER;
  for (const rr of diff.removed) payload += recordLength(rr);
  for (const rr of diff.added) payload += recordLength(rr);
  const b = Buffer.allocUnsafe(ENTRY_HEADER + payload);
  b.writeUInt32BE(payload, 0);
  let p = ENTRY_HEADER;
  b.writeUInt32BE(diff.fromSerial >>> 0, p);
  b.writeUInt32BE(diff.toSerial >>> 0, p + 4);
  b.writeUInt32BE(diff.removed.length, p + 8);
  b.writeUInt32BE(diff.added.length, p + 12);
  p += PAYLOAD_HEADER;
  for (const list of [diff.removed, diff.added]) {
    for (const rr of list) {
      b.set(rr.name.wire, p);
      p += rr.name.wire.length;
      b.writeUInt16BE(rr.type, p);
      b.writeUInt16BE(rr.class, p + 2);
      b.writeUInt32BE(rr.ttl >>> 0, p + 4);
      b.writeUInt16BE(rr.rdata.length, p + 8);
      p += 10;
      b.set(rr.rdata, p);
      p += rr.rdata.length;
    }
  }
  b.writeUInt32BE(crc32(b.subarray(ENTRY_HEADER)), 4);
  return b;
}

/** Decodes a payload (checksum already verified), or says what is wrong with a malformed one. */
function decodePayload(b: Buffer): ZoneDiff | string {
  if (b.length < PAYLOAD_HEADER) return 'journal entry too short';
  const fromSerial = b.readUInt32BE(0);
  const toSerial = b.readUInt32BE(4);
  const counts = [b.readUInt32BE(8), b.readUInt32BE(12)];
  const lists: ResourceRecord[][] = [[], []];
  let p = PAYLOAD_HEADER;
  for (let l = 0; l < 2; l++) {
    for (let i = 0; i < counts[l]!; i++) {
      const start = p;
      for (;;) {
        if (p >= b.length) return 'journal record cut short';
        const len = b[p]!;
        if (len > 63) return 'bad label in journal';
        p += len + 1;
        if (len === 0) break;
      }
      if (p - start > 255 || p + 10 > b.length) return 'journal record cut short';
      const name = Name.trusted(copyBytes(b, start, p));
      const type = b.readUInt16BE(p);
      const cls = b.readUInt16BE(p + 2);
      const ttl = b.readUInt32BE(p + 4);
      const rdlen = b.readUInt16BE(p + 8);
      p += 10;
      if (p + rdlen > b.length) return 'journal rdata cut short';
      const rdata = copyBytes(b, p, p + rdlen);
      p += rdlen;
      lists[l]!.push({ name, type, class: cls, ttl, rdata });
    }
  }
  if (p !== b.length) return 'octets after the last journal record';
  return { fromSerial, toSerial, removed: lists[0]!, added: lists[1]! };
}

/**
 * A zone's journal. Entries form a chain (each starts at the serial the
 * previous one ended at); an append that does not continue the chain
 * starts a new journal.
 */
export class Journal {
  readonly path: string;
  readonly maxBytes: number;
  /** Hears of damage found after opening (an entry that no longer reads back intact). */
  onCorrupt: ((err: JournalCorruptError) => void) | null = null;
  private entries: Entry[];
  /** Octets of the file that hold valid data (magic and whole entries). */
  private size: number;
  /** True when the file must be rewritten (not appended to) before the next entry: missing or bad magic. */
  private fresh: boolean;

  private constructor(path: string, maxBytes: number, entries: Entry[], size: number, fresh: boolean) {
    this.path = path;
    this.maxBytes = maxBytes;
    this.entries = entries;
    this.size = size;
    this.fresh = fresh;
  }

  /**
   * Reads the journal at `path` (none yet, or an empty file, is an empty
   * journal). A torn last entry (a crash during an append: it runs to or
   * past the end of the file) is ignored, as is everything after it.
   * Anything else that is not a journal is corruption: throws
   * JournalCorruptError (STORAGE_CORRUPT) naming the file and the offset,
   * carrying the serials of the whole entries before the damage.
   */
  static open(path: string, opts: JournalOptions = {}): Journal {
    const maxBytes = opts.maxBytes ?? DEFAULT_JOURNAL_BYTES;
    if (!existsSync(path)) return new Journal(path, maxBytes, [], 0, true);
    let data: Buffer;
    try {
      data = readFileSync(path);
    } catch (err) {
      // A folder in its place (EISDIR), no permission (EACCES), a bad disk (EIO): not a journal that can be used.
      throw new JournalCorruptError(path, 0, `cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`, [], err);
    }
    if (data.length === 0) return new Journal(path, maxBytes, [], 0, true);
    if (data.length < MAGIC.length || !data.subarray(0, MAGIC.length).equals(MAGIC)) {
      throw new JournalCorruptError(path, 0, 'not a Tyne journal (bad magic)', []);
    }
    const entries: Entry[] = [];
    const serials = (): number[] => entries.flatMap((e) => [e.fromSerial, e.toSerial]);
    let p = MAGIC.length;
    while (p < data.length) {
      // What follows the last whole entry must be a torn append: an entry that runs to the end of the file or past it.
      const left = data.length - p;
      if (left < ENTRY_HEADER + PAYLOAD_HEADER) break;
      const len = data.readUInt32BE(p);
      const sum = data.readUInt32BE(p + 4);
      const end = p + ENTRY_HEADER + len;
      if (end >= data.length && (end > data.length || crc32(data.subarray(p + ENTRY_HEADER, end)) !== sum)) break;
      if (len < PAYLOAD_HEADER) throw new JournalCorruptError(path, p, `entry length ${len} is too short`, serials());
      const payload = data.subarray(p + ENTRY_HEADER, end);
      if (crc32(payload) !== sum) throw new JournalCorruptError(path, p, 'entry checksum does not match', serials());
      const fromSerial = payload.readUInt32BE(0);
      const toSerial = payload.readUInt32BE(4);
      const prev = entries[entries.length - 1];
      if (prev !== undefined && prev.toSerial !== fromSerial) {
        throw new JournalCorruptError(path, p, `entry from serial ${fromSerial} does not follow the one before (to ${prev.toSerial})`, serials());
      }
      entries.push({ fromSerial, toSerial, offset: p, length: end - p });
      p = end;
    }
    return new Journal(path, maxBytes, entries, p, false);
  }

  /** Every serial the entries name (from and to), oldest first. */
  serials(): number[] {
    return this.entries.flatMap((e) => [e.fromSerial, e.toSerial]);
  }

  /**
   * Empties the journal (atomically): used when the zone's history breaks,
   * so that no entry can ever be applied to a version it was not made from.
   */
  reset(): void {
    this.rewrite([]);
  }

  /** The serial the oldest entry starts from, or null when empty. */
  get firstSerial(): number | null {
    return this.entries.length === 0 ? null : this.entries[0]!.fromSerial;
  }

  /** The serial the newest entry leads to, or null when empty. */
  get lastSerial(): number | null {
    return this.entries.length === 0 ? null : this.entries[this.entries.length - 1]!.toSerial;
  }

  /** Number of entries. */
  get length(): number {
    return this.entries.length;
  }

  /** Octets of valid data in the file. */
  get bytes(): number {
    return this.size;
  }

  /**
   * Adds `diff` durably (written and fsynced before returning). A diff
   * that does not start where the journal ends replaces the journal. Past
   * maxBytes the oldest entries are dropped, by rewriting the file
   * atomically.
   */
  append(diff: ZoneDiff): void {
    const entry = encodeEntry(diff);
    const last = this.lastSerial;
    if (this.fresh || (last !== null && last !== diff.fromSerial >>> 0)) {
      this.rewrite([entry]);
      if (this.size > this.maxBytes) this.trim();
      return;
    }
    const fd = openSync(this.path, 'r+');
    try {
      // Whatever follows the valid data (a torn append) is overwritten.
      if (fstatSync(fd).size !== this.size) ftruncateSync(fd, this.size);
      let off = 0;
      while (off < entry.length) off += writeSync(fd, entry, off, entry.length - off, this.size + off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.entries.push({ fromSerial: diff.fromSerial >>> 0, toSerial: diff.toSerial >>> 0, offset: this.size, length: entry.length });
    this.size += entry.length;
    if (this.size > this.maxBytes) this.trim();
  }

  /**
   * append, without blocking the event loop on the write and its fsync
   * (the common case: the diff continues the journal, which stays within
   * maxBytes). Starting a new journal or trimming one is done as append
   * does. Appends must not overlap (the caller runs one change at a time).
   */
  async appendAsync(diff: ZoneDiff): Promise<void> {
    const entry = encodeEntry(diff);
    const last = this.lastSerial;
    if (this.fresh || (last !== null && last !== diff.fromSerial >>> 0) || this.size + entry.length > this.maxBytes) {
      this.append(diff);
      return;
    }
    const fh = await open(this.path, 'r+');
    try {
      // Whatever follows the valid data (a torn append) is overwritten.
      if ((await fh.stat()).size !== this.size) await fh.truncate(this.size);
      let off = 0;
      while (off < entry.length) off += (await fh.write(entry, off, entry.length - off, this.size + off)).bytesWritten;
      await fh.sync();
    } finally {
      await fh.close();
    }
    this.entries.push({ fromSerial: diff.fromSerial >>> 0, toSerial: diff.toSerial >>> 0, offset: this.size, length: entry.length });
    this.size += entry.length;
  }

  /** Drops the oldest entries until the file is within TRIM_TO of maxBytes (the newest is kept if it fits maxBytes). */
  private trim(): void {
    const target = Math.floor(this.maxBytes * TRIM_TO);
    let keep = this.entries.length;
    let total = MAGIC.length;
    while (keep > 0) {
      const e = this.entries[keep - 1]!;
      const limit = keep === this.entries.length ? this.maxBytes : target;
      if (total + e.length > limit) break;
      total += e.length;
      keep--;
    }
    const kept = this.entries.slice(keep);
    const chunks: Buffer[] = [];
    if (kept.length > 0) {
      const from = kept[0]!.offset;
      const buf = Buffer.allocUnsafe(this.size - from);
      const fd = openSync(this.path, 'r');
      try {
        let off = 0;
        while (off < buf.length) {
          const n = readSync(fd, buf, off, buf.length - off, from + off);
          if (n === 0) throw this.corrupt(new JournalCorruptError(this.path, from + off, 'file is shorter than its entries (while trimming)', this.serials()));
          off += n;
        }
      } finally {
        closeSync(fd);
      }
      chunks.push(buf);
    }
    this.rewrite(chunks);
  }

  /** Replaces the file with the magic and `chunks` (whole entries), atomically (src/xfr/atomic-file.ts). */
  private rewrite(chunks: Buffer[]): void {
    writeFileAtomicSync(this.path, [MAGIC, ...chunks]);
    // Re-index the entries at their new offsets.
    const entries: Entry[] = [];
    let size = MAGIC.length;
    for (const c of chunks) {
      for (let p = 0; p < c.length; ) {
        const len = c.readUInt32BE(p);
        entries.push({ fromSerial: c.readUInt32BE(p + 8), toSerial: c.readUInt32BE(p + 12), offset: size + p, length: ENTRY_HEADER + len });
        p += ENTRY_HEADER + len;
      }
      size += c.length;
    }
    this.entries = entries;
    this.size = size;
    this.fresh = false;
  }

  /**
   * The diffs leading from `serial` to `current`, oldest first ([] when
   * they are equal), or null when the journal does not reach back to
   * `serial` or its chain does not lead to `current`. Throws
   * JournalCorruptError when the entries cannot be read back intact.
   */
  since(serial: number, current: number): ZoneDiff[] | null {
    serial >>>= 0;
    current >>>= 0;
    if (serial === current) return [];
    const es = this.entries;
    // The newest entry starting at `serial` whose chain reaches `current`.
    for (let i = es.length - 1; i >= 0; i--) {
      if (es[i]!.fromSerial !== serial) continue;
      let j = i;
      while (es[j]!.toSerial !== current) {
        if (j + 1 >= es.length || es[j + 1]!.fromSerial !== es[j]!.toSerial) break;
        j++;
      }
      if (es[j]!.toSerial !== current) continue;
      return this.read(i, j);
    }
    return null;
  }

  /** Decodes entries i..j; throws JournalCorruptError when the file no longer holds them intact. */
  private read(i: number, j: number): ZoneDiff[] {
    const first = this.entries[i]!;
    const last = this.entries[j]!;
    const from = first.offset;
    const buf = Buffer.allocUnsafe(last.offset + last.length - from);
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch (err) {
      throw this.corrupt(new JournalCorruptError(this.path, from, `cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`, this.serials(), err));
    }
    try {
      let off = 0;
      while (off < buf.length) {
        let n: number;
        try {
          n = readSync(fd, buf, off, buf.length - off, from + off);
        } catch (err) {
          // Replaced by a folder while open (EISDIR), a bad disk (EIO): damage, reported as such.
          throw this.corrupt(new JournalCorruptError(this.path, from + off, `cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`, this.serials(), err));
        }
        if (n === 0) throw this.corrupt(new JournalCorruptError(this.path, from + off, 'file is shorter than its entries', this.serials()));
        off += n;
      }
    } finally {
      closeSync(fd);
    }
    const out: ZoneDiff[] = [];
    for (let k = i; k <= j; k++) {
      const e = this.entries[k]!;
      const at = e.offset - from;
      const payload = buf.subarray(at + ENTRY_HEADER, at + e.length);
      if (crc32(payload) !== buf.readUInt32BE(at + 4)) {
        throw this.corrupt(new JournalCorruptError(this.path, e.offset, 'entry checksum does not match (changed on disk)', this.serials()));
      }
      const diff = decodePayload(payload);
      if (typeof diff === 'string') throw this.corrupt(new JournalCorruptError(this.path, e.offset, diff, this.serials()));
      out.push(diff);
    }
    return out;
  }

  /** Tells the listener (once per error) and hands the error back for throwing. */
  private corrupt(err: JournalCorruptError): JournalCorruptError {
    this.onCorrupt?.(err);
    return err;
  }
}

/** A journal file that is damaged or not a journal: STORAGE_CORRUPT, with the offset and what was readable before it. */
export class JournalCorruptError extends StorageError {
  /** File offset of the damage. */
  readonly offset: number;
  /** Serials named by the whole entries before the damage (from and to, oldest first). */
  readonly serials: readonly number[];

  constructor(file: string, offset: number, what: string, serials: readonly number[], cause?: unknown) {
    super('STORAGE_CORRUPT', file, `journal is damaged at offset ${offset}: ${what}`, cause === undefined ? undefined : { cause });
    this.offset = offset;
    this.serials = serials;
  }
}

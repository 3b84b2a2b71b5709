/**
 * Worker side of loadZoneFileAsync (see load-zone-async.ts): for each job
 * it is sent, parses one zone file and posts its records back in batches,
 * each batch one transferred ArrayBuffer, then posts the parse diagnostics.
 *
 * Record encoding (big-endian, see decodeRecord in load-zone-async.ts):
 *   flags      u8   bit 0: same owner Name object as the previous record
 *   ownerLen   u8   only when bit 0 is clear
 *   owner      ownerLen octets of uncompressed wire name (case kept)
 *   type       u16
 *   class      u16
 *   ttl        u32
 *   rdataLen   u32
 *   rdata      rdataLen octets
 *   file       u32  index into the file names sent so far (each sent once, in `newFiles`)
 *   line       u32
 *   col        u32
 */
import { parentPort } from 'node:worker_threads';
import { Name, type Diagnostic, type ResourceRecord, type SourcePosition } from '../wire/index.js';
import { parseZoneFile, type ZoneParseOptions } from '../zonefile/index.js';

/** What the main thread hands the worker. */
export interface ZoneParseJob {
  path: string;
  /** The origin's wire form. */
  origin: Uint8Array;
  options: Omit<ZoneParseOptions, 'origin'>;
  /** Target size of one batch in octets. */
  batchBytes: number;
}

/** Messages from the worker, in order: any number of batches, then one done. */
export type ZoneParseMessage =
  | { kind: 'batch'; buffer: ArrayBuffer; length: number; count: number; newFiles: string[] }
  | { kind: 'done'; errors: Diagnostic[]; warnings: Diagnostic[]; files: string[]; records: number };

/** Fixed part of a record beside owner and rdata: flags, ownerLen, type, class, ttl, rdataLen, file, line, col. */
const FIXED = 1 + 1 + 2 + 2 + 4 + 4 + 4 + 4 + 4;

function run(port: NonNullable<typeof parentPort>, job: ZoneParseJob): void {
  const fileIndex = new Map<string, number>();
  let newFiles: string[] = [];
  let lastFile = '';
  let lastFileIdx = -1;

  let buf = new ArrayBuffer(job.batchBytes);
  let bytes = new Uint8Array(buf);
  let view = new DataView(buf);
  let off = 0;
  let count = 0;
  let prevName: Name | undefined;

  const flush = (): void => {
    if (count === 0) return;
    const msg: ZoneParseMessage = { kind: 'batch', buffer: buf, length: off, count, newFiles };
    port.postMessage(msg, [buf]);
    newFiles = [];
    count = 0;
    off = 0;
  };

  const sink = (rr: ResourceRecord, at: SourcePosition): void => {
    const sameOwner = rr.name === prevName;
    const owner = rr.name.wire;
    const rdata = rr.rdata;
    const need = FIXED + (sameOwner ? 0 : owner.length) + rdata.length;
    if (off + need > buf.byteLength) {
      // Send what is there (which detaches buf), then start a new batch big enough for this record.
      flush();
      buf = new ArrayBuffer(Math.max(job.batchBytes, need));
      bytes = new Uint8Array(buf);
      view = new DataView(buf);
    }
    let f: number;
    if (at.file === lastFile && lastFileIdx >= 0) f = lastFileIdx;
    else {
      f = fileIndex.get(at.file) ?? -1;
      if (f < 0) {
        f = fileIndex.size;
        fileIndex.set(at.file, f);
        newFiles.push(at.file);
      }
      lastFile = at.file;
      lastFileIdx = f;
    }
    if (sameOwner) {
      bytes[off++] = 1;
    } else {
      bytes[off++] = 0;
      bytes[off++] = owner.length;
      bytes.set(owner, off);
      off += owner.length;
    }
    view.setUint16(off, rr.type);
    view.setUint16(off + 2, rr.class);
    view.setUint32(off + 4, rr.ttl >>> 0);
    view.setUint32(off + 8, rdata.length);
    off += 12;
    bytes.set(rdata, off);
    off += rdata.length;
    view.setUint32(off, f);
    view.setUint32(off + 4, at.line);
    view.setUint32(off + 8, at.col);
    off += 12;
    count++;
    prevName = rr.name;
  };

  const origin = Name.fromWire(job.origin);
  const parsed = parseZoneFile(job.path, { ...job.options, origin }, sink);
  flush();
  const done: ZoneParseMessage = { kind: 'done', errors: parsed.errors, warnings: parsed.warnings, files: parsed.files, records: parsed.records };
  port.postMessage(done);
}

// Jobs come as messages, one at a time: a worker is kept between loads (see load-zone-async.ts).
const port = parentPort;
if (port !== null) port.on('message', (job: ZoneParseJob) => run(port, job));

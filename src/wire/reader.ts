import { MAX_LABEL, MAX_NAME } from './name.js';
import { WireErrorCode, WireFormatError } from './wire-format-error.js';

/**
 * A bounds-checked cursor over a DNS message. Every read past `end` throws
 * WireFormatError(SHORT_READ); nothing is copied unless asked for.
 */
export class WireReader {
  readonly buf: Uint8Array;
  pos: number;
  /** Reads stop here (the message end, or the end of one rdata). */
  end: number;

  constructor(buf: Uint8Array, pos = 0, end = buf.length) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
  }

  need(n: number): void {
    if (this.pos + n > this.end) {
      throw new WireFormatError(WireErrorCode.SHORT_READ, `need ${n} more octets, have ${this.end - this.pos}`, this.pos);
    }
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  u16(): number {
    this.need(2);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 2;
    return (b[p]! << 8) | b[p + 1]!;
  }

  u32(): number {
    this.need(4);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 4;
    return ((b[p]! << 24) >>> 0) + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
  }

  /** A view (not a copy) of the next `n` octets. */
  bytes(n: number): Uint8Array {
    this.need(n);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /**
   * Reads a name at the cursor into `scratch` (at least 255 octets),
   * following compression pointers when `allowPointers` is set, and returns
   * its uncompressed length. The cursor ends after the name's first
   * pointer or root label.
   *
   * RFC 1035 §4.1.4: a pointer refers to a prior occurrence. Each pointer
   * must point strictly before the previous jump, so loops cannot happen and
   * forward pointers are refused, as BIND does.
   */
  readNameInto(scratch: Uint8Array, allowPointers = true): number {
    const buf = this.buf;
    let p = this.pos;
    let limit = this.end; // labels of the uncompressed part must stay inside the rdata / message
    let lowest = p; // every pointer must target an offset below this
    let out = 0;
    let jumped = false;
    for (;;) {
      if (p >= limit) throw new WireFormatError(WireErrorCode.SHORT_READ, 'name runs past the end', p);
      const len = buf[p]!;
      if (len === 0) {
        scratch[out++] = 0;
        if (!jumped) this.pos = p + 1;
        return out;
      }
      const kind = len & 0xc0;
      if (kind === 0xc0) {
        if (!allowPointers) {
          throw new WireFormatError(WireErrorCode.POINTER_NOT_ALLOWED, 'compression pointer in a field that may not be compressed', p);
        }
        if (p + 1 >= limit) throw new WireFormatError(WireErrorCode.SHORT_READ, 'compression pointer cut short', p);
        const target = ((len & 0x3f) << 8) | buf[p + 1]!;
        if (target >= lowest) {
          throw new WireFormatError(
            target > p ? WireErrorCode.FORWARD_POINTER : WireErrorCode.POINTER_LOOP,
            `compression pointer to ${target} does not point backwards`,
            p,
          );
        }
        if (!jumped) {
          this.pos = p + 2;
          jumped = true;
        }
        lowest = target;
        p = target;
        limit = buf.length; // pointed-to data lives anywhere earlier in the message
        continue;
      }
      if (kind !== 0) {
        throw new WireFormatError(WireErrorCode.BAD_LABEL_TYPE, `label type 0x${kind.toString(16)} is not supported`, p);
      }
      if (len > MAX_LABEL) throw new WireFormatError(WireErrorCode.LABEL_TOO_LONG, 'label longer than 63 octets', p);
      if (p + 1 + len > limit) throw new WireFormatError(WireErrorCode.SHORT_READ, 'label runs past the end', p);
      if (out + len + 2 > MAX_NAME) throw new WireFormatError(WireErrorCode.NAME_TOO_LONG, 'name longer than 255 octets', this.pos);
      scratch[out++] = len;
      for (let i = 1; i <= len; i++) scratch[out++] = buf[p + i]!;
      p += len + 1;
    }
  }

  /** Reads a name and returns a fresh copy of its uncompressed wire form. */
  readName(allowPointers = true): Uint8Array {
    const n = this.readNameInto(SCRATCH, allowPointers);
    return SCRATCH.slice(0, n);
  }

  /** Skips over a (possibly compressed) name, validating it. */
  skipName(allowPointers = true): void {
    this.readNameInto(SCRATCH, allowPointers);
  }
}

/** Shared scratch space; safe because reads are synchronous. */
const SCRATCH = new Uint8Array(MAX_NAME + 1);

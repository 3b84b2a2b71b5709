/** ByteBuilder: the growable octet buffer rdata is built in from text. */

/** Growable octet buffer for building rdata from text (not a hot path). */
export class ByteBuilder {
  private buf = new Uint8Array(64);
  length = 0;

  private grow(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  u8(v: number): void {
    this.grow(1);
    this.buf[this.length++] = v;
  }

  u16(v: number): void {
    this.grow(2);
    this.buf[this.length++] = v >>> 8;
    this.buf[this.length++] = v;
  }

  u32(v: number): void {
    this.u16(v >>> 16);
    this.u16(v & 0xffff);
  }

  bytes(b: Uint8Array): void {
    this.grow(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  patchU16(at: number, v: number): void {
    this.buf[at] = v >>> 8;
    this.buf[at + 1] = v;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

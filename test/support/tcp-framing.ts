/**
 * DNS over TCP framing for tests: each message behind its two-octet length
 * (RFC 1035 §4.2.2, RFC 7766 §8), and a reader that takes whole messages
 * off a byte stream however the stream was cut into chunks.
 */

/** `msg` with its two-octet length prefix; a message longer than 65,535 octets cannot be framed. */
export function frame(msg: Uint8Array): Buffer {
  if (msg.length > 0xffff) throw new RangeError(`a ${msg.length}-octet message does not fit a two-octet length`);
  const b = Buffer.alloc(2 + msg.length);
  b.writeUInt16BE(msg.length, 0);
  b.set(msg, 2);
  return b;
}

/** Every message of `msgs` framed, one after the other (a pipeline, for one write). */
export function frameAll(msgs: readonly Uint8Array[]): Buffer {
  return Buffer.concat(msgs.map(frame));
}

/** Collects the octets of a TCP stream and gives back whole messages (without their length prefixes). */
export class FrameReader {
  #buf: Buffer = Buffer.alloc(0);

  /** Adds octets as they were received. */
  push(chunk: Uint8Array): void {
    this.#buf = this.#buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.#buf, chunk]);
  }

  /** The next whole message (a copy), or null while it has not all come. */
  next(): Uint8Array | null {
    if (this.#buf.length < 2) return null;
    const len = this.#buf.readUInt16BE(0);
    if (this.#buf.length < 2 + len) return null;
    const msg = new Uint8Array(this.#buf.subarray(2, 2 + len));
    this.#buf = this.#buf.subarray(2 + len);
    return msg;
  }

  /** Every whole message received and not yet taken. */
  drain(): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let m = this.next(); m !== null; m = this.next()) out.push(m);
    return out;
  }

  /** Octets held that do not yet make a whole message. */
  get pending(): number {
    return this.#buf.length;
  }
}

/** Writing the 12-octet DNS message header (RFC 1035 §4.1.1): ID, flags and the four section counts. */

/**
 * Writes the header into `out[0, 12)`: the ID, the 16 flag bits (QR,
 * opcode, AA, TC, RD, RA, Z, AD, CD and RCODE, RFC 1035 §4.1.1 and RFC 4035
 * §3.2), then QDCOUNT, ANCOUNT, NSCOUNT and ARCOUNT, each big-endian.
 */
export function writeHeader(out: Uint8Array, id: number, flags: number, qd: number, an: number, ns: number, ar: number): void {
  out[0] = id >>> 8;
  out[1] = id;
  out[2] = flags >>> 8;
  out[3] = flags;
  out[4] = qd >>> 8;
  out[5] = qd;
  out[6] = an >>> 8;
  out[7] = an;
  out[8] = ns >>> 8;
  out[9] = ns;
  out[10] = ar >>> 8;
  out[11] = ar;
}

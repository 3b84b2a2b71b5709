/** Bit map field kinds: BITMAP (RR types, RFC 4034 §4.1.2) and PORTS (WKS, RFC 1035 §3.4.2). */

import { defineField, parseNumber, REST_SIZE, type FieldCodec } from './rdata-field-codec.js';
import { parseType } from './rr-type.js';
import { encodeTypeBitmap, typeBitmapToText, validateTypeBitmap } from './type-bitmap.js';
import { WireErrorCode, WireFormatError } from './wire-format-error.js';

/** Type bit map up to the end (RFC 4034 §4.1.2). */
export const typeBitmapField: FieldCodec = defineField({
  size: REST_SIZE,
  name: undefined,
  fromText(tokens, i, _origin, out) {
    const types: number[] = [];
    for (; i < tokens.length; i++) types.push(parseType(tokens[i]!.text, i));
    out.bytes(encodeTypeBitmap(types));
    return i;
  },
  toText(r, p, parts) {
    if (p < r.length) parts.push(typeBitmapToText(r, p, r.length));
    return r.length;
  },
  validate(b, p, end) {
    validateTypeBitmap(b, p, end);
    return end;
  },
});

/** WKS port bit map up to the end, written as port numbers (RFC 1035 §3.4.2). */
export const portsField: FieldCodec = defineField({
  size: REST_SIZE,
  name: undefined,
  fromText(tokens, i, _origin, out) {
    const bits = new Uint8Array(8192);
    let used = 0;
    for (; i < tokens.length; i++) {
      const port = parseNumber(tokens[i], 0xffff, 'port', i);
      bits[port >> 3]! |= 0x80 >> (port & 7);
      used = Math.max(used, (port >> 3) + 1);
    }
    out.bytes(bits.subarray(0, used));
    return i;
  },
  toText(r, p, parts) {
    for (let q = p; q < r.length; q++) {
      for (let bit = 0; bit < 8; bit++) if (r[q]! & (0x80 >> bit)) parts.push(String((q - p) * 8 + bit));
    }
    return r.length;
  },
  validate(_b, p, end) {
    // RFC 1035 §3.4.2: one bit per port, so at most 65536 bits.
    if (end - p > 8192) throw new WireFormatError(WireErrorCode.BAD_RDATA, 'WKS bit map longer than 8192 octets', p);
    return end;
  },
});

import { F, type FieldKind, fieldsFromText, fieldsFromWire, fieldsToText, validateFields } from './rdata-field.js';
import type { RdataCodec } from './rdata-codec.js';
import { TextErrorCode, TextFormatError } from './text-format-error.js';
import { WireErrorCode, WireFormatError } from './wire-format-error.js';

/**
 * RFC 4025 §2.3-2.5: the gateway field's form depends on the gateway type:
 * 0 none (written `.`), 1 IPv4, 2 IPv6, 3 an uncompressed domain name.
 */
const LAYOUTS: readonly (readonly FieldKind[])[] = [
  [F.U8, F.U8, F.U8, F.B64_0],
  [F.U8, F.U8, F.U8, F.A, F.B64_0],
  [F.U8, F.U8, F.U8, F.AAAA, F.B64_0],
  [F.U8, F.U8, F.U8, F.NAME_N, F.B64_0],
];

function layout(gatewayType: number | undefined, token: number): readonly FieldKind[] {
  const l = gatewayType === undefined ? undefined : LAYOUTS[gatewayType];
  if (l === undefined) {
    if (token >= 0) throw new TextFormatError(TextErrorCode.BAD_VALUE, `bad IPSECKEY gateway type '${gatewayType}'`, token);
    throw new WireFormatError(WireErrorCode.BAD_RDATA, `bad IPSECKEY gateway type ${gatewayType}`);
  }
  return l;
}

function validate(r: Uint8Array): void {
  if (r.length < 3) throw new WireFormatError(WireErrorCode.RDATA_LENGTH, 'IPSECKEY rdata too short');
  validateFields(layout(r[1], -1), r, 0, r.length);
}

export const ipseckeyCodec: RdataCodec = {
  compressible: false,
  fromText(tokens, origin) {
    const gt = tokens[1] !== undefined && /^[0-9]{1,3}$/.test(tokens[1].text) ? Number(tokens[1].text) : -1;
    const fields = layout(gt, 1);
    if (gt === 0) {
      if (tokens[3]?.text !== '.') throw new TextFormatError(TextErrorCode.BAD_VALUE, "gateway type 0 needs '.' as gateway", 3);
      return fieldsFromText(fields, [...tokens.slice(0, 3), ...tokens.slice(4)], origin);
    }
    return fieldsFromText(fields, tokens, origin);
  },
  toText(r) {
    const text = fieldsToText(layout(r[1], -1), r);
    if (r[1] !== 0) return text;
    const parts = text.split(' ');
    parts.splice(3, 0, '.');
    return parts.join(' ');
  },
  fromWire(rd, rdlength) {
    const start = rd.pos;
    rd.need(Math.min(rdlength, 3));
    if (rdlength < 3) throw new WireFormatError(WireErrorCode.RDATA_LENGTH, 'IPSECKEY rdata too short', start);
    return fieldsFromWire(layout(rd.buf[start + 1], -1), false, rd, rdlength);
  },
  validate,
  toWire: (w, rdata) => w.bytes(rdata),
  canonical: (rdata) => rdata,
};

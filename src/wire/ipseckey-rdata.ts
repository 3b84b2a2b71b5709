import { opaqueCodec, type RdataCodec } from './rdata-codec-interface.js';
import { fieldsFromText, fieldsToText, validateFields } from './rdata-field.js';
import { F, type FieldKind } from './rdata-field-kind.js';
import { genericRdataText } from './rdata-generic.js';
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
  [F.U8, F.U8, F.U8, F.NAME_VERBATIM, F.B64_0],
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

export const ipseckeyCodec: RdataCodec = opaqueCodec({
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
  validate,
});

/**
 * RFC 8777 §4.2: AMTRELAY is precedence, a D bit with a 7-bit relay
 * type, then the relay: 0 none (written `.`), 1 IPv4, 2 IPv6, 3 an
 * uncompressed domain name. Other relay types are opaque and only have the
 * RFC 3597 text form, as in BIND.
 */
const AMT_LAYOUTS: readonly (readonly FieldKind[])[] = [
  [F.U8, F.U8],
  [F.U8, F.U8, F.A],
  [F.U8, F.U8, F.AAAA],
  [F.U8, F.U8, F.NAME_VERBATIM],
];

function amtValidate(r: Uint8Array): void {
  if (r.length < 2) throw new WireFormatError(WireErrorCode.RDATA_LENGTH, 'AMTRELAY rdata too short');
  const l = AMT_LAYOUTS[r[1]! & 0x7f];
  if (l !== undefined) validateFields(l, r, 0, r.length);
}

export const amtrelayCodec: RdataCodec = opaqueCodec({
  fromText(tokens, origin) {
    const d = tokens[1]?.text;
    // RFC 8777 §4.2.2, §4.3: the discovery optional flag is written 0 or 1.
    if (d !== '0' && d !== '1') throw new TextFormatError(TextErrorCode.BAD_VALUE, `bad AMTRELAY D flag '${d ?? ''}' (want 0 or 1)`, 1);
    const rt = tokens[2] !== undefined && /^[0-9]{1,3}$/.test(tokens[2].text) ? Number(tokens[2].text) : -1;
    const l = AMT_LAYOUTS[rt];
    if (l === undefined) throw new TextFormatError(TextErrorCode.BAD_VALUE, `bad AMTRELAY relay type '${tokens[2]?.text ?? ''}'`, 2);
    const typeOctet = { text: String((d === '1' ? 0x80 : 0) | rt), quoted: false };
    if (rt === 0) {
      // RFC 8777 §4.3: with no relay (type 0) the relay field is written '.'.
      if (tokens[3]?.text !== '.') throw new TextFormatError(TextErrorCode.BAD_VALUE, "relay type 0 needs '.' as relay", 3);
      return fieldsFromText(l, [tokens[0]!, typeOctet, ...tokens.slice(4)], origin);
    }
    return fieldsFromText(l, [tokens[0]!, typeOctet, ...tokens.slice(3)], origin);
  },
  toText(r) {
    const rt = r[1]! & 0x7f;
    const l = AMT_LAYOUTS[rt];
    if (l === undefined) return genericRdataText(r);
    const parts = fieldsToText(l, r).split(' ');
    parts.splice(1, 1, String(r[1]! >> 7), String(rt));
    if (rt === 0) parts.push('.');
    return parts.join(' ');
  },
  validate: amtValidate,
});

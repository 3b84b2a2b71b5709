import { ByteBuilder } from './byte-builder.js';
import { opaqueCodec, type RdataCodec } from './rdata-codec-interface.js';
import { TextErrorCode, TextFormatError } from './text-format-error.js';
import type { TextToken } from './text-token.js';
import { WireErrorCode, WireFormatError } from './wire-format-error.js';

/** RFC 1876 §2: the equator and prime meridian sit at 2^31; altitude is offset by 100000 m. */
const EQUATOR = 2 ** 31;
const ALT_BASE = 10000000;
const MAX_ALT = 4284967295; // cm above the base that fit in 32 bits
const MAX_SIZE = 9000000000; // 9e9 cm = 90000 km, the largest mantissa/exponent value
const POW10 = [1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000];

function fail(why: string, token: number): never {
  throw new TextFormatError(TextErrorCode.BAD_VALUE, `bad LOC: ${why}`, token);
}

/** Metres with at most two decimals and an optional `m`, in centimetres. */
function parseMetres(t: TextToken | undefined, i: number, signed: boolean): number {
  const m = t === undefined ? null : /^(-?)([0-9]+)(?:\.([0-9]{0,2}))?m?$|^(-?)\.([0-9]{1,2})m?$/.exec(t.text);
  if (m === null) fail(`'${t?.text ?? ''}' is not a distance in metres`, i);
  const neg = (m[1] ?? m[4]) === '-';
  if (neg && !signed) fail('negative size', i);
  const whole = Number(m[2] ?? '0');
  const frac = (m[3] ?? m[5] ?? '').padEnd(2, '0');
  const cm = whole * 100 + Number(frac);
  return neg ? -cm : cm;
}

/** RFC 1876 §2: a size as mantissa (high nibble) and power of ten (low nibble), truncating. */
function encodePrecision(cm: number): number {
  let exp = 0;
  while (exp < 9 && cm >= POW10[exp + 1]!) exp++;
  const man = Math.floor(cm / POW10[exp]!);
  return (man << 4) | exp;
}

function precisionToCm(b: number): number {
  return (b >> 4) * POW10[b & 15]!;
}

function metresText(cm: number): string {
  const sign = cm < 0 ? '-' : '';
  const a = Math.abs(cm);
  return `${sign}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}m`;
}

/** BIND prints whole metres bare, anything else (zero included) with two decimals. */
function sizeText(cm: number): string {
  return cm % 100 === 0 && cm > 0 ? `${cm / 100}m` : metresText(cm);
}

/** Parses `deg [min [sec]] HEMI`, returning thousandths of an arc second from the reference. */
function parseCoordinate(tokens: TextToken[], start: number, maxDeg: number, hemis: string): [number, number] {
  let i = start;
  const isHemi = (t: TextToken | undefined): boolean => t !== undefined && t.text.length === 1 && hemis.includes(t.text.toUpperCase());
  const int = (what: string, max: number): number => {
    const t = tokens[i];
    if (t === undefined || !/^[0-9]{1,10}$/.test(t.text) || Number(t.text) > max) fail(`bad ${what} '${t?.text ?? ''}'`, i);
    i++;
    return Number(t.text);
  };
  const deg = int('degrees', maxDeg);
  let min = 0;
  let ms = 0;
  if (!isHemi(tokens[i])) {
    min = int('minutes', 59);
    if (!isHemi(tokens[i])) {
      const t = tokens[i];
      const m = t === undefined ? null : /^([0-9]+)(?:\.([0-9]{0,3}))?$|^\.([0-9]{1,3})$/.exec(t.text);
      if (m === null) fail(`bad seconds '${t?.text ?? ''}'`, i);
      const whole = Number(m[1] ?? '0');
      if (whole > 59) fail(`bad seconds '${t!.text}'`, i);
      ms = whole * 1000 + Number((m[2] ?? m[3] ?? '').padEnd(3, '0'));
      i++;
    }
  }
  const h = tokens[i];
  if (!isHemi(h)) fail(`expected ${hemis[0]} or ${hemis[1]}, got '${h?.text ?? ''}'`, i);
  const abs = ((deg * 60 + min) * 60) * 1000 + ms;
  if (abs > maxDeg * 3600000) fail(`more than ${maxDeg} degrees`, i);
  const v = h!.text.toUpperCase() === hemis[0] ? EQUATOR + abs : EQUATOR - abs;
  return [v, i + 1];
}

function coordinateText(v: number, hemis: string): string {
  const north = v >= EQUATOR;
  const abs = north ? v - EQUATOR : EQUATOR - v;
  const deg = Math.floor(abs / 3600000);
  const min = Math.floor((abs % 3600000) / 60000);
  const ms = abs % 60000;
  return `${deg} ${min} ${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, '0')} ${north ? hemis[0] : hemis[1]}`;
}

function u32(b: Uint8Array, p: number): number {
  return ((b[p]! << 24) >>> 0) + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
}

function validate(r: Uint8Array): void {
  if (r.length !== 16) throw new WireFormatError(WireErrorCode.RDATA_LENGTH, `LOC rdata is 16 octets, got ${r.length}`);
  if (r[0] !== 0) throw new WireFormatError(WireErrorCode.BAD_RDATA, `LOC version ${r[0]} is not supported`);
  for (let i = 1; i <= 3; i++) {
    if (r[i]! >> 4 > 9 || (r[i]! & 15) > 9) throw new WireFormatError(WireErrorCode.BAD_RDATA, 'LOC precision digit above 9');
  }
  if (Math.abs(u32(r, 4) - EQUATOR) > 90 * 3600000) throw new WireFormatError(WireErrorCode.BAD_RDATA, 'LOC latitude beyond 90 degrees');
  if (Math.abs(u32(r, 8) - EQUATOR) > 180 * 3600000) throw new WireFormatError(WireErrorCode.BAD_RDATA, 'LOC longitude beyond 180 degrees');
}

/** RFC 1876 LOC. */
export const locCodec: RdataCodec = opaqueCodec({
  fromText(tokens) {
    const [lat, i1] = parseCoordinate(tokens, 0, 90, 'NS');
    const [lon, i2] = parseCoordinate(tokens, i1, 180, 'EW');
    let i = i2;
    const alt = parseMetres(tokens[i], i, true);
    if (alt < -ALT_BASE || alt > MAX_ALT) fail('altitude out of range', i);
    i++;
    const sizes = [100, 1000000, 1000]; // RFC 1876 defaults: 1 m, 10000 m, 10 m
    for (let s = 0; s < 3 && i < tokens.length; s++, i++) {
      const cm = parseMetres(tokens[i], i, false);
      if (cm > MAX_SIZE) fail('size above 90000000m', i);
      sizes[s] = cm;
    }
    if (i < tokens.length) throw new TextFormatError(TextErrorCode.EXTRA_FIELD, `unexpected extra text '${tokens[i]!.text}'`, i);
    const out = new ByteBuilder();
    out.u8(0);
    for (const cm of sizes) out.u8(encodePrecision(cm));
    out.u32(lat);
    out.u32(lon);
    out.u32(alt + ALT_BASE);
    return out.finish();
  },
  toText(r) {
    return [
      coordinateText(u32(r, 4), 'NS'),
      coordinateText(u32(r, 8), 'EW'),
      metresText(u32(r, 12) - ALT_BASE),
      sizeText(precisionToCm(r[1]!)),
      sizeText(precisionToCm(r[2]!)),
      sizeText(precisionToCm(r[3]!)),
    ].join(' ');
  },
  validate,
});

import { TextErrorCode, TextFormatError } from './text-format-error.js';

/**
 * RFC 4034 §3.2: RRSIG times are either YYYYMMDDHHmmSS (UTC) or a plain
 * number of seconds since the epoch, stored modulo 2^32.
 */
export function parseDnssecTime(text: string, token = -1): number {
  if (/^[0-9]{14}$/.test(text)) {
    const y = Number(text.slice(0, 4));
    const mo = Number(text.slice(4, 6));
    const d = Number(text.slice(6, 8));
    const h = Number(text.slice(8, 10));
    const mi = Number(text.slice(10, 12));
    const s = Number(text.slice(12, 14));
    const ms = Date.UTC(y, mo - 1, d, h, mi, s);
    const back = new Date(ms);
    if (
      y < 1970 || back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d ||
      back.getUTCHours() !== h || back.getUTCMinutes() !== mi || back.getUTCSeconds() !== s
    ) {
      throw new TextFormatError(TextErrorCode.BAD_TIME, `bad time '${text}'`, token);
    }
    return (ms / 1000) % 0x100000000;
  }
  if (/^[0-9]{1,10}$/.test(text) && Number(text) <= 0xffffffff) return Number(text);
  throw new TextFormatError(TextErrorCode.BAD_TIME, `bad time '${text}'`, token);
}

export function formatDnssecTime(t: number): string {
  const d = new Date(t * 1000);
  const p2 = (n: number): string => (n < 10 ? '0' : '') + n;
  return (
    String(d.getUTCFullYear()).padStart(4, '0') + p2(d.getUTCMonth() + 1) + p2(d.getUTCDate()) +
    p2(d.getUTCHours()) + p2(d.getUTCMinutes()) + p2(d.getUTCSeconds())
  );
}

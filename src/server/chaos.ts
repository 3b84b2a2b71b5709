/** CHAOS-class answers about the server itself (RFC 4892): version.bind, id.server and their aliases. */
import { RRType, lowerByte } from '../wire/index.js';

/** The CH-class names BIND answers about itself, and which setting each shows. */
const NAMES: readonly [string, 'version' | 'identity'][] = [
  ['version.bind', 'version'],
  ['version.server', 'version'],
  ['id.server', 'identity'],
  ['hostname.bind', 'identity'],
];

const CLASS_CH = 3;

/** Wire names of NAMES, lowercase. */
const WIRE = NAMES.map(([text, which]) => {
  const labels = text.split('.');
  const bytes: number[] = [];
  for (const l of labels) bytes.push(l.length, ...Buffer.from(l, 'latin1'));
  bytes.push(0);
  return { wire: Uint8Array.from(bytes), which };
});

/**
 * The answer record (owner compressed to the question, TTL 0, class CH) for
 * a CH TXT (or ANY) question about the server, as BIND gives for
 * version.bind and id.server (RFC 4892 §2.1); null when the question is
 * not one of those or its setting is unset (then REFUSED).
 */
export function chaosAnswer(buf: Uint8Array, qnameEnd: number, qtype: number, settings: { version: string | null; identity: string | null }): Uint8Array | null {
  if (qtype !== RRType.TXT && qtype !== RRType.ANY) return null;
  const len = qnameEnd - 12;
  for (const { wire, which } of WIRE) {
    if (wire.length !== len) continue;
    let same = true;
    for (let i = 0; i < len && same; i++) {
      const b = buf[12 + i]!;
      same = lowerByte(b) === wire[i];
    }
    if (!same) continue;
    const value = settings[which];
    if (value === null) return null;
    const text = Buffer.from(value, 'utf8').subarray(0, 255);
    const rec = new Uint8Array(2 + 10 + 1 + text.length);
    rec[0] = 0xc0; // pointer to the question name at offset 12
    rec[1] = 12;
    rec[2] = 0;
    rec[3] = RRType.TXT;
    rec[4] = 0;
    rec[5] = CLASS_CH;
    // TTL 0 (octets 6..9)
    rec[10] = 0;
    rec[11] = 1 + text.length;
    rec[12] = text.length;
    rec.set(text, 13);
    return rec;
  }
  return null;
}

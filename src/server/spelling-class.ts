/**
 * Spelling classes of a prepared answer (issue 16 §1: questions in 0x20
 * mixed case). Compression matches names octet for octet, letter case
 * included, as BIND does (RFC 1035 §4.1.4, RFC 4343 §4.1), so a question's
 * letter case can change the answer's octets: a name of the answer that
 * equals a suffix of the question, case aside, is a pointer to the
 * question only when it is spelled the same. When every such name is
 * spelled as the node spells that suffix, the answer depends on the
 * question's case only through where the question's longest suffix
 * spelled as the node begins (ZoneNode.spelledFrom): one entry then serves
 * every question of that class, whatever case its other letters have.
 */
import type { Answer } from '../query/index.js';
import { WireWriter, equalIgnoringCase, writeRdata } from '../wire/index.js';
import type { ZoneNode } from '../zone/index.js';

/** The class of entries kept for the exact octets of one question (an answer whose names are not spelled alike). */
export const EXACT_SPELLING = 255;
/** Spelling classes per key (spelledFrom is at most 254: a name has at most 255 octets). */
export const SPELLING_CLASSES = 256;

/** Writes rdata only to see which of its names are written with compression (keep time only, never per query). */
const recorder = new WireWriter(new Uint8Array(65535 + 512));

/**
 * True when `result`, the answer to the question buf[12, qnameEnd) at
 * `node`, has every owner and every name its rdata writes with compression
 * spelled as the node spells the suffix of the question it equals (letter
 * case aside), wherever it equals one. Then its encoded octets are the same
 * for every question with the same `node.spelledFrom`.
 */
export function uniformSpelling(result: Answer, node: ZoneNode, buf: Uint8Array, qnameEnd: number): boolean {
  const spelled = node.transientName().wire;
  const qlen = qnameEnd - 12;
  if (spelled.length !== qlen) return false;
  let ok = true;
  const check = (src: Uint8Array, off: number, total: number): void => {
    for (let a = off; ok; a += src[a]! + 1) {
      const suffix = total - (a - off);
      // The question's suffix of that length, if one starts at a label there (the node's labels are the question's).
      const q = qlen - suffix;
      if (q >= 0 && startsLabel(spelled, q) && equalIgnoringCase(src, a, buf, 12 + q, suffix)) {
        for (let i = 0; i < suffix; i++) {
          if (src[a + i] !== spelled[q + i]) {
            ok = false;
            return;
          }
        }
      }
      if (src[a] === 0) return;
    }
  };
  recorder.nameSink = check;
  try {
    for (const section of [result.answer, result.authority, result.additional]) {
      for (const r of section) {
        check(r.owner, 0, r.owner.length);
        recorder.reset();
        writeRdata(recorder, r.type, r.rdata, true);
        if (!ok) return false;
      }
    }
  } finally {
    recorder.nameSink = null;
  }
  return ok;
}

/** True when a label of the name `wire` starts at `at`. */
function startsLabel(wire: Uint8Array, at: number): boolean {
  for (let p = 0; p < wire.length; p += wire[p]! + 1) {
    if (p === at) return true;
    if (wire[p] === 0) return false;
  }
  return false;
}

/**
 * Helpers for the table-driven tests of the pure `answer` function (in the
 * style of CoreDNS's lookup_test.go): zones from text, a case type, and a
 * dig-like rendering of an Answer's sections so failures diff readably.
 */
import { Name, Rcode, classToText, lookupType, rcodeToText, rdataToText, typeToText, wireNameToText } from '../../src/wire/index.js';
import { loadZoneText } from '../../src/zone/load-zone.js';
import { ZoneSet, answer, type Answer, type AnswerKind, type AnswerRecord } from '../../src/query/index.js';

export type RcodeText = 'NOERROR' | 'NXDOMAIN' | 'REFUSED' | 'YXDOMAIN' | 'SERVFAIL';

export interface Expect {
  rcode: RcodeText;
  aa: boolean;
  kind?: AnswerKind;
  /** Records as `owner TTL CLASS TYPE rdata` (owner byte-exact, so letter case shows). */
  answer: readonly string[];
  authority: readonly string[];
  additional: readonly string[];
  requiredAdditional?: number;
}

export interface QueryCase {
  name: string;
  /** Presentation form, absolute; letter case is sent as written. */
  qname: string;
  qtype: string;
  /** RFC 8482: defaults to true (as over UDP). */
  minimalAny?: boolean;
  /** Compare the answer section in order (a CNAME/DNAME chain's order is the point). */
  orderedAnswer?: boolean;
  /** Compare the additional section in order (A before AAAA, in-domain glue before sibling glue). */
  orderedAdditional?: boolean;
  /**
   * Known disagreement of the code with the RFC / BIND 9.18: the test still
   * expects the correct behaviour (and so fails); this says why.
   */
  knownBug?: string;
  expect: Expect;
}

export interface CaseFile {
  /** Group title (the describe block). */
  title: string;
  /** The zones served for this group: [origin, master-file text]. */
  zones: ReadonlyArray<readonly [string, string]>;
  cases: readonly QueryCase[];
}

/** Builds a ZoneSet from [origin, text] pairs; a zone with errors throws. */
export function zoneSetFrom(zones: ReadonlyArray<readonly [string, string]>): ZoneSet {
  return new ZoneSet(zones.map(([origin, text]) => loadZoneText(text, Name.fromText(origin), {}, origin)));
}

/** Runs one case's question against `zones`. */
export function runCase(zones: ZoneSet, c: QueryCase): Answer {
  const type = lookupType(c.qtype);
  if (type < 0) throw new Error(`unknown qtype ${c.qtype}`);
  return answer(zones, { name: Name.fromText(c.qname).wire, type, class: 1 }, { minimalAny: c.minimalAny ?? true });
}

/** One record as dig prints it, single-spaced: owner TTL CLASS TYPE rdata. */
export function recordText(r: AnswerRecord): string {
  return `${wireNameToText(r.owner)} ${r.ttl} ${classToText(r.class)} ${typeToText(r.type)} ${rdataToText(r.type, r.rdata)}`;
}

export function sectionText(records: readonly AnswerRecord[]): string[] {
  return records.map(recordText);
}

export function rcodeText(rcode: number): string {
  return rcodeToText(rcode);
}

/** The observed answer in the shape of `Expect`, for one deepEqual with a readable diff. */
export function observed(a: Answer, c: QueryCase): Expect {
  const sortUnless = (lines: string[], ordered: boolean): string[] => (ordered ? lines : [...lines].sort());
  const out: Expect = {
    rcode: rcodeText(a.rcode) as RcodeText,
    aa: a.aa,
    answer: sortUnless(sectionText(a.answer), c.orderedAnswer === true),
    authority: sortUnless(sectionText(a.authority), false),
    additional: sortUnless(sectionText(a.additional), c.orderedAdditional === true),
  };
  if (c.expect.kind !== undefined) out.kind = a.kind;
  if (c.expect.requiredAdditional !== undefined) out.requiredAdditional = a.requiredAdditional;
  return out;
}

/** The expectation normalised the same way (sections sorted unless order is the point). */
export function expected(c: QueryCase): Expect {
  const e = c.expect;
  const norm = (lines: readonly string[]): string[] => lines.map((l) => l.trim().replace(/\s+/g, ' '));
  const out: Expect = {
    rcode: e.rcode,
    aa: e.aa,
    answer: c.orderedAnswer === true ? norm(e.answer) : norm(e.answer).sort(),
    authority: norm(e.authority).sort(),
    additional: c.orderedAdditional === true ? norm(e.additional) : norm(e.additional).sort(),
  };
  if (e.kind !== undefined) out.kind = e.kind;
  if (e.requiredAdditional !== undefined) out.requiredAdditional = e.requiredAdditional;
  return out;
}

export { Rcode };

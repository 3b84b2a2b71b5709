/**
 * Shared helpers for the third-party rdata vector tests in this directory:
 * a tally that compares disagreements against an explicit deviation list,
 * and a small record-line splitter for vectors written as one zone-file
 * record. The splitter is not a zone parser: it only drops `;` comments and
 * grouping parentheses so that a record spread over lines becomes one line.
 * Vectors that need directives ($ORIGIN, $TTL...) are skipped by the tests.
 */
import assert from 'node:assert/strict';
import { TextFormatError, WireFormatError, lookupClass, lookupType, tokenize, type TextToken } from '../../src/wire/index.js';
import { lookupTtl } from '../../src/wire/ttl-text.js';

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

export function unhex(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
}

/** True for the errors our codecs are meant to raise (anything else is a crash, not a rejection). */
export function isFormatError(e: unknown): boolean {
  return e instanceof TextFormatError || e instanceof WireFormatError;
}

/** Short description of a thrown value for failure messages. */
export function describeError(e: unknown): string {
  if (e instanceof TextFormatError || e instanceof WireFormatError) return `${e.code}: ${e.message}`;
  return `UNEXPECTED ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
}

function failureDetail(e: unknown): string {
  if (e instanceof assert.AssertionError && e.operator === 'strictEqual') {
    return `${String(e.actual)} !== expected ${String(e.expected)}`;
  }
  return e instanceof Error ? e.message.split('\n')[0]! : String(e);
}

const clip = (s: string): string => (s.length > 160 ? s.slice(0, 157) + '...' : s);

interface Result {
  ok: boolean;
  detail: string;
}

/**
 * Collects per-case agreement with a corpus. `finish` asserts that the set
 * of disagreeing cases is exactly the deviation list (so fixing a case
 * forces the list to shrink) and prints a one-line summary to stderr.
 */
export class Tally {
  private readonly results = new Map<string, Result>();
  private readonly skipped = new Map<string, string>();

  constructor(readonly label: string) {}

  /** Records one case; a repeated id must give the same outcome (duplicates in a corpus). */
  record(id: string, ok: boolean, detail = ''): void {
    const prev = this.results.get(id);
    if (prev !== undefined) {
      assert.equal(ok, prev.ok, `duplicate case ${id} disagrees with itself`);
      return;
    }
    this.results.set(id, { ok, detail });
  }

  /** Runs `fn`; a thrown assertion or error is a disagreement. */
  run(id: string, fn: () => void): void {
    try {
      fn();
      this.record(id, true);
    } catch (e) {
      this.record(id, false, failureDetail(e));
    }
  }

  skip(id: string, reason: string): void {
    assert.ok(reason.length > 0, `skip ${id} needs a reason`);
    this.skipped.set(id, reason);
  }

  get size(): number {
    return this.results.size;
  }

  skippedReasons(): Map<string, number> {
    const m = new Map<string, number>();
    for (const r of this.skipped.values()) m.set(r, (m.get(r) ?? 0) + 1);
    return m;
  }

  /**
   * Asserts: at least `minCases` cases ran, every deviation has a reason,
   * and the disagreeing cases are exactly the listed deviations.
   */
  finish(deviations: Readonly<Record<string, string>>, minCases: number): void {
    const failing = [...this.results].filter(([, r]) => !r.ok).map(([id]) => id);
    const agree = this.results.size - failing.length;
    const extraSkip = this.skipped.size > 0 ? `, ${this.skipped.size} skipped` : '';
    console.error(`${this.label}: ${agree}/${this.results.size} agree, ${failing.length} deviations (listed)${extraSkip}`);
    for (const [id, why] of Object.entries(deviations)) assert.ok(why.trim().length > 10, `deviation ${id} needs a written reason`);
    const listed = new Set(Object.keys(deviations));
    const unexpected = failing.filter((id) => !listed.has(id)).map((id) => `  ${clip(id)}\n      ${clip(this.results.get(id)!.detail)}`);
    const fixed = [...listed].filter((id) => this.results.get(id)?.ok === true);
    const unknown = [...listed].filter((id) => !this.results.has(id));
    if (unexpected.length + fixed.length + unknown.length > 0) {
      assert.fail(
        `${this.label}: disagreements must be exactly the deviation list.\n` +
          (unexpected.length ? `Unexpected disagreements (${unexpected.length}):\n${unexpected.join('\n')}\n` : '') +
          (fixed.length ? `Listed deviations that now agree (remove them): ${fixed.join(' | ')}\n` : '') +
          (unknown.length ? `Listed deviations that are not cases: ${unknown.join(' | ')}\n` : ''),
      );
    }
    assert.ok(this.results.size >= minCases, `${this.label}: only ${this.results.size} cases ran, expected at least ${minCases}`);
  }
}

/**
 * Drops `;` comments and unquoted grouping parentheses, joining a record
 * written over several lines into one (RFC 1035 §5.1 syntax, the part a
 * single record needs). Returns the joined text and whether anything of
 * that kind was present.
 */
export function flattenRecord(text: string): { line: string; zoneSyntax: boolean } {
  let out = '';
  let zoneSyntax = false;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      out += c + text[i + 1];
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (!quoted && c === ';') {
      zoneSyntax = true;
      while (i < text.length && text[i] !== '\n') i++;
      out += ' ';
      continue;
    }
    if (!quoted && (c === '(' || c === ')')) {
      zoneSyntax = true;
      out += ' ';
      continue;
    }
    if (!quoted && (c === '\n' || c === '\r')) {
      zoneSyntax = true;
      out += ' ';
      continue;
    }
    out += c;
  }
  return { line: out.trim(), zoneSyntax };
}

export interface RecordLine {
  owner: string;
  type: number;
  typeText: string;
  rdata: TextToken[];
}

/**
 * Splits one record line `owner [ttl] [class] type rdata...` (TTL and class
 * in either order). Throws when the line is not of that form.
 */
export function splitRecordLine(line: string): RecordLine {
  const tokens = tokenize(line);
  if (tokens.length < 2) throw new Error(`not a record line: '${line}'`);
  let i = 1;
  for (let n = 0; n < 2 && i < tokens.length; n++) {
    const t = tokens[i]!.text;
    // ANY and NONE are both classes and types; a class is followed by a type.
    const next = tokens[i + 1]?.text;
    if (lookupClass(t) >= 0 && next !== undefined && lookupType(next) >= 0) {
      i++;
      continue;
    }
    if (lookupType(t) >= 0) break;
    if (lookupClass(t) >= 0 || lookupTtl(t) >= 0) i++;
  }
  const typeText = tokens[i]?.text ?? '';
  const type = lookupType(typeText);
  if (type < 0) throw new Error(`no type in record line: '${line}'`);
  return { owner: tokens[0]!.text, type, typeText, rdata: tokens.slice(i + 1) };
}

/**
 * Splits zone-file-style text holding one record's rdata per logical line
 * into those records: `;` comments are dropped and a record continues
 * across lines while parentheses are open (RFC 1035 §5.1). Nothing else of
 * the zone-file syntax is understood.
 */
export function splitRecords(text: string): string[] {
  const records: string[] = [];
  let cur = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      cur += c + text[i + 1];
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (!quoted && c === ';') {
      while (i + 1 < text.length && text[i + 1] !== '\n') i++;
      continue;
    }
    if (!quoted && c === '(') depth++;
    if (!quoted && c === ')') depth--;
    if (c === '\n' && depth === 0 && !quoted) {
      if (cur.trim() !== '') records.push(flattenRecord(cur).line);
      cur = '';
      continue;
    }
    cur += c;
  }
  if (cur.trim() !== '') records.push(flattenRecord(cur).line);
  return records;
}

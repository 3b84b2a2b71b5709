/**
 * The base of the schema kit: a value of the YAML document with where it
 * is (key path, offset), and how a problem found at it is reported
 * (line:col). Every reader takes a Ctx, the state of one document being read.
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { ConfigProblem } from './config-error.js';

/** The document being read and the problems found so far; sections extend it with state of their own. */
export interface Ctx {
  readonly doc: Document;
  readonly lc: LineCounter;
  /** Folder of the configuration file; relative zone files are resolved against it. */
  readonly dir: string;
  readonly problems: ConfigProblem[];
}

/** A value in the document, with where to point at it. */
export interface Value {
  /** The node (aliases already followed), or null when the key has no value at all. */
  readonly node: Node | null;
  /** Key path (`server.udp-payload`, `zones[2].file`). */
  readonly path: string;
  /** Offset to report problems at: the value, or its key when the value is empty. */
  readonly offset: number;
  /** Offset of the key (of the list for a list item). */
  readonly keyOffset: number;
}

/** Adds a problem at an offset of the document (reported as line:col). */
export function report(ctx: Ctx, path: string, offset: number, message: string): void {
  const { line, col } = ctx.lc.linePos(offset);
  ctx.problems.push({ path, line, col, message });
}

/** Adds a problem at a value; returns undefined, so a reader can `return problem(...)`. */
export function problem(ctx: Ctx, v: Value, message: string): undefined {
  report(ctx, v.path, v.offset, message);
  return undefined;
}

/** A key's value as a Value; an empty value (`key:`) points at the key. */
export function valueOf(ctx: Ctx, node: unknown, path: string, keyOffset: number): Value {
  let n = node as Node | null | undefined;
  if (n !== null && n !== undefined && isAlias(n)) n = (n.resolve(ctx.doc) as Node | undefined) ?? null;
  if (n === null || n === undefined) return { node: null, path, offset: keyOffset, keyOffset };
  const empty = isScalar(n) && n.value === null && n.range !== undefined && n.range !== null && n.range[0] === n.range[1];
  return { node: n, path, offset: empty ? keyOffset : (n.range?.[0] ?? keyOffset), keyOffset };
}

/** The plain value of a scalar (null for an empty value), or undefined for a collection. */
export function scalarOf(v: Value): { value: unknown } | undefined {
  if (v.node === null) return { value: null };
  return isScalar(v.node) ? { value: v.node.value } : undefined;
}

/** What a value is, for messages: `nothing`, `a list`, `'text'`, `number 42`. */
export function describe(v: Value): string {
  if (v.node === null) return 'nothing';
  if (isMap(v.node)) return 'a mapping';
  if (isSeq(v.node)) return 'a list';
  const x = (v.node as { value?: unknown }).value;
  if (x === null) return v.node.range?.[0] === v.node.range?.[1] ? 'nothing' : 'null';
  if (typeof x === 'string') return `'${x}'`;
  return typeof x === 'number' || typeof x === 'boolean' ? `${typeof x} ${String(x)}` : typeof x;
}

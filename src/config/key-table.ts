/**
 * The schema kit's machinery. The schema is a set of key tables (one entry
 * per YAML key) built from small value readers. A reader reports its own
 * problems and returns undefined when the value is unusable; the table
 * entry then assigns a good value to a draft. readMap walks a YAML mapping
 * against a table, reporting unknown keys (with the nearest known one) and
 * missing required keys.
 */
import { isMap, isScalar, type Node } from 'yaml';
import { closest } from './closest-word.js';
import { describe, problem, report, valueOf, type Ctx, type Value } from './yaml-value.js';

/** Reads one value; `C` is the document state it needs (a Ctx, or one extended by a section). */
export type Reader<T, C extends Ctx = Ctx> = (ctx: C, v: Value) => T | undefined;

export interface KeySpec<D, C extends Ctx = Ctx> {
  readonly required?: boolean;
  read(ctx: C, v: Value, draft: D): void;
}

export type KeyTable<D, C extends Ctx = Ctx> = Readonly<Record<string, KeySpec<D, C>>>;

/**
 * Reads a mapping against a key table: unknown keys and missing required
 * keys are reported, each known key is handed to its entry. Returns false
 * when the value is not a mapping at all. A null value (`server:` with
 * nothing under it) counts as an empty mapping.
 */
export function readMap<D, C extends Ctx>(ctx: C, v: Value, table: KeyTable<D, C>, draft: D): boolean {
  const seen = new Set<string>();
  if (v.node !== null && !(isScalar(v.node) && v.node.value === null)) {
    if (!isMap(v.node)) {
      problem(ctx, v, `expected a mapping, got ${describe(v)}`);
      return false;
    }
    for (const pair of v.node.items) {
      const keyNode = pair.key as Node | null;
      const keyOffset = keyNode?.range?.[0] ?? v.offset;
      const key = keyNode !== null && isScalar(keyNode) ? keyNode.value : undefined;
      if (typeof key !== 'string' && typeof key !== 'number' && typeof key !== 'boolean') {
        report(ctx, v.path, keyOffset, 'a key must be a plain word');
        continue;
      }
      const name = String(key);
      const path = v.path === '' ? name : `${v.path}.${name}`;
      const spec = Object.hasOwn(table, name) ? table[name] : undefined;
      if (spec === undefined) {
        const near = closest(name, Object.keys(table));
        report(ctx, path, keyOffset, `unknown key '${name}'${near === undefined ? '' : ` (did you mean '${near}'?)`}`);
        continue;
      }
      seen.add(name);
      spec.read(ctx, valueOf(ctx, pair.value, path, keyOffset), draft);
    }
  }
  for (const [name, spec] of Object.entries(table)) {
    if (spec.required === true && !seen.has(name)) {
      report(ctx, v.path === '' ? name : `${v.path}.${name}`, v.offset, 'required key missing');
    }
  }
  return true;
}

/** A key table entry that reads a value and assigns it when good. */
export function field<D, T, C extends Ctx = Ctx>(reader: Reader<T, C>, assign: (draft: D, value: T, v: Value) => void, required = false): KeySpec<D, C> {
  return {
    required,
    read(ctx, v, draft) {
      const x = reader(ctx, v);
      if (x !== undefined) assign(draft, x, v);
    },
  };
}

/**
 * References to `keys:` entries (a peer's or an ACL entry's `key:`): the
 * names declared, the references read, and the check of one against the
 * other once the whole file has been read (`keys:` may come after its uses).
 */
import { Name } from '../wire/index.js';
import { closest } from './closest-word.js';
import { text } from './scalar-readers.js';
import { problem, type Ctx, type Value } from './yaml-value.js';

/** A reference to a `keys:` entry; `set` replaces the name with the one as declared. */
export interface KeyRef {
  readonly name: string;
  readonly v: Value;
  set(declared: string): void;
}

/** A Ctx that collects key names and references. */
export interface KeyRefCtx extends Ctx {
  /** Names declared under `keys:` (even when the entry has other problems), by canonical form. */
  readonly keyNames: Map<string, string>;
  /** Every `key:` reference, checked against keyNames once the whole file has been read. */
  readonly keyRefs: KeyRef[];
}

/** The form key names are compared in: DNS names ignore case and a trailing dot. */
export function keyNameKey(name: string): string {
  try {
    return Name.fromText(name.endsWith('.') ? name : `${name}.`).key;
  } catch {
    return `invalid:${name.toLowerCase()}`;
  }
}

/** A `key:` reference: read now, checked against `keys:` at the end (see checkKeyRefs). */
export function keyRef(ctx: KeyRefCtx, v: Value, set: (declared: string) => void): string | undefined {
  const name = text(255)(ctx, v);
  if (name !== undefined) ctx.keyRefs.push({ name, v, set });
  return name;
}

/** Once the whole file has been read: each reference takes the name as declared, or is reported unknown (with the nearest declared name). */
export function checkKeyRefs(ctx: KeyRefCtx): void {
  const declared = [...ctx.keyNames.values()];
  for (const ref of ctx.keyRefs) {
    const name = ctx.keyNames.get(keyNameKey(ref.name));
    if (name !== undefined) {
      ref.set(name);
      continue;
    }
    const near = closest(ref.name, declared.map((d) => d.toLowerCase()));
    const hint = near === undefined ? '' : ` (did you mean '${declared.find((d) => d.toLowerCase() === near)}'?)`;
    problem(ctx, ref.v, `unknown key '${ref.name}'${hint}`);
  }
}

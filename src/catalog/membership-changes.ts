/**
 * What changed between two readings of a catalog: members added, removed,
 * reset (the same zone under a new ID, RFC 9432 §5.4) and changed (same ID,
 * other properties). Members are matched by name, any letter case.
 */
import type { Name } from '../wire/index.js';
import type { CatalogEntry } from './read-catalog.js';

/** The difference between two memberships (see membershipChanges). */
export interface MembershipChanges {
  /** Members of `after` whose name `before` does not have. */
  added: CatalogEntry[];
  /** Members of `before` whose name `after` does not have. */
  removed: CatalogEntry[];
  /** Names in both under another ID: the consumer drops the zone's state and starts again (RFC 9432 §5.4). */
  reset: { before: CatalogEntry; after: CatalogEntry }[];
  /** Members of `after` with the same name and ID as in `before` but other groups or coo. */
  changed: CatalogEntry[];
}

/** Each entry by Name.key; RangeError when a name is there twice (readCatalog never gives that). */
function byName(entries: readonly CatalogEntry[], which: string): Map<string, CatalogEntry> {
  const map = new Map<string, CatalogEntry>();
  for (const e of entries) {
    if (map.has(e.name.key)) throw new RangeError(`membership ${which} lists ${e.name.toText()} twice`);
    map.set(e.name.key, e);
  }
  return map;
}

/** True when both list the same groups, as sets (a TXT RRset has no order, RFC 2181 §5). */
function sameGroups(a: readonly string[], b: readonly string[]): boolean {
  const sa = new Set(a);
  const sb = new Set(b);
  if (sa.size !== sb.size) return false;
  for (const g of sa) if (!sb.has(g)) return false;
  return true;
}

function sameCoo(a: Name | null, b: Name | null): boolean {
  return a === null || b === null ? a === b : a.equals(b);
}

/**
 * The changes from membership `before` to `after` (each as readCatalog
 * gives it: a name at most once). A name only in `after` is added, a name
 * only in `before` removed; a name in both under another ID is reset, never
 * removed and added; the same name and ID with other groups (compared as
 * sets) or another coo is changed. Each list follows the order of the
 * membership it comes from (`removed`: before's; the others: after's).
 */
export function membershipChanges(before: readonly CatalogEntry[], after: readonly CatalogEntry[]): MembershipChanges {
  const old = byName(before, 'before');
  const now = byName(after, 'after');
  const changes: MembershipChanges = { added: [], removed: [], reset: [], changed: [] };
  for (const [key, a] of now) {
    const b = old.get(key);
    if (b === undefined) changes.added.push(a);
    // RFC 9432 §5.4: a member whose ID changes is reset.
    else if (b.id !== a.id) changes.reset.push({ before: b, after: a });
    else if (!sameGroups(b.groups, a.groups) || !sameCoo(b.coo, a.coo)) changes.changed.push(a);
  }
  for (const [key, b] of old) if (!now.has(key)) changes.removed.push(b);
  return changes;
}

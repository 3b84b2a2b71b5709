/**
 * MemberIds: the member-ID allocation state of one catalog zone that Tyne
 * produces. Each member name has a generation (its ID is memberId(name,
 * generation)); a removed name keeps its last generation, so adding it
 * again gives the next one and a new ID, which makes consumers reset the
 * member instead of keeping its old state (RFC 9432 §5.4).
 */
import { Name, TextFormatError } from '../wire/index.js';
import { CatalogStateError, CatalogStateErrorCode } from './catalog-state-error.js';
import { memberId } from './member-id.js';

/** The saved form of MemberIds (MemberIds.toJSON): names in presentation form, absolute. */
export interface MemberIdsJson {
  version: 1;
  /** Current members, each with the generation of its ID. */
  members: { name: string; generation: number }[];
  /** Names removed, each with the last generation it had. */
  removed: { name: string; generation: number }[];
}

interface Current {
  name: Name;
  generation: number;
  id: string;
}

const MAX_GENERATION = 0xffffffff;

function corrupt(message: string, cause?: unknown): CatalogStateError {
  return new CatalogStateError(CatalogStateErrorCode.CORRUPT, `catalog member-ID state: ${message}`, cause === undefined ? undefined : { cause });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** One `{ name, generation }` entry of the saved form, checked. */
function readEntry(v: unknown, where: string): { name: Name; generation: number } {
  if (!isRecord(v)) throw corrupt(`${where} is not an object`);
  const { name, generation } = v;
  if (typeof name !== 'string' || !name.endsWith('.')) throw corrupt(`${where}.name is not an absolute domain name`);
  if (typeof generation !== 'number' || !Number.isInteger(generation) || generation < 0 || generation > MAX_GENERATION) {
    throw corrupt(`${where}.generation is not an integer 0..${MAX_GENERATION}`);
  }
  let parsed: Name;
  try {
    parsed = Name.fromText(name);
  } catch (e) {
    if (e instanceof TextFormatError) throw corrupt(`${where}.name '${name}' is not a domain name: ${e.message}`, e);
    throw e;
  }
  return { name: parsed, generation };
}

/**
 * The IDs of one catalog's members. IDs are unique among the current
 * members: when a new ID equals one in use (two names whose 64-bit hashes
 * agree), the generation is raised until it does not.
 */
export class MemberIds {
  /** Current members by Name.key. */
  readonly #current = new Map<string, Current>();
  /** Removed names by Name.key: the last generation each had. */
  readonly #removed = new Map<string, { name: Name; generation: number }>();
  /** IDs of the current members. */
  readonly #inUse = new Set<string>();
  readonly #makeId: (member: Name, generation: number) => string;

  /** An empty state. `makeId` is memberId; a test may pass another to make IDs clash. */
  constructor(makeId: (member: Name, generation: number) => string = memberId) {
    this.#makeId = makeId;
  }

  /**
   * Makes `name` a member and returns its ID. A name seen for the first
   * time gets generation 0; a name removed earlier gets its last generation
   * + 1, so a new ID (RFC 9432 §5.4). A name already a member keeps its ID
   * (the same one is returned).
   */
  add(name: Name): string {
    const key = name.key;
    const now = this.#current.get(key);
    if (now !== undefined) return now.id;
    const before = this.#removed.get(key);
    const generation = before === undefined ? 0 : before.generation + 1;
    const entry = this.#allocate(name, generation);
    this.#removed.delete(key);
    return entry.id;
  }

  /** Takes `name` out of the members, keeping its generation for a later add. False when it was not a member. */
  remove(name: Name): boolean {
    const key = name.key;
    const now = this.#current.get(key);
    if (now === undefined) return false;
    this.#current.delete(key);
    this.#inUse.delete(now.id);
    this.#removed.set(key, { name: now.name, generation: now.generation });
    return true;
  }

  /** The ID of member `name` (any letter case), or undefined when it is not a member. */
  idOf(name: Name): string | undefined {
    return this.#current.get(name.key)?.id;
  }

  /** True when `name` (any letter case) is a member. */
  has(name: Name): boolean {
    return this.#current.has(name.key);
  }

  /** Number of current members. */
  get size(): number {
    return this.#current.size;
  }

  /** Every current member with its ID, in the order they were added (a name spelled as when first added). */
  members(): { name: Name; id: string }[] {
    return [...this.#current.values()].map((c) => ({ name: c.name, id: c.id }));
  }

  /** The state in a JSON-ready form, for a state file; `MemberIds.fromJSON` takes it back. */
  toJSON(): MemberIdsJson {
    return {
      version: 1,
      members: [...this.#current.values()].map((c) => ({ name: c.name.toText(), generation: c.generation })),
      removed: [...this.#removed.values()].map((r) => ({ name: r.name.toText(), generation: r.generation })),
    };
  }

  /**
   * The state saved by `toJSON` (after JSON.stringify and JSON.parse).
   * Throws CatalogStateError (CATALOG_STATE_CORRUPT) when `value` is not
   * that shape: a field missing or of the wrong type, a name that does not
   * read, a name listed twice, or two members with the same ID.
   */
  static fromJSON(value: unknown, makeId: (member: Name, generation: number) => string = memberId): MemberIds {
    if (!isRecord(value)) throw corrupt('not an object');
    if (value.version !== 1) throw corrupt(`unknown version ${JSON.stringify(value.version)} (Tyne writes 1)`);
    const { members, removed } = value;
    if (!Array.isArray(members)) throw corrupt('members is not an array');
    if (!Array.isArray(removed)) throw corrupt('removed is not an array');
    const ids = new MemberIds(makeId);
    members.forEach((m: unknown, i) => {
      const { name, generation } = readEntry(m, `members[${i}]`);
      if (ids.#current.has(name.key)) throw corrupt(`members[${i}]: ${name.toText()} is listed twice`);
      const id = makeId(name, generation);
      if (ids.#inUse.has(id)) throw corrupt(`members[${i}]: ${name.toText()} has ID ${id}, which another member has`);
      ids.#current.set(name.key, { name, generation, id });
      ids.#inUse.add(id);
    });
    removed.forEach((r: unknown, i) => {
      const entry = readEntry(r, `removed[${i}]`);
      const key = entry.name.key;
      if (ids.#current.has(key) || ids.#removed.has(key)) throw corrupt(`removed[${i}]: ${entry.name.toText()} is listed twice`);
      ids.#removed.set(key, entry);
    });
    return ids;
  }

  /** Makes `name` a current member at `generation` or, while that ID is in use, the next free generation. */
  #allocate(name: Name, generation: number): Current {
    let g = generation;
    let id = this.#makeId(name, g);
    // IDs must be unique in the catalog (RFC 9432 §4.3); at 64 bits a clash is vanishingly rare, but possible.
    while (this.#inUse.has(id)) {
      if (g === MAX_GENERATION) throw new RangeError(`no free member ID for ${name.toText()}`);
      id = this.#makeId(name, ++g);
    }
    const entry: Current = { name, generation: g, id };
    this.#current.set(name.key, entry);
    this.#inUse.add(id);
    return entry;
  }
}

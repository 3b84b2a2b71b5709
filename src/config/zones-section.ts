/**
 * The `zones:` section: primary and secondary zone entries, their keys, and
 * the checks that depend on the type. What a zone takes from `server:`
 * (the `server:` section may come later in the file) is settled once the
 * whole file has been read (settleZones); its file is resolved and checked
 * after that, by file-checks.ts.
 */
import { isSeq } from 'yaml';
import { Name } from '../wire/index.js';
import type { AclEntry } from '../xfr/acl.js';
import type { Peer } from '../xfr/peer.js';
import { SERIAL_POLICIES, type SerialPolicy } from '../zone/index.js';
import type { ZoneLimits } from '../zonefile/index.js';
import { resolve } from 'node:path';
import { aclList } from './acl-readers.js';
import { membersReader, settleMembers } from './members-section.js';
import type { CatalogMembersSettings, ServerSettings, ZoneSettings } from './config-types.js';
import type { ZoneFileRef } from './file-checks.js';
import { field, readMap, type KeyTable, type Reader } from './key-table.js';
import type { KeyRefCtx } from './key-refs.js';
import { peerList } from './peer-readers.js';
import { oneOf, text } from './scalar-readers.js';
import { SERVER_DEFAULTS } from './server-section.js';
import { defaultIncludeConfine, limitKeys } from './zone-limit-keys.js';
import { describe, problem, report, valueOf, type Value } from './yaml-value.js';

/** A KeyRefCtx that also keeps what each zone entry set itself, for settleZones. */
export interface ZonesCtx extends KeyRefCtx {
  /** Zones with a `serial-policy` of their own; the others take the server's once the whole file has been read. */
  readonly ownSerialPolicy: Set<ZoneSettings>;
  /** Each zone's `file` as written, resolved (file-checks.ts) once the whole file has been read. */
  readonly zoneFiles: Map<ZoneSettings, { index: number; text: string; value: Value }>;
  /** Zones' own read limits and include-confine; the rest comes from the server's once the whole file has been read. */
  readonly ownLimits: Map<ZoneSettings, { limits: Partial<ZoneLimits>; includeConfine: boolean | undefined }>;
  /** Every `catalog:` written (zones and zone directories), checked by checkCatalogRefs. */
  readonly catalogRefs: CatalogRef[];
}

const ZONE_TYPES = ['primary', 'secondary', 'catalog'] as const;

/** A draft of a zone entry (also of a `zone-directories` entry, which takes a primary zone's keys). */
export interface ZoneDraft {
  name?: string;
  /** Canonical key of the zone name, for duplicate checks. */
  key?: string;
  nameValue?: Value;
  type?: ZoneSettings['type'];
  /** `type` was given but is not usable. */
  typeBad?: boolean;
  fileText?: string;
  fileValue?: Value;
  /** Present when `file` was written, even with a bad value. */
  fileWritten?: Value;
  notify?: Peer[];
  allowTransfer?: AclEntry[];
  primaries?: Peer[];
  /** Present when `primaries` was written, even with a bad value. */
  primariesValue?: Value;
  allowNotify?: AclEntry[];
  allowNotifyValue?: Value;
  serialPolicy?: SerialPolicy;
  serialPolicyValue?: Value;
  limits: Partial<ZoneLimits>;
  includeConfine?: boolean;
  /** `catalog` as written, with where, for the check that it names a catalog zone. */
  catalog?: { name: string; key: string; value: Value };
  catalogGroups?: string[];
  catalogGroupsValue?: Value;
  members?: CatalogMembersSettings;
  membersValue?: Value;
}

/** A `catalog:` reference still to check against the catalog zones, once the whole file is read (checkCatalogRefs). */
export interface CatalogRef {
  readonly name: string;
  readonly key: string;
  readonly value: Value;
}

export const zoneName: Reader<{ name: string; key: string }> = (ctx, v) => {
  const name = text()(ctx, v);
  if (name === undefined) return undefined;
  try {
    const n = Name.fromText(name.endsWith('.') ? name : `${name}.`);
    return { name, key: n.key };
  } catch (err) {
    return problem(ctx, v, `'${name}' is not a valid domain name (${(err as Error).message})`);
  }
};

/** A TXT character-string (RFC 1035 §3.3): 1 to 255 octets. */
const groupName = text(255);

/** `catalog-group`: one group or a list of them. */
const catalogGroups: Reader<string[]> = (ctx, v) => {
  if (v.node !== null && isSeq(v.node)) {
    const out: string[] = [];
    let ok = true;
    v.node.items.forEach((n, i) => {
      const g = groupName(ctx, valueOf(ctx, n, `${v.path}[${i}]`, v.offset));
      if (g === undefined) ok = false;
      else if (!out.includes(g)) out.push(g);
    });
    return ok ? out : undefined;
  }
  const g = groupName(ctx, v);
  return g === undefined ? undefined : [g];
};

/**
 * The keys a primary zone has, shared by `zones:` entries and
 * `zone-directories:` entries (whose every zone takes them).
 */
export const PRIMARY_ZONE_KEYS: KeyTable<ZoneDraft, ZonesCtx> = {
  ...limitKeys<ZoneDraft>((d) => d.limits, (d, x) => { d.includeConfine = x; }),
  notify: field(peerList, (d, x) => { d.notify = x; }),
  'allow-transfer': field(aclList, (d, x) => { d.allowTransfer = x; }),
  'serial-policy': {
    read(ctx, v, d) {
      d.serialPolicyValue = v;
      const x = oneOf(SERIAL_POLICIES)(ctx, v);
      if (x !== undefined) d.serialPolicy = x;
    },
  },
  catalog: {
    read(ctx, v, d) {
      const x = zoneName(ctx, v);
      if (x === undefined) return;
      d.catalog = { name: x.name, key: x.key, value: v };
      ctx.catalogRefs.push(d.catalog);
    },
  },
  'catalog-group': {
    read(ctx, v, d) {
      d.catalogGroupsValue = v;
      const x = catalogGroups(ctx, v);
      if (x !== undefined) d.catalogGroups = x;
    },
  },
};

/** Keys of one `zones:` entry. */
const ZONE_KEYS: KeyTable<ZoneDraft, ZonesCtx> = {
  ...PRIMARY_ZONE_KEYS,
  name: field(zoneName, (d, x, v) => {
    d.name = x.name;
    d.key = x.key;
    d.nameValue = v;
  }, true),
  type: {
    read(ctx, v, d) {
      const t = oneOf(ZONE_TYPES)(ctx, v);
      if (t === undefined) d.typeBad = true;
      else d.type = t;
    },
  },
  // Checked once the type is known (a secondary's file need not exist yet; a catalog has none).
  file: {
    read(ctx, v, d) {
      d.fileWritten = v;
      const x = text()(ctx, v);
      if (x === undefined) return;
      d.fileText = x;
      d.fileValue = v;
    },
  },
  primaries: {
    read(ctx, v, d) {
      d.primariesValue = v;
      const x = peerList(ctx, v);
      if (x !== undefined) d.primaries = x;
    },
  },
  members: {
    read(ctx, v, d) {
      d.membersValue = v;
      const x = membersReader(ctx, v);
      if (x !== undefined) d.members = x;
    },
  },
  'allow-notify': {
    read(ctx, v, d) {
      d.allowNotifyValue = v;
      const x = aclList(ctx, v);
      if (x !== undefined) d.allowNotify = x;
    },
  },
};

/**
 * The checks that depend on the zone's type. A primary's file is only
 * resolved (file-checks.ts): a missing or unreadable zone file fails that
 * zone alone, when the daemon loads it, never the whole configuration.
 */
function checkZoneType(ctx: ZonesCtx, entry: Value, d: ZoneDraft): boolean {
  if (d.typeBad === true) {
    if (d.fileWritten === undefined) report(ctx, `${entry.path}.file`, entry.offset, 'required key missing');
    return false;
  }
  const type = d.type ?? 'primary';
  const only = (what: string, ...values: (Value | undefined)[]): void => {
    for (const v of values) if (v !== undefined) report(ctx, v.path, v.keyOffset, what);
  };
  checkCatalogMember(ctx, d);
  if (type === 'primary') {
    only('only for type secondary', d.primariesValue, d.allowNotifyValue, d.membersValue);
  } else if (type === 'secondary') {
    only('only for type primary', d.serialPolicyValue, d.catalog?.value, d.catalogGroupsValue);
    if (d.primariesValue === undefined) {
      report(ctx, `${entry.path}.primaries`, entry.offset, 'required for type secondary');
    } else if (d.primaries !== undefined && d.primaries.length === 0) {
      problem(ctx, d.primariesValue, 'must list at least one primary');
    }
  } else {
    // RFC 9432 §4: a catalog's content is generated from its members; its serial always goes up by one.
    only('not for type catalog (Tyne writes the catalog zone from its members)', d.fileWritten, d.serialPolicyValue, d.primariesValue, d.allowNotifyValue);
    only('not for type catalog (members: is how a secondary consumes a catalog)', d.membersValue);
    only('not for type catalog (a catalog is not a member of a catalog)', d.catalog?.value, d.catalogGroupsValue);
    return d.fileWritten === undefined;
  }
  if (d.fileWritten === undefined) report(ctx, `${entry.path}.file`, entry.offset, 'required key missing');
  return d.fileText !== undefined && d.fileValue !== undefined;
}

/** `catalog-group` needs a `catalog` to be listed in. */
export function checkCatalogMember(ctx: ZonesCtx, d: ZoneDraft): void {
  const v = d.catalogGroupsValue;
  if (v !== undefined && d.catalog === undefined) report(ctx, v.path, v.keyOffset, 'needs a catalog (the catalog zone to list the zone in, with this group)');
}

export const zoneList: Reader<ZoneSettings[], ZonesCtx> = (ctx, v) => {
  if (v.node === null || !isSeq(v.node)) return problem(ctx, v, `expected a list (write [] for none), got ${describe(v)}`);
  const out: ZoneSettings[] = [];
  const first = new Map<string, number>();
  v.node.items.forEach((n, i) => {
    const entry = valueOf(ctx, n, `${v.path}[${i}]`, v.offset);
    const draft: ZoneDraft = { limits: {} };
    if (!readMap(ctx, entry, ZONE_KEYS, draft)) return;
    if (draft.key !== undefined && draft.nameValue !== undefined) {
      const j = first.get(draft.key);
      if (j !== undefined) problem(ctx, draft.nameValue, `zone '${draft.name}' is already listed at zones[${j}]`);
      else first.set(draft.key, i);
    }
    if (!checkZoneType(ctx, entry, draft)) return;
    const type = draft.type ?? 'primary';
    if (draft.name !== undefined) {
      const zone: ZoneSettings = {
        name: draft.name,
        type,
        // Resolved once the whole file is read (a secondary's against `server.data-dir` when set).
        // (A catalog's files are kept under `<name>.catalog`.)
        file: draft.fileText ?? `${draft.name.replace(/\.$/, '').toLowerCase()}.catalog`,
        notify: draft.notify ?? [],
        allowTransfer: draft.allowTransfer ?? [],
        primaries: draft.primaries ?? [],
        allowNotify: draft.allowNotify ?? null,
        // The server's default until the end of the file (the `server:` section may come later).
        serialPolicy: draft.serialPolicy ?? SERVER_DEFAULTS.serialPolicy,
        // The server's once the whole file is read.
        limits: { ...SERVER_DEFAULTS.zoneLimits },
        includeConfine: false,
        catalog: draft.catalog?.name ?? null,
        catalogGroups: draft.catalogGroups ?? [],
        members: draft.members ?? null,
        directory: null,
        line: ctx.lc.linePos(entry.offset).line,
      };
      ctx.ownLimits.set(zone, { limits: draft.limits, includeConfine: draft.includeConfine });
      if (draft.serialPolicy !== undefined) ctx.ownSerialPolicy.add(zone);
      ctx.zoneFiles.set(zone, { index: i, text: zone.file, value: draft.fileValue ?? entry });
      out.push(zone);
    }
  });
  return out;
};

/**
 * Once the whole file has been read: each zone takes the server's serial
 * policy, read limits and include-confine where it sets none of its own.
 * Returns every zone's file as written, with the folder it is relative to:
 * a primary's, the configuration's folder; a secondary's, `server.data-dir`
 * when set (as BIND's `directory` and Knot's `storage`).
 */
export function settleZones(ctx: ZonesCtx, zones: readonly ZoneSettings[], server: ServerSettings): ZoneFileRef[] {
  for (const z of zones) if (!ctx.ownSerialPolicy.has(z)) z.serialPolicy = server.serialPolicy;
  for (const z of zones) {
    const own = ctx.ownLimits.get(z);
    z.limits = { ...server.zoneLimits, ...own?.limits };
    z.includeConfine = own?.includeConfine ?? server.includeConfine ?? defaultIncludeConfine('listed');
    if (z.members !== null) settleMembers(z.members, server, ctx.dir, resolve);
  }
  return zones.map((z) => {
    const f = ctx.zoneFiles.get(z)!;
    const { line, col } = ctx.lc.linePos(f.value.offset);
    // A catalog's state goes where a secondary's does.
    const base = z.type === 'primary' ? ctx.dir : (server.dataDir ?? ctx.dir);
    return { zone: z, index: f.index, text: f.text, base, at: { path: f.value.path, line, col } };
  });
}

/**
 * Once the whole file is read: every `catalog:` (of a zone, or of a zone
 * directory) names a zone of `type: catalog`.
 */
export function checkCatalogRefs(ctx: ZonesCtx, zones: readonly ZoneSettings[]): void {
  const catalogs = new Set<string>();
  for (const z of zones) if (z.type === 'catalog') catalogs.add(zoneNameKey(z.name));
  for (const r of ctx.catalogRefs) {
    if (catalogs.has(r.key)) continue;
    const other = zones.find((z) => zoneNameKey(z.name) === r.key);
    problem(ctx, r.value, other === undefined ? `no zone '${r.name}' of type catalog is listed in zones:` : `zone '${r.name}' is type ${other.type}, not catalog`);
  }
}

/** zoneNameKey's answers: every change of thousands of zones looks each of them up again. */
const KEYS = new Map<string, string>();
/** KEYS is emptied when it grows past this (names of zones long gone are not kept forever). */
const MAX_KEYS = 200_000;

/** The lookup key of a zone name as written (a final dot or not): `Name.key` of its origin, as `Zone.origin.key` is. */
export function zoneNameKey(name: string): string {
  let key = KEYS.get(name);
  if (key === undefined) {
    key = Name.fromText(name.endsWith('.') ? name : `${name}.`).key;
    if (KEYS.size >= MAX_KEYS) KEYS.clear();
    KEYS.set(name, key);
  }
  return key;
}

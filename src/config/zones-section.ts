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
import { aclList } from './acl-readers.js';
import type { ServerSettings, ZoneSettings } from './config-types.js';
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
}

const ZONE_TYPES = ['primary', 'secondary'] as const;

interface ZoneDraft {
  name?: string;
  /** Canonical key of the zone name, for duplicate checks. */
  key?: string;
  nameValue?: Value;
  type?: ZoneSettings['type'];
  /** `type` was given but is not usable. */
  typeBad?: boolean;
  fileText?: string;
  fileValue?: Value;
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
}

const zoneName: Reader<{ name: string; key: string }> = (ctx, v) => {
  const name = text()(ctx, v);
  if (name === undefined) return undefined;
  try {
    const n = Name.fromText(name.endsWith('.') ? name : `${name}.`);
    return { name, key: n.key };
  } catch (err) {
    return problem(ctx, v, `'${name}' is not a valid domain name (${(err as Error).message})`);
  }
};

/** Keys of one `zones:` entry. */
const ZONE_KEYS: KeyTable<ZoneDraft, ZonesCtx> = {
  ...limitKeys<ZoneDraft>((d) => d.limits, (d, x) => { d.includeConfine = x; }),
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
  // Checked once the type is known (a secondary's file need not exist yet).
  file: field(text(), (d, x, v) => {
    d.fileText = x;
    d.fileValue = v;
  }, true),
  notify: field(peerList, (d, x) => { d.notify = x; }),
  'allow-transfer': field(aclList, (d, x) => { d.allowTransfer = x; }),
  primaries: {
    read(ctx, v, d) {
      d.primariesValue = v;
      const x = peerList(ctx, v);
      if (x !== undefined) d.primaries = x;
    },
  },
  'allow-notify': {
    read(ctx, v, d) {
      d.allowNotifyValue = v;
      const x = aclList(ctx, v);
      if (x !== undefined) d.allowNotify = x;
    },
  },
  'serial-policy': {
    read(ctx, v, d) {
      d.serialPolicyValue = v;
      const x = oneOf(SERIAL_POLICIES)(ctx, v);
      if (x !== undefined) d.serialPolicy = x;
    },
  },
};

/**
 * The checks that depend on the zone's type. A primary's file is only
 * resolved (file-checks.ts): a missing or unreadable zone file fails that
 * zone alone, when the daemon loads it, never the whole configuration.
 */
function checkZoneType(ctx: ZonesCtx, entry: Value, d: ZoneDraft): boolean {
  if (d.typeBad === true) return false;
  const type = d.type ?? 'primary';
  if (type === 'primary') {
    for (const v of [d.primariesValue, d.allowNotifyValue]) {
      if (v !== undefined) report(ctx, v.path, v.keyOffset, 'only for type secondary');
    }
  } else {
    if (d.serialPolicyValue !== undefined) report(ctx, d.serialPolicyValue.path, d.serialPolicyValue.keyOffset, 'only for type primary');
    if (d.primariesValue === undefined) {
      report(ctx, `${entry.path}.primaries`, entry.offset, 'required for type secondary');
    } else if (d.primaries !== undefined && d.primaries.length === 0) {
      problem(ctx, d.primariesValue, 'must list at least one primary');
    }
  }
  return d.fileText !== undefined && d.fileValue !== undefined;
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
        file: draft.fileText!,
        notify: draft.notify ?? [],
        allowTransfer: draft.allowTransfer ?? [],
        primaries: draft.primaries ?? [],
        allowNotify: draft.allowNotify ?? null,
        // The server's default until the end of the file (the `server:` section may come later).
        serialPolicy: draft.serialPolicy ?? SERVER_DEFAULTS.serialPolicy,
        // The server's once the whole file is read.
        limits: { ...SERVER_DEFAULTS.zoneLimits },
        includeConfine: false,
        line: ctx.lc.linePos(entry.offset).line,
      };
      ctx.ownLimits.set(zone, { limits: draft.limits, includeConfine: draft.includeConfine });
      if (draft.serialPolicy !== undefined) ctx.ownSerialPolicy.add(zone);
      ctx.zoneFiles.set(zone, { index: i, text: draft.fileText!, value: draft.fileValue! });
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
  }
  return zones.map((z) => {
    const f = ctx.zoneFiles.get(z)!;
    const { line, col } = ctx.lc.linePos(f.value.offset);
    const base = z.type === 'primary' ? ctx.dir : (server.dataDir ?? ctx.dir);
    return { zone: z, index: f.index, text: f.text, base, at: { path: f.value.path, line, col } };
  });
}

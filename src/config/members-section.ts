/**
 * A secondary zone's `members:` (issue 14 §3): the zone is consumed as an
 * RFC 9432 catalog, and each member becomes a secondary zone with these
 * settings. `file` names each member's saved copy (`%s` the member's name,
 * as a file name), resolved as a secondary's file is: against
 * `server.data-dir` when set, else the configuration's folder (settled by
 * settleMembers once the whole file has been read). Per-group settings
 * (RFC 9432 §4.4.2) override the defaults for members of that group.
 */
import { isMap } from 'yaml';
import type { AclEntry } from '../xfr/acl.js';
import type { Peer } from '../xfr/peer.js';
import { aclList } from './acl-readers.js';
import type { CatalogMembersSettings, MemberGroupSettings, ServerSettings } from './config-types.js';
import { field, readMap, type KeyTable, type Reader } from './key-table.js';
import type { KeyRefCtx } from './key-refs.js';
import { peerList } from './peer-readers.js';
import { text } from './scalar-readers.js';
import { DEFAULT_MAX_REMOVALS, maxRemovalsReader } from './max-removals.js';
import { describe, problem, valueOf } from './yaml-value.js';

interface GroupDraft {
  primaries?: Peer[];
  allowTransfer?: AclEntry[];
  allowNotify?: AclEntry[];
}

const GROUP_KEYS: KeyTable<GroupDraft, KeyRefCtx> = {
  primaries: field(peerList, (d, x) => { d.primaries = x; }),
  'allow-transfer': field(aclList, (d, x) => { d.allowTransfer = x; }),
  'allow-notify': field(aclList, (d, x) => { d.allowNotify = x; }),
};

interface MembersDraft {
  file?: string;
  primaries?: Peer[];
  allowTransfer?: AclEntry[];
  allowNotify?: AclEntry[];
  groups: Map<string, MemberGroupSettings>;
  maxRemovals?: CatalogMembersSettings['maxRemovals'];
}

/** `file`: a path with `%s` once (the member's name). */
const filePattern: Reader<string> = (ctx, v) => {
  const x = text()(ctx, v);
  if (x === undefined) return undefined;
  if (x.split('%s').length !== 2) return problem(ctx, v, `must hold %s once (the member's name), such as members/%s.zone`);
  return x;
};

const groupsReader: Reader<Map<string, MemberGroupSettings>, KeyRefCtx> = (ctx, v) => {
  if (v.node === null || !isMap(v.node)) return problem(ctx, v, `expected a mapping of group names, got ${describe(v)}`);
  const out = new Map<string, MemberGroupSettings>();
  for (const pair of v.node.items) {
    const name = String((pair.key as { value?: unknown } | null)?.value ?? '');
    const g: GroupDraft = {};
    const item = valueOf(ctx, pair.value, `${v.path}.${name}`, (pair.key as { range?: [number] } | null)?.range?.[0] ?? v.offset);
    if (!readMap(ctx, item, GROUP_KEYS, g)) continue;
    out.set(name, { primaries: g.primaries ?? null, allowTransfer: g.allowTransfer ?? null, allowNotify: g.allowNotify ?? null });
  }
  return out;
};

const MEMBERS_KEYS: KeyTable<MembersDraft, KeyRefCtx> = {
  file: field(filePattern, (d, x) => { d.file = x; }, true),
  primaries: field(peerList, (d, x) => { d.primaries = x; }),
  'allow-transfer': field(aclList, (d, x) => { d.allowTransfer = x; }),
  'allow-notify': field(aclList, (d, x) => { d.allowNotify = x; }),
  groups: field(groupsReader, (d, x) => { d.groups = x; }),
  'max-removals': field(maxRemovalsReader, (d, x) => { d.maxRemovals = x; }),
};

/** `members:` of a secondary zone; its `file` is resolved by settleMembers. */
export const membersReader: Reader<CatalogMembersSettings, KeyRefCtx> = (ctx, v) => {
  const d: MembersDraft = { groups: new Map() };
  if (!readMap(ctx, v, MEMBERS_KEYS, d) || d.file === undefined) return undefined;
  return {
    file: d.file,
    primaries: d.primaries ?? null,
    allowTransfer: d.allowTransfer ?? [],
    allowNotify: d.allowNotify ?? null,
    groups: d.groups,
    maxRemovals: d.maxRemovals ?? DEFAULT_MAX_REMOVALS,
  };
};

/** The member file pattern made absolute: against `server.data-dir` when set, else the configuration's folder. */
export function settleMembers(m: CatalogMembersSettings, server: ServerSettings, dir: string, resolve: (base: string, p: string) => string): void {
  m.file = resolve(server.dataDir ?? dir, m.file);
}

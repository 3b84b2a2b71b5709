/**
 * The `zone-directories:` section (issue 14): folders in which every
 * matching file is a primary zone named after its file. An entry takes
 * the keys of a primary zone (PRIMARY_ZONE_KEYS: notify, allow-transfer,
 * serial-policy, catalog, the read limits, ...) for every zone found, plus
 * `path`, `match` and `max-removals`. What it takes from `server:` is
 * settled once the whole file has been read (settleZoneDirectories); the
 * folder is only resolved here, and read by the daemon.
 */
import { isSeq } from 'yaml';
import type { MaxRemovals, ServerSettings, ZoneDirectorySettings, ZoneSettings } from './config-types.js';
import { field, readMap, type KeyTable, type Reader } from './key-table.js';
import { folder, text } from './scalar-readers.js';
import { SERVER_DEFAULTS } from './server-section.js';
import { defaultIncludeConfine } from './zone-limit-keys.js';
import { DEFAULT_MAX_REMOVALS, maxRemovalsReader } from './max-removals.js';
import { checkCatalogMember, PRIMARY_ZONE_KEYS, type ZoneDraft, type ZonesCtx } from './zones-section.js';
import { describe, problem, valueOf } from './yaml-value.js';

/** The default `match`: `customer.com.zone` is the zone `customer.com.`. */
export const DEFAULT_DIRECTORY_MATCH = '^(.+)\\.zone$';

interface DirectoryDraft extends ZoneDraft {
  path?: string;
  match?: { text: string; re: RegExp };
  maxRemovals?: MaxRemovals;
}

/** `match`: a regular expression with at least one capture (the origin), applied to the whole file name. */
const matchReader: Reader<{ text: string; re: RegExp }> = (ctx, v) => {
  const x = text(1024)(ctx, v);
  if (x === undefined) return undefined;
  let re: RegExp;
  try {
    re = new RegExp(x, 'u');
  } catch (err) {
    return problem(ctx, v, `not a regular expression (${(err as Error).message})`);
  }
  // The number of groups, from a match of the empty alternative (a regex with n groups matches with n + 1 entries).
  const groups = new RegExp(`${x}|`, 'u').exec('')!.length - 1;
  if (groups < 1) return problem(ctx, v, `needs a capture group for the zone's name, such as ${DEFAULT_DIRECTORY_MATCH}`);
  return { text: x, re };
};

const DIRECTORY_KEYS: KeyTable<DirectoryDraft, ZonesCtx> = {
  ...(PRIMARY_ZONE_KEYS as KeyTable<DirectoryDraft, ZonesCtx>),
  path: field(folder, (d, x) => { d.path = x; }, true),
  match: field(matchReader, (d, x) => { d.match = x; }),
  'max-removals': field(maxRemovalsReader, (d, x) => { d.maxRemovals = x; }),
};

/** What settleZoneDirectories needs of each entry: what it set itself. */
const OWN = new WeakMap<ZoneDirectorySettings, DirectoryDraft>();

export const zoneDirectoryList: Reader<ZoneDirectorySettings[], ZonesCtx> = (ctx, v) => {
  if (v.node === null || !isSeq(v.node)) return problem(ctx, v, `expected a list (write [] for none), got ${describe(v)}`);
  const out: ZoneDirectorySettings[] = [];
  const seen = new Map<string, number>();
  v.node.items.forEach((n, i) => {
    const entry = valueOf(ctx, n, `${v.path}[${i}]`, v.offset);
    const d: DirectoryDraft = { limits: {} };
    if (!readMap(ctx, entry, DIRECTORY_KEYS, d) || d.path === undefined) return;
    checkCatalogMember(ctx, d);
    const j = seen.get(d.path);
    if (j !== undefined) {
      problem(ctx, entry, `the folder '${d.path}' is already listed at zone-directories[${j}]`);
      return;
    }
    seen.set(d.path, i);
    const line = ctx.lc.linePos(entry.offset).line;
    const template: Omit<ZoneSettings, 'name' | 'file'> = {
      type: 'primary',
      notify: d.notify ?? [],
      allowTransfer: d.allowTransfer ?? [],
      primaries: [],
      allowNotify: null,
      serialPolicy: d.serialPolicy ?? SERVER_DEFAULTS.serialPolicy,
      limits: { ...SERVER_DEFAULTS.zoneLimits },
      includeConfine: true,
      catalog: d.catalog?.name ?? null,
      catalogGroups: d.catalogGroups ?? [],
      members: null,
      directory: i,
      line,
    };
    const match = d.match ?? { text: DEFAULT_DIRECTORY_MATCH, re: new RegExp(DEFAULT_DIRECTORY_MATCH, 'u') };
    const dir: ZoneDirectorySettings = { path: d.path, matchText: match.text, match: match.re, template, maxRemovals: d.maxRemovals ?? DEFAULT_MAX_REMOVALS, line };
    OWN.set(dir, d);
    out.push(dir);
  });
  return out;
};

/**
 * Once the whole file has been read: each directory's zones take the
 * server's serial policy, read limits and include-confine where the entry
 * sets none (include-confine defaults to true: a customer's file may not
 * $INCLUDE outside its folder).
 */
export function settleZoneDirectories(dirs: readonly ZoneDirectorySettings[], server: ServerSettings): void {
  for (const dir of dirs) {
    const own = OWN.get(dir);
    const t = dir.template;
    t.serialPolicy = own?.serialPolicy ?? server.serialPolicy;
    t.limits = { ...server.zoneLimits, ...own?.limits };
    t.includeConfine = own?.includeConfine ?? server.includeConfine ?? defaultIncludeConfine('zone-directory');
  }
}

/**
 * Saved copies of secondary zones that left the configuration. Such a copy
 * must never be served again: a customer domain that comes back later (a
 * new customer, a new zone with a lower serial) starts with a fresh
 * transfer. So the copy and its state are moved aside, to
 * `removed/<zone>.<UTC time>/` beside the copies, kept for a while for a
 * look or a manual restore, and deleted after `server.removed-retention`.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { journalPath, statePath } from '../xfr/zone-store.js';
import { fileTimeStamp, parseFileTimeStamp } from '../xfr/damaged-file.js';
import { zoneFileName } from './zone-file-name.js';

/** The folder removed copies of zones saved in `folder` go to. */
export function removedFolder(folder: string): string {
  return join(folder, 'removed');
}

/**
 * Moves the saved copy `file`, its state file and its journal (those that exist) into a
 * new `removed/<zone>.<time>/` folder beside it. Resolves with that folder,
 * or null when there was nothing to move.
 */
export async function setAsideRemoved(file: string, zone: string, now: Date): Promise<string | null> {
  const present = [file, statePath(file), journalPath(file)].filter((f) => existsSync(f));
  if (present.length === 0) return null;
  const into = join(removedFolder(dirname(file)), `${zoneFileName(zone)}.${fileTimeStamp(now)}`);
  await mkdir(into, { recursive: true });
  for (const f of present) await rename(f, join(into, basename(f)));
  return into;
}

/**
 * Deletes the `removed/*.<time>` folders under each of `folders` whose time
 * is more than `retentionMs` before `now`. Resolves with what was deleted.
 */
export async function pruneRemoved(folders: Iterable<string>, retentionMs: number, now: Date): Promise<string[]> {
  const deleted: string[] = [];
  for (const folder of new Set(folders)) {
    const dir = removedFolder(folder);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      continue; // none yet
    }
    for (const name of names) {
      const at = parseFileTimeStamp(name);
      if (at === null || now.getTime() - at.getTime() <= retentionMs) continue;
      await rm(join(dir, name), { recursive: true, force: true });
      deleted.push(join(dir, name));
    }
  }
  return deleted;
}

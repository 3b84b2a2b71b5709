/**
 * Replacing a file so that a crash leaves either the old or the new
 * version, never part of one: write a temporary file in the same folder,
 * fsync it, rename it over the target, fsync the folder (so the rename
 * itself survives a power cut).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { lstat, mkdir, open, readdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The last part of temporary names: a count from a random start, so names of an earlier process of the same pid are not met again. */
let tempCount = randomBytes(4).readUInt32BE(0);

/** A temporary name beside `path`, hidden, unique to this process and call. */
function tempPath(path: string): string {
  tempCount = (tempCount + 1) >>> 0;
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${tempCount.toString(16).padStart(8, '0')}`);
}

/** The names tempPath gives: `.<name>.tmp-<pid>-<8 hex digits>`; the pid, or null for any other name. */
export function tempFilePid(name: string): number | null {
  const m = /^\..+\.tmp-(\d+)-[0-9a-f]{8}$/.exec(name);
  return m === null ? null : Number(m[1]);
}

/** True when a process of that id runs (EPERM: it runs, as another user). */
function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A temporary file of a live process is left alone unless it is older than this (the pid was reused). */
const LIVE_TEMP_MAX_AGE_MS = 24 * 3_600_000;

/**
 * Deletes the temporary files writeFileAtomic(Sync) left in `dir` when its
 * process was killed mid-write (kill -9, a power cut): regular files named
 * as tempPath names them, of a process that no longer runs (or older than
 * a day). Nothing else is touched, and never this process's own. Resolves
 * with what was removed (path, size); a folder that is not there is empty.
 */
export async function removeStaleTempFiles(dir: string, now = Date.now()): Promise<{ path: string; bytes: number }[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const removed: { path: string; bytes: number }[] = [];
  for (const name of names) {
    const pid = tempFilePid(name);
    if (pid === null || pid === process.pid) continue;
    const path = join(dir, name);
    try {
      const st = await lstat(path);
      if (!st.isFile()) continue;
      if (processRuns(pid) && now - st.mtimeMs < LIVE_TEMP_MAX_AGE_MS) continue;
      await unlink(path);
      removed.push({ path, bytes: st.size });
    } catch {
      // Gone meanwhile, or not ours to remove: left alone.
    }
  }
  return removed;
}

/** fsync of a folder; not every platform allows it, so failure is ignored. */
export function fsyncDirSync(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // A folder that cannot be opened or fsynced here: the rename is still atomic.
  }
}

/** Each folder's fsync under way, and the next one, which callers meanwhile share. */
const folderSyncs = new Map<string, { running: Promise<void> | null; next: Promise<void> | null }>();

/**
 * fsyncDirSync without blocking the event loop (the fsync runs in libuv's
 * thread pool). Calls for one folder while its fsync waits to start share
 * it: each resolves after an fsync that began after the call, so what was
 * renamed into the folder before the call is durable (thousands of zones'
 * state files in one data-dir cost a few folder fsyncs, not one each).
 */
export function fsyncDir(dir: string): Promise<void> {
  let s = folderSyncs.get(dir);
  if (s === undefined) {
    s = { running: null, next: null };
    folderSyncs.set(dir, s);
  }
  if (s.next !== null) return s.next;
  const st = s;
  const next: Promise<void> = (st.running ?? Promise.resolve())
    .then(() => {
      st.next = null;
      st.running = next;
      return fsyncDirNow(dir);
    })
    .finally(() => {
      if (st.running === next) st.running = null;
      if (st.running === null && st.next === null && folderSyncs.get(dir) === st) folderSyncs.delete(dir);
    });
  st.next = next;
  return next;
}

async function fsyncDirNow(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // A folder that cannot be opened or fsynced here: the rename is still atomic.
  }
}

/** Writes `chunks` to `path` atomically (see the file comment); the folder is created if missing. */
export function writeFileAtomicSync(path: string, chunks: Iterable<string | Uint8Array>): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = tempPath(path);
  const fd = openSync(tmp, 'wx', 0o644);
  let renamed = false;
  try {
    for (const c of chunks) {
      const b = typeof c === 'string' ? Buffer.from(c, 'utf8') : c;
      let off = 0;
      while (off < b.length) off += writeSync(fd, b, off, b.length - off);
    }
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, path);
    renamed = true;
  } finally {
    if (!renamed) {
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
      try {
        unlinkSync(tmp);
      } catch {
        // never created or already gone
      }
    }
  }
  fsyncDirSync(dir);
}

/** The same, without blocking the event loop between chunks. */
export async function writeFileAtomic(path: string, chunks: Iterable<string | Uint8Array>): Promise<void> {
  const dir = dirname(path);
  const tmp = tempPath(path);
  // The folder is made only when it is missing (thousands of zones' state files share a few folders).
  let fh;
  try {
    fh = await open(tmp, 'wx', 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    await mkdir(dir, { recursive: true });
    fh = await open(tmp, 'wx', 0o644);
  }
  let renamed = false;
  try {
    for (const c of chunks) await (typeof c === 'string' ? fh.write(c, null, 'utf8') : fh.write(c));
    await fh.sync();
    await fh.close();
    await rename(tmp, path);
    renamed = true;
  } finally {
    if (!renamed) {
      await fh.close().catch(() => undefined);
      await unlink(tmp).catch(() => undefined);
    }
  }
  await fsyncDir(dir);
}

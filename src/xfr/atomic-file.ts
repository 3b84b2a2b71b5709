/**
 * Replacing a file so that a crash leaves either the old or the new
 * version, never part of one: write a temporary file in the same folder,
 * fsync it, rename it over the target, fsync the folder (so the rename
 * itself survives a power cut).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** A temporary name beside `path`, hidden, unique to this process and call. */
function tempPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
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
  await mkdir(dir, { recursive: true });
  const tmp = tempPath(path);
  const fh = await open(tmp, 'wx', 0o644);
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
  fsyncDirSync(dir);
}

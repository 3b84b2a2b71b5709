/**
 * A small real file system for disk-full tests: a tmpfs mounted on a
 * folder the test made (needs root and a kernel that lets this process
 * mount; `tmpfsAvailable` tells, and tests skip loudly without it), and a
 * filler file that takes all its space but `leaveBytes`.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmdirSync, statfsSync, unlinkSync, writeSync, ftruncateSync, fstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inCI } from './paths.js';
import { loudSkip } from './skip.js';

/** Mounts a tmpfs of `bytes` on `dir` (created); throws with mount's message when refused. */
export function mountTmpfs(dir: string, bytes: number): void {
  mkdirSync(dir, { recursive: true });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mount -t tmpfs on ${dir} failed: ${r.stderr || r.error?.message}`);
}

export function unmountTmpfs(dir: string): void {
  spawnSync('umount', ['-l', dir]);
}

/** True when a tmpfs can be mounted here (tried once on a scratch folder); loud when not, an error in CI. */
export function tmpfsAvailable(): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'tyne-tmpfs-probe-'));
  try {
    mountTmpfs(dir, 64 * 1024);
    unmountTmpfs(dir);
    return true;
  } catch (e) {
    if (inCI) throw e;
    loudSkip(`cannot mount a tmpfs (${(e as Error).message.trim()}); disk-full tests did not run`);
    return false;
  } finally {
    rmdirSync(dir);
  }
}

/**
 * Fills the file system of `dir` with `file` until a write fails with
 * ENOSPC, then gives back `leaveBytes` (rounded to whole blocks). Bounded
 * by the file system's size. Returns the free octets left.
 */
export function fillDisk(file: string, leaveBytes: number): number {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(4096, 0x78);
  try {
    const limit = statfsSync(file).blocks * statfsSync(file).bsize + chunk.length;
    for (let written = 0; written <= limit; written += chunk.length) {
      try {
        writeSync(fd, chunk);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOSPC') break;
        throw e;
      }
    }
    const size = fstatSync(fd).size;
    ftruncateSync(fd, Math.max(0, size - leaveBytes));
  } finally {
    closeSync(fd);
  }
  const st = statfsSync(file);
  return st.bavail * st.bsize;
}

/** Removes the filler: the space is free again. */
export function freeDisk(file: string): void {
  unlinkSync(file);
}

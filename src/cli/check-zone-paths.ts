/**
 * Where `tyne check-zone` finds its files: named-checkzone's `-w DIR`
 * (chdir before loading) and `-t DIR` (chroot). Node has no chroot(2), and
 * a check should not need root, so `-t` is emulated: every path of the
 * check (the zone file, its `$INCLUDE`s, `-o`, `-J`) is read as if DIR were
 * `/`: absolute paths and `..` stay inside DIR, the working folder starts
 * at DIR (then `-w`, taken inside DIR), and a symbolic link leading out of
 * DIR is refused, as it could not be followed under a real chroot.
 */
import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, posix, relative, resolve, sep } from 'node:path';

export type PathResult = string | { refused: string };

export interface CheckZonePaths {
  /** A path given on the command line (the zone file, -o, -J), as this process opens it. */
  file(path: string): PathResult;
  /** `$INCLUDE path` read in `includingFile` (a path `file` gave), or undefined: the parser's default (beside the including file). */
  include: ((path: string, includingFile: string) => PathResult) | undefined;
}

function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'no such folder' : code === 'ENOTDIR' ? 'not a folder' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
}

function inside(path: string, root: string): boolean {
  const r = relative(root, path);
  return r === '' || (!r.startsWith(`..${sep}`) && r !== '..' && !isAbsolute(r));
}

/**
 * Changes the working folder for `-w` (inside `-t`'s folder when given) and
 * gives the path rules; a string is the one-line reason it cannot (a
 * folder that is missing).
 */
export function checkZonePaths(chroot: string | null, workDir: string | null, includeFromCwd: boolean): CheckZonePaths | string {
  if (chroot === null) {
    if (workDir !== null) {
      try {
        process.chdir(workDir);
      } catch (e) {
        return `-w ${workDir}: ${reason(e)}`;
      }
    }
    return { file: (p) => resolve(p), include: includeFromCwd ? (p) => resolve(p) : undefined };
  }
  let root: string;
  try {
    root = realpathSync(chroot);
    if (!statSync(root).isDirectory()) return `-t ${chroot}: not a folder`;
  } catch (e) {
    return `-t ${chroot}: ${reason(e)}`;
  }
  // chroot(2) then chdir("/"), then -w inside the new root.
  const cwd = posix.resolve('/', workDir ?? '/');
  try {
    process.chdir(join(root, cwd));
  } catch (e) {
    return `-w ${workDir ?? '/'} (under -t ${chroot}): ${reason(e)}`;
  }
  /** A path as seen inside the root, to the path outside it; links may not lead out. */
  const place = (virtual: string, given: string): PathResult => {
    const real = join(root, virtual);
    let followed: string;
    try {
      followed = realpathSync(real);
    } catch {
      return real; // Missing: the reader says so.
    }
    if (!inside(followed, root)) return { refused: `'${given}' leads (by a symbolic link) to ${followed}, outside the -t folder ${chroot}` };
    return real;
  };
  const file = (p: string): PathResult => place(posix.resolve(cwd, p), p);
  const virtualOf = (real: string): string => `/${relative(root, real).split(sep).join('/')}`;
  const include = (p: string, includingFile: string): PathResult =>
    includeFromCwd ? file(p) : place(posix.resolve(posix.dirname(virtualOf(resolve(includingFile))), p), p);
  return { file, include };
}

/**
 * What reading a configuration checks on the file system, in one place,
 * after the text has been read (config-document.ts touches no file): each
 * zone's file is resolved, and the file a secondary writes is checked. A
 * primary's file is only resolved: a missing or unreadable zone file fails
 * that zone alone, when the daemon loads it, never the whole
 * configuration. (The folders Tyne writes to, `data-dir` among them, are
 * created and checked by the daemon, src/daemon/storage-check.ts.)
 */
import { statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { ConfigProblem } from './config-error.js';
import type { ZoneSettings } from './config-types.js';

/** A zone's `file` as written, and what it is resolved against. */
export interface ZoneFileRef {
  readonly zone: ZoneSettings;
  /** The entry's index in `zones:`, for messages. */
  readonly index: number;
  /** `file` as written. */
  readonly text: string;
  /** Folder a relative `file` is relative to (absolute). */
  readonly base: string;
  /** Where `file` is written, to report problems at. */
  readonly at: { readonly path: string; readonly line: number; readonly col: number };
}

function problem(problems: ConfigProblem[], f: ZoneFileRef, message: string): undefined {
  problems.push({ path: f.at.path, line: f.at.line, col: f.at.col, message });
  return undefined;
}

/**
 * A secondary's zone file, relative to `base` (the configuration's folder,
 * or `server.data-dir`): it need not exist yet (the first transfer writes
 * it), and neither need its folder; but if it exists it must be a regular
 * file, and the nearest existing folder above it must be a folder.
 */
function secondaryFile(problems: ConfigProblem[], f: ZoneFileRef): string | undefined {
  const { text: file, base } = f;
  const abs = resolve(base, file);
  const shown = (p: string): string => (isAbsolute(file) ? p : relative(base, p) || '.');
  let at = abs;
  for (;;) {
    try {
      const st = statSync(at);
      if (at === abs) {
        if (!st.isFile()) return problem(problems, f, `'${file}' is not a regular file`);
      } else if (!st.isDirectory()) {
        return problem(problems, f, `cannot create '${file}': '${shown(at)}' is not a folder`);
      }
      return abs;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR') {
        // Some folder above is a file: keep walking up to name it.
      } else if (code !== 'ENOENT') {
        return problem(problems, f, `cannot use '${file}' (${code ?? (err as Error).message})`);
      }
    }
    const up = dirname(at);
    if (up === at) return abs;
    at = up;
  }
}

/**
 * Resolves every zone's file and checks that a file a secondary writes is
 * usable and is no other zone's. Problems are added to `problems`; returns
 * the zones whose file is usable, with `file` made absolute.
 */
export function checkZoneFiles(zoneFiles: readonly ZoneFileRef[], problems: ConfigProblem[]): ZoneSettings[] {
  const files = new Map<string, { i: number; type: ZoneSettings['type'] }>();
  const out: ZoneSettings[] = [];
  for (const f of zoneFiles) {
    const z = f.zone;
    const abs = z.type === 'secondary' ? secondaryFile(problems, f) : resolve(f.base, f.text);
    if (abs === undefined) continue;
    const other = files.get(abs);
    if (other !== undefined && (other.type === 'secondary' || z.type === 'secondary')) {
      problem(problems, f, `'${f.text}' is also the file of zones[${other.i}] (a secondary's file must be its own)`);
      continue;
    }
    if (other === undefined) files.set(abs, { i: f.index, type: z.type });
    z.file = abs;
    out.push(z);
  }
  return out;
}

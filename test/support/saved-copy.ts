/**
 * A secondary's saved files, as a test reads them: the serial the copy
 * file holds (its first line, written by src/xfr/zone-store.ts), the serial
 * its state file names, and the temporary files writeFileAtomic leaves.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** The serial on the first line of a saved copy (`; saved by tyne (secondary copy), serial N`), or null. */
export function copySerial(file: string): number | null {
  try {
    const m = /^; saved by tyne \(secondary copy\), serial (\d+)\n/.exec(readFileSync(file, 'latin1').slice(0, 200));
    return m === null ? null : Number(m[1]);
  } catch {
    return null;
  }
}

/** The serial in `<file>.state.json`, or null. */
export function stateSerial(file: string): number | null {
  try {
    const s = (JSON.parse(readFileSync(`${file}.state.json`, 'utf8')) as { serial?: unknown }).serial;
    return typeof s === 'number' ? s : null;
  } catch {
    return null;
  }
}

/** Names in `dir` of the temporary files writeFileAtomic writes (`.<name>.tmp-<pid>-<hex>`). */
export function atomicTempFiles(dir: string): string[] {
  try {
    return readdirSync(dir).filter((n) => /^\..+\.tmp-\d+-[0-9a-f]{8}$/.test(n));
  } catch {
    return [];
  }
}

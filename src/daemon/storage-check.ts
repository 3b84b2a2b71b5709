import { accessSync, constants, mkdirSync } from 'node:fs';
import { StorageError } from '../xfr/storage-error.js';

/**
 * Why `dir` cannot hold the files Tyne writes there (it is created when
 * missing), or null when it can. Checked at startup, so a folder that is
 * not writable is found then, not at the first edit or transfer.
 * `consequence` says what breaks, for the one-line message.
 */
export function folderProblem(dir: string, what: string, consequence: string): StorageError | null {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    return null;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    return new StorageError(
      'STORAGE_UNWRITABLE',
      dir,
      `folder for ${what} is not writable (${code}): ${consequence}; make it writable by the user tyne runs as, or set server.data-dir`,
      { cause: err },
    );
  }
}

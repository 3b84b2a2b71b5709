import { TyneError } from '../wire/index.js';

/** Stable codes of StorageError. */
export const StorageErrorCode = {
  /** A journal or state file exists but cannot be read as one (damaged, or not ours). */
  CORRUPT: 'STORAGE_CORRUPT',
  /** A file or folder Tyne must write cannot be written (permissions, read-only file system, disk full). */
  UNWRITABLE: 'STORAGE_UNWRITABLE',
} as const;

export type StorageErrorCode = (typeof StorageErrorCode)[keyof typeof StorageErrorCode];

/** A problem with a file Tyne keeps state in (journal, served-serial state, saved copy); `file` names it. */
export class StorageError extends TyneError<StorageErrorCode> {
  readonly file: string;

  constructor(code: StorageErrorCode, file: string, message: string, options?: { cause?: unknown }) {
    super(code, `${file}: ${message}`, options);
    this.file = file;
  }
}

import { TyneError } from '../wire/index.js';

/** Stable codes of ZoneDirectoryError. */
export const ZoneDirectoryErrorCode = {
  /** A zone directory is missing, not a folder, or cannot be read: nothing in it is removed. */
  UNREADABLE: 'ZONE_DIRECTORY_UNREADABLE',
  /** A scan found no zone file where there were several zones: nothing is removed (a folder being replaced looks like that) until SIGHUP. */
  EMPTIED: 'ZONE_DIRECTORY_EMPTIED',
  /** A scan would remove more zones at once than `max-removals`: the removals are held until SIGHUP. */
  REMOVALS_HELD: 'ZONE_DIRECTORY_REMOVALS_HELD',
  /** A file's name does not give a zone name, or gives one that another file or a zone in `zones:` already has. */
  FILE_REFUSED: 'ZONE_DIRECTORY_FILE_REFUSED',
} as const;

export type ZoneDirectoryErrorCode = (typeof ZoneDirectoryErrorCode)[keyof typeof ZoneDirectoryErrorCode];

/**
 * A problem with a zone directory (`zone-directories:`) or a file in it.
 * Never fatal: the zones already served keep serving. The message is one
 * line for the operator: what is wrong and what fixes it.
 */
export class ZoneDirectoryError extends TyneError<ZoneDirectoryErrorCode> {
  /** The folder, or the file in it. */
  readonly path: string;

  constructor(code: ZoneDirectoryErrorCode, path: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.path = path;
  }
}

/** CatalogStateError: a catalog's saved member-ID state that cannot be taken back, and its codes. */
import { TyneError } from '../wire/index.js';

/** Stable codes of CatalogStateError. */
export const CatalogStateErrorCode = {
  /** The saved member-ID state of a catalog is not the shape MemberIds.toJSON writes. */
  CORRUPT: 'CATALOG_STATE_CORRUPT',
} as const;

export type CatalogStateErrorCode = (typeof CatalogStateErrorCode)[keyof typeof CatalogStateErrorCode];

/** A catalog's member-ID state (MemberIds.fromJSON) that is damaged or not ours; the message says what is wrong. */
export class CatalogStateError extends TyneError<CatalogStateErrorCode> {}

/** ZoneUsageError: a zone structure used against its contract (a bug in the caller, never bad data), and its codes. */
import { TyneError } from '../wire/index.js';

/** Stable codes of ZoneUsageError. */
export const ZoneUsageErrorCode = {
  /** A ZoneBuilder was used after build() (or built twice). */
  BUILDER_USED: 'ZONE_BUILDER_USED',
  /** A node table was asked for a position it does not hold. */
  NODE_TABLE: 'ZONE_NODE_TABLE',
  /** A zone read from a zone image (issue 16 §3) asked to change (its serial) or to hand out name tables to update. */
  IMAGE_READ_ONLY: 'ZONE_IMAGE_READ_ONLY',
} as const;

export type ZoneUsageErrorCode = (typeof ZoneUsageErrorCode)[keyof typeof ZoneUsageErrorCode];

/** A zone structure (builder, node table) called in a way its contract forbids. */
export class ZoneUsageError extends TyneError<ZoneUsageErrorCode> {}

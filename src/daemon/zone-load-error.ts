import { TyneError } from '../wire/index.js';

/** Stable codes of ZoneLoadError. */
export const ZoneLoadErrorCode = {
  /** The records read (or the parse worker's heap) went over `server.zone-memory-budget`: the load is abandoned. */
  MEMORY_BUDGET: 'ZONE_MEMORY_BUDGET',
  /** The load was stopped: its files changed while they were read (it starts again), or the zone was removed. */
  LOAD_ABORTED: 'ZONE_LOAD_ABORTED',
  /** The parse worker could not start, failed or exited before it finished. */
  PARSE_WORKER: 'ZONE_PARSE_WORKER',
  /** Adding the records or building the zone threw (a bug). */
  BUILD_FAILED: 'ZONE_BUILD_FAILED',
} as const;

export type ZoneLoadErrorCode = (typeof ZoneLoadErrorCode)[keyof typeof ZoneLoadErrorCode];

/**
 * A zone file that could not be loaded for a reason other than what it
 * says (its own errors are diagnostics): the load was abandoned, and the
 * zone keeps the version it served, if any. The message is one line for
 * the operator: what happened and what fixes it.
 */
export class ZoneLoadError extends TyneError<ZoneLoadErrorCode> {
  /** The zone file. */
  readonly file: string;

  constructor(code: ZoneLoadErrorCode, file: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.file = file;
  }
}

import { TyneError, formatDiagnostic, type Diagnostic } from '../wire/index.js';

/** Stable codes of ZoneFileError (the diagnostics it carries have codes of their own: ZoneFileCode, ZoneCode). */
export const ZoneFileErrorCode = {
  /** Zone text (or a file) has errors: no zone was built; `diagnostics` says where and why. */
  INVALID: 'ZONE_INVALID',
} as const;

export type ZoneFileErrorCode = (typeof ZoneFileErrorCode)[keyof typeof ZoneFileErrorCode];

/**
 * A zone file could not be loaded. `diagnostics` holds every error found
 * (and the warnings), each with file, line and column; the message lists
 * the errors as `file:line:col: message`.
 */
export class ZoneFileError extends TyneError<ZoneFileErrorCode> {
  readonly diagnostics: Diagnostic[];
  readonly file: string;
  readonly line: number;
  readonly col: number;

  constructor(code: ZoneFileErrorCode, diagnostics: Diagnostic[], options?: { cause?: unknown }) {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    super(code, errors.map(formatDiagnostic).join('\n') || 'zone file is invalid', options);
    this.diagnostics = diagnostics;
    const first = errors[0]?.at;
    this.file = first?.file ?? '';
    this.line = first?.line ?? 0;
    this.col = first?.col ?? 0;
  }
}

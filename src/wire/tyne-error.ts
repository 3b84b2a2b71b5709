/**
 * Root of Tyne's error tree. Every error carries a stable machine-readable
 * `code` (never reworded once released) and, where it wraps another error,
 * passes it on as `cause`.
 */
export class TyneError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

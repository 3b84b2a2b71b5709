/**
 * Root of Tyne's error tree. Every error carries a stable machine-readable
 * `code` (never reworded once released) and, where it wraps another error,
 * passes it on as `cause`. A subclass names the union of its codes as
 * `Code`, the type derived from its catalog (a const object beside it).
 */
export class TyneError<Code extends string = string> extends Error {
  readonly code: Code;

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

import { pino } from 'pino';
import { TyneError } from '../wire/index.js';

/**
 * How an error appears in a log line (`err`). A TyneError is a condition
 * the operator can act on (a bad file, a peer's refusal, a folder that
 * cannot be written): its type, stable code and message, and its causes the
 * same way, but no stack trace, which would say nothing the message does
 * not. So is a system error (EACCES, ENOSPC: it has a string `code` and a
 * `syscall`). Any other error is a bug, and keeps pino's full form, stack
 * and all.
 */
export function serializeError(err: unknown): unknown {
  const system = err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && typeof (err as NodeJS.ErrnoException).syscall === 'string';
  if (!(err instanceof TyneError) && !system) return pino.stdSerializers.err(err as Error);
  const e = err as Error & { code: string };
  const out: Record<string, unknown> = { type: e.name, code: e.code, message: e.message };
  if (e.cause !== undefined) out['cause'] = serializeError(e.cause);
  return out;
}

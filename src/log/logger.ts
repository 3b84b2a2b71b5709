import { pino, type Logger } from 'pino';
import { serializeError } from './error-serializer.js';

export type { Logger };

/**
 * The daemon's logger: pino JSON lines on stdout, one object per event.
 * `bindings` are added to every line (the cluster worker id, for one).
 * Errors are logged as `err` (see error-serializer.ts).
 */
export function createLogger(level: string, bindings: Record<string, unknown> = {}): Logger {
  return pino({ level, base: { pid: process.pid, ...bindings }, serializers: { err: serializeError } }, pino.destination({ dest: 1, sync: true }));
}

/** A pino logger whose lines are kept in memory (parsed), for unit tests of code that logs. */
import { pino, type Logger } from 'pino';

export interface MemoryLog {
  log: Logger;
  /** Every line logged so far, parsed. */
  lines: Record<string, unknown>[];
  /** The messages of the lines at `level` (pino's number: 30 info, 40 warn, 50 error) or above. */
  messages(level?: number): string[];
}

export function memoryLog(level = 'info'): MemoryLog {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
  return { log, lines, messages: (min = 0) => lines.filter((l) => Number(l.level) >= min).map((l) => String(l.msg)) };
}

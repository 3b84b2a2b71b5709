/**
 * What a primary remembers about a zone across restarts: the serial it
 * last served and a digest of the content served under it (see
 * src/zone/content-digest.ts). Kept in a small JSON file, replaced
 * atomically on every change, so a crash leaves the old or the new state.
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from './atomic-file.js';
import { StorageError } from './storage-error.js';

export interface ServedState {
  /** The zone's origin, as text (a state file found under another zone's name is refused). */
  zone: string;
  /** The SOA serial last served (0..2^32-1). */
  serial: number;
  /** ContentDigest of what was served under `serial` (32 hex digits). */
  digest: string;
  /** The zone file's own serial when it was served (for the operator). */
  fileSerial: number;
  /** When it was recorded (ISO 8601). */
  recorded: string;
}

const FORMAT = 1;

function isSerial(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffff_ffff;
}

/**
 * The state at `path`; null when there is none. A file that is there but
 * is not a state file of `zone` throws StorageError (STORAGE_CORRUPT).
 */
export function readServedState(path: string, zone: string): ServedState | null {
  if (!existsSync(path)) return null;
  let o: unknown;
  try {
    o = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    const why = err instanceof SyntaxError ? 'not valid JSON' : ((err as NodeJS.ErrnoException).code ?? String(err));
    throw new StorageError('STORAGE_CORRUPT', path, `served-serial state cannot be read (${why})`, { cause: err });
  }
  const s = (typeof o === 'object' && o !== null ? o : {}) as Record<string, unknown>;
  if (s['format'] !== FORMAT || typeof s['zone'] !== 'string' || !isSerial(s['serial']) || typeof s['digest'] !== 'string' || !/^[0-9a-f]{32}$/.test(s['digest'])) {
    throw new StorageError('STORAGE_CORRUPT', path, 'served-serial state is damaged (fields missing or out of range)');
  }
  if (s['zone'].toLowerCase() !== zone.toLowerCase()) {
    throw new StorageError('STORAGE_CORRUPT', path, `served-serial state belongs to zone ${s['zone']}, not ${zone}`);
  }
  return {
    zone: s['zone'],
    serial: s['serial'],
    digest: s['digest'],
    fileSerial: isSerial(s['fileSerial']) ? s['fileSerial'] : s['serial'],
    recorded: typeof s['recorded'] === 'string' ? s['recorded'] : '',
  };
}

/** Writes `state` to `path` atomically, without blocking the event loop on the write and its fsyncs; rejects with StorageError (STORAGE_UNWRITABLE) when it cannot. */
export async function writeServedState(path: string, state: ServedState): Promise<void> {
  try {
    await writeFileAtomic(path, [JSON.stringify({ format: FORMAT, ...state }, null, 2) + '\n']);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new StorageError('STORAGE_UNWRITABLE', path, `served-serial state cannot be written (${code})`, { cause: err });
  }
}

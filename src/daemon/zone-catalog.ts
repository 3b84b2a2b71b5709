import { statSync } from 'node:fs';
import type { Config, ZoneSettings } from '../config/index.js';
import type { Logger } from '../log/logger.js';
import { formatDiagnostic, Name } from '../wire/index.js';
import type { Zone } from '../zone/index.js';
import { loadZoneFile } from './load-zone.js';

/** A zone being served and what it was loaded from. */
interface Loaded {
  zone: Zone;
  file: string;
  mtimeMs: number;
  size: number;
}

/**
 * The zones named in the configuration, as last loaded. Loading a zone
 * that has errors logs every error and keeps the version already served,
 * if there is one (a bad edit never replaces a good zone); a zone that has
 * never loaded is simply not served, and the others still are.
 */
export class ZoneCatalog {
  readonly #loaded = new Map<string, Loaded>();
  readonly #log: Logger;
  readonly #onLoaded: (old: Zone | undefined, zone: Zone) => void;

  /** `onLoaded` hears of every version loaded: the first (`old` undefined) and each one that replaced another. */
  constructor(log: Logger, onLoaded: (old: Zone | undefined, zone: Zone) => void = () => {}) {
    this.#log = log;
    this.#onLoaded = onLoaded;
  }

  /** Loads (or reloads) every primary zone of `config`, dropping zones no longer listed. Returns the zones to serve. */
  load(config: Config): Zone[] {
    const keep = new Set<string>();
    for (const z of config.zones) {
      if (z.type !== 'primary') continue; // secondaries come from transfers
      const key = zoneKey(z.name);
      keep.add(key);
      this.#loadOne(key, z);
    }
    for (const key of [...this.#loaded.keys()]) {
      if (!keep.has(key)) {
        this.#log.info({ zone: this.#loaded.get(key)!.zone.origin.toText() }, 'zone removed');
        this.#loaded.delete(key);
      }
    }
    return [...this.#loaded.values()].map((l) => l.zone);
  }

  #loadOne(key: string, z: ZoneSettings): void {
    const old = this.#loaded.get(key);
    let mtimeMs = -1;
    let size = -1;
    try {
      const st = statSync(z.file);
      mtimeMs = st.mtimeMs;
      size = st.size;
    } catch {
      // loadZoneFile reports the missing file with its own error
    }
    // Unchanged file: keep the zone as it is (SIGHUP reloads only what changed, as BIND's `rndc reload` does).
    if (old !== undefined && old.file === z.file && old.mtimeMs === mtimeMs && old.size === size) return;
    const origin = Name.fromText(z.name.endsWith('.') ? z.name : `${z.name}.`);
    const started = process.hrtime.bigint();
    let result;
    try {
      result = loadZoneFile(z.file, origin);
    } catch (err) {
      this.#log.error({ zone: origin.toText(), file: z.file, err }, 'zone not loaded');
      return;
    }
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    for (const w of result.warnings) this.#log.warn({ zone: origin.toText() }, formatDiagnostic(w));
    if (result.zone === null) {
      for (const e of result.errors) this.#log.error({ zone: origin.toText() }, formatDiagnostic(e));
      if (old !== undefined) {
        this.#log.error({ zone: origin.toText(), errors: result.errors.length, serial: old.zone.serial }, 'zone not reloaded; still serving the previous version');
      } else {
        this.#log.error({ zone: origin.toText(), errors: result.errors.length }, 'zone not loaded; not serving it');
      }
      return;
    }
    const zone = result.zone;
    this.#loaded.set(key, { zone, file: z.file, mtimeMs, size });
    this.#onLoaded(old?.zone, zone);
    this.#log.info(
      { zone: zone.origin.toText(), serial: zone.serial, records: zone.recordCount, file: z.file, ms: Math.round(ms) },
      old === undefined ? 'zone loaded' : 'zone reloaded',
    );
  }
}

function zoneKey(name: string): string {
  return (name.endsWith('.') ? name : `${name}.`).toLowerCase();
}

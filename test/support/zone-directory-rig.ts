/**
 * The scratch rig of the zone-directory tests: one Tyne (ns1) serving a
 * zone directory. A fresh folder `<tmp>/<prefix>XXXXXX` holds the zone
 * directory `customers/` with its first zone files, any files beside the
 * configuration, and `tyne.yaml` (listening on a free port, the folder as
 * its zone-directories entry); the daemon is started on it. `close` stops
 * it and removes the folder; `closeZoneDirectoryRigs` does so for every
 * rig still open (a test file's `after` hook).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { tyneYaml, type TyneYaml, type ZoneDirectory } from './tyne-config.js';
import { startTyne, type TyneProcess } from './tyne-process.js';

/** `server:` lines that make a changed file count at once: the watch settles after 50 ms and holds nothing back. */
export const QUICK_WATCH: readonly string[] = ['watch-settle: 50ms', 'watch-hold: 0s'];

/** The `server:` line that puts journals and state in `<dir>/data`. */
export const dataDirIn = (dir: string): string => `data-dir: ${JSON.stringify(join(dir, 'data'))}`;

export interface ZoneDirectoryRigOptions {
  /** The scratch folder's name prefix (`tyne-catalog-`). */
  prefix: string;
  /** Zone files written into the zone directory before the start: [zone name, text], each as `<name>.zone`. */
  zones?: readonly (readonly [string, string])[];
  /** Files written beside the configuration before the start: [file name, text]. */
  files?: readonly (readonly [string, string])[];
  /** The zone-directories entry of the folder, but its path. */
  directory?: Omit<ZoneDirectory, 'path'>;
  /** The rest of the configuration (not listen, nor zone-directories), given the scratch folder. */
  yaml?: (dir: string) => Omit<TyneYaml, 'listen' | 'zoneDirectories'>;
}

export interface ZoneDirectoryRig {
  /** The scratch folder. */
  readonly dir: string;
  /** The zone directory, `<dir>/customers`. */
  readonly folder: string;
  readonly port: number;
  /** The configuration's path, `<dir>/tyne.yaml`. */
  readonly config: string;
  /** The running daemon (a new one after `restart`). */
  tyne: TyneProcess;
  /** Stops the daemon and starts it again on the same configuration. */
  restart(): Promise<void>;
  /** Stops the daemon and removes the scratch folder, even when the stop fails. */
  close(): Promise<void>;
}

const open = new Set<ZoneDirectoryRig>();

/** Writes the rig's folder and configuration and starts Tyne on it (resolves once it logs `serving`). */
export async function startZoneDirectoryRig(opts: ZoneDirectoryRigOptions): Promise<ZoneDirectoryRig> {
  const dir = mkdtempSync(join(tmpdir(), opts.prefix));
  const folder = join(dir, 'customers');
  mkdirSync(folder);
  for (const [name, text] of opts.zones ?? []) writeFileSync(join(folder, `${name}.zone`), text);
  for (const [file, text] of opts.files ?? []) writeFileSync(join(dir, file), text);
  const port = await freePort();
  const config = join(dir, 'tyne.yaml');
  writeFileSync(config, tyneYaml({ ...opts.yaml?.(dir), listen: [`127.0.0.1:${port}`], zoneDirectories: [{ ...opts.directory, path: 'customers' }] }));
  let tyne: TyneProcess;
  try {
    tyne = await startTyne(config);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const rig: ZoneDirectoryRig = {
    dir,
    folder,
    port,
    config,
    tyne,
    async restart() {
      await rig.tyne.stop();
      rig.tyne = await startTyne(config);
    },
    async close() {
      open.delete(rig);
      try {
        await rig.tyne.stop();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
  open.add(rig);
  return rig;
}

/** Closes every rig still open. */
export async function closeZoneDirectoryRigs(): Promise<void> {
  for (const r of [...open]) await r.close();
}

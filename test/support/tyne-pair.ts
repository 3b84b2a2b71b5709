/**
 * The rig of the ns1 -> ns2 integration tests: one scratch directory and
 * two free ports (ns1's, ns2's). The test starts its processes from files
 * in it; `close(ns1, ns2)` stops whatever still runs and removes the
 * directory.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from './ports.js';
import type { TyneProcess } from './tyne-process.js';

export class TynePair {
  private constructor(
    readonly dir: string,
    /** ns1's port, then ns2's. */
    readonly p1: number,
    readonly p2: number,
    /** Further free ports, for peers (knotd, nsd, named) beside the pair. */
    readonly more: readonly number[],
  ) {}

  /** A new scratch directory `<tmp>/<prefix>XXXXXX` with `subdirs` made in it, and 2 + `morePorts` distinct free ports. */
  static async create(prefix: string, subdirs: string[] = [], morePorts = 0): Promise<TynePair> {
    const [p1, p2, ...more] = (await freePorts(2 + morePorts)) as [number, number, ...number[]];
    const pair = new TynePair(mkdtempSync(join(tmpdir(), prefix)), p1, p2, more);
    for (const d of subdirs) mkdirSync(pair.path(d), { recursive: true });
    return pair;
  }

  /** A path inside the scratch directory. */
  path(file: string): string {
    return join(this.dir, file);
  }

  write(file: string, text: string): void {
    writeFileSync(this.path(file), text);
  }

  /** Stops the processes given that still run, then removes the directory, even when a stop fails. */
  async close(...procs: (TyneProcess | null | undefined)[]): Promise<void> {
    try {
      await Promise.allSettled(procs.map((p) => p?.stop()));
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

/**
 * The batched UDP module (src/native, issue 16 §2) for tests: loaded, or a
 * loud skip line on a developer machine where it was not built; under CI
 * (which builds it at `npm ci`) a missing module fails the test instead.
 */
import { loadBatchModule, type BatchModule } from '../../src/server/batched-udp-socket.js';
import { inCI } from './paths.js';
import { loudSkip } from './skip.js';

/** The module, or null (skip) when it is not built here. Throws under CI. */
export function batchModuleOrSkip(what: string): BatchModule | null {
  const r = loadBatchModule();
  if (r.module !== null) return r.module;
  if (inCI) throw new Error(`the batched UDP module is missing in CI (${r.reason}): npm ci must build it`);
  loudSkip(`${what}: the batched UDP module is not built (${r.reason}; npm run build:native)`);
  return null;
}

/** True when the module loads (for `describe(..., { skip })`); under CI a missing module throws. */
export function haveBatchModule(what: string): boolean {
  return batchModuleOrSkip(what) !== null;
}

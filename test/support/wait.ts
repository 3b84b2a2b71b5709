/**
 * Waiting in tests: real time, always bounded.
 */
import { performance } from 'node:perf_hooks';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `cond` every `everyMs` (default 5) until it holds; resolves with the
 * ms elapsed since `t0` (performance.now() time, default: now). A throwing
 * `cond` (a lost datagram, a refused connection) counts as not yet. Rejects
 * after `timeoutMs` (default 3000), saying `what` and, when given, `detail()`.
 */
export async function until(
  what: string,
  cond: () => boolean | Promise<boolean>,
  opts: { timeoutMs?: number; everyMs?: number; t0?: number; detail?: () => string } = {},
): Promise<number> {
  const t0 = opts.t0 ?? performance.now();
  const end = t0 + (opts.timeoutMs ?? 3000);
  let lastErr: unknown = null;
  for (;;) {
    try {
      if (await cond()) return performance.now() - t0;
    } catch (e) {
      lastErr = e;
    }
    if (performance.now() > end) {
      const why = lastErr === null ? '' : ` (last error: ${(lastErr as Error).message ?? String(lastErr)})`;
      throw new Error(`${what}: not seen within ${opts.timeoutMs ?? 3000} ms${why}${opts.detail ? `\n${opts.detail()}` : ''}`);
    }
    await sleep(opts.everyMs ?? 5);
  }
}

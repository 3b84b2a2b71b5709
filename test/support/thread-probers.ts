/**
 * One UdpProber per serving thread of a Tyne with `server.threads` (issue
 * 16 §3): SO_REUSEPORT gives each client source port to one thread's
 * socket, so probers are opened (each on its own port), sent a few queries
 * each, and kept by the thread whose `tyne_thread_requests_total` counted
 * them (the metrics endpoint must be on), until every thread has one.
 * Bounded: at most `maxTries` probers are tried (32 by default; with two
 * threads all on one has probability 2^-31).
 */
import { scrape } from './metrics-scrape.js';
import { UdpProber } from './udp-prober.js';
import { sleep } from './wait.js';

export interface ThreadProbersOptions {
  port: number;
  metricsPort: number;
  /** The name asked (type A). */
  name: string;
  threads: number;
  maxTries?: number;
}

/** Probers by thread index (0: the main thread's socket); fails when some thread got none within maxTries. */
export async function probersByThread(o: ThreadProbersOptions): Promise<UdpProber[]> {
  const found: (UdpProber | undefined)[] = Array.from({ length: o.threads }, () => undefined);
  const count = (m: Map<string, number>, t: number): number => m.get(`tyne_thread_requests_total{thread="${t}"}`) ?? 0;
  const tries = o.maxTries ?? 32;
  for (let i = 0; i < tries && found.includes(undefined); i++) {
    const p = await UdpProber.open({ port: o.port, name: o.name });
    const before = await scrape(o.metricsPort);
    p.start();
    await sleep(20);
    await p.stop();
    const after = await scrape(o.metricsPort);
    const grew = found.map((_, t) => t).filter((t) => count(after, t) > count(before, t));
    const t = grew[0];
    if (grew.length === 1 && t !== undefined && found[t] === undefined) {
      p.reset();
      found[t] = p;
    } else {
      p.close();
    }
  }
  const missing = found.flatMap((p, t) => (p === undefined ? [t] : []));
  if (missing.length > 0) {
    for (const p of found) p?.close();
    throw new Error(`no prober reached thread ${missing.join(', ')} in ${tries} source ports`);
  }
  return found as UdpProber[];
}

/**
 * The soak's observers, in a worker thread of their own: the checked probe
 * (a `shop.example MX` over UDP every `everyMs`) and the one-query-a-second
 * TCP client. The soak's traffic generators keep the main thread busy; run
 * there, the observers' own timers would be late and their latency would be
 * the load generator's, not the server's.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { probeLoop, steadyClient, type ProbeResult, type SteadyStats } from './soak-attacks.js';

interface ObserverData {
  soakObserver: true;
  port: number;
  everyMs: number;
  deadline: number;
}

export interface Observed {
  probe: ProbeResult;
  steady: SteadyStats | null;
}

/** Starts the observers against 127.0.0.1:`port`; `stop()` ends them and gives what they saw. */
export function startObserver(port: number, everyMs: number, deadline: number, steady: boolean): { stop(): Promise<Observed> } {
  const worker = new Worker(new URL(import.meta.url), { workerData: { soakObserver: true, port, everyMs, deadline, steady } });
  const result = new Promise<Observed>((resolve, reject) => {
    worker.once('message', (m: Observed) => resolve(m));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`soak observer exited (${code}) before reporting`)));
  });
  return {
    stop() {
      worker.postMessage('stop');
      return result.finally(() => void worker.terminate());
    },
  };
}

if (!isMainThread && (workerData as Partial<ObserverData> | null)?.soakObserver === true) {
  const d = workerData as ObserverData & { steady: boolean };
  let stopped = false;
  parentPort!.once('message', () => (stopped = true));
  const done = (): boolean => stopped;
  const [probe, steady] = await Promise.all([probeLoop(d.port, d.everyMs, d.deadline, done), d.steady ? steadyClient(d.port, done, d.deadline) : Promise.resolve(null)]);
  parentPort!.postMessage({ probe, steady } satisfies Observed);
}

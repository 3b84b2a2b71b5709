/**
 * Answers queries in a real worker thread from zone images (issue 16 §3):
 * starts zone-image-worker.js, posts the images (their SharedArrayBuffers
 * are shared, not copied) and the queries, and returns its reply. Bounded:
 * the worker is terminated after `timeoutMs`.
 */
import { Worker } from 'node:worker_threads';
import type { ZoneImage } from '../../src/zone/index.js';
import type { ResponderOptions } from '../../src/server/responder-options.js';

export interface ImageWorkerRequest {
  images: ZoneImage[];
  queries: { bytes: Uint8Array; tcp: boolean }[];
  options: ResponderOptions;
  /** Also look every node up once (by nodes() and lookupKey) and report the heap after. */
  walk?: boolean;
}

export interface ImageWorkerReply {
  responses: (Uint8Array | null)[];
  /** Two lookups of each apex gave the same object. */
  identityKept: boolean;
  /** The images arrived over SharedArrayBuffers. */
  shared: boolean;
  /** The worker's used heap before the zones were made, and after the walk (see `walk`), in octets. */
  heapBefore: number;
  heapAfterWalk: number | undefined;
  walked: number;
}

export async function answerInWorker(req: ImageWorkerRequest, timeoutMs = 60_000): Promise<ImageWorkerReply> {
  const worker = new Worker(new URL('./zone-image-worker.js', import.meta.url));
  const timer = setTimeout(() => void worker.terminate(), timeoutMs);
  try {
    return await new Promise<ImageWorkerReply>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the zone image worker exited (code ${code}) before replying`)));
      worker.postMessage(req);
    });
  } finally {
    clearTimeout(timer);
    await worker.terminate();
  }
}

/**
 * A worker_threads body answering from zone images (issue 16 §3), for
 * tests and measurements (see image-worker.ts, which starts it): it takes
 * one ImageWorkerRequest by postMessage, makes each Zone with zoneFromImage,
 * answers the queries through a Responder over a ZoneSet of them, replies
 * with an ImageWorkerReply and exits.
 */
import { parentPort } from 'node:worker_threads';
import { getHeapStatistics } from 'node:v8';
import { zoneFromImage, type Zone } from '../../src/zone/index.js';
import { ZoneSet } from '../../src/query/index.js';
import { Responder } from '../../src/server/responder.js';
import type { ImageWorkerReply, ImageWorkerRequest } from './image-worker.js';

const port = parentPort;
if (port === null) throw new Error('zone-image-worker.js runs as a worker thread');

/** Heap in use after a full collection when the process runs with --expose-gc (else as it is). */
function heapUsed(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return getHeapStatistics().used_heap_size;
}

port.once('message', (req: ImageWorkerRequest) => {
  const heapBefore = heapUsed();
  const zones: Zone[] = req.images.map((image) => zoneFromImage(image));
  const shared = req.images.every((image) => image.buffer instanceof SharedArrayBuffer);
  const responder = new Responder(new ZoneSet(zones), req.options);
  const responses = req.queries.map((q) => responder.handle(q.bytes, { tcp: q.tcp }));
  // Node identity: the same node object for the same name on every lookup, in any spelling.
  const identityKept = zones.every((z) => z.lookup(z.origin) === z.lookup(z.origin) && z.lookupKey(z.origin.key) === z.lookup(z.origin));
  let heapAfterWalk: number | undefined;
  let walked = 0;
  if (req.walk === true) {
    // Held until measured (8 octets a node for the array): a zone read from an image holds its nodes weakly
    // (ImageNodeTable), so they would be collected before the heap is read.
    const held: unknown[] = [];
    for (const z of zones) {
      for (const n of z.nodes()) {
        if (z.lookupKey(n.key) === n || n.flags !== 0) walked++;
        held.push(n);
      }
    }
    heapAfterWalk = heapUsed();
    held.length = 0;
  }
  const reply: ImageWorkerReply = { responses, identityKept, shared, heapBefore, heapAfterWalk, walked };
  port.postMessage(reply);
  port.close();
});

import { Name } from '../wire/index.js';
import { Zone } from './zone.js';
import { CHUNK, CHUNK_MASK, CHUNK_SHIFT, type ZoneImage } from './image-layout.js';
import { ImageNodeTable } from './image-node-table.js';
import { runStepsNow, type Steps } from './run-steps.js';
import { writeZoneImageSteps } from './zone-image-writer.js';
import type { ImageArena } from './image-arena.js';

export type { ZoneImage } from './image-layout.js';

const images = new WeakMap<Zone, ZoneImage>();

/** The image of `zone` (main thread; O(records)); the same Zone object gives the same image object. */
export function zoneImage(zone: Zone): ZoneImage {
  return runStepsNow(zoneImageSteps(zone));
}

/**
 * zoneImage in steps (for runStepsInSlices: the main thread keeps
 * answering while a large zone's image is written), with the same cache:
 * a zone already imaged takes no step.
 */
export function* zoneImageSteps(zone: Zone): Steps<ZoneImage> {
  let image = images.get(zone);
  if (image === undefined) {
    image = yield* writeZoneImageSteps(zone);
    images.set(zone, image);
  }
  return image;
}

/**
 * The image of `zone` placed in `arena`'s shared slabs when small (main
 * thread; O(records)). Not cached: the caller keeps the images it serves,
 * so that an image no longer served is freed with its zone.
 */
export function zoneImageIn(zone: Zone, arena: ImageArena): ZoneImage {
  return runStepsNow(zoneImageInSteps(zone, arena));
}

/**
 * zoneImageIn in steps (for runStepsInSlices), and not cached either; with
 * no arena, in a buffer of its own.
 */
export function zoneImageInSteps(zone: Zone, arena?: ImageArena): Steps<ZoneImage> {
  return writeZoneImageSteps(zone, arena);
}

/** An empty name table (the NSEC3 owners of the many zones that have none: one object, not one per zone and thread). */
const NO_NODES = new ImageNodeTable(
  {
    format: 2, zoneClass: 0, recordCount: 0, originAt: 0, originLength: 0, apex: 0, serial: 0, nodeCount: 0, nsec3Count: 0,
    bytes: new Uint8Array(0), ints: new Int32Array(new SharedArrayBuffer(8)),
    nodesAt: 0, tableAt: 0, tableSlots: 1, nsec3TableAt: 0, nsec3Slots: 1, rrsetsAt: 0, recordsAt: 0,
  },
  [], 0, 0, 0, 1,
);

/**
 * The Zone an image holds (any thread). Cheap: no work per node here; a
 * node (a ZoneNodeImpl over the image's octets) is made on its first lookup
 * and held weakly (ImageNodeTable): the same node is the same object in this
 * thread for as long as anything holds it (the answer cache, keyed by node
 * identity, and the denial index hold theirs), and is collected once
 * nothing does. The apex too: the Zone finds its SOA there when asked
 * (a serving thread of ten thousand small zones holds no node of a zone
 * nobody asks about).
 */
export function zoneFromImage(image: ZoneImage): Zone {
  if (image.format !== 2) throw new TypeError(`zone image format ${String(image.format)} is not 2`);
  const bytes = image.bytes;
  let views: Uint8Array[];
  if (bytes.length <= CHUNK) {
    views = [bytes];
  } else {
    views = [];
    for (let at = 0; at < bytes.length; at += CHUNK) views.push(bytes.subarray(at, Math.min(bytes.length, at + CHUNK)));
  }
  const nodes = new ImageNodeTable(image, views, 0, image.nodeCount, image.tableAt, image.tableSlots);
  const nsec3Nodes = image.nsec3Count === 0 ? NO_NODES : new ImageNodeTable(image, views, image.nodeCount, image.nsec3Count, image.nsec3TableAt, image.nsec3Slots);
  const originAt = image.originAt;
  const originChunk = views[originAt >>> CHUNK_SHIFT]!;
  const local = originAt & CHUNK_MASK;
  const origin = Name.trusted(originChunk.subarray(local, local + image.originLength));
  return new Zone({ origin, zoneClass: image.zoneClass, apex: image.apex, serial: image.serial, recordCount: image.recordCount, nodes, nsec3Nodes, readOnly: true });
}

/** Octets of SharedArrayBuffer memory the image takes (for logs and the memory budget). */
export function zoneImageBytes(image: ZoneImage): number {
  return image.bytes.byteLength + image.ints.byteLength;
}

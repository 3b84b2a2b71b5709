import { Name } from '../wire/index.js';
import { Zone } from './zone.js';
import { CHUNK_MASK, CHUNK_SHIFT, HEADER_INTS, IMAGE_FORMAT, imageBuffer, imageHeader, type ImageBuffer, type ZoneImage } from './image-layout.js';
import { ImageNodeTable } from './image-node-table.js';
import { runStepsNow, type Steps } from './run-steps.js';
import { writeZoneImageSteps } from './zone-image-writer.js';
import type { ImageArena } from './image-arena.js';

export { imageBuffer, imageHeader, type ImageBuffer, type ImageHeader, type ZoneImage } from './image-layout.js';

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

/** An empty image, and its empty name table (the NSEC3 owners of the many zones that have none: one object, not one per zone and thread). */
const EMPTY = imageBuffer(new SharedArrayBuffer(4 * HEADER_INTS));
const NO_NODES = new ImageNodeTable(EMPTY, 0, imageHeader({ buffer: EMPTY.buffer, at: 0 }, EMPTY.ints), 0, 0, 0, 1);

/**
 * The Zone an image holds (any thread), read through `buffer`, the views
 * of its SharedArrayBuffer (a thread that reads many images of one buffer
 * passes the same views for each: imageBuffer). Cheap: no work per node
 * here; a node (a ZoneNodeImpl over the image's octets) is made on its
 * first lookup and held weakly (ImageNodeTable): the same node is the same
 * object in this thread for as long as anything holds it (the answer cache,
 * keyed by node identity, and the denial index hold theirs), and is
 * collected once nothing does. The apex too: the Zone finds its SOA there
 * when asked (a serving thread of ten thousand small zones holds no node of
 * a zone nobody asks about).
 */
export function zoneFromImage(image: ZoneImage, buffer: ImageBuffer = imageBuffer(image.buffer)): Zone {
  const h = imageHeader(image, buffer.ints);
  if (h.format !== IMAGE_FORMAT) throw new TypeError(`zone image format ${String(h.format)} is not ${IMAGE_FORMAT}`);
  const nodes = new ImageNodeTable(buffer, image.at, h, 0, h.nodeCount, h.tableAt, h.tableSlots);
  const nsec3Nodes = h.nsec3Count === 0 ? NO_NODES : new ImageNodeTable(buffer, image.at, h, h.nodeCount, h.nsec3Count, h.nsec3TableAt, h.nsec3Slots);
  const originAt = h.bytesAt + h.originAt;
  const originChunk = buffer.views[originAt >>> CHUNK_SHIFT]!;
  const local = originAt & CHUNK_MASK;
  const origin = Name.trusted(originChunk.subarray(local, local + h.originLength));
  return new Zone({ origin, zoneClass: h.zoneClass, apex: h.apex, serial: h.serial, recordCount: h.recordCount, nodes, nsec3Nodes, readOnly: true });
}

/** Octets of SharedArrayBuffer memory the image takes (for logs and the memory budget). */
export function zoneImageBytes(image: ZoneImage): number {
  const h = imageHeader(image);
  return h.bytesLength + 4 * h.intsLength;
}

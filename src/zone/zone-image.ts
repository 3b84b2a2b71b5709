import { Name } from '../wire/index.js';
import { Zone } from './zone.js';
import {
  CHUNK_MASK,
  CHUNK_SHIFT,
  HEADER_INTS,
  H_APEX,
  H_BYTES_AT,
  H_BYTES_LENGTH,
  H_CLASS,
  H_FORMAT,
  H_INTS_LENGTH,
  H_NODES,
  H_NSEC3,
  H_NSEC3_SLOTS,
  H_NSEC3_TABLE_AT,
  H_ORIGIN_AT,
  H_ORIGIN_LENGTH,
  H_RECORDS,
  H_SERIAL,
  H_TABLE_AT,
  H_TABLE_SLOTS,
  IMAGE_FORMAT,
  imageBuffer,
  type ImageBuffer,
  type ZoneImage,
} from './image-layout.js';
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

/** An empty name table (the NSEC3 owners of the many zones that have none: one object, not one per zone and thread). */
const NO_NODES = new ImageNodeTable(imageBuffer(new SharedArrayBuffer(4 * HEADER_INTS)), 0, 0, 0, 0, 1);

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
  const ints = buffer.ints;
  const h = image.at;
  if (ints[h + H_FORMAT] !== IMAGE_FORMAT) throw new TypeError(`zone image format ${String(ints[h + H_FORMAT])} is not ${IMAGE_FORMAT}`);
  const nodeCount = ints[h + H_NODES]!;
  const nsec3Count = ints[h + H_NSEC3]!;
  const nodes = new ImageNodeTable(buffer, h, 0, nodeCount, ints[h + H_TABLE_AT]!, ints[h + H_TABLE_SLOTS]!);
  const nsec3Nodes = nsec3Count === 0 ? NO_NODES : new ImageNodeTable(buffer, h, nodeCount, nsec3Count, ints[h + H_NSEC3_TABLE_AT]!, ints[h + H_NSEC3_SLOTS]!);
  const originAt = ints[h + H_BYTES_AT]! + ints[h + H_ORIGIN_AT]!;
  const originChunk = buffer.views[originAt >>> CHUNK_SHIFT]!;
  const local = originAt & CHUNK_MASK;
  const origin = Name.trusted(originChunk.subarray(local, local + ints[h + H_ORIGIN_LENGTH]!));
  return new Zone({
    origin, zoneClass: ints[h + H_CLASS]!, apex: ints[h + H_APEX]!, serial: ints[h + H_SERIAL]! >>> 0, recordCount: ints[h + H_RECORDS]!, nodes, nsec3Nodes, readOnly: true,
  });
}

/** Octets of SharedArrayBuffer memory the image takes (for logs and the memory budget). */
export function zoneImageBytes(image: ZoneImage): number {
  const h = new Int32Array(image.buffer, 4 * image.at, H_INTS_LENGTH + 1);
  return h[H_BYTES_LENGTH]! + 4 * h[H_INTS_LENGTH]!;
}

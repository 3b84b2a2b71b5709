import { Name, RRType } from '../wire/index.js';
import { Zone } from './zone.js';
import { CHUNK, CHUNK_SHIFT, type ZoneImage } from './image-layout.js';
import { ImageNodeTable } from './image-node-table.js';
import { runStepsNow, type Steps } from './run-steps.js';
import { writeZoneImageSteps } from './zone-image-writer.js';

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
 * The Zone an image holds (any thread). Cheap: no work per node here; a
 * node (a ZoneNodeImpl over the image's octets) is made on its first lookup
 * and held weakly (ImageNodeTable): the same node is the same object in this
 * thread for as long as anything holds it (the answer cache, keyed by node
 * identity, and the denial index hold theirs), and is collected once
 * nothing does.
 */
export function zoneFromImage(image: ZoneImage): Zone {
  if (image.format !== 1) throw new TypeError(`zone image format ${String(image.format)} is not 1`);
  const bytes = image.bytes;
  const views: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += CHUNK) views.push(bytes.subarray(at, Math.min(bytes.length, at + CHUNK)));
  const nodes = new ImageNodeTable(image, views, 0, image.nodeCount, image.table);
  const nsec3Nodes = new ImageNodeTable(image, views, image.nodeCount, image.nsec3Count, image.nsec3Table);
  const originAt = image.originAt;
  const originChunk = views[originAt >>> CHUNK_SHIFT]!;
  const local = originAt - (originAt >>> CHUNK_SHIFT) * CHUNK;
  const origin = Name.trusted(originChunk.subarray(local, local + image.originLength));
  const soa = nodes.get(origin.key)?.get(RRType.SOA);
  if (soa === undefined) throw new TypeError(`zone image of ${origin.toText()} has no SOA at its apex`);
  return new Zone({ origin, zoneClass: image.zoneClass, soa, recordCount: image.recordCount, nodes, nsec3Nodes, readOnly: true });
}

/** Octets of SharedArrayBuffer memory the image holds (for logs and the memory budget). */
export function zoneImageBytes(image: ZoneImage): number {
  return image.bytes.buffer.byteLength + image.nodes.buffer.byteLength;
}

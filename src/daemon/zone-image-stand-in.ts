// TEMPORARY stand-in for src/zone/zone-image.ts (helper h16-img): records copied, rebuilt per thread. Replaced at merge.
import { Name } from '../wire/index.js';
import { ZoneBuilder, type Zone } from '../zone/index.js';

export interface ZoneImage {
  origin: Uint8Array;
  zoneClass: number;
  records: { name: Uint8Array; type: number; class: number; ttl: number; rdata: Uint8Array }[];
}

const images = new WeakMap<Zone, ZoneImage>();

export function zoneImage(zone: Zone): ZoneImage {
  let img = images.get(zone);
  if (img === undefined) {
    img = { origin: zone.origin.wire, zoneClass: zone.zoneClass, records: zone.canonicalRecords().map((r) => ({ name: r.name.wire, type: r.type, class: r.class, ttl: r.ttl, rdata: r.rdata })) };
    images.set(zone, img);
  }
  return img;
}

export function zoneFromImage(image: ZoneImage): Zone {
  const b = new ZoneBuilder(Name.fromWire(image.origin), { zoneClass: image.zoneClass });
  for (const r of image.records) b.add({ name: Name.fromWire(r.name), type: r.type, class: r.class, ttl: r.ttl, rdata: r.rdata });
  const z = b.build().zone;
  if (z === null) throw new Error('stand-in image did not build');
  return z;
}

export function zoneImageBytes(image: ZoneImage): number {
  return image.records.length;
}

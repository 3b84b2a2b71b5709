/** Public surface of the zone layer: a ZoneBuilder checks records and builds an immutable Zone. */
export { NodeFlags, nodeFlagsToText } from './node-flags.js';
export * from './rrset.js';
// ZoneNodeImpl: the node class of a built Zone, for code that reads an owner's octets from the zone's slab (transfers, diffs).
export { ZoneNodeImpl, type ZoneNode } from './zone-node.js';
export * from './zone.js';
export * from './zone-builder.js';
export * from './zone-codes.js';
export * from './zone-usage-error.js';
export { hashWireName } from './node-table.js';
export { ContentDigest } from './content-digest.js';
export { compareOctets } from './canonical-order.js';
export { runStepsInSlices, runStepsNow, type Steps } from './run-steps.js';
export { recordKey, updateZoneSteps, type ZoneChange } from './zone-update.js';
export { estimatedZoneBytes, encodedRecordBytes } from './zone-memory-estimate.js';
export { loadZoneFile, loadZoneFromText, loadZoneText, zoneFileUnreadable, type LoadResult } from './load-zone.js';
export { SERIAL_POLICIES, type SerialPolicy } from './serial-policy-name.js';
export { checkNames, hostOwnerOk, type BadName } from './check-names.js';
export { nsTargetAddress } from './ns-address-check.js';
export { nameForMessage, wireNameForMessage } from './name-text.js';
// Zone images (issue 16 §3): a zone version in SharedArrayBuffers, read as a Zone in any thread.
export { zoneImage, zoneImageIn, zoneImageInSteps, zoneImageSteps, zoneFromImage, zoneImageBytes, imageBuffer, imageHeader, type ImageBuffer, type ImageHeader, type ZoneImage } from './zone-image.js';
export { ImageArena, SLAB_BYTES } from './image-arena.js';

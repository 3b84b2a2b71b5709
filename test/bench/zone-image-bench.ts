/**
 * Zone images (issue 16 §3): for the benchmark zone (100,000 hosts, then
 * 1,000,000; --quick 20,000 only), the time of zoneImage (median of 3
 * writes), the image's octets per node, the time of zoneFromImage, and
 * lookupWire of every owner over the zone and over the image's zone; then
 * a real worker thread makes the zone from the posted image, looks every
 * node up once and reports its heap, against the main thread's zone heap
 * after the same walk. Heap figures are after a full GC when node runs
 * with --expose-gc (`node --expose-gc dist/test/bench/run.js --zone-image-only`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { Name } from '../../src/wire/index.js';
import { hashWireName, loadZoneFile, runStepsNow, zoneFromImage, zoneImage, zoneImageBytes, type Zone } from '../../src/zone/index.js';
import { writeZoneImageSteps } from '../../src/zone/zone-image-writer.js';
import { answerInWorker } from '../support/image-worker.js';
import { BENCH_ORIGIN, writeBenchZone } from './zone-generator.js';

const gc = (globalThis as { gc?: () => void }).gc;
function heapUsed(): number {
  gc?.();
  gc?.();
  return getHeapStatistics().used_heap_size;
}
const mib = (n: number): string => `${(n / 1048576).toFixed(1)} MiB`;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** ns per lookupWire of every owner (in capitals), median of 5 passes. */
function lookupNs(zone: Zone, names: [number, Uint8Array][]): number {
  const runs: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t = performance.now();
    let found = 0;
    for (const [h, w] of names) if (zone.lookupWire(h, w, 0, w.length) !== undefined) found++;
    if (found !== names.length) throw new Error(`lookupWire found ${found} of ${names.length} owners`);
    runs.push(((performance.now() - t) * 1e6) / names.length);
  }
  return median(runs);
}

async function one(dir: string, hosts: number): Promise<void> {
  const file = join(dir, `bench-${hosts}.zone`);
  const records = writeBenchZone(file, hosts);
  const h0 = heapUsed();
  const zone = loadZoneFile(file, Name.fromText(BENCH_ORIGIN)).zone;
  if (zone === null) throw new Error('the benchmark zone did not load');
  let walked = 0;
  for (const n of zone.nodes()) if (zone.lookupKey(n.key) === n) walked++;
  const mainHeap = heapUsed() - h0;
  const writes: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    runStepsNow(writeZoneImageSteps(zone));
    writes.push(performance.now() - t);
  }
  const image = zoneImage(zone);
  const bytes = zoneImageBytes(image);
  let t = performance.now();
  const read = zoneFromImage(image);
  const fromMs = performance.now() - t;
  const names: [number, Uint8Array][] = [];
  for (const n of zone.nodes()) {
    const w = Uint8Array.from(n.name.wire, (c) => (c >= 0x61 && c <= 0x7a ? c - 32 : c));
    names.push([hashWireName(w), w]);
  }
  t = performance.now();
  for (const [h, w] of names) read.lookupWire(h, w, 0, w.length);
  const firstNs = ((performance.now() - t) * 1e6) / names.length;
  const mainNs = lookupNs(zone, names);
  const imageNs = lookupNs(read, names);
  const options = { udpPayload: 1232, identity: 'bench', version: 'bench' };
  const reply = await answerInWorker({ images: [image], queries: [], options, walk: true }, 600_000);
  const workerHeap = reply.heapAfterWalk! - reply.heapBefore;
  const perNode = (n: number): string => `${(n / zone.nodeCount).toFixed(0)} B/node`;
  console.log(`${hosts.toLocaleString('en-US')} hosts (${records.toLocaleString('en-US')} records, ${zone.nodeCount.toLocaleString('en-US')} nodes):`);
  console.log(`  zoneImage ${median(writes).toFixed(0)} ms (runs ${writes.map((x) => x.toFixed(0)).join(' / ')}); image ${mib(bytes)}, ${(bytes / zone.nodeCount).toFixed(1)} B/node; zoneFromImage ${fromMs.toFixed(2)} ms`);
  console.log(`  lookupWire of every owner: zone ${mainNs.toFixed(0)} ns, image's zone ${imageNs.toFixed(0)} ns (its first pass, making the nodes: ${firstNs.toFixed(0)} ns)`);
  console.log(`  heap after a lookup of every node: main thread's zone ${mib(mainHeap)} (${perNode(mainHeap)}, ${walked} nodes); worker's zone ${mib(workerHeap)} (${perNode(workerHeap)}), plus the shared image`);
}

export async function runZoneImageBench(quick: boolean): Promise<void> {
  console.log(`Zone images (issue 16 §3)${gc === undefined ? ' (no --expose-gc: heap figures without a full GC, rough)' : ''}${quick ? ' (--quick: rough numbers only)' : ''}`);
  const dir = mkdtempSync(join(tmpdir(), 'tyne-zone-image-bench-'));
  try {
    for (const hosts of quick ? [20_000] : [100_000, 1_000_000]) await one(dir, hosts);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

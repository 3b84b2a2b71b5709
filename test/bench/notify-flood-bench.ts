/**
 * NOTIFY flood at a secondary (issue 12 item 5): a Tyne secondary of a
 * fake primary (which counts SOA queries) gets NOTIFYs from the primary's
 * address at 10,000 a second, claiming a newer serial, while a UDP prober
 * asks it for a name once every 2 ms. Printed: SOA queries a second at the
 * primary, log lines, and the probe's p50/p99 against a control window of
 * the probe alone, measured just before in the same run (the ratio is what
 * to compare across machines).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Name } from '../../src/wire/index.js';
import { buildNotify } from '../../src/xfr/notify-send.js';
import { startFakePrimary } from '../support/fake-primary.js';
import { freePort } from '../support/ports.js';
import { tyneYaml, zoneText } from '../support/tyne-config.js';
import { startTyne } from '../support/tyne-process.js';
import { sprayUdp } from '../support/udp-spray.js';
import { UdpProber, probeText } from '../support/udp-prober.js';
import { sleep } from '../support/wait.js';

const ZONE = 'flood.bench';

export async function runNotifyFloodBench(quick: boolean): Promise<void> {
  const seconds = quick ? 2 : 10;
  const dir = mkdtempSync(join(tmpdir(), 'tyne-notify-bench-'));
  const fake = await startFakePrimary(ZONE, zoneText(ZONE, 1));
  const port = await freePort();
  const cfg = join(dir, 'tyne.yaml');
  writeFileSync(cfg, tyneYaml({ listen: [`127.0.0.1:${port}`], secondaries: [{ name: ZONE, primaries: [`127.0.0.1:${fake.port}`], file: 'flood.bench.zone' }] }));
  const tyne = await startTyne(cfg);
  try {
    await tyne.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith(`transfer of ${ZONE}.`), 10_000);
    await sleep(1500);
    const prober = await UdpProber.open({ port, name: `h1.${ZONE}`, everyMs: 2 });
    prober.start();
    await sleep(seconds * 1000);
    await prober.stop();
    const control = prober.stats();
    prober.reset();
    const soa = new Uint8Array(fake.zone.soa.rdatas[0]!);
    Buffer.from(soa.buffer, soa.byteOffset, soa.byteLength).writeUInt32BE(2, soa.length - 20);
    const before = fake.soaQueries;
    const mark = tyne.mark();
    prober.start();
    const flood = await sprayUdp(port, [buildNotify(1, Name.fromText(`${ZONE}.`), soa, 300)], { perSecond: 10_000, durationMs: seconds * 1000 });
    await prober.stop();
    const during = prober.stats();
    prober.close();
    const soaRate = (fake.soaQueries - before) / (flood.ms / 1000);
    console.log(`NOTIFY flood at a secondary: ${flood.sent} NOTIFYs in ${(flood.ms / 1000).toFixed(1)} s (${flood.answers} acknowledged)`);
    console.log(`  SOA queries at the primary: ${soaRate.toFixed(1)}/s; log lines: ${tyne.since(mark).length}`);
    console.log(`  probe, control: ${probeText(control)}`);
    console.log(`  probe, flood:   ${probeText(during)}`);
    console.log(`  p99 flood/control: ${(during.p99 / Math.max(0.01, control.p99)).toFixed(1)}x; answered ${during.answered}/${during.sent} vs ${control.answered}/${control.sent}`);
  } finally {
    await tyne.stop();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

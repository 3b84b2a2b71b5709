/**
 * The soak's server (fuzz/soak.ts): a `tyne serve` child on the bundled
 * zones and a generated zone for the slow transfer, logging at warn; ready
 * once every zone answers its SOA; stopped on SIGINT/SIGTERM of the soak
 * too; and what /proc says about it (RSS, alive).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildQuery, queryUdp } from '../test/support/dns-client.js';
import { repoRoot } from '../test/support/paths.js';
import { sleep } from '../test/support/wait.js';
import { SLOW_READER } from './soak-attacks.js';

/** The soak server's answer-cache bound (`answer-cache-size`). */
export const ANSWER_CACHE_MIB = 32;
/** The zone the slow transfer reads. */
export const AXFR_ZONE = 'bulk.soak';

/** A field of /proc/<pid>/status in kB (VmRSS, VmHWM), or -1. */
export function procStatus(pid: number, field: string): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : -1;
  } catch {
    return -1;
  }
}

/** The process `pid` is there (kill -0). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface SoakServer {
  child: ChildProcess;
  pid: number;
  exit: () => string | null;
  stderr: () => string;
  logLines: () => number;
  stop: () => Promise<void>;
}

/** A zone of `records` A records (plus SOA and NS), for the slow transfer. */
function bulkZone(records: number): string {
  const lines = [`$ORIGIN ${AXFR_ZONE}.`, '$TTL 3600', '@ SOA ns1 hostmaster 1 7200 3600 1209600 300', '@ NS ns1', 'ns1 A 192.0.2.53'];
  for (let i = 0; i < records; i++) lines.push(`h${i} A 10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`);
  return lines.join('\n') + '\n';
}

/** Starts the server in `dir` on 127.0.0.1:`port`, with a bulk zone of `axfrRecords` records; resolves once every zone is served. */
export async function startServer(dir: string, port: number, axfrRecords: number): Promise<SoakServer> {
  // The bundled zones: the company's own in zones/, a customer's in zones/customers/ (as name, file).
  const zones = [['hosting.example', 'hosting.example.zone'], ['shop.example', 'customers/shop.example.zone'], ['2.0.192.in-addr.arpa', '2.0.192.in-addr.arpa.zone']] as const;
  const bulkFile = join(dir, `${AXFR_ZONE}.zone`);
  writeFileSync(bulkFile, bulkZone(axfrRecords));
  const config = [
    `listen: ["127.0.0.1:${port}"]`,
    'log:',
    '  level: warn',
    'server:',
    '  tcp-idle-timeout: 2s',
    '  tcp-max-connections: 200',
    `  answer-cache-size: ${ANSWER_CACHE_MIB}M`,
    // Journals and served-serial state in the temp folder, not beside the bundled zone files.
    `  data-dir: ${JSON.stringify(join(dir, 'state'))}`,
    'zones:',
    ...zones.map(([name, file]) => `  - name: ${name}\n    file: ${JSON.stringify(resolve(repoRoot, 'zones', file))}`),
    `  - name: ${AXFR_ZONE}\n    file: ${JSON.stringify(bulkFile)}\n    allow-transfer: ["${SLOW_READER}/32"]`,
    '',
  ].join('\n');
  const configPath = join(dir, 'tyne.yaml');
  writeFileSync(configPath, config);
  const child = spawn(process.execPath, [resolve(repoRoot, 'bin', 'tyne'), 'serve', '--config', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  let lines = 0;
  let exit: string | null = null;
  child.stdout!.on('data', (c: Buffer) => {
    for (const x of c) if (x === 10) lines++;
  });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (c: string) => {
    err = (err + c).slice(-8000);
  });
  // An interrupted soak must not leave the server behind.
  const onSignal = (sig: NodeJS.Signals): void => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const exited = new Promise<void>((r) =>
    child.once('exit', (code, sig) => {
      exit = `code ${code} signal ${sig}`;
      r();
    }),
  );
  const server: SoakServer = {
    child,
    pid: child.pid ?? -1,
    exit: () => exit,
    stderr: () => err,
    logLines: () => lines,
    async stop() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      if (exit !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      let giveUp: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise<void>((r) => (giveUp = setTimeout(r, 6000)))]);
      clearTimeout(t);
      clearTimeout(giveUp);
    },
  };
  // Ready when every zone answers its SOA with NOERROR (the `serving` line is info, below the warn level;
  // the sockets are bound before the zones load, and a zone still loading answers SERVFAIL).
  const until = Date.now() + 30_000;
  for (const zone of [...zones.map(([name]) => name), AXFR_ZONE]) {
    const probe = buildQuery({ id: 0x7e57, name: zone, type: 6 });
    for (;;) {
      if (exit !== null) throw new Error(`tyne exited during startup (${exit}): ${err}`);
      const rcode = await queryUdp(port, probe, 200).then((r) => r[3]! & 0xf, () => -1);
      if (rcode === 0) break;
      if (Date.now() > until) {
        await server.stop();
        throw new Error(`tyne did not serve ${zone} within 30 s (last rcode ${rcode}); stderr: ${err}`);
      }
      await sleep(100);
    }
  }
  return server;
}

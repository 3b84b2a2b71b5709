/**
 * Where state is written, and what happens when it cannot be (issue:
 * "problems that should be found at startup, not at the first edit"). The
 * daemon runs as an unprivileged user (65534 when the tests run as root;
 * else the tests' own user, with the folders made read-only), the zone
 * files sit in a folder that user cannot write, as in /etc:
 *
 *  1. with `server.data-dir`, journals and served-serial state go there,
 *     nothing is written beside the zone files, and the serial survives a
 *     restart;
 *  2. without it, the folder that is not writable is reported at startup,
 *     naming it and what to do, and the zone is not served under a serial
 *     it cannot record;
 *  3. a secondary whose copy folder is not writable says so at startup,
 *     and still serves what it transfers.
 */
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RRType, Rcode, decodeMessage } from '../../src/wire/index.js';
import { digSerial } from '../support/dig.js';
import { buildQuery, queryUdp } from '../support/dns-client.js';
import { freePort, freePorts } from '../support/ports.js';
import { haveTool } from '../support/tools.js';
import { tyneYaml, zoneText } from '../support/tyne-config.js';
import { startTyne, type TyneProcess } from '../support/tyne-process.js';
import { until } from '../support/wait.js';

const root = process.getuid?.() === 0;
/** The daemon's user: nobody when we are root, else ourselves. */
const as = root ? { uid: 65534, gid: 65534 } : {};

/** A folder the daemon's user may write. */
function ownFolder(path: string): void {
  mkdirSync(path, { recursive: true });
  if (root) chownSync(path, 65534, 65534);
}

/** A folder the daemon's user may read but not write (files in it stay writable by the test). */
function readOnlyFolder(path: string): void {
  if (root) chmodSync(path, 0o755); // owned by root
  else chmodSync(path, 0o555);
}

describe('storage folders: data-dir, and folders that cannot be written', { skip: !haveTool('dig'), timeout: 60_000 }, () => {
  let dir = '';
  let etc = '';
  const procs: TyneProcess[] = [];
  const start = async (config: string): Promise<TyneProcess> => {
    const p = await startTyne(config, as);
    procs.push(p);
    return p;
  };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tyne-storage-'));
    chmodSync(dir, 0o755);
    etc = join(dir, 'etc');
    mkdirSync(etc);
    writeFileSync(join(etc, 's.example.zone'), zoneText('s.example', 7), { mode: 0o644 });
  });

  after(async () => {
    await Promise.allSettled(procs.map((p) => p.stop()));
    if (dir !== '') {
      chmodSync(etc, 0o755);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('1. with server.data-dir, the journal and served-serial state go there, none beside the zone file', async () => {
    const port = await freePort();
    const state = join(dir, 'var-lib-tyne');
    ownFolder(state);
    writeFileSync(join(etc, 'ns1.yaml'), tyneYaml({ listen: [`127.0.0.1:${port}`], server: [`data-dir: ${state}`], primaries: [{ name: 's.example', file: 's.example.zone' }] }), { mode: 0o644 });
    readOnlyFolder(etc);
    const before = readdirSync(etc).sort();
    let ns1 = await start(join(etc, 'ns1.yaml'));
    assert.deepEqual(ns1.logs.filter((l) => l.level === 50), [], 'no error at startup');
    assert.equal(await digSerial({ port }, 's.example'), 7);
    // An edit without a serial bump: served as 8, recorded in data-dir.
    writeFileSync(join(etc, 's.example.zone'), zoneText('s.example', 7, { extra: ['new A 192.0.2.8'] }));
    await until('the edit is served as 8', async () => (await digSerial({ port }, 's.example')) === 8, { timeoutMs: 5000, everyMs: 20 });
    assert.deepEqual(readdirSync(state).sort(), ['s.example.jnl', 's.example.served.json', 'tyne.sock'], 'the journal, the served serial and the control socket (its default place)');
    assert.deepEqual(readdirSync(etc).sort(), before, 'nothing written beside the zone files');
    assert.equal(await ns1.stop(), 0);
    ns1 = await start(join(etc, 'ns1.yaml'));
    assert.equal(await digSerial({ port }, 's.example'), 8, 'the served serial survives the restart');
    assert.equal(await ns1.stop(), 0);
  });

  it('2. without data-dir, a zone folder that cannot be written is reported at startup, and the zone is not served unrecorded', async () => {
    const port = await freePort();
    const other = join(dir, 'writable');
    ownFolder(other);
    writeFileSync(join(other, 'ok.example.zone'), zoneText('ok.example', 1), { mode: 0o644 });
    chmodSync(etc, 0o755);
    writeFileSync(
      join(etc, 'ns1.yaml'),
      tyneYaml({ listen: [`127.0.0.1:${port}`], primaries: [{ name: 's.example', file: 's.example.zone' }, { name: 'ok.example', file: join(other, 'ok.example.zone') }] }),
      { mode: 0o644 },
    );
    readOnlyFolder(etc);
    const ns1 = await start(join(etc, 'ns1.yaml'));
    const line = ns1.logs.find((l) => l.level === 50 && l.zone === 's.example.' && l.folder === etc);
    assert.ok(line !== undefined, `an error naming the folder: ${JSON.stringify(ns1.logs.filter((l) => Number(l.level) >= 40))}`);
    assert.match(String(line.msg), /is not writable \(EACCES\).*make it writable by the user tyne runs as, or set server\.data-dir/);
    assert.equal((line.err as { code?: string }).code, 'STORAGE_UNWRITABLE');
    assert.doesNotMatch(JSON.stringify(ns1.logs), /\\n\s+at /, 'no stack trace: it is no bug');
    const m = decodeMessage(await queryUdp(port, buildQuery({ id: 7, name: 's.example', type: RRType.SOA })));
    assert.equal(m.rcode, Rcode.REFUSED, 'not served under a serial that cannot be recorded');
    assert.equal(await digSerial({ port }, 'ok.example'), 1, 'the other zone is served');
    await ns1.stop();
  });

  it('3. a secondary whose copy folder cannot be written says so at startup, and serves what it transfers', async () => {
    const [p1, p2] = (await freePorts(2)) as [number, number];
    const prim = join(dir, 'primary');
    ownFolder(prim);
    writeFileSync(join(prim, 'c.example.zone'), zoneText('c.example', 3), { mode: 0o644 });
    writeFileSync(join(prim, 'ns1.yaml'), tyneYaml({ listen: [`127.0.0.1:${p1}`], primaries: [{ name: 'c.example', file: 'c.example.zone', notify: [`127.0.0.1:${p2}`] }] }), { mode: 0o644 });
    const copies = join(dir, 'copies');
    mkdirSync(copies);
    readOnlyFolder(copies);
    writeFileSync(join(dir, 'ns2.yaml'), tyneYaml({ listen: [`127.0.0.1:${p2}`], secondaries: [{ name: 'c.example', primaries: [`127.0.0.1:${p1}`], file: join(copies, 'c.example.zone') }] }), { mode: 0o644 });
    const ns2 = await start(join(dir, 'ns2.yaml'));
    const line = ns2.logs.find((l) => l.level === 50 && l.zone === 'c.example.' && l.folder === copies);
    assert.ok(line !== undefined, `an error naming the folder: ${JSON.stringify(ns2.logs.filter((l) => Number(l.level) >= 40))}`);
    assert.match(String(line.msg), /saved secondary copies is not writable \(EACCES\): transferred versions are served from memory only/);
    await start(join(prim, 'ns1.yaml'));
    await until('ns2 serves the transferred zone', async () => (await digSerial({ port: p2 }, 'c.example')) === 3, { timeoutMs: 10_000, everyMs: 50 });
  });
});

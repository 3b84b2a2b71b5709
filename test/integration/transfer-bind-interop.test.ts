/**
 * Zone transfers between `tyne serve` and BIND 9.18 `named`, both ways,
 * with and without TSIG:
 *
 * - Tyne primary → named secondary: named copies the zone by AXFR after
 *   Tyne's startup NOTIFY, then by IXFR after an edit and a SIGHUP to Tyne
 *   (Tyne's journal).
 * - named primary → Tyne secondary: AXFR after named's NOTIFY, IXFR after an
 *   edit and a SIGHUP to named (`ixfr-from-differences`), then a forced full
 *   transfer (named restarted without its journal and with a new serial),
 *   and Tyne's saved copy.
 *
 * After each transfer the zone `dig AXFR` prints from both servers must be
 * the same set of records (owner names compared in lower case).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadZoneFile } from '../../src/zone/load-zone.js';
import { Name } from '../../src/wire/index.js';
import { formatRecord } from '../../src/zonefile/index.js';
import { startNamed, type NamedProcess } from '../support/named-process.js';
import { repoRoot } from '../support/paths.js';
import { freePort } from '../support/ports.js';
import { haveTool } from '../support/tools.js';
import { afterSoaCheckInterval, startTyne, type TyneProcess } from '../support/tyne-process.js';
import { sleep } from '../support/wait.js';
import { digAxfr, digSerial, type DigKey } from '../support/dig.js';

const HAVE_TOOLS = haveTool('named') && haveTool('dig');
const SOURCE_ZONE = resolve(repoRoot, 'test', 'zones', 'serve', 'example.com.zone');
const ZONE = 'example.com';
const SERIAL_1 = 2024010101;
const SERIAL_2 = 2024010102;
const SERIAL_3 = 2024010103;

const KEY_NAME = 'transfer';
const KEY_SECRET = 'dHluZS1iaW5kLWludGVyb3AtdHJhbnNmZXIta2V5LTAx';
const KEY_BLOCK = `key "${KEY_NAME}" { algorithm hmac-sha256; secret "${KEY_SECRET}"; };`;
const KEYS_YAML = `keys:\n  - { name: ${KEY_NAME}, algorithm: hmac-sha256, secret: "${KEY_SECRET}" }\n`;

type Log = Record<string, unknown>;

/** The source zone with serial `serial` and, from version 2 on, edits of every kind. */
function zoneVersion(v: 1 | 2 | 3): string {
  let text = readFileSync(SOURCE_ZONE, 'utf8');
  const serial = v === 1 ? SERIAL_1 : v === 2 ? SERIAL_2 : SERIAL_3;
  text = text.replace(/SOA\tns1 hostmaster \d+ /, `SOA\tns1 hostmaster ${serial} `);
  assert.ok(text.includes(`hostmaster ${serial} `), 'the SOA line should have been rewritten');
  const edit = (from: string, to: string): void => {
    assert.ok(text.includes(from), `zone edit: '${from}' not found`);
    text = text.replace(from, to);
  };
  if (v >= 2) {
    edit('host\t\t\tHINFO\t"PC" "Linux"\n', ''); // removed
    edit('mail2\t\t300\tA\t192.0.2.26', 'mail2\t\t600\tA\t192.0.2.27'); // TTL and address changed
    edit('@\t\t\tTXT\t"v=spf1 -all"', '@\t\t\tTXT\t"v=spf1 mx -all"'); // apex record changed
    text += 'added\t\t\tA\t192.0.2.77\nadded\t\t\tTXT\t"new in version 2"\n';
  }
  if (v >= 3) {
    text = text.split('\n').filter((l) => !/^big\t/.test(l)).join('\n'); // a whole RRset gone
    edit('WWW\t\t\tA\t192.0.2.80', 'WWW\t\t\tA\t192.0.2.180');
    text += 'fallback\t\t\tAAAA\t2001:db8::99\n';
  }
  return text;
}

/** Writes a new version of a zone file with an mtime that surely differs from the last one. */
function writeZone(path: string, text: string, bumpSeconds: number): void {
  writeFileSync(path, text);
  const t = new Date(Date.now() + bumpSeconds * 1000);
  utimesSync(path, t, t);
}

const DIG_KEY: DigKey = { algorithm: 'hmac-sha256', name: KEY_NAME, secret: KEY_SECRET };

/** The zone by `dig AXFR` from 127.0.0.1:port (signed with the transfer key when `signed`), as sorted lines (the kit's digAxfr). */
const axfrLines = (port: number, signed: boolean): Promise<string[]> => digAxfr({ port, ...(signed ? { key: DIG_KEY } : {}) }, ZONE);

async function waitForSerial(port: number, serial: number, what: string, timeoutMs: number, log: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen: number | null = null;
  while (Date.now() < deadline) {
    seen = await digSerial({ port }, ZONE);
    if (seen === serial) return;
    await sleep(100);
  }
  assert.fail(`${what} did not reach serial ${serial} within ${timeoutMs} ms (last seen ${seen}); log:\n${log()}`);
}

/** The zone file's records as sorted "owner ttl class type rdata" lines, as axfrLines gives them. */
function fileLines(path: string): string[] {
  const r = loadZoneFile(path, Name.fromText(`${ZONE}.`));
  assert.deepEqual(r.errors, [], `${path} should load`);
  return r.zone!.canonicalRecords().map((rr) => {
    const f = formatRecord(rr).trim().split(/\s+/);
    f[0] = f[0]!.toLowerCase();
    return f.join(' ');
  }).sort();
}

/** Both servers' AXFR give the same records. */
async function assertSameZone(tynePort: number, namedPort: number, signedTyne: boolean, signedNamed: boolean, want: number): Promise<void> {
  const [fromTyne, fromNamed] = await Promise.all([axfrLines(tynePort, signedTyne), axfrLines(namedPort, signedNamed)]);
  assert.ok(fromNamed.length > 90, `named's AXFR has ${fromNamed.length} records`);
  assert.deepEqual(fromTyne, fromNamed);
  const soa = fromTyne.find((l) => l.split(' ')[3] === 'SOA');
  assert.equal(soa?.split(' ')[6], String(want), `SOA in the AXFR: ${soa}`);
}

const isKey = (v: unknown): boolean => typeof v === 'string' && v.replace(/\.$/, '').toLowerCase() === KEY_NAME;

const tail = (s: string, n = 4000): string => s.slice(-n);

function tyneLog(t: TyneProcess | null): string {
  return t === null ? '' : t.logs.slice(-30).map((l) => JSON.stringify(l)).join('\n') + `\nstderr: ${t.stderr()}`;
}

for (const signed of [false, true]) {
  const label = signed ? ' (TSIG)' : '';

  describe(`Tyne primary → named secondary${label}`, { skip: !HAVE_TOOLS, timeout: 30_000 }, () => {
    let dir = '';
    let tyne: TyneProcess | null = null;
    let named: NamedProcess | null = null;
    let tynePort = 0;
    let namedPort = 0;
    const zoneFile = () => join(dir, 'example.com.zone');
    const logs = () => `named:\n${tail(named?.log() ?? '')}\ntyne:\n${tyneLog(tyne)}`;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'tyne-interop-p-'));
      writeZone(zoneFile(), zoneVersion(1), -10);
      tynePort = await freePort();
      namedPort = await freePort();
      const notify = signed ? `[{ address: "127.0.0.1:${namedPort}", key: ${KEY_NAME} }]` : `["127.0.0.1:${namedPort}"]`;
      const allow = signed ? `[{ key: ${KEY_NAME} }]` : '["127.0.0.1/32"]';
      writeFileSync(
        join(dir, 'tyne.yaml'),
        `listen: ["127.0.0.1:${tynePort}"]\nlog: { level: info }\n${signed ? KEYS_YAML : ''}zones:\n` +
          `  - name: ${ZONE}\n    file: example.com.zone\n    notify: ${notify}\n    allow-transfer: ${allow}\n`,
      );
      // Tyne first: named, once up, refreshes its empty secondary zone from Tyne at once (a secondary that
      // cannot reach its primary would only retry much later, whatever NOTIFY says).
      tyne = await startTyne(join(dir, 'tyne.yaml'));
      named = await startNamed([], {
        port: namedPort,
        extraOptions: 'allow-transfer { any; };',
        zoneStatements:
          `zone "${ZONE}" { type secondary; primaries { 127.0.0.1 port ${tynePort}${signed ? ` key ${KEY_NAME}` : ''}; }; file "example.com.secondary"; };`,
        ...(signed ? { extraConfig: KEY_BLOCK } : {}),
      });
    });

    after(async () => {
      await tyne?.stop();
      await named?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('named copies the zone from Tyne by AXFR', async () => {
      const out = await tyne!
        .waitForLog((l) => l.msg === 'transfer out' && l.kind === 'AXFR', 10_000)
        .catch((e: Error) => assert.fail(`no AXFR out: ${e.message}\n${logs()}`));
      assert.equal((out.serial as { to: number }).to, SERIAL_1);
      assert.equal(out.zone, `${ZONE}.`);
      assert.ok((out.messages as number) >= 1 && (out.bytes as number) > 1000, JSON.stringify(out));
      if (signed) assert.ok(isKey(out.key), `transfer out should name the key: ${JSON.stringify(out)}`);
      else assert.equal(out.key, null);
      await waitForSerial(namedPort, SERIAL_1, 'named (secondary)', 10_000, logs);
      await assertSameZone(tynePort, namedPort, signed, false, SERIAL_1);
      assert.deepEqual(await axfrLines(tynePort, signed), fileLines(zoneFile()));
    });

    if (signed) {
      it('Tyne refuses the zone to an unsigned AXFR (allow-transfer names only the key)', async () => {
        await assert.rejects(axfrLines(tynePort, false), /Transfer failed/);
      });
    }

    it('after an edit and SIGHUP, named gets the change by IXFR from Tyne\'s journal', async () => {
      const since = tyne!.logs.length;
      writeZone(zoneFile(), zoneVersion(2), 5);
      tyne!.child.kill('SIGHUP');
      const out = await tyne!
        .waitForLog((l) => tyne!.logs.indexOf(l) >= since && l.msg === 'transfer out' && (l.serial as { to?: number })?.to === SERIAL_2, 10_000)
        .catch((e: Error) => assert.fail(`no transfer out for ${SERIAL_2}: ${e.message}\n${logs()}`));
      assert.equal(out.kind, 'IXFR', `named should have got an IXFR: ${JSON.stringify(out)}`);
      assert.deepEqual(out.serial, { from: SERIAL_1, to: SERIAL_2 });
      assert.ok((out.records as number) < 30, `an IXFR of a few records: ${JSON.stringify(out)}`);
      if (signed) assert.ok(isKey(out.key), JSON.stringify(out));
      const ack = tyne!.logs.slice(since).find((l) => l.msg === 'NOTIFY acknowledged');
      assert.equal(ack?.serial, SERIAL_2, `Tyne's NOTIFY for the new serial should have been acknowledged:\n${logs()}`);
      assert.ok(existsSync(`${zoneFile()}.jnl`), 'Tyne should have written its journal');
      await waitForSerial(namedPort, SERIAL_2, 'named (secondary)', 10_000, logs);
      // named's log does not name the kind; the record count tells an incremental transfer from the 137 of a full one.
      const done = new RegExp(`Transfer completed: \\d+ messages, (\\d+) records.*\\(serial ${SERIAL_2}\\)`).exec(named!.log());
      assert.ok(done !== null && Number(done[1]) < 30, `named's log should show a small transfer of ${SERIAL_2}:\n${tail(named!.log())}`);
      if (signed) {
        // named verified Tyne's signature on the NOTIFY.
        assert.match(named!.log(), new RegExp(`received notify for zone '${ZONE}': TSIG '${KEY_NAME}'`), tail(named!.log()));
      }
      await assertSameZone(tynePort, namedPort, signed, false, SERIAL_2);
      assert.deepEqual(await axfrLines(namedPort, false), fileLines(zoneFile()));
    });
  });

  describe(`named primary → Tyne secondary${label}`, { skip: !HAVE_TOOLS, timeout: 40_000 }, () => {
    let dir = '';
    let tyne: TyneProcess | null = null;
    let named: NamedProcess | null = null;
    let tynePort = 0;
    let namedPort = 0;
    const zoneFile = () => join(dir, 'example.com.zone');
    const savedCopy = () => join(dir, 'data', 'example.com.zone');
    const logs = () => `named:\n${tail(named?.log() ?? '')}\ntyne:\n${tyneLog(tyne)}`;
    const startPrimary = (port?: number) =>
      startNamed([], {
        ...(port !== undefined ? { port } : {}),
        zoneStatements:
          `zone "${ZONE}" { type primary; file "${zoneFile()}"; ixfr-from-differences yes; notify explicit; notify-delay 0; ` +
          `also-notify { 127.0.0.1 port ${tynePort}${signed ? ` key ${KEY_NAME}` : ''}; }; ` +
          `allow-transfer { ${signed ? `key ${KEY_NAME}` : 'any'}; }; };`,
        ...(signed ? { extraConfig: KEY_BLOCK } : {}),
      });
    const transferLine = (serial: number, since: number) => (l: Log): boolean =>
      tyne!.logs.indexOf(l) >= since && typeof l.msg === 'string' && l.msg.startsWith(`transfer of ${ZONE}`) && l.serial === serial;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'tyne-interop-s-'));
      writeZone(zoneFile(), zoneVersion(1), -10);
      tynePort = await freePort();
      namedPort = await freePort();
      const primaries = signed ? `[{ address: "127.0.0.1:${namedPort}", key: ${KEY_NAME} }]` : `["127.0.0.1:${namedPort}"]`;
      writeFileSync(
        join(dir, 'tyne.yaml'),
        `listen: ["127.0.0.1:${tynePort}"]\nlog: { level: info }\n${signed ? KEYS_YAML : ''}zones:\n` +
          `  - name: ${ZONE}\n    type: secondary\n    primaries: ${primaries}\n    file: data/example.com.zone\n    allow-transfer: ["127.0.0.1/32"]\n`,
      );
      // Tyne first, so that named's startup NOTIFY finds it listening.
      tyne = await startTyne(join(dir, 'tyne.yaml'));
      named = await startPrimary(namedPort);
    });

    after(async () => {
      await tyne?.stop();
      await named?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('Tyne copies the zone by AXFR', async () => {
      const line = await tyne!.waitForLog(transferLine(SERIAL_1, 0), 12_000).catch((e: Error) => assert.fail(`no transfer in: ${e.message}\n${logs()}`));
      assert.equal(line.kind, 'AXFR', JSON.stringify(line));
      assert.equal(line.fromSerial ?? null, null, JSON.stringify(line));
      assert.ok((line.records as number) > 100 && (line.bytes as number) > 1000, JSON.stringify(line));
      if (signed) assert.ok(isKey(line.key), `the transfer should name the key: ${JSON.stringify(line)}`);
      assert.ok(
        tyne!.logs.some((l) => l.msg === 'notify received'),
        `named's NOTIFY should have reached Tyne:\n${logs()}`,
      );
      await waitForSerial(tynePort, SERIAL_1, 'Tyne (secondary)', 5000, logs);
      await assertSameZone(tynePort, namedPort, false, signed, SERIAL_1);
      assert.deepEqual(await axfrLines(tynePort, false), fileLines(zoneFile()));
    });

    it('after an edit and SIGHUP to named, Tyne gets the change by IXFR', async () => {
      await afterSoaCheckInterval(tyne!, ZONE); // so that named's NOTIFY gets a line of its own
      const since = tyne!.logs.length;
      writeZone(zoneFile(), zoneVersion(2), 5);
      named!.child.kill('SIGHUP');
      const line = await tyne!.waitForLog(transferLine(SERIAL_2, since), 12_000).catch((e: Error) => assert.fail(`no IXFR in: ${e.message}\n${logs()}`));
      assert.equal(line.kind, 'IXFR', JSON.stringify(line));
      assert.equal(line.fallback ?? null, null, JSON.stringify(line));
      assert.equal(line.fromSerial, SERIAL_1, JSON.stringify(line));
      // Incremental: a few hundred bytes, not the ~7,800 of the whole 136-record zone.
      assert.ok((line.bytes as number) < 2000, `an IXFR of a few records: ${JSON.stringify(line)}`);
      if (signed) assert.ok(isKey(line.key), JSON.stringify(line));
      const notified = tyne!.logs.slice(since).find((l) => l.msg === 'notify received' && l.serial === SERIAL_2);
      assert.ok(notified !== undefined, `named's NOTIFY for ${SERIAL_2} should have reached Tyne:\n${logs()}`);
      if (signed) assert.ok(isKey(notified.key), `named signs its NOTIFY (also-notify ... key): ${JSON.stringify(notified)}`);
      else assert.equal(notified.key ?? null, null, JSON.stringify(notified));
      await waitForSerial(tynePort, SERIAL_2, 'Tyne (secondary)', 5000, logs);
      await assertSameZone(tynePort, namedPort, false, signed, SERIAL_2);
      assert.deepEqual(await axfrLines(tynePort, false), fileLines(zoneFile()));
    });

    it('named restarted without its journal answers IXFR with the whole zone; Tyne takes it', async () => {
      const journal = `${zoneFile()}.jnl`;
      assert.ok(existsSync(journal), `named should have kept a journal (ixfr-from-differences): ${journal}`);
      await named!.stop();
      named = null;
      rmSync(journal);
      writeZone(zoneFile(), zoneVersion(3), 10);
      const since = tyne!.logs.length;
      named = await startPrimary(namedPort);
      const line = await tyne!.waitForLog(transferLine(SERIAL_3, since), 12_000).catch((e: Error) => assert.fail(`no transfer in: ${e.message}\n${logs()}`));
      assert.ok(line.kind === 'AXFR' || (line.fallback ?? null) !== null, `a full transfer: ${JSON.stringify(line)}`);
      assert.ok((line.records as number) > 90, `the whole zone (99 records) came: ${JSON.stringify(line)}`);
      await waitForSerial(tynePort, SERIAL_3, 'Tyne (secondary)', 5000, logs);
      await assertSameZone(tynePort, namedPort, false, signed, SERIAL_3);
      assert.deepEqual(await axfrLines(tynePort, false), fileLines(zoneFile()));
    });

    it('Tyne\'s saved copy loads and holds the same records as named\'s zone file', async () => {
      // The copy is saved just after the transfer's log line: wait (bounded) for the new serial.
      const deadline = Date.now() + 5000;
      let lines: string[] = [];
      while (Date.now() < deadline) {
        if (existsSync(savedCopy())) {
          const r = loadZoneFile(savedCopy(), Name.fromText(`${ZONE}.`));
          if (r.zone !== null && r.zone.serial === SERIAL_3) {
            lines = fileLines(savedCopy());
            break;
          }
        }
        await sleep(100);
      }
      assert.ok(lines.length > 0, `no saved copy with serial ${SERIAL_3} at ${savedCopy()}:\n${logs()}`);
      assert.deepEqual(lines, fileLines(zoneFile()));
      assert.ok(existsSync(`${savedCopy()}.state.json`), 'the state file beside the copy');
      const state = JSON.parse(readFileSync(`${savedCopy()}.state.json`, 'utf8')) as { serial?: number };
      assert.equal(state.serial, SERIAL_3);
    });
  });
}

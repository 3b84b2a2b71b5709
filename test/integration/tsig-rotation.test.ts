/**
 * The operator's guide's TSIG key rotation (README "Operator's guide", §6),
 * step by step on a live ns1 -> ns2 pair: ns1 accepts both keys, ns2
 * switches to the new one, ns1 signs NOTIFY with the new key and drops the
 * old. After each step an edit on ns1 reaches ns2, signed with the key the
 * step says; no transfer fails and no warning is logged on either side at
 * any step; at the end the old key is refused and `tyne secondaries` shows
 * ns2 in sync.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { digRaw, digSerial } from '../support/dig.js';
import { haveTool } from '../support/tools.js';
import { tyneCli, tyneJson } from '../support/tyne-cli.js';
import { tyneYaml, zoneText, type PeerEntry } from '../support/tyne-config.js';
import { TynePair } from '../support/tyne-pair.js';
import { startTyne, tyneLogTail, type TyneProcess } from '../support/tyne-process.js';
import { until } from '../support/wait.js';

const haveDig = haveTool('dig');

/** Two test keys (fixed octets: not secrets of anything). */
const OLD = { name: 'transfer-2026', algorithm: 'hmac-sha256', secret: Buffer.alloc(32, 0x26).toString('base64') };
const NEW = { name: 'transfer-2027', algorithm: 'hmac-sha256', secret: Buffer.alloc(32, 0x27).toString('base64') };

let pair: TynePair | null = null;
const procs: (TyneProcess | null)[] = [null, null];
after(async () => {
  await pair?.close(...procs);
});

describe('rotating the TSIG key of ns1 -> ns2 (the operator\'s guide)', { timeout: 120_000 }, () => {
  it('each step keeps transfers working, signed with the key it says; the old key is refused at the end', { skip: !haveDig }, async () => {
    const p = (pair = await TynePair.create('tyne-tsig-rotation-', ['ns1', 'ns2']));
    const ns2Addr = `127.0.0.1:${p.p2}`;
    const c1 = p.path('ns1/tyne.yaml');
    const c2 = p.path('ns2/tyne.yaml');
    const ns1Yaml = (keys: (typeof OLD)[], notifyKey: string, allow: PeerEntry[]): string => tyneYaml({
      listen: [`127.0.0.1:${p.p1}`], server: ['data-dir: data', 'watch-settle: 50ms'], keys,
      primaries: [{ name: 'example.com', file: 'example.com.zone', notify: [{ address: ns2Addr, key: notifyKey }], allowTransfer: allow }],
    });
    const ns2Yaml = (keys: (typeof OLD)[], key: string): string => tyneYaml({
      listen: [ns2Addr], server: ['data-dir: data'], keys,
      secondaries: [{ name: 'example.com', primaries: [{ address: `127.0.0.1:${p.p1}`, key }], file: 'example.com.zone' }],
    });
    p.write('ns1/example.com.zone', zoneText('example.com', 1));
    p.write('ns1/tyne.yaml', ns1Yaml([OLD], OLD.name, [{ key: OLD.name }]));
    p.write('ns2/tyne.yaml', ns2Yaml([OLD], OLD.name));
    const ns1 = (procs[0] = await startTyne(c1));
    const ns2 = (procs[1] = await startTyne(c2));
    const detail = (): string => `ns1:\n${tyneLogTail(ns1)}\nns2:\n${tyneLogTail(ns2)}`;
    await until('ns2 serves serial 1', async () => (await digSerial({ port: p.p2 }, 'example.com')) === 1, { timeoutMs: 10_000, everyMs: 20, detail });

    /** Edits the zone to `serial` and waits for ns2 to serve it; returns ns1's `transfer out` line of that serial. */
    const edit = async (serial: number): Promise<Record<string, unknown>> => {
      const mark = ns1.logs.length;
      p.write('ns1/example.com.zone', zoneText('example.com', serial, { extra: [`v TXT "${serial}"`] }));
      await until(`ns2 serves serial ${serial}`, async () => (await digSerial({ port: p.p2 }, 'example.com')) === serial, { timeoutMs: 10_000, everyMs: 20, detail });
      return ns1.waitAfter(mark, (l) => l.msg === 'transfer out' && (l.serial as { to?: number }).to === serial, 5000);
    };
    const reload = async (config: string): Promise<void> => {
      const r = await tyneCli(['reload', '-c', config]);
      assert.equal(r.code, 0, `tyne reload -c ${config}: ${r.out}${r.err}`);
    };

    // The old key alone.
    assert.equal((await edit(2)).key, OLD.name);
    // 1-2. Both keys on ns1, either may transfer.
    p.write('ns1/tyne.yaml', ns1Yaml([OLD, NEW], OLD.name, [{ key: OLD.name }, { key: NEW.name }]));
    await reload(c1);
    assert.equal((await edit(3)).key, OLD.name, 'ns2 still signs with the old key, and is still served');
    // 3. ns2 signs with the new key.
    p.write('ns2/tyne.yaml', ns2Yaml([OLD, NEW], NEW.name));
    await reload(c2);
    const refreshed = await tyneCli(['refresh', 'example.com', '-c', c2]);
    assert.equal(refreshed.code, 0, refreshed.out + refreshed.err);
    assert.equal((await edit(4)).key, NEW.name, 'ns2 now transfers with the new key');
    // 4. ns1 signs NOTIFY with the new key and drops the old one.
    p.write('ns1/tyne.yaml', ns1Yaml([NEW], NEW.name, [{ key: NEW.name }]));
    await reload(c1);
    assert.equal((await edit(5)).key, NEW.name);

    // Nothing failed on the way: no warning or error on either server, no failed transfer on ns2.
    const bad = (t: TyneProcess): unknown[] => t.logs.filter((l) => (l.level as number) >= 40 || l.msg === 'transfer failed' || l.msg === 'SOA query failed');
    assert.deepEqual(bad(ns1), [], 'ns1 logged no warning');
    assert.deepEqual(bad(ns2), [], 'ns2 logged no warning and no failed transfer');

    // The old key no longer transfers (it is no key of ns1's now: BADKEY, NOTAUTH, and ns1's one warning).
    const mark = ns1.logs.length;
    const old = await digRaw({ port: p.p1, key: OLD }, ['example.com', 'AXFR']);
    assert.doesNotMatch(old.stdout, /TXT\s+"5"/, 'no zone for the old key');
    assert.match(old.out, /Transfer failed|NOTAUTH|BADKEY/, old.out);
    const withNew = await digRaw({ port: p.p1, key: NEW }, ['example.com', 'AXFR']);
    assert.match(withNew.stdout, /v\.example\.com\.\s+\d+\s+IN\s+TXT\s+"5"/);
    // ns1 sees ns2 in sync (its probes are signed with the notify target's key, now the new one).
    await until('tyne secondaries: ns2 in sync at 5', async () => {
      const rows = (await tyneJson<{ secondaries: { secondary: string; state: string; serial: number | null }[] }>(['secondaries', '-c', c1])).secondaries;
      return rows.some((r) => r.secondary === ns2Addr && r.state === 'in-sync' && r.serial === 5);
    }, { timeoutMs: 10_000, everyMs: 100, detail });
    const refused = await ns1.waitAfter(mark, (l) => l.level === 40 && l.error === 'BADKEY', 5000);
    assert.equal(refused.key, OLD.name);
  });
});

/**
 * TCP fairness against a real `tyne serve` (issue 12 item 4): a flood of
 * new connections past `tcp-max-connections` cuts neither a slowly read
 * AXFR nor a client asking once a second; `tcp-max-connections-per-client`
 * refuses one address's extra connections and no one else's; past the
 * global limit only a genuinely idle connection makes room; and past
 * `transfers-out` (default 10) a transfer is REFUSED until one ends.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RRType, Rcode } from '../../src/wire/index.js';
import { buildQuery, messageId, openTcp, type TcpConversation } from '../support/dns-client.js';
import { freePort } from '../support/ports.js';
import { tyneYaml, zoneText } from '../support/tyne-config.js';
import { startTyne, tyneLogTail, type TyneProcess } from '../support/tyne-process.js';
import { sleep, until } from '../support/wait.js';

/** TXT records of 200 octets: an AXFR of about 9 MB, more than loopback's socket buffers hold for a client that stops reading. */
const BIG_RECORDS = 40_000;
/** SOA, NS, ns1 A, the TXTs, and the closing SOA. */
const AXFR_RECORDS = BIG_RECORDS + 4;

const rcodeOf = (m: Uint8Array): number => m[3]! & 0x0f;
const ancount = (m: Uint8Array): number => (m[6]! << 8) | m[7]!;
const A = (id: number, name = 'ns1.big.test'): Uint8Array => buildQuery({ id, name, type: RRType.A });
const AXFR = (id: number): Uint8Array => buildQuery({ id, name: 'big.test', type: RRType.AXFR });

/** Reads the rest of an AXFR whose first `got` records have been counted; resolves with the total. */
async function readTransfer(c: TcpConversation, got: number, timeoutMs = 30_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let n = got;
  while (n < AXFR_RECORDS) {
    const m = await c.next(Math.max(1, deadline - Date.now()));
    assert.equal(rcodeOf(m), Rcode.NOERROR);
    n += ancount(m);
  }
  return n;
}

/** Opens a connection that may be refused: null when it is (at connect, or reset at once). */
async function tryOpen(port: number, localAddress?: string): Promise<TcpConversation | null> {
  try {
    return await openTcp(port, '127.0.0.1', 2000, localAddress);
  } catch {
    return null;
  }
}

/** True when `c` gets an answer to a query within `ms` (false: refused, closed or silent). */
async function answers(c: TcpConversation | null, id: number, ms = 1500): Promise<boolean> {
  if (c === null || c.isClosed) return false;
  try {
    c.send(A(id));
    return messageId(await c.next(ms)) === id;
  } catch {
    return false;
  }
}

describe('tyne serve: TCP fairness and transfers-out', () => {
  let dir: string;
  let big: TyneProcess | null = null;
  let tight: TyneProcess | null = null;
  let bigPort = 0;
  let tightPort = 0;
  const opened: TcpConversation[] = [];
  const keep = (c: TcpConversation | null): TcpConversation | null => {
    if (c !== null) opened.push(c);
    return c;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tyne-tcp-fair-'));
    const txt = Array.from({ length: BIG_RECORDS }, (_, i) => `t${i} TXT "${String(i).padStart(6, '0')}${'x'.repeat(194)}"`);
    writeFileSync(join(dir, 'big.test.zone'), zoneText('big.test', 1, { hosts: 0, extra: txt }));
    writeFileSync(join(dir, 'small.test.zone'), zoneText('big.test', 1));
    bigPort = await freePort();
    tightPort = await freePort();
    // The global limit alone (per client it is out of the way); transfers-out at its default.
    writeFileSync(join(dir, 'big.yaml'), tyneYaml({
      listen: [`127.0.0.1:${bigPort}`],
      server: ['tcp-max-connections: 20', 'tcp-max-connections-per-client: 1000', 'tcp-idle-timeout: 10s'],
      primaries: [{ name: 'big.test', file: 'big.test.zone', allowTransfer: ['127.0.0.0/8'] }],
    }));
    writeFileSync(join(dir, 'tight.yaml'), tyneYaml({
      listen: [`127.0.0.1:${tightPort}`],
      server: ['tcp-max-connections: 8', 'tcp-max-connections-per-client: 3', 'tcp-idle-timeout: 10s'],
      primaries: [{ name: 'big.test', file: 'small.test.zone' }],
    }));
    [big, tight] = await Promise.all([startTyne(join(dir, 'big.yaml'), { timeoutMs: 60_000 }), startTyne(join(dir, 'tight.yaml'))]);
  });

  after(async () => {
    for (const c of opened) c.close();
    await Promise.all([big?.stop(), tight?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a flood of new connections past the limit cuts neither a slowly read AXFR nor a client asking once a second', async () => {
    const p = big!;
    const mark = p.mark();
    const xfr = keep(await openTcp(bigPort))!;
    xfr.send(AXFR(1));
    const first = await xfr.next(10_000);
    assert.equal(rcodeOf(first), Rcode.NOERROR, 'the AXFR starts');
    // The client reads slowly: nothing for the next 5 s, so the server's writes back up.
    xfr.pause();
    const steady = keep(await openTcp(bigPort))!;
    const steadyAnswers: number[] = [];
    const asking = (async () => {
      for (let i = 0; i < 6; i++) {
        if (await answers(steady, 100 + i, 2000)) steadyAnswers.push(i);
        await sleep(1000);
      }
    })();
    // 10 new connections every 200 ms for 5 s (250 in all, against a limit of 20), each held open and silent.
    let refused = 0;
    for (let wave = 0; wave < 25; wave++) {
      const batch = await Promise.all(Array.from({ length: 10 }, () => tryOpen(bigPort)));
      for (const c of batch) if (keep(c) === null) refused++;
      await sleep(200);
    }
    await asking;
    assert.deepEqual(steadyAnswers, [0, 1, 2, 3, 4, 5], 'the client asking once a second got every answer');
    assert.equal(steady.isClosed, false, 'and kept its connection');
    xfr.resume();
    const total = await readTransfer(xfr, ancount(first));
    assert.equal(total, AXFR_RECORDS, 'every record of the zone arrived');
    // Refused connections are reset at once (some may have been accepted, then reset).
    const flood = opened.slice(2);
    await until('the flood connections past the limit are closed', () => flood.filter((c) => !c.isClosed).length <= 20, { timeoutMs: 3000 });
    assert.ok(refused + flood.filter((c) => c.isClosed).length >= 200, 'most of the flood was refused');
    const done = await p.waitAfter(mark, (l) => l.msg === 'transfer out', 10_000);
    assert.equal(done.records, AXFR_RECORDS);
    assert.equal(p.since(mark, (l) => String(l.msg).startsWith('transfer out ended early')).length, 0, tyneLogTail(p));
    assert.ok(p.since(mark, (l) => String(l.msg).startsWith('tcp connection refused')).length >= 1, 'the refusals are logged');
    for (const c of opened.splice(0)) c.close();
  });

  it('past transfers-out (10 by default) an AXFR is REFUSED, and accepted again once one of the 10 ends', async () => {
    const p = big!;
    // The flood of the test before has gone.
    await until('a new connection is answered', async () => answers(keep(await tryOpen(bigPort)), 7), { timeoutMs: 5000 });
    const mark = p.mark();
    const running: TcpConversation[] = [];
    for (let i = 0; i < 10; i++) {
      const c = keep(await openTcp(bigPort))!;
      c.send(AXFR(200 + i));
      assert.equal(rcodeOf(await c.next(10_000)), Rcode.NOERROR, `transfer ${i + 1} starts`);
      c.pause();
      running.push(c);
    }
    const eleventh = keep(await openTcp(bigPort))!;
    eleventh.send(AXFR(211));
    const no = await eleventh.next(5000);
    assert.equal(messageId(no), 211);
    assert.equal(rcodeOf(no), Rcode.REFUSED, 'the 11th transfer is refused');
    assert.equal(ancount(no), 0);
    // The same connection still answers queries.
    assert.equal(await answers(eleventh, 212), true);
    const line = await p.waitAfter(mark, (l) => String(l.msg).startsWith('transfer out refused'), 2000);
    assert.equal(line.transfersOut, 10);
    // One of the 10 goes away: its slot is free again.
    running[0]!.close();
    await until('a transfer is accepted again', async () => {
      eleventh.send(AXFR(213));
      return rcodeOf(await eleventh.next(5000)) === Rcode.NOERROR;
    }, { timeoutMs: 5000, everyMs: 100 });
    for (const c of opened.splice(0)) c.close();
  });

  it('tcp-max-connections-per-client: the 4th connection from one address is refused, other addresses are not', async () => {
    const mine = await Promise.all([1, 2, 3].map(() => tryOpen(tightPort)));
    for (const [i, c] of mine.entries()) assert.equal(await answers(keep(c), 300 + i), true, `connection ${i + 1} answered`);
    const fourth = keep(await tryOpen(tightPort));
    assert.equal(await answers(fourth, 310), false, 'the 4th connection from 127.0.0.1 is refused');
    const other = keep(await tryOpen(tightPort, '127.0.0.2'));
    assert.equal(await answers(other, 311), true, 'a connection from 127.0.0.2 is answered');
    for (const [i, c] of mine.entries()) assert.equal(await answers(c, 320 + i), true, `connection ${i + 1} is still served`);
    mine[0]!.close();
    await until('a connection from 127.0.0.1 is accepted again once one closed', async () => answers(keep(await tryOpen(tightPort)), 330), { timeoutMs: 3000, everyMs: 50 });
    for (const c of opened.splice(0)) c.close();
  });

  it('past tcp-max-connections a newcomer is refused while everyone is active, and displaces only one idle for 2 s', async () => {
    await sleep(200);
    // 8 connections (the limit), 2 per address so that the per-client limit (3) stays out of the way.
    const held: TcpConversation[] = [];
    for (let i = 0; i < 8; i++) {
      const c = keep(await tryOpen(tightPort, `127.0.0.${10 + (i >> 1)}`));
      assert.equal(await answers(c, 400 + i), true, `connection ${i + 1} answered`);
      held.push(c!);
    }
    const ninth = keep(await tryOpen(tightPort, '127.0.0.20'));
    assert.equal(await answers(ninth, 410), false, 'the 9th connection is refused: no one is idle');
    for (const [i, c] of held.entries()) assert.equal(c.isClosed, false, `connection ${i + 1} kept`);
    // All but the first keep asking; after 2 s the first is idle enough to make room.
    for (let k = 0; k < 5; k++) {
      await sleep(500);
      for (const [i, c] of held.entries()) if (i > 0) assert.equal(await answers(c, 420 + k * 10 + i), true);
    }
    const late = keep(await tryOpen(tightPort, '127.0.0.20'));
    assert.equal(await answers(late, 480), true, 'a newcomer is answered once a connection is idle');
    await until('the idle connection is closed', () => held[0]!.isClosed, { timeoutMs: 2000 });
    for (const [i, c] of held.entries()) if (i > 0) assert.equal(c.isClosed, false, `active connection ${i + 1} kept`);
    for (const c of opened.splice(0)) c.close();
  });
});

/**
 * The serving threads pool (issue 16 §3) with real worker threads and real
 * sockets on 127.0.0.1: a zone set published is answered by every thread
 * from the moment publish() returns (one flip for all); a query only the
 * main thread answers is relayed to it; a thread that ends is started
 * again and sent the whole set; stop() frees the port.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { PREPARE_RECORDS, ServingThreads } from '../../../src/daemon/serving-threads.js';
import type { ThreadSettings } from '../../../src/daemon/serving-thread-messages.js';
import { Name, Opcode, Rcode, decodeMessage } from '../../../src/wire/index.js';
import { loadZoneText, type Zone } from '../../../src/zone/index.js';
import { haveBatchModule } from '../../support/batch-module.js';
import { buildQuery, queryUdp } from '../../support/dns-client.js';
import { freePort } from '../../support/ports.js';
import { serialRounds } from '../../support/serial-rounds.js';
import { zoneText } from '../../support/tyne-config.js';
import { until } from '../../support/wait.js';

const ORIGIN = Name.fromText('pool.example.');
const zone = (serial: number): Zone => loadZoneText(zoneText('pool.example', serial, { hosts: 5 }), ORIGIN);
const SETTINGS: ThreadSettings = {
  udpPayload: 1232, identity: null, version: null, answerCacheSize: 1 << 20, rateLimit: null, answerCookie: false, cookieSecrets: [],
  keys: [], restrictedAcls: [], logLevel: 'silent', querySample: 1,
};

describe('ServingThreads', { skip: !haveBatchModule('serving threads pool'), timeout: 30_000 }, () => {
  let pool: ServingThreads;
  let port = 0;
  const relayed: { address: string; opcode: number }[] = [];

  before(async () => {
    port = await freePort();
    pool = new ServingThreads({
      count: 2, udpIo: 'batched', modulePath: '', cookieSeed: '00'.repeat(32), metrics: true, log: pino({ level: 'silent' }),
      relay: (query, address) => {
        relayed.push({ address, opcode: (query[2]! >> 3) & 0xf });
        const out = query.slice();
        out[2] = out[2]! | 0x80; // a response with no records: enough to see it come back
        return out;
      },
      tsigFailed: () => {},
    });
    // Published before the threads exist: served once they do.
    pool.publish([zone(1)], [], [], SETTINGS);
    const failed = await pool.start([{ key: `127.0.0.1:${port}`, host: '127.0.0.1', port }], SETTINGS);
    assert.deepEqual(failed, []);
  });

  after(async () => pool.stop());

  it('answers what was published before the threads started, from both threads', async () => {
    const rounds = await serialRounds(port, 'pool.example', 1, { clients: 16, maxRounds: 1 });
    assert.deepEqual(rounds[0], Array(16).fill(1));
    await until('both threads counted queries', () => pool.threadRequests().every((n) => n > 0), { timeoutMs: 2000, detail: () => String(pool.threadRequests()) });
  });

  it('from the moment publish() returns, every thread answers the new set', async () => {
    for (let serial = 2; serial <= 6; serial++) {
      pool.publish([zone(serial)], [], [], SETTINGS);
      const rounds = await serialRounds(port, 'pool.example', serial, { clients: 16, maxRounds: 1 });
      assert.deepEqual(rounds[0], Array(16).fill(serial), `after publishing serial ${serial}`);
    }
  });

  it('passes a NOTIFY to the main thread and sends its answer from the thread', async () => {
    const q = buildQuery({ id: 0x4e4e, name: 'pool.example', type: 6 });
    q[2] = (q[2]! & 0x87) | (Opcode.NOTIFY << 3);
    const r = decodeMessage(await queryUdp(port, q));
    assert.equal(r.id, 0x4e4e);
    assert.equal(r.opcode, Opcode.NOTIFY);
    assert.deepEqual(relayed.map((x) => x.opcode), [Opcode.NOTIFY]);
    assert.equal(relayed[0]!.address, '127.0.0.1');
  });

  it('a thread that ends is started again and serves the set published last, never an empty one', async () => {
    const before = pool.workers[0]!;
    const ended = before.terminate();
    // Queries all along, from many source ports: each answer is serial 6 (a thread with no zones would answer REFUSED).
    const rcodes = new Set<number>();
    const deadline = Date.now() + 3000;
    let restarted = false;
    for (let round = 0; round < 200 && Date.now() < deadline; round++) {
      const answers = await Promise.all(Array.from({ length: 16 }, (_, i) => queryUdp(port, buildQuery({ id: round * 16 + i, name: 'pool.example', type: 6 }), 500).then(decodeMessage, () => null)));
      for (const a of answers) if (a !== null) rcodes.add(a.rcode);
      if (restarted && round > 20) break;
      restarted = pool.workers[0] !== before;
    }
    await ended;
    assert.ok(pool.workers[0] !== before, 'thread 0 was started again');
    assert.deepEqual([...rcodes], [Rcode.NOERROR], 'every answer during the restart came from the zone set');
    await until('both threads answer', async () => {
      const rounds = await serialRounds(port, 'pool.example', 6, { clients: 16, maxRounds: 1 });
      return rounds[0]!.every((s) => s === 6) && pool.threadRequests().every((n) => n > 0);
    }, { timeoutMs: 3000, detail: () => String(pool.threadRequests()) });
  });

  it('many small zones: once most are replaced, those still served are copied out of their sparse slab and answered as before', async () => {
    const small = (i: number, serial: number): Zone => loadZoneText(zoneText(`s${i}.pool.example`, serial, { hosts: 1 }), Name.fromText(`s${i}.pool.example.`));
    const first = Array.from({ length: 2000 }, (_, i) => small(i, 1));
    pool.publish(first, [], [], SETTINGS);
    const movedBefore = pool.imagesMoved;
    const before = pool.imageBuffers();
    // Every tenth zone kept as it was, the others replaced by serial 2: the first slabs now hold few images still served.
    pool.publish(first.map((z, i) => (i % 10 === 0 ? z : small(i, 2))), [], [], SETTINGS);
    assert.ok(pool.imagesMoved - movedBefore >= 50, `${pool.imagesMoved - movedBefore} images moved`);
    // The slabs emptied by the moves are dropped: each thread is told to let their views go, and holds only what is served.
    const after = pool.imageBuffers();
    assert.ok(after.dropped > before.dropped, `${after.dropped - before.dropped} drops posted`);
    assert.deepEqual(after.held, after.held.map(() => after.served), `held ${after.held.join(', ')} of ${after.served} served`);
    for (const [i, serial] of [[0, 1], [1, 2], [10, 1], [990, 1], [1990, 1], [1999, 2]] as const) {
      const rounds = await serialRounds(port, `s${i}.pool.example`, serial, { clients: 16, maxRounds: 1 });
      assert.deepEqual(rounds[0], Array(16).fill(serial), `s${i}.pool.example`);
    }
  });

  it('prepare() writes a large zone\'s image ahead in slices (the event loop turns meanwhile), and publish() then writes none for it', async () => {
    const big = loadZoneText(zoneText('big.pool.example', 1, { hosts: 30_000 }), Name.fromText('big.pool.example.'));
    assert.ok(big.recordCount >= PREPARE_RECORDS);
    let turns = 0;
    let counting = true;
    const turn = (): void => {
      turns++;
      if (counting) setImmediate(turn);
    };
    setImmediate(turn);
    await pool.prepare(big);
    counting = false;
    // 30,000 nodes take tens of milliseconds to write: several slices of at most 3 ms, a turn between each two.
    assert.ok(turns >= 3, `the event loop turned ${turns} times while the image was written`);
    const small = zone(7);
    await pool.prepare(small); // too small to be written ahead: written at the publish
    const written = pool.imagesWritten;
    pool.publish([big, small], [], [], SETTINGS);
    assert.equal(pool.imagesWritten - written, 1, 'only the small zone\'s image is written at the publish');
    for (const [name, serial] of [['big.pool.example', 1], ['pool.example', 7]] as const) {
      const rounds = await serialRounds(port, name, serial, { clients: 16, maxRounds: 1 });
      assert.deepEqual(rounds[0], Array(16).fill(serial), name);
    }
  });
});

/**
 * The CI part of the `udp-batch` fuzz target (fuzz/udp-batch.ts): the saved
 * seeds in bursts, then a short deterministic run, through the batched UDP
 * socket on loopback; every reply must be the direct responder's octets.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { haveBatchModule } from '../test/support/batch-module.js';
import { runUdpBatch, udpBatchSeeds } from './udp-batch.js';

const SEED = 0x16b2;

describe('fuzz target udp-batch', { skip: !haveBatchModule('fuzz target udp-batch') }, () => {
  it('the seeds, in bursts of 64, get the direct responder\'s answers', { timeout: 60_000 }, async () => {
    const seeds = udpBatchSeeds();
    const r = await runUdpBatch({ seed: SEED, bursts: Math.ceil(seeds.length / 64), seconds: 50, replay: seeds });
    assert.deepEqual(r.failures, []);
    assert.equal(r.sent, seeds.length);
    assert.ok(r.answered > seeds.length / 2, `only ${r.answered} of ${seeds.length} answered`);
  });

  it('a short deterministic run of mutated bursts finds nothing', { timeout: 60_000 }, async () => {
    const r = await runUdpBatch({ seed: SEED, bursts: 150, seconds: 40 });
    console.error(`udp-batch fuzz: ${r.bursts} bursts, ${r.sent} datagrams, ${r.answered} replies, seed ${SEED}`);
    assert.deepEqual(r.failures, []);
    assert.ok(r.bursts >= 50, `only ${r.bursts} bursts ran`);
  });
});

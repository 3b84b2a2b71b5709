/**
 * The CI version of the network soak (fuzz/soak.ts): 20,000 mutated UDP
 * datagrams and a few dozen broken TCP streams against a real `tyne serve`,
 * then the same end conditions as `npm run fuzz -- --target soak`: the
 * server is alive, answers `shop.example MX` correctly over UDP and TCP, and
 * its RSS grew by at most 100 MiB.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runSoak } from './soak.js';

describe('network soak (short)', () => {
  it('survives 20,000 mutated datagrams and broken TCP streams', { timeout: 30_000 }, async () => {
    const lines: string[] = [];
    const r = await runSoak({
      packets: 20_000,
      seconds: 4,
      tcpConnections: 24,
      tcpConcurrency: 12,
      tcpMaxMs: 3000,
      seed: 0x50a4,
      log: (l) => lines.push(l),
    });
    const detail = `${r.failures.join('\n')}\n${lines.join('\n')}`;
    assert.equal(r.serverExit, null, `server exited: ${detail}`);
    assert.deepEqual(r.failures, [], detail);
    assert.ok(r.sent >= 20_000, `only ${r.sent} datagrams sent in the time box\n${detail}`);
    assert.ok(r.replies > 0, `no UDP replies at all\n${detail}`);
    assert.ok((r.tcp.connections ?? 0) > 0, `no TCP connections made\n${detail}`);
    assert.equal(r.tcp.cleanAnswers ?? 0, r.tcp.cleanQueries ?? 0, `pipelined valid TCP queries left unanswered\n${detail}`);
    assert.ok(r.rssAfterKiB <= r.rssBeforeKiB + 100 * 1024, `RSS ${r.rssBeforeKiB} -> ${r.rssAfterKiB} KiB\n${detail}`);
  });
});

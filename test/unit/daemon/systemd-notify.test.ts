/**
 * notifyReady (src/daemon/systemd-notify.ts) without systemd: nothing to
 * do without NOTIFY_SOCKET, and a systemd-notify that is not there is one
 * warning with its code (the live path, READY=1 read from a real socket,
 * is test/integration/systemd-notify.test.ts).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { notifyReady } from '../../../src/daemon/systemd-notify.js';
import { memoryLog } from '../../support/memory-log.js';

describe('notifyReady', () => {
  it('does nothing without NOTIFY_SOCKET (or with it empty)', async () => {
    for (const env of [{}, { NOTIFY_SOCKET: '' }]) {
      const m = memoryLog('trace');
      assert.equal(await notifyReady(m.log, 'serving', { env, command: 'tyne-test-no-such-command' }), false);
      assert.deepEqual(m.lines, []);
    }
  });

  it('systemd-notify missing from PATH: SYSTEMD_NOTIFY_MISSING at warn, one line naming the fix', async () => {
    const m = memoryLog();
    const sent = await notifyReady(m.log, 'serving', { env: { NOTIFY_SOCKET: '/run/systemd/notify', PATH: '/nonexistent' }, command: 'tyne-test-no-such-command' });
    assert.equal(sent, false);
    assert.equal(m.lines.length, 1);
    const [l] = m.lines;
    assert.equal(l!.level, 40);
    assert.equal(l!.code, 'SYSTEMD_NOTIFY_MISSING');
    assert.equal(l!.msg, 'cannot tell systemd the service is ready: tyne-test-no-such-command is not on PATH; install systemd\'s systemd-notify, or use Type=exec in the unit; serving all the same');
  });

  it('a command that fails: SYSTEMD_NOTIFY_FAILED with its exit code and first stderr line', async () => {
    const m = memoryLog();
    // `false` stands in for a systemd-notify that exits 1 (it ignores the arguments).
    assert.equal(await notifyReady(m.log, 'serving', { env: { NOTIFY_SOCKET: '/x', PATH: process.env.PATH ?? '/usr/bin:/bin' }, command: 'false' }), false);
    assert.equal(m.lines[0]!.code, 'SYSTEMD_NOTIFY_FAILED');
    assert.match(String(m.lines[0]!.msg), /^cannot tell systemd the service is ready: false --ready exit 1; check NOTIFY_SOCKET/);
  });

  it('a command that hangs is killed after the timeout: SYSTEMD_NOTIFY_FAILED', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tyne-notify-unit-'));
    try {
      // Stands in for a systemd-notify stuck on its barrier: ignores its arguments and sleeps.
      const hang = join(dir, 'hang');
      writeFileSync(hang, '#!/bin/sh\nexec sleep 30\n', { mode: 0o755 });
      const m = memoryLog();
      const t0 = Date.now();
      assert.equal(await notifyReady(m.log, 'serving', { env: { NOTIFY_SOCKET: '/x', PATH: process.env.PATH ?? '/usr/bin:/bin' }, command: hang, timeoutMs: 300 }), false);
      assert.ok(Date.now() - t0 < 5000, `returned after ${Date.now() - t0} ms`);
      assert.equal(m.lines[0]!.code, 'SYSTEMD_NOTIFY_FAILED');
      assert.match(String(m.lines[0]!.msg), /--ready did not finish within 300 ms;/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

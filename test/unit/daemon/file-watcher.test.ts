import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { FileWatcher } from '../../../src/daemon/file-watcher.js';

type Ev = { kind: 'change' | 'remove' | 'error'; paths: string[]; at: number };

/** Quiet time after an expected report during which nothing else may arrive. */
const SETTLE_MS = 250;
/** Upper bound for a report to arrive (debounce 100 + stability 50 + slack for slow CI). */
const REPORT_TIMEOUT_MS = 2000;
/** How long to wait to conclude that nothing will be reported (about 3× debounce + stability). */
const QUIET_MS = 450;

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'tyne-fw-'));
  dirs.push(d);
  return d;
}

/** A FileWatcher with default timings that records everything it reports. */
function recorder(): { fw: FileWatcher; events: Ev[]; next(n?: number): Promise<Ev[]>; quiet(): Promise<Ev[]> } {
  const events: Ev[] = [];
  let wake: (() => void) | undefined;
  const push = (e: Ev): void => {
    events.push(e);
    wake?.();
  };
  const fw = new FileWatcher({
    onChange: (paths) => push({ kind: 'change', paths, at: performance.now() }),
    onRemove: (paths) => push({ kind: 'remove', paths, at: performance.now() }),
    onError: (err) => push({ kind: 'error', paths: [String(err)], at: performance.now() }),
  });
  /** Waits until at least n events were recorded, then for SETTLE_MS more; returns all events. */
  async function next(n = 1): Promise<Ev[]> {
    const deadline = performance.now() + REPORT_TIMEOUT_MS;
    while (events.length < n && performance.now() < deadline) {
      await new Promise<void>((res) => {
        wake = res;
        const t = setTimeout(res, Math.max(1, deadline - performance.now()));
        t.unref();
      });
      wake = undefined;
    }
    await sleep(SETTLE_MS);
    return events.slice();
  }
  /** Waits long enough for any report to arrive (debounce + stability + slack); returns all events. */
  async function quiet(): Promise<Ev[]> {
    await sleep(QUIET_MS);
    return events.slice();
  }
  return { fw, events, next, quiet };
}

function latency(t: TestContext, label: string, from: number, ev: Ev | undefined): void {
  if (!ev) return;
  const ms = (ev.at - from).toFixed(0);
  t.diagnostic(`latency ${label}: write → report ${ms} ms`);
}

describe('FileWatcher', () => {
  it('reports an in-place write once', async (t) => {
    const d = tempDir();
    const f = join(d, 'example.com.zone');
    writeFileSync(f, 'one\n');
    const { fw, next } = recorder();
    try {
      fw.setFiles([f]);
      await fw.ready();
      const t0 = performance.now();
      writeFileSync(f, 'two\n');
      const ev = await next();
      assert.deepEqual(ev.map((e) => [e.kind, e.paths]), [['change', [f]]]);
      latency(t, 'in-place write', t0, ev[0]);

      const t1 = performance.now();
      appendFileSync(f, 'three\n');
      const ev2 = await next(2);
      assert.deepEqual(ev2.map((e) => [e.kind, e.paths]), [['change', [f]], ['change', [f]]]);
      latency(t, 'append', t1, ev2[1]);
    } finally {
      await fw.close();
    }
  });

  it('reports a temp-file rename over the target as one change, not a removal', async (t) => {
    const d = tempDir();
    const f = join(d, 'example.com.zone');
    writeFileSync(f, 'one\n');
    const { fw, next } = recorder();
    try {
      fw.setFiles([f]);
      await fw.ready();
      const t0 = performance.now();
      const tmp = join(d, '.example.com.zone.Xy12Ab'); // rsync-style temp name
      writeFileSync(tmp, 'two\n');
      renameSync(tmp, f);
      const ev = await next();
      assert.deepEqual(ev.map((e) => [e.kind, e.paths]), [['change', [f]]]);
      latency(t, 'rename-over', t0, ev[0]);

      // And again: the watch must survive the inode change.
      writeFileSync(tmp, 'three\n');
      renameSync(tmp, f);
      const ev2 = await next(2);
      assert.deepEqual(ev2.map((e) => [e.kind, e.paths]), [['change', [f]], ['change', [f]]]);
    } finally {
      await fw.close();
    }
  });

  it('reports a vim-style save (rename away to a backup, write anew) as one change', async () => {
    const d = tempDir();
    const f = join(d, 'example.com.zone');
    writeFileSync(f, 'one\n');
    const { fw, next } = recorder();
    try {
      fw.setFiles([f]);
      await fw.ready();
      renameSync(f, `${f}~`);
      writeFileSync(f, 'two\n');
      unlinkSync(`${f}~`);
      const ev = await next();
      assert.deepEqual(ev.map((e) => [e.kind, e.paths]), [['change', [f]]]);
    } finally {
      await fw.close();
    }
  });

  it('coalesces a burst of 20 writes in 50 ms into one change', async (t) => {
    const d = tempDir();
    const f = join(d, 'example.com.zone');
    writeFileSync(f, 'start\n');
    const { fw, next } = recorder();
    try {
      fw.setFiles([f]);
      await fw.ready();
      const start = performance.now();
      for (let i = 0; i < 20; i++) {
        appendFileSync(f, `line ${i}\n`);
        await sleep(2.5);
      }
      const last = performance.now();
      assert.ok(last - start < 120, `burst took ${last - start} ms`);
      const ev = await next();
      assert.deepEqual(ev.map((e) => [e.kind, e.paths]), [['change', [f]]]);
      latency(t, 'burst (from last write)', last, ev[0]);
    } finally {
      await fw.close();
    }
  });

  it('reports a delete as a removal and a re-create as a change', async (t) => {
    const d = tempDir();
    const f = join(d, 'example.com.zone');
    writeFileSync(f, 'one\n');
    const { fw, next } = recorder();
    try {
      fw.setFiles([f]);
      await fw.ready();
      const t0 = performance.now();
      unlinkSync(f);
      const ev = await next();
      assert.deepEqual(ev.map((e) => [e.kind, e.paths]), [['remove', [f]]]);
      latency(t, 'delete', t0, ev[0]);

      const t1 = performance.now();
      writeFileSync(f, 'two\n');
      const ev2 = await next(2);
      assert.deepEqual(ev2.map((e) => [e.kind, e.paths]), [['remove', [f]], ['change', [f]]]);
      latency(t, 're-create', t1, ev2[1]);
    } finally {
      await fw.close();
    }
  });

  it('reports a file that did not exist at setFiles once it is created', async (t) => {
    const d = tempDir();
    const f = join(d, 'later.zone');
    const { fw, next } = recorder();
    try {
      fw.setFiles([f]);
      await fw.ready();
      const t0 = performance.now();
      writeFileSync(f, 'hello\n');
      const ev = await next();
      assert.deepEqual(ev.map((e) => [e.kind, e.paths]), [['change', [f]]]);
      latency(t, 'create', t0, ev[0]);
    } finally {
      await fw.close();
    }
  });

  it('stops reporting files dropped by setFiles and starts on the new ones', async () => {
    const d1 = tempDir();
    const d2 = tempDir();
    const a = join(d1, 'a.zone');
    const b = join(d1, 'b.zone'); // same folder as a: that folder's watch is renewed
    const c = join(d2, 'c.zone'); // another folder
    for (const f of [a, b, c]) writeFileSync(f, 'x\n');
    const { fw, next, quiet } = recorder();
    try {
      fw.setFiles([a]);
      await fw.ready();
      fw.setFiles([b, c]);
      await fw.ready();
      writeFileSync(a, 'changed\n');
      assert.deepEqual(await quiet(), [], 'the dropped file is still reported');
      writeFileSync(b, 'changed\n');
      writeFileSync(c, 'changed\n');
      const ev = await next();
      assert.deepEqual(ev.map((e) => [e.kind, e.paths]), [['change', [b, c].sort()]]);
    } finally {
      await fw.close();
    }
  });

  it('reports two files changed together in one change, sorted', async () => {
    const d = tempDir();
    const a = join(d, 'a.zone');
    const b = join(d, 'b.zone');
    writeFileSync(a, 'x\n');
    writeFileSync(b, 'x\n');
    const { fw, next } = recorder();
    try {
      fw.setFiles([b, a]);
      await fw.ready();
      writeFileSync(b, 'y\n');
      await sleep(20);
      writeFileSync(a, 'y\n');
      const ev = await next();
      assert.deepEqual(ev.map((e) => [e.kind, e.paths]), [['change', [a, b]]]);
    } finally {
      await fw.close();
    }
  });

  it('ignores other files in the same folder', async () => {
    const d = tempDir();
    const f = join(d, 'example.com.zone');
    const other = join(d, 'notes.txt');
    writeFileSync(f, 'x\n');
    const { fw, quiet } = recorder();
    try {
      fw.setFiles([f]);
      await fw.ready();
      writeFileSync(other, 'a\n');
      appendFileSync(other, 'b\n');
      const tmp = join(d, 'other.tmp');
      writeFileSync(tmp, 'c\n');
      renameSync(tmp, other);
      unlinkSync(other);
      assert.deepEqual(await quiet(), []);
    } finally {
      await fw.close();
    }
  });

  it('releases its watches on close and reports nothing afterwards', async () => {
    await sleep(20); // libuv finishes closing the watch handles of earlier tests a few turns later
    const before = process.getActiveResourcesInfo().filter((r) => r === 'FSEventWrap').length;
    const d = tempDir();
    const f = join(d, 'example.com.zone');
    writeFileSync(f, 'x\n');
    const { fw, quiet } = recorder();
    fw.setFiles([f]);
    await fw.ready();
    assert.ok(process.getActiveResourcesInfo().filter((r) => r === 'FSEventWrap').length > before);
    writeFileSync(f, 'y\n'); // pending when closed: dropped
    await fw.close();
    await sleep(20); // libuv finishes closing handles a few loop turns later
    assert.equal(process.getActiveResourcesInfo().filter((r) => r === 'FSEventWrap').length, before);
    writeFileSync(f, 'z\n');
    assert.deepEqual(await quiet(), []);
    assert.throws(() => fw.setFiles([f]), /closed/);
    await fw.close(); // idempotent
  });
});

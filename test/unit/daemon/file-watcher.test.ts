/**
 * The zone-file watcher (src/daemon/file-watcher.ts) on real files: a table
 * of edits (in place, rename-over, vim-style, bursts, delete and re-create,
 * late files, changing what is watched, unrelated files, symbolic and hard links,
 * folders made late or made again) and what must be reported; that a busy
 * neighbour file costs no stat; and its release of the watches on close.
 */
import assert from 'node:assert/strict';
import { appendFileSync, linkSync, mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { FileWatcher, RETRY_MS } from '../../../src/daemon/file-watcher.js';

type Ev = { kind: 'change' | 'remove' | 'error'; paths: string[]; at: number };

/** Quiet time after an expected report during which nothing else may arrive. */
const SETTLE_MS = 250;
/** Upper bound for a report to arrive (a folder's retry, 1000, + debounce 100 + slack for slow CI). */
const REPORT_TIMEOUT_MS = RETRY_MS + 1500;
/** How long to wait to conclude that nothing will be reported (about 4× the debounce). */
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

/** Files of a case by name, in its folder ("2/name": in a second folder; "sub/name": in a folder inside the first). */
type Paths = (name: string) => string;

interface Step {
  /** What happens to the files (`fw`: to change what is watched). */
  act: (p: Paths, fw: FileWatcher) => void | Promise<void>;
  /** Everything reported so far, in order: kind and the names of its paths (compared as sorted paths); [] for nothing at all. */
  want: [Ev['kind'], string[]][];
  /** The assertion's message. */
  why?: string;
  /** A latency diagnostic for the last report, from before `act` (or from its end: 'end'). */
  latency?: { label: string; from?: 'end' };
}

interface WatchCase {
  name: string;
  /** Files written before the watch starts: name and content. */
  existing: [string, string][];
  /** Symbolic links made before the watch starts: the link's name and its target's. */
  links?: [string, string][];
  /** Hard links made before the watch starts: the new name and the file's. */
  hardLinks?: [string, string][];
  /** The files given to setFiles. */
  watch: string[];
  steps: Step[];
}

const f = 'example.com.zone';

const cases: WatchCase[] = [
  {
    name: 'reports an in-place write once',
    existing: [[f, 'one\n']],
    watch: [f],
    steps: [
      { act: (p) => writeFileSync(p(f), 'two\n'), want: [['change', [f]]], latency: { label: 'in-place write' } },
      { act: (p) => appendFileSync(p(f), 'three\n'), want: [['change', [f]], ['change', [f]]], latency: { label: 'append' } },
    ],
  },
  {
    name: 'reports a temp-file rename over the target as one change, not a removal',
    existing: [[f, 'one\n']],
    watch: [f],
    steps: [
      {
        act: (p) => {
          const tmp = p('.example.com.zone.Xy12Ab'); // rsync-style temp name
          writeFileSync(tmp, 'two\n');
          renameSync(tmp, p(f));
        },
        want: [['change', [f]]],
        latency: { label: 'rename-over' },
      },
      {
        // And again: the watch must survive the inode change.
        act: (p) => {
          const tmp = p('.example.com.zone.Xy12Ab');
          writeFileSync(tmp, 'three\n');
          renameSync(tmp, p(f));
        },
        want: [['change', [f]], ['change', [f]]],
      },
    ],
  },
  {
    name: 'reports a vim-style save (rename away to a backup, write anew) as one change',
    existing: [[f, 'one\n']],
    watch: [f],
    steps: [
      {
        act: (p) => {
          renameSync(p(f), `${p(f)}~`);
          writeFileSync(p(f), 'two\n');
          unlinkSync(`${p(f)}~`);
        },
        want: [['change', [f]]],
      },
    ],
  },
  {
    name: 'coalesces a burst of 20 writes in 50 ms into one change',
    existing: [[f, 'start\n']],
    watch: [f],
    steps: [
      {
        act: async (p) => {
          const start = performance.now();
          for (let i = 0; i < 20; i++) {
            appendFileSync(p(f), `line ${i}\n`);
            await sleep(2.5);
          }
          const last = performance.now();
          assert.ok(last - start < 120, `burst took ${last - start} ms`);
        },
        want: [['change', [f]]],
        latency: { label: 'burst (from last write)', from: 'end' },
      },
    ],
  },
  {
    name: 'reports a delete as a removal and a re-create as a change',
    existing: [[f, 'one\n']],
    watch: [f],
    steps: [
      { act: (p) => unlinkSync(p(f)), want: [['remove', [f]]], latency: { label: 'delete' } },
      { act: (p) => writeFileSync(p(f), 'two\n'), want: [['remove', [f]], ['change', [f]]], latency: { label: 're-create' } },
    ],
  },
  {
    name: 'reports a file that did not exist at setFiles once it is created',
    existing: [],
    watch: ['later.zone'],
    steps: [{ act: (p) => writeFileSync(p('later.zone'), 'hello\n'), want: [['change', ['later.zone']]], latency: { label: 'create' } }],
  },
  {
    name: 'stops reporting files dropped by setFiles and starts on the new ones',
    // b.zone is in the same folder as a.zone (that folder's watch is renewed), 2/c.zone in another.
    existing: [['a.zone', 'x\n'], ['b.zone', 'x\n'], ['2/c.zone', 'x\n']],
    watch: ['a.zone'],
    steps: [
      {
        act: async (p, fw) => {
          fw.setFiles([p('b.zone'), p('2/c.zone')]);
          await fw.ready();
          writeFileSync(p('a.zone'), 'changed\n');
        },
        want: [],
        why: 'the dropped file is still reported',
      },
      {
        act: (p) => {
          writeFileSync(p('b.zone'), 'changed\n');
          writeFileSync(p('2/c.zone'), 'changed\n');
        },
        want: [['change', ['b.zone', '2/c.zone']]],
      },
    ],
  },
  {
    name: 'reports two files changed together in one change, sorted',
    existing: [['a.zone', 'x\n'], ['b.zone', 'x\n']],
    watch: ['b.zone', 'a.zone'],
    steps: [
      {
        act: async (p) => {
          writeFileSync(p('b.zone'), 'y\n');
          await sleep(20);
          writeFileSync(p('a.zone'), 'y\n');
        },
        want: [['change', ['a.zone', 'b.zone']]],
      },
    ],
  },
  {
    name: 'ignores other files in the same folder',
    existing: [[f, 'x\n']],
    watch: [f],
    steps: [
      {
        act: (p) => {
          writeFileSync(p('notes.txt'), 'a\n');
          appendFileSync(p('notes.txt'), 'b\n');
          writeFileSync(p('other.tmp'), 'c\n');
          renameSync(p('other.tmp'), p('notes.txt'));
          unlinkSync(p('notes.txt'));
        },
        want: [],
      },
    ],
  },
  {
    name: 'follows a symbolic link: an edit of its target in another folder is a change of the link',
    existing: [['2/target.zone', 'one\n']],
    links: [[f, '2/target.zone']],
    watch: [f],
    steps: [
      { act: (p) => writeFileSync(p('2/target.zone'), 'two\n'), want: [['change', [f]]], latency: { label: 'edit of a link target' } },
      {
        // The target replaced by a rename in its own folder: the link's watch follows the new file.
        act: (p) => {
          writeFileSync(p('2/.target.zone.tmp'), 'three\n');
          renameSync(p('2/.target.zone.tmp'), p('2/target.zone'));
        },
        want: [['change', [f]], ['change', [f]]],
      },
      { act: (p) => appendFileSync(p('2/target.zone'), 'four\n'), want: [['change', [f]], ['change', [f]], ['change', [f]]] },
    ],
  },
  {
    name: 'follows a link re-pointed to another target (and no longer the old one)',
    existing: [['2/old.zone', 'one\n'], ['2/new.zone', 'two\n']],
    links: [[f, '2/old.zone']],
    watch: [f],
    steps: [
      {
        act: (p) => {
          symlinkSync(p('2/new.zone'), p('.link.tmp'));
          renameSync(p('.link.tmp'), p(f));
        },
        want: [['change', [f]]],
      },
      { act: (p) => appendFileSync(p('2/new.zone'), 'three\n'), want: [['change', [f]], ['change', [f]]] },
      { act: (p) => appendFileSync(p('2/old.zone'), 'stale\n'), want: [['change', [f]], ['change', [f]]], why: 'the old target is still followed' },
    ],
  },
  {
    name: 'sees an edit of a hard-linked file made through its other name, in another folder',
    existing: [['2/other.zone', 'one\n']],
    hardLinks: [[f, '2/other.zone']],
    watch: [f],
    steps: [{ act: (p) => appendFileSync(p('2/other.zone'), 'two\n'), want: [['change', [f]]] }],
  },
  {
    name: 'reports a file in a folder made after setFiles',
    existing: [],
    watch: ['sub/late.zone'],
    steps: [
      {
        act: (p) => {
          mkdirSync(dirname(p('sub/late.zone')));
          writeFileSync(p('sub/late.zone'), 'hello\n');
        },
        want: [['change', ['sub/late.zone']]],
        latency: { label: 'folder made late' },
      },
    ],
  },
  {
    name: 'reports a folder removed as removals, and its files once it is made again',
    existing: [['sub/a.zone', 'one\n']],
    watch: ['sub/a.zone'],
    steps: [
      { act: (p) => rmSync(dirname(p('sub/a.zone')), { recursive: true }), want: [['remove', ['sub/a.zone']]] },
      {
        act: (p) => {
          mkdirSync(dirname(p('sub/a.zone')));
          writeFileSync(p('sub/a.zone'), 'two\n');
        },
        want: [['remove', ['sub/a.zone']], ['change', ['sub/a.zone']]],
      },
      { act: (p) => appendFileSync(p('sub/a.zone'), 'three\n'), want: [['remove', ['sub/a.zone']], ['change', ['sub/a.zone']], ['change', ['sub/a.zone']]] },
    ],
  },
  {
    name: 'follows a folder replaced by a rename: the new folder\'s files are reported and watched, the old one\'s no longer',
    existing: [['sub/a.zone', 'one\n'], ['next/a.zone', 'two\n']],
    watch: ['sub/a.zone'],
    steps: [
      {
        act: (p) => {
          renameSync(dirname(p('sub/a.zone')), `${dirname(p('sub/a.zone'))}.old`);
          renameSync(dirname(p('next/a.zone')), dirname(p('sub/a.zone')));
        },
        want: [['change', ['sub/a.zone']]],
      },
      { act: (p) => appendFileSync(p('sub/a.zone'), 'three\n'), want: [['change', ['sub/a.zone']], ['change', ['sub/a.zone']]] },
      { act: (p) => appendFileSync(p('sub.old/a.zone'), 'stale\n'), want: [['change', ['sub/a.zone']], ['change', ['sub/a.zone']]], why: 'the old folder is still watched' },
    ],
  },
];

describe('FileWatcher', () => {
  for (const c of cases) {
    it(c.name, async (t) => {
      const dir1 = tempDir();
      let dir2: string | undefined;
      const p: Paths = (name) => (name.startsWith('2/') ? join((dir2 ??= tempDir()), name.slice(2)) : join(dir1, name));
      for (const [name, content] of c.existing) {
        mkdirSync(dirname(p(name)), { recursive: true });
        writeFileSync(p(name), content);
      }
      for (const [link, target] of c.links ?? []) symlinkSync(p(target), p(link));
      for (const [link, target] of c.hardLinks ?? []) linkSync(p(target), p(link));
      const { fw, next, quiet } = recorder();
      try {
        fw.setFiles(c.watch.map(p));
        await fw.ready();
        for (const step of c.steps) {
          const t0 = performance.now();
          await step.act(p, fw);
          const t1 = performance.now();
          const ev = step.want.length === 0 ? await quiet() : await next(step.want.length);
          assert.deepEqual(ev.map((e) => [e.kind, e.paths]), step.want.map(([kind, names]) => [kind, names.map(p).sort()]), step.why);
          if (step.latency) latency(t, step.latency.label, step.latency.from === 'end' ? t1 : t0, ev[step.want.length - 1]);
        }
      } finally {
        await fw.close();
      }
    });
  }

  it('setFiles says which files are watched afresh: those not in the set before', async () => {
    const d1 = tempDir();
    const d2 = tempDir();
    const a = join(d1, 'a.zone');
    const b = join(d1, 'b.zone');
    const c = join(d2, 'c.zone');
    const { fw } = recorder();
    try {
      assert.deepEqual(fw.setFiles([a]).sort(), [a]);
      assert.deepEqual(fw.setFiles([a]), [], 'the same files again: nothing new');
      assert.deepEqual(fw.setFiles([a, c]).sort(), [c], 'a second folder: only its file');
      // d1's watch stays, with b's name added to it: only b is new.
      assert.deepEqual(fw.setFiles([a, b, c]), [b]);
      assert.deepEqual(fw.setFiles([b]), [], 'files dropped: nothing new');
      assert.deepEqual(fw.setFiles([a, b]), [a], 'a file dropped and given again is watched afresh');
      await fw.ready();
    } finally {
      await fw.close();
    }
  });

  it('a neighbour written 400 times costs no stat and no report; the watched file is still seen', async () => {
    const d = tempDir();
    const zone = join(d, 'example.com.zone');
    const log = join(d, 'dnsperf.out');
    writeFileSync(zone, 'x\n');
    const { fw, events, next, quiet } = recorder();
    try {
      fw.setFiles([zone]);
      await fw.ready();
      for (let i = 0; i < 400; i++) {
        appendFileSync(log, `> NOERROR host${i}.bench.example A 0.000100\n`);
        if (i % 50 === 49) await sleep(5); // let the folder's events be read as they come
      }
      assert.deepEqual(await quiet(), []);
      const c = fw.counts();
      // inotify folds repeated events not yet read into one: fewer events than writes.
      assert.ok(c.events > 0, `the folder's watch saw the neighbour's writes (${c.events} events)`);
      assert.equal(c.touches, 0, 'no event was taken for the watched file');
      assert.equal(c.checks, 0, 'no file was stat\'ed');
      writeFileSync(zone, 'y\n');
      assert.deepEqual((await next()).map((e) => [e.kind, e.paths]), [['change', [zone]]]);
      assert.equal(fw.counts().checks, 1);
      assert.equal(events.length, 1);
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

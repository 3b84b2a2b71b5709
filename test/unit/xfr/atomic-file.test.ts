/**
 * src/xfr/atomic-file.ts: atomic replacement of a file (temporary file,
 * fsync, rename, folder fsync), many at once in one folder (thousands of
 * zones' state files share a data-dir, and their folder fsyncs are shared),
 * and the sweep of temporary files left by a process that was killed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fsyncDir, removeStaleTempFiles, tempFilePid, writeFileAtomic, writeFileAtomicSync } from '../../../src/xfr/atomic-file.js';

function scratch(t: { after(fn: () => void): void }): string {
  const d = mkdtempSync(join(tmpdir(), 'tyne-atomic-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

test('200 files written at once into one folder: each holds its own content, and no temporary file is left', async (t) => {
  const d = scratch(t);
  await Promise.all(Array.from({ length: 200 }, (_, i) => writeFileAtomic(join(d, `z${i}.json`), [`{"zone":${i}}`, '\n'])));
  const names = readdirSync(d).sort();
  assert.equal(names.length, 200);
  assert.ok(names.every((n) => /^z\d+\.json$/.test(n)), `unexpected names: ${names.filter((n) => !/^z\d+\.json$/.test(n)).join(', ')}`);
  for (let i = 0; i < 200; i++) assert.equal(readFileSync(join(d, `z${i}.json`), 'utf8'), `{"zone":${i}}\n`);
});

test('one file replaced many times at once ends as one of the versions written, whole', async (t) => {
  const d = scratch(t);
  const f = join(d, 'state.json');
  const versions = Array.from({ length: 50 }, (_, i) => `version ${i} `.repeat(100));
  await Promise.all(versions.map((v) => writeFileAtomic(f, [v])));
  assert.ok(versions.includes(readFileSync(f, 'utf8')));
  assert.deepEqual(readdirSync(d), ['state.json']);
});

test('fsyncDir: calls while one runs all resolve, in a folder or not (a missing folder is ignored)', async (t) => {
  const d = scratch(t);
  const results = await Promise.all([...Array.from({ length: 20 }, () => fsyncDir(d)), fsyncDir(join(d, 'missing'))]);
  assert.equal(results.length, 21);
  // And again after they have all finished (the shared state is let go, a new one starts).
  await fsyncDir(d);
});

test('the sync form writes the same, and makes the folder', (t) => {
  const d = scratch(t);
  const f = join(d, 'sub', 'x.json');
  writeFileAtomicSync(f, ['a', new Uint8Array([0x62])]);
  assert.equal(readFileSync(f, 'utf8'), 'ab');
});

test('temporary names carry the pid; a dead process\'s are swept, a live one\'s and other files are not', async (t) => {
  const d = scratch(t);
  assert.equal(tempFilePid('.x.json.tmp-1234-0000abcd'), 1234);
  assert.equal(tempFilePid('x.json'), null);
  // A pid no process has (pids stay below 2^22 on Linux).
  const dead = join(d, '.a.json.tmp-99999999-00000001');
  const mine = join(d, `.b.json.tmp-${process.pid}-00000002`);
  writeFileSync(dead, 'left');
  writeFileSync(mine, 'mine');
  writeFileSync(join(d, 'c.json'), 'keep');
  const gone = await removeStaleTempFiles(d);
  assert.deepEqual(gone, [{ path: dead, bytes: 4 }]);
  assert.deepEqual(readdirSync(d).sort(), [`.b.json.tmp-${process.pid}-00000002`, 'c.json'].sort());
});

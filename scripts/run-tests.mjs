#!/usr/bin/env node
// Runs every compiled test file (dist/**/*.test.js) with node's test runner.
// Node 20's --test does not expand globs itself, so the files are listed here.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { URL, fileURLToPath } from 'node:url';

function collect(dir, out) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const e of entries.sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) collect(p, out);
    else if (e.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const files = [...collect('dist/test', []), ...collect('dist/fuzz', [])];
if (files.length === 0) {
  console.error('no compiled tests found under dist/: run `npm run build` first');
  process.exit(1);
}
// Tests whose subject is timing (how long the event loop may stall while a big zone
// reloads, how fast others answer while a zone's read spins in the parse worker)
// run afterwards, one file at a time: beside another test file that keeps both
// cores busy, they would measure that file, not the server. (reload-isolation's
// stuck read keeps one core busy by itself; with a second test file on the other,
// the daemon's main thread had none: probe p99 119 ms against 11 ms.)
const ALONE = [
  'dist/test/integration/reload-isolation.test.js',
  'dist/test/integration/zone-watch.test.js',
  'dist/test/unit/daemon/load-zone-async.test.js',
];
const alone = files.filter((f) => ALONE.includes(f));
const together = files.filter((f) => !ALONE.includes(f));
// Beside the TAP output, each run writes its failures, one line each, to a file
// that is printed at the very end: CI shows only the tail of the log.
const failDir = mkdtempSync(join(tmpdir(), 'tyne-test-failures-'));
const reporter = fileURLToPath(new URL('./failure-reporter.mjs', import.meta.url));
const run = (concurrency, list, label) =>
  list.length === 0
    ? 0
    : (spawnSync(
        process.execPath,
        [
          '--test',
          `--test-concurrency=${concurrency}`,
          '--test-reporter=tap',
          '--test-reporter-destination=stdout',
          `--test-reporter=${reporter}`,
          `--test-reporter-destination=${join(failDir, label)}`,
          ...process.argv.slice(2),
          ...list,
        ],
        { stdio: 'inherit' },
      ).status ?? 1);
const first = run(2, together, 'together');
const second = run(1, alone, 'alone');
const failures = ['together', 'alone'].flatMap((label) => {
  try {
    return readFileSync(join(failDir, label), 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
});
rmSync(failDir, { recursive: true, force: true });
console.log(`# run-tests: ${files.length} files; ${failures.length} failed test(s)${first !== 0 || second !== 0 ? `; exit ${first}/${second}` : ''}`);
for (const line of failures) console.log(`# ${line}`);
process.exit(first !== 0 ? first : second);

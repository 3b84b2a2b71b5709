#!/usr/bin/env node
// Runs every compiled test file (dist/**/*.test.js) with node's test runner.
// Node 20's --test does not expand globs itself, so the files are listed here.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

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
// reloads) run afterwards, one file at a time: beside another test file that keeps
// both cores busy, they would measure that file, not the server.
const ALONE = ['dist/test/integration/zone-watch.test.js', 'dist/test/unit/daemon/load-zone-async.test.js'];
const alone = files.filter((f) => ALONE.includes(f));
const together = files.filter((f) => !ALONE.includes(f));
const run = (concurrency, list) =>
  list.length === 0 ? 0 : (spawnSync(process.execPath, ['--test', `--test-concurrency=${concurrency}`, ...process.argv.slice(2), ...list], { stdio: 'inherit' }).status ?? 1);
const first = run(2, together);
const second = run(1, alone);
process.exit(first !== 0 ? first : second);

#!/usr/bin/env node
// Builds the batched UDP I/O module (src/native, issue 16 §2) with the
// node-gyp that comes with npm, against the headers of the Node running this
// script (offline: no header download when they are installed beside it).
// Run by `npm install` / `npm ci` (the `install` script) and by `npm run
// build`, where it does nothing when src/native/build/Release/udp_batch.node
// is newer than its sources. It never fails the install: on any failure it
// prints one line and exits 0, and Tyne serves UDP through node:dgram.
//   node scripts/build-native.mjs [--force] [--quiet]
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'src', 'native');
const out = join(dir, 'build', 'Release', 'udp_batch.node');
const sources = ['udp-batch.c', 'binding.gyp'].map((f) => join(dir, f));
const force = process.argv.includes('--force');
const quiet = process.argv.includes('--quiet');

function giveUp(reason) {
  console.warn(`native UDP module not built (${reason}); Tyne will serve UDP through node:dgram`);
  process.exit(0);
}

if (process.platform !== 'linux') giveUp(`recvmmsg/sendmmsg need Linux, this is ${process.platform}`);
if (process.env.TYNE_SKIP_NATIVE === '1') giveUp('TYNE_SKIP_NATIVE=1');
const newest = Math.max(...sources.map((f) => statSync(f).mtimeMs));
if (!force && existsSync(out) && statSync(out).mtimeMs >= newest) {
  if (!quiet) console.log('native UDP module up to date');
  process.exit(0);
}

// npm sets npm_config_node_gyp for its lifecycle scripts; otherwise npm's own copy beside this node.
const prefix = resolve(dirname(process.execPath), '..');
const candidates = [
  process.env.npm_config_node_gyp,
  join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  join(dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
].filter((p) => typeof p === 'string' && p !== '' && existsSync(p));
if (candidates.length === 0) giveUp('node-gyp not found: npm\'s bundled copy is missing');
const args = [candidates[0], 'rebuild', '--directory', dir];
// Headers installed with Node (include/node/node_api.h): no download, so it works offline.
if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
const r = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', timeout: 300_000 });
if (r.error !== undefined) giveUp(`node-gyp could not run: ${r.error.message}`);
if (r.status !== 0 || !existsSync(out)) {
  const text = `${r.stdout ?? ''}\n${r.stderr ?? ''}`;
  const line =
    text.split('\n').find((l) => /error:|not found|No such file|command not found|gyp ERR! stack Error/.test(l))?.trim() ??
    `node-gyp exited with ${r.status}`;
  giveUp(`${line.replace(/\s+/g, ' ').slice(0, 200)}; install g++, make and python3, then run npm run build:native`);
}
if (!quiet) console.log(`native UDP module built: ${out}`);

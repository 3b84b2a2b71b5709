/**
 * `tyne check-zone`'s command line (src/cli/check-zone-options.ts):
 * named-checkzone's options with their meaning and defaults, read as
 * getopt does (grouped flags, values attached or apart), and what is bad
 * usage.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCheckZoneArgs, type CheckZoneOptions } from '../../../src/cli/check-zone-options.js';
import { RRClass } from '../../../src/wire/index.js';

function parsed(args: string[]): CheckZoneOptions {
  const o = parseCheckZoneArgs(args);
  if (typeof o === 'string') throw new Error(`${args.join(' ')}: ${o}`);
  return o;
}

describe('check-zone options', () => {
  it('has named-checkzone\'s defaults', () => {
    const o = parsed(['example.com', 'z.zone']);
    assert.deepEqual(
      [o.quiet, o.dump, o.output, o.style, o.checkNames, o.checkNs, o.integrity, o.zoneClass, o.chroot, o.workDir, o.journal, o.includeFromCwd, o.origin, o.file],
      [false, false, null, 'full', 'warn', 'warn', 'full', RRClass.IN, null, null, false, false, 'example.com', 'z.zone'],
    );
  });

  const good: [string, string[], Partial<CheckZoneOptions>][] = [
    ['-q', ['-q', 'e', 'f'], { quiet: true }],
    ['-k fail', ['-k', 'fail', 'e', 'f'], { checkNames: 'fail' }],
    ['-kignore (attached)', ['-kignore', 'e', 'f'], { checkNames: 'ignore' }],
    ['-n fail', ['-n', 'fail', 'e', 'f'], { checkNs: 'fail' }],
    ['-i local-sibling', ['-i', 'local-sibling', 'e', 'f'], { integrity: 'local-sibling' }],
    ['-i none', ['-inone', 'e', 'f'], { integrity: 'none' }],
    ['-D', ['-D', 'e', 'f'], { dump: true, output: null }],
    ['--print is -D', ['--print', 'e', 'f'], { dump: true }],
    ['-o FILE dumps to it', ['-o', 'out.db', 'e', 'f'], { dump: true, output: 'out.db' }],
    ['-o -', ['-o', '-', 'e', 'f'], { dump: true, output: '-' }],
    ['-s relative', ['-D', '-s', 'relative', 'e', 'f'], { style: 'relative' }],
    ['-c CH', ['-c', 'CH', 'e', 'f'], { zoneClass: RRClass.CH }],
    ['-t and -w', ['-t', '/srv/root', '-w', '/zones', 'e', 'f'], { chroot: '/srv/root', workDir: '/zones' }],
    ['-j', ['-j', 'e', 'f'], { journal: true }],
    ['-J FILE', ['-J', 'z.jnl', 'e', 'f'], { journal: 'z.jnl' }],
    ['grouped flags -qDj', ['-qDj', 'e', 'f'], { quiet: true, dump: true, journal: true }],
    ['a flag then a value: -qkfail', ['-qkfail', 'e', 'f'], { quiet: true, checkNames: 'fail' }],
    ['- for standard input', ['e', '-'], { file: '-' }],
    ['--include-from-cwd', ['--include-from-cwd', 'e', 'f'], { includeFromCwd: true }],
    ['a limit', ['--max-records', '10', 'e', 'f'], { limits: { maxRecords: 10 } }],
    ['a size limit', ['--max-zone-file-size', '2M', 'e', 'f'], { limits: { maxFileBytes: 2 * 1024 * 1024 } }],
    ['--diff', ['--diff', 'e', 'f', '--against', '127.0.0.1:53'], { diff: true, against: '127.0.0.1:53' }],
    ['-h', ['-h'], { help: true }],
  ];
  for (const [title, args, want] of good) {
    it(title, () => {
      const o = parsed(args);
      for (const [k, v] of Object.entries(want)) assert.deepEqual(o[k as keyof CheckZoneOptions], v, k);
    });
  }

  const bad: [string, string[], RegExp][] = [
    ['an option named-checkzone has and Tyne does not', ['-M', 'fail', 'e', 'f'], /unsupported option '-M'/],
    ['an unknown long option', ['--frobnicate', 'e', 'f'], /unsupported option '--frobnicate'/],
    ['a bad -k mode', ['-k', 'loud', 'e', 'f'], /-k: expected fail, warn, ignore, got 'loud'/],
    ['a bad -i mode', ['-i', 'some', 'e', 'f'], /-i: expected full, full-sibling, local, local-sibling, none/],
    ['a bad -s style', ['-s', 'pretty', 'e', 'f'], /-s: expected full, relative/],
    ['a bad class', ['-c', 'XX', 'e', 'f'], /^-c: /],
    ['a value missing', ['e', 'f', '-o'], /-o needs a value/],
    ['no file', ['e'], /expected ORIGIN and FILE/],
    ['three arguments', ['e', 'f', 'g'], /got 3 arguments/],
    ['-j with standard input', ['-j', 'e', '-'], /-J FILE/],
    ['--diff and -D', ['-D', '--diff', 'e', 'f', '--against', '127.0.0.1'], /does not dump/],
    ['a bad limit', ['--max-line-length', '10', 'e', 'f'], /at least 1024/],
  ];
  for (const [title, args, want] of bad) {
    it(`refuses ${title}`, () => {
      const o = parseCheckZoneArgs(args);
      assert.equal(typeof o, 'string');
      assert.match(o as string, want);
    });
  }
});

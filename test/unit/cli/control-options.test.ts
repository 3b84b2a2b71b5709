/**
 * The control commands' command line (src/cli/control-options.ts): the
 * shared options, a command's own flags and positional arguments, what
 * is bad usage, and the socket a configuration file gives (its default
 * beside data-dir or the file, `control: false`, a file with problems,
 * one that is not YAML).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseCommandArgs, socketPath, UsageProblem, type ArgSpec, type CommandArgs } from '../../../src/cli/control-options.js';
import { CONTROL_COMMANDS } from '../../../src/cli/control-commands.js';

const ZONE: ArgSpec = { args: ['ZONE'] };
const OPT_ZONE: ArgSpec = { args: ['ZONE?'] };
const NOTIFY: ArgSpec = { args: ['ZONE'], flags: ['--to'] };

describe('control command arguments', () => {
  const good: [string, ArgSpec, string[], Partial<CommandArgs>][] = [
    ['-s and a zone', ZONE, ['-s', 'x.sock', 'example.com'], { source: { kind: 'socket', path: resolve('x.sock') }, values: { ZONE: 'example.com' }, json: false }],
    ['--socket=', ZONE, ['example.com', '--socket=/run/t.sock'], { source: { kind: 'socket', path: '/run/t.sock' } }],
    ['-c (resolved against the working folder)', ZONE, ['-c', 'ns1.yaml', 'example.com'], { source: { kind: 'config', path: resolve('ns1.yaml') } }],
    ['--config FILE --json', ZONE, ['--config', '/etc/t.yaml', '--json', 'z.'], { source: { kind: 'config', path: '/etc/t.yaml' }, json: true }],
    ['an optional zone left out', OPT_ZONE, ['-s', '/s'], { values: {} }],
    ['an optional zone given', OPT_ZONE, ['-s', '/s', 'a.example'], { values: { ZONE: 'a.example' } }],
    ['a command flag', NOTIFY, ['-s', '/s', 'a.example', '--to', '192.0.2.1:53'], { flags: { '--to': '192.0.2.1:53' } }],
    ['a command flag with =', NOTIFY, ['-s', '/s', '--to=[2001:db8::1]:53', 'a.example'], { flags: { '--to': '[2001:db8::1]:53' } }],
    ['--help without the arguments', ZONE, ['--help'], { help: true, source: null }],
  ];
  for (const [what, spec, argv, want] of good) {
    it(`reads ${what}`, () => {
      const a = parseCommandArgs(argv, spec);
      assert.ok(!(a instanceof UsageProblem), a instanceof UsageProblem ? a.message : '');
      for (const [k, v] of Object.entries(want)) assert.deepEqual(a[k as keyof CommandArgs], v, k);
    });
  }

  const bad: [string, ArgSpec, string[], RegExp][] = [
    ['a missing zone', ZONE, ['-s', '/s'], /^missing ZONE$/],
    ['an extra argument', ZONE, ['-s', '/s', 'a.', 'b.'], /^unexpected argument 'b\.'$/],
    ['an unknown option', ZONE, ['-s', '/s', '-x', 'a.'], /^unknown option '-x'$/],
    ['another command\'s flag', ZONE, ['-s', '/s', '--to', '192.0.2.1', 'a.'], /^unknown option '--to'$/],
    ['-s without its value', ZONE, ['a.', '-s'], /^-s needs a value$/],
    ['--config= empty', ZONE, ['a.', '--config='], /^--config needs a value$/],
    ['both -c and -s', ZONE, ['-c', 'a.yaml', '-s', '/s', 'a.'], /not both/],
  ];
  for (const [what, spec, argv, message] of bad) {
    it(`refuses ${what} as bad usage (exit 2)`, () => {
      const a = parseCommandArgs(argv, spec);
      assert.ok(a instanceof UsageProblem, 'a UsageProblem');
      assert.equal(a.exit, 2);
      assert.match(a.message, message);
    });
  }

  it('every command takes the arguments its usage line shows (and loglevel refuses an unknown level before asking)', () => {
    for (const [name, c] of Object.entries(CONTROL_COMMANDS)) {
      const argv = c.args.filter((n) => !n.endsWith('?')).map((n) => (n === 'LEVEL' ? 'debug' : 'x.example'));
      const a = parseCommandArgs(['-s', '/s', ...argv], c);
      assert.ok(!(a instanceof UsageProblem), `${name}: ${a instanceof UsageProblem ? a.message : ''}`);
      const call = c.call(a);
      assert.ok(!(call instanceof UsageProblem), name);
      assert.match(call.path, /^\/[a-z]+/, name);
    }
    const level = parseCommandArgs(['-s', '/s', 'loud'], CONTROL_COMMANDS.loglevel!);
    assert.ok(!(level instanceof UsageProblem));
    const call = CONTROL_COMMANDS.loglevel!.call(level);
    assert.ok(call instanceof UsageProblem && /unknown log level 'loud'/.test(call.message));
  });
});

describe('the socket a configuration gives', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tyne-ctl-opts-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const base = 'listen: ["127.0.0.1:5300"]\nzones: []\n';

  const cases: [string, string, string, string | RegExp, 2 | 3 | null][] = [
    ['the default beside the file, named after it', 'ns1.yaml', base, join(dir, 'ns1.sock'), null],
    ['the default in data-dir', 'dd.yaml', `${base}server:\n  data-dir: data\n`, join(dir, 'data', 'tyne.sock'), null],
    ['control.socket, relative to the file', 'own.yaml', `${base}control:\n  socket: run/own.sock\n`, join(dir, 'run', 'own.sock'), null],
    ['a file with problems still gives its socket', 'broken.yaml', `${base}server:\n  udp-payload: lots\ncontrol: { socket: b.sock }\n`, join(dir, 'b.sock'), null],
    ['control: false', 'off.yaml', `${base}control: false\n`, /turns the control socket off/, 3],
    ['not YAML', 'bad.yaml', 'listen: [\n', /is not well-formed YAML.*give the socket with -s/, 2],
  ];
  for (const [what, name, text, want, exit] of cases) {
    it(what, () => {
      const got = socketPath({ kind: 'config', path: file(name, text) });
      if (exit === null) assert.equal(got, want);
      else {
        assert.ok(got instanceof UsageProblem);
        assert.equal(got.exit, exit);
        assert.match(got.message, want as RegExp);
      }
    });
  }

  it('a missing file and no source at all are bad usage', () => {
    const missing = socketPath({ kind: 'config', path: join(dir, 'none.yaml') });
    assert.ok(missing instanceof UsageProblem && missing.exit === 2 && /cannot read .*none\.yaml \(no such file\)/.test(missing.message));
    const none = socketPath(null);
    assert.ok(none instanceof UsageProblem && none.exit === 2 && /-c CONFIG.*-s SOCKET/.test(none.message));
  });
});

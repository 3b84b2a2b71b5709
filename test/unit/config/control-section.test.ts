/**
 * The `control:` section (src/config/control-section.ts): its defaults
 * (beside data-dir, or beside the file; off with workers above 1), what
 * it accepts, and each problem it reports at its position.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseConfig, type ControlSettings } from '../../../src/config/index.js';
import { configProblems } from '../../support/config-problems.js';

const FILE = '/etc/tyne/ns1.yaml';
const base = 'listen: ["127.0.0.1:5300"]\nzones: []\n';

function control(text: string): ControlSettings | null {
  return parseConfig(base + text, FILE).control;
}

const problems = (text: string): string[] => configProblems(base + text, FILE);

describe('control: section', () => {
  const accepted: [string, string, ControlSettings | null][] = [
    ['left out: <stem>.sock beside the file', '', { socket: '/etc/tyne/ns1.sock', explicit: false, mode: 0o660, group: null }],
    ['left out, with data-dir', 'server:\n  data-dir: /var/lib/tyne\n', { socket: '/var/lib/tyne/tyne.sock', explicit: false, mode: 0o660, group: null }],
    ['control: true', 'control: true\n', { socket: '/etc/tyne/ns1.sock', explicit: false, mode: 0o660, group: null }],
    ['control: false', 'control: false\n', null],
    ['left out with workers: 2 (off)', 'server:\n  workers: 2\n', null],
    ['workers: 2 with control: false', 'server:\n  workers: 2\ncontrol: false\n', null],
    ['a socket, relative to the file, with mode and group', 'control:\n  socket: run/t.sock\n  mode: "0600"\n  group: tyne\n', { socket: join('/etc/tyne', 'run/t.sock'), explicit: true, mode: 0o600, group: 'tyne' }],
    ['a numeric group, mode without the leading 0', 'control: { mode: "660", group: 120 }\n', { socket: '/etc/tyne/ns1.sock', explicit: false, mode: 0o660, group: '120' }],
  ];
  for (const [what, text, want] of accepted) {
    it(`accepts ${what}`, () => assert.deepEqual(control(text), want));
  }

  const refused: [string, string, RegExp][] = [
    ['a mode written as a YAML number', 'control:\n  mode: 0660\n', /ns1\.yaml:4:9: control\.mode: .*quote it: YAML reads 0660 as the decimal number 660/],
    ['a mode that is not octal', 'control:\n  mode: "0999"\n', /:4:9: control\.mode: expected octal permission bits such as "0660"/],
    ['a socket path too long for a Unix socket', `control:\n  socket: /${'x'.repeat(120)}\n`, /control\.socket: the socket path .* more than a Unix socket allows \(107\)/],
    ['a bad group name', 'control:\n  group: "a b"\n', /control\.group: 'a b' is not a group name/],
    ['an unknown key (with a suggestion)', 'control:\n  sokcet: /run/t.sock\n', /:4:3: control\.sokcet: unknown key 'sokcet' \(did you mean 'socket'\?\)/],
    ['something that is not false, true or a mapping', 'control: yes please\n', /control: expected false, true or a mapping/],
    ['control: written with workers above 1', 'server:\n  workers: 2\ncontrol:\n  socket: /run/t.sock\n', /control: the control socket needs server\.workers: 1/],
  ];
  for (const [what, text, message] of refused) {
    it(`refuses ${what}`, () => {
      const lines = problems(text);
      assert.ok(lines.some((l) => message.test(l)), lines.join('\n'));
    });
  }
});

/** The rate-limited log: first line of a kind at once, then one count per interval, kinds capped. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RateLimitedLog } from '../../../src/log/rate-limited-log.js';

interface Line {
  level: string;
  fields: Record<string, unknown>;
  msg: string;
}

/** A limiter whose interval ends when the test says so. */
function setup(opts: { maxKinds?: number } = {}) {
  const lines: Line[] = [];
  const sink = (level: string) => (fields: object, msg: string): void => void lines.push({ level, fields: fields as Record<string, unknown>, msg });
  let pending: (() => void) | null = null;
  const log = new RateLimitedLog({ info: sink('info'), warn: sink('warn'), error: sink('error') }, {
    intervalMs: 10_000,
    ...opts,
    setTimer: (fn) => {
      pending = fn;
      return { cancel: () => { pending = null; } };
    },
  });
  const tick = (): void => {
    const fn = pending;
    pending = null;
    fn?.();
  };
  return { log, lines, tick, armed: () => pending !== null };
}

describe('RateLimitedLog', () => {
  it('logs the first event of a kind in full and counts the rest into one line per interval', () => {
    const { log, lines, tick } = setup();
    for (let i = 0; i < 10_000; i++) log.event('refused:a.example.', 'warn', { peer: `10.0.0.${i % 250}` }, 'notify refused by allow-notify', 'refused NOTIFY for a.example.');
    assert.equal(lines.length, 1);
    assert.deepEqual(lines[0], { level: 'warn', fields: { peer: '10.0.0.0' }, msg: 'notify refused by allow-notify' });
    tick();
    assert.equal(lines.length, 2);
    assert.equal(lines[1]!.msg, '9999 more refused NOTIFY for a.example. in the last 10 s');
    assert.equal(lines[1]!.level, 'warn');
    assert.equal(lines[1]!.fields.suppressed, 9999);
    assert.equal(lines[1]!.fields.peer, `10.0.0.${9999 % 250}`, 'the summary carries the latest event');
    assert.equal(log.suppressed, 9999);
  });

  it('starts a kind over with a full line once it was quiet for a whole interval, and then stops its timer', () => {
    const { log, lines, tick, armed } = setup();
    log.event('k', 'info', {}, 'first', 'things');
    log.event('k', 'info', {}, 'first', 'things');
    tick(); // "1 more things"
    assert.equal(armed(), true);
    tick(); // quiet interval: forgotten, nothing written
    assert.equal(lines.length, 2);
    assert.equal(armed(), false, 'no timer while nothing is pending');
    log.event('k', 'info', {}, 'first again', 'things');
    assert.equal(lines.length, 3);
    assert.equal(lines[2]!.msg, 'first again');
  });

  it('keeps kinds apart', () => {
    const { log, lines, tick } = setup();
    for (let i = 0; i < 5; i++) {
      log.event('a', 'warn', {}, 'a', 'a events');
      log.event('b', 'info', {}, 'b', 'b events');
    }
    assert.deepEqual(lines.map((l) => l.msg), ['a', 'b']);
    tick();
    assert.deepEqual(lines.slice(2).map((l) => l.msg).sort(), ['4 more a events in the last 10 s', '4 more b events in the last 10 s']);
  });

  it('caps the kinds held: events of new kinds past the cap share one overflow count', () => {
    const { log, lines, tick } = setup({ maxKinds: 3 });
    for (let i = 0; i < 1000; i++) log.event(`kind-${i}`, 'warn', { i }, `line ${i}`, `kind ${i}`);
    // Three kinds, plus the overflow kind's first line.
    assert.equal(lines.length, 4);
    tick();
    const summary = lines.slice(4);
    assert.equal(summary.length, 1);
    assert.match(summary[0]!.msg, /^996 more events of other kinds in the last 10 s$/);
  });

  it('flush writes what is pending', () => {
    const { log, lines } = setup();
    log.event('k', 'error', {}, 'x', 'x events');
    log.event('k', 'error', {}, 'x', 'x events');
    log.flush();
    assert.deepEqual(lines.map((l) => l.msg), ['x', '1 more x events in the last 10 s']);
  });
});

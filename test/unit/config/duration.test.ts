import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, parseDuration } from '../../../src/config/duration.js';
import { TyneError } from '../../../src/wire/tyne-error.js';

describe('parseDuration', () => {
  it('reads a number as seconds', () => {
    assert.equal(parseDuration(10), 10_000);
    assert.equal(parseDuration(0), 0);
    assert.equal(parseDuration(1.5), 1500);
    assert.equal(parseDuration(0.25), 250);
  });

  it('reads every unit', () => {
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('10s'), 10_000);
    assert.equal(parseDuration('2m'), 120_000);
    assert.equal(parseDuration('1h'), 3_600_000);
    assert.equal(parseDuration('1d'), 86_400_000);
    assert.equal(parseDuration('0s'), 0);
  });

  it('rejects anything else with DURATION_INVALID', () => {
    for (const bad of ['10', '10 s', '1.5s', '-1s', '1w', '10S', 's', '', '1h30m', ' 10s', -1, Number.NaN, Infinity, null, true, {}, ['10s']]) {
      assert.throws(() => parseDuration(bad), (e: unknown) => {
        assert.ok(e instanceof TyneError, `${String(bad)}: ${String(e)}`);
        assert.equal(e.code, 'DURATION_INVALID');
        return true;
      }, `accepted ${JSON.stringify(bad)}`);
    }
  });

  it('names the bad value and the accepted forms', () => {
    assert.throws(() => parseDuration('10x'), /bad duration '10x' \(use a number of seconds, or a whole number with a unit: 500ms, 10s, 2m, 1h, 1d\)/);
  });

  it('rejects values beyond the safe integer range', () => {
    assert.throws(() => parseDuration('99999999999999999d'), /too large/);
  });
});

describe('formatDuration', () => {
  it('uses the largest whole unit', () => {
    assert.equal(formatDuration(3_600_000), '1h');
    assert.equal(formatDuration(90_000), '90s');
    assert.equal(formatDuration(120_000), '2m');
    assert.equal(formatDuration(1500), '1500ms');
    assert.equal(formatDuration(0), '0ms');
    assert.equal(formatDuration(86_400_000 * 2), '2d');
  });
});

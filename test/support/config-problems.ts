/**
 * The problems `parseConfig` reports for a configuration text, one line
 * each (`file:line:col: key: problem`), for the config section tests; a
 * text it accepts fails the test.
 */
import assert from 'node:assert/strict';
import { ConfigError, parseConfig } from '../../src/config/index.js';

export function configProblems(text: string, file: string): string[] {
  try {
    parseConfig(text, file);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.message.split('\n');
  }
  assert.fail('no problem reported: the configuration was accepted');
}

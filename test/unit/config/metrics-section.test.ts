/**
 * The `metrics:` section (src/config/metrics-section.ts): off by default,
 * `true` for 127.0.0.1:9153, every key, and each problem at its position.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig, type MetricsSettings } from '../../../src/config/index.js';
import { configProblems } from '../../support/config-problems.js';

const FILE = '/etc/tyne/ns1.yaml';
const base = 'listen: ["127.0.0.1:5300"]\nzones: []\n';

function metrics(text: string): MetricsSettings | null {
  return parseConfig(base + text, FILE).metrics;
}

const problems = (text: string): string[] => configProblems(base + text, FILE);

const DEFAULT = { listen: { host: '127.0.0.1', port: 9153, family: 4 }, perZone: true } as const;

describe('metrics: section', () => {
  const accepted: [string, string, MetricsSettings | null][] = [
    ['left out (off)', '', null],
    ['metrics: false', 'metrics: false\n', null],
    ['metrics: true (127.0.0.1:9153, per zone)', 'metrics: true\n', DEFAULT],
    ['metrics: with nothing under it (the defaults)', 'metrics:\n', DEFAULT],
    ['every key', 'metrics:\n  listen: "[::1]:9253"\n  per-zone: false\n', { listen: { host: '::1', port: 9253, family: 6 }, perZone: false }],
    ['listen alone', 'metrics: { listen: 127.0.0.2:19153 }\n', { listen: { host: '127.0.0.2', port: 19153, family: 4 }, perZone: true }],
    ['per-zone alone', 'metrics: { per-zone: false }\n', { ...DEFAULT, perZone: false }],
    ['workers: 2 with metrics: false', 'server:\n  workers: 2\nmetrics: false\n', null],
  ];
  for (const [what, text, want] of accepted) {
    it(`accepts ${what}`, () => assert.deepEqual(metrics(text), want));
  }

  const refused: [string, string, RegExp][] = [
    ['a listen address without a port', 'metrics:\n  listen: 127.0.0.1\n', /ns1\.yaml:4:11: metrics\.listen: '127\.0\.0\.1' has no port/],
    ['an IPv6 address without brackets', 'metrics:\n  listen: "::1:9153"\n', /:4:11: metrics\.listen: .*an IPv6 address goes in brackets/],
    ['a host name', 'metrics:\n  listen: localhost:9153\n', /metrics\.listen: 'localhost' is not an IP address/],
    ['per-zone not a boolean', 'metrics:\n  per-zone: some\n', /:4:13: metrics\.per-zone: expected true or false/],
    ['an unknown key (with a suggestion)', 'metrics:\n  per_zone: false\n', /:4:3: metrics\.per_zone: unknown key 'per_zone' \(did you mean 'per-zone'\?\)/],
    ['something that is not false, true or a mapping', 'metrics: 9153\n', /:3:10: metrics: expected false, true or a mapping/],
    ['metrics: with workers above 1', 'server:\n  workers: 2\nmetrics: true\n', /:5:1: metrics: the metrics endpoint needs server\.workers: 1/],
  ];
  for (const [what, text, message] of refused) {
    it(`refuses ${what}`, () => {
      const lines = problems(text);
      assert.ok(lines.some((l) => message.test(l)), lines.join('\n'));
    });
  }
});

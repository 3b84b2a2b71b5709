/** Table-driven: every zone check's verdict, codes and positions (cases shared with the BIND oracle test). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Diagnostic } from '../../../src/wire/index.js';
import { CASES, buildCase } from './zone-cases.js';

/** Diagnostics as `CODE@line` (or `CODE`), sorted. */
function codes(ds: Diagnostic[]): string[] {
  return ds.map((d) => (d.at ? `${d.code}@${d.at.line}` : d.code)).sort();
}

describe('zone checks', () => {
  for (const c of CASES) {
    it(c.title, () => {
      const r = buildCase(c);
      assert.deepEqual(codes(r.errors), [...(c.errors ?? [])].sort(), 'errors');
      assert.deepEqual(codes(r.warnings), [...(c.warnings ?? [])].sort(), 'warnings');
      assert.equal(r.zone === null, (c.errors ?? []).length > 0, 'zone is null exactly when there are errors');
      for (const d of [...r.errors, ...r.warnings]) {
        assert.equal(d.severity, r.errors.includes(d) ? 'error' : 'warning');
        assert.ok(d.message.length > 0);
        if (d.at) assert.equal(d.at.file, 'case.zone');
      }
    });
  }
});

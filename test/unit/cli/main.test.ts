import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../../support/paths.js';

/** Runs the real `bin/tyne` as a child process. */
function tyne(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'tyne'), ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('bin/tyne', () => {
  it('converts rdata text to canonical text and RFC 3597 hex', () => {
    const r = tyne('rdata', 'MX', '10', 'Mail.Example.');
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, 'MX 10 Mail.Example.\n\\# 16 000A044D61696C074578616D706C6500\n');
  });

  it('reports bad rdata with its code and exit status 1', () => {
    const r = tyne('rdata', 'AAAA', '2001:db8::10002');
    assert.equal(r.code, 1);
    assert.match(r.err, /bad IPv6 address '2001:db8::10002' \[TEXT_BAD_IPV6\]/);
  });

  it('decodes a message and refuses a malformed one with its wire error code', () => {
    const ok = tyne('decode', '1234 0100 0001 0000 0000 0000 03777777 076578616d706c65 00 0001 0001');
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /;www\.example\.\s+IN\s+A/);
    const bad = tyne('decode', '1234 0100 0001 0000 0000 0000 c00c 0001 0001');
    assert.equal(bad.code, 1);
    assert.match(bad.err, /\[WIRE_POINTER_LOOP\]/);
  });

  it('exits 2 with usage for an unknown command', () => {
    const r = tyne('frobnicate');
    assert.equal(r.code, 2);
    assert.match(r.err, /unknown command 'frobnicate'/);
  });
});

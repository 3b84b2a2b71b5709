/**
 * A secondary zone with a short EXPIRE (the clamps lowered with
 * `min-refresh-time` / `min-retry-time`, as BIND's options allow): with the
 * primary gone, the zone answers SERVFAIL once EXPIRE has passed since the
 * last good refresh (as BIND does), other zones keep answering, and it
 * comes back when the primary does. Real processes and real time.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RRType, Rcode, decodeMessage, type Message } from '../../src/wire/index.js';
import { buildQuery, queryUdp } from '../support/dns-client.js';
import { freePort } from '../support/ports.js';
import { startTyne, type TyneProcess } from '../support/tyne-process.js';
import { sleep } from '../support/wait.js';

// REFRESH 1, RETRY 1, EXPIRE 3 seconds.
const SHORT = `$ORIGIN short.test.
$TTL 60
@ SOA ns1 hostmaster 1 1 1 3 60
@ NS ns1
ns1 A 192.0.2.1
www A 192.0.2.80
`;

// A zone of the secondary's own, served from a file: it must keep answering.
const LOCAL = `$ORIGIN local.test.
$TTL 60
@ SOA ns1 hostmaster 1 3600 600 86400 60
@ NS ns1
ns1 A 192.0.2.1
www A 192.0.2.81
`;

async function ask(port: number, name: string): Promise<Message> {
  return decodeMessage(await queryUdp(port, buildQuery({ id: 99, name, type: RRType.A }), 2000));
}

/** Polls until `pred` holds for the answer to `name` (bounded by `ms`); returns the last answer. */
async function until(port: number, name: string, pred: (m: Message) => boolean, ms: number): Promise<Message> {
  const end = Date.now() + ms;
  let m = await ask(port, name);
  while (!pred(m) && Date.now() < end) {
    await sleep(100);
    m = await ask(port, name);
  }
  return m;
}

describe('a secondary zone past its EXPIRE', () => {
  let dir: string;
  let primaryPort = 0;
  let secondaryPort = 0;
  let primary: TyneProcess | undefined;
  let secondary: TyneProcess | undefined;

  const primaryYaml = (): string => `listen: ["127.0.0.1:${primaryPort}"]
zones:
  - name: short.test
    file: short.test.zone
    allow-transfer: ["127.0.0.1/32"]
    notify: ["127.0.0.1:${secondaryPort}"]
`;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tyne-expiry-live-'));
    mkdirSync(join(dir, 'p'));
    mkdirSync(join(dir, 's'));
    primaryPort = await freePort();
    secondaryPort = await freePort();
    writeFileSync(join(dir, 'p', 'short.test.zone'), SHORT);
    writeFileSync(join(dir, 'p', 'tyne.yaml'), primaryYaml());
    writeFileSync(join(dir, 's', 'local.test.zone'), LOCAL);
    writeFileSync(
      join(dir, 's', 'tyne.yaml'),
      `listen: ["127.0.0.1:${secondaryPort}"]
server:
  min-refresh-time: 1s
  min-retry-time: 1s
zones:
  - name: short.test
    type: secondary
    primaries: ["127.0.0.1:${primaryPort}"]
    file: data/short.test.zone
  - name: local.test
    file: local.test.zone
`,
    );
    primary = await startTyne(join(dir, 'p', 'tyne.yaml'));
    secondary = await startTyne(join(dir, 's', 'tyne.yaml'));
  });

  after(async () => {
    await secondary?.stop();
    await primary?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers from the copy, then SERVFAIL once EXPIRE passes without the primary, then again when it is back', async () => {
    const sPort = secondaryPort;
    const first = await until(sPort, 'www.short.test', (m) => m.rcode === Rcode.NOERROR && m.answers.length === 1, 10_000);
    assert.equal(first.rcode, Rcode.NOERROR, 'the secondary has the zone');
    assert.equal(first.aa, true);

    await primary!.stop();
    primary = undefined;
    const stoppedAt = Date.now();
    // Still served while the copy is within EXPIRE (3 s from the last good refresh).
    assert.equal((await ask(sPort, 'www.short.test')).rcode, Rcode.NOERROR);
    const expired = await until(sPort, 'www.short.test', (m) => m.rcode === Rcode.SERVFAIL, 8000);
    assert.equal(expired.rcode, Rcode.SERVFAIL, 'an expired zone answers SERVFAIL');
    assert.ok(Date.now() - stoppedAt <= 8000);
    await secondary!.waitForLog((l) => typeof l.msg === 'string' && /expired/.test(l.msg), 1000);
    const local = await ask(sPort, 'www.local.test');
    assert.equal(local.rcode, Rcode.NOERROR, 'the other zones keep answering');
    assert.equal(local.answers.length, 1);

    // The primary comes back (same port): its NOTIFY at startup, or the next retry, brings the zone back.
    primary = await startTyne(join(dir, 'p', 'tyne.yaml'));
    const back = await until(sPort, 'www.short.test', (m) => m.rcode === Rcode.NOERROR, 8000);
    assert.equal(back.rcode, Rcode.NOERROR, 'served again after a successful refresh');
    assert.equal(back.answers.length, 1);
  });
});

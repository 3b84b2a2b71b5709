/**
 * server.threads needs a UDP socket per thread on one address
 * (SO_REUSEPORT, issue 16 §3): the native module's, or node:dgram's
 * reusePort from Node 22.12. Without either the start fails with one line.
 * (chooseUdpIo's own cases are in batched-udp-socket.test.ts, beside the module they load.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BatchModule } from '../../../src/server/batched-udp-socket.js';
import { dgramHasReusePort, threadsUdpIoError, UdpIoErrorCode } from '../../../src/server/udp-io-choice.js';

describe('dgramHasReusePort', () => {
  const cases: [string, boolean][] = [
    ['20.20.2', false], ['22.11.0', false], ['22.12.0', true], ['22.20.1', true], ['23.0.0', false], ['23.1.0', true], ['24.0.0', true], ['25.2.1', true],
  ];
  for (const [version, want] of cases) it(`Node ${version}: ${want}`, () => assert.equal(dgramHasReusePort(version), want));
});

describe('threadsUdpIoError', () => {
  const someModule = {} as BatchModule;
  it('is null for one thread, with the module, or with a Node that has reusePort', () => {
    assert.equal(threadsUdpIoError(1, null, '20.0.0'), null);
    assert.equal(threadsUdpIoError(4, someModule, '20.0.0'), null);
    assert.equal(threadsUdpIoError(4, null, '22.12.0'), null);
  });
  it('names the setting, the Node version and the fixes in one line', () => {
    const e = threadsUdpIoError(2, null, '20.20.2');
    assert.equal(e?.code, UdpIoErrorCode.NO_REUSEPORT);
    assert.match(e!.message, /^server\.threads is 2, .*SO_REUSEPORT.*\(this is 20\.20\.2\); install g\+\+.*npm run build:native.*use Node 22\.12 or later, or set threads: 1$/);
    assert.ok(!e!.message.includes('\n'));
  });
});

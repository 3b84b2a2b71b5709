/** listenError: the system error of a failed bind, as one line saying what is wrong and what fixes it. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ListenError, listenError } from '../../../src/daemon/listen-error.js';
import { TyneError } from '../../../src/wire/index.js';

const sysError = (code: string): NodeJS.ErrnoException => Object.assign(new Error(`bind ${code} 127.0.0.1:53`), { code, syscall: 'bind' });

describe('listenError', () => {
  const cases: { errno: string; address: string; port: number; code: string; says: RegExp }[] = [
    { errno: 'EACCES', address: '127.0.0.1:53', port: 53, code: 'LISTEN_PERMISSION', says: /permission denied; ports below 1024 need root or CAP_NET_BIND_SERVICE \(for example `setcap cap_net_bind_service=\+ep \/opt\/node`, or AmbientCapabilities=CAP_NET_BIND_SERVICE in the systemd unit\)$/ },
    { errno: 'EACCES', address: '127.0.0.1:5300', port: 5300, code: 'LISTEN_PERMISSION', says: /permission denied \(a security policy .*\); allow it or change `listen`$/ },
    { errno: 'EADDRINUSE', address: '[::1]:5300', port: 5300, code: 'LISTEN_IN_USE', says: /address already in use: another server is listening there; stop it or change `listen`$/ },
    { errno: 'EADDRNOTAVAIL', address: '192.0.2.1:53', port: 53, code: 'LISTEN_NO_ADDRESS', says: /no such local address: .*; add it or change `listen`$/ },
    { errno: 'EAFNOSUPPORT', address: '[::1]:53', port: 53, code: 'LISTEN_FAMILY', says: /IPv6 is not available on this host; enable it or change `listen`$/ },
    { errno: 'EINVAL', address: '127.0.0.1:53', port: 53, code: 'LISTEN_FAILED', says: /bind EINVAL 127\.0\.0\.1:53$/ },
  ];
  for (const c of cases) {
    it(`${c.errno} on ${c.address}: ${c.code}`, () => {
      const cause = sysError(c.errno);
      const e = listenError(c.address, c.port, 'udp', cause, '/opt/node');
      assert.ok(e instanceof ListenError && e instanceof TyneError);
      assert.equal(e.code, c.code);
      assert.equal(e.errno, c.errno);
      assert.equal(e.cause, cause, 'the system error is kept as cause');
      assert.equal(e.address, c.address);
      assert.ok(e.message.startsWith(`cannot listen on ${c.address} (udp): `), e.message);
      assert.match(e.message, c.says);
      assert.ok(!e.message.includes('\n'), 'one line');
    });
  }

  it('something that is not a system error still gives one line', () => {
    const e = listenError('127.0.0.1:53', 53, 'tcp', 'odd\nfailure');
    assert.equal(e.code, 'LISTEN_FAILED');
    assert.equal(e.errno, null);
    assert.equal(e.message, 'cannot listen on 127.0.0.1:53 (tcp): odd failure');
  });
});

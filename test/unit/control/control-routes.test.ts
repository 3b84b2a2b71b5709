/**
 * The control socket's routes (src/control/control-routes.ts) without a
 * socket: each request to the ControlApi call it makes (with its
 * arguments), the status and `{ error }` of what it refuses, and a
 * ControlError or any other error thrown by the API as its answer.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ControlError, route, type ControlApi, type ControlRequest } from '../../../src/control/index.js';

/** A ControlApi that records each call (name and arguments) and answers `{ called: name }`; `fail` makes it throw. */
function recordingApi(fail?: unknown): { api: ControlApi; calls: unknown[][] } {
  const calls: unknown[][] = [];
  const rec = (name: string) => (...args: unknown[]): never => {
    calls.push([name, ...args]);
    if (fail !== undefined) throw fail;
    return { called: name } as never;
  };
  const api: ControlApi = {
    status: rec('status'), zoneStatus: rec('zoneStatus'), secondaries: rec('secondaries'), reload: rec('reload'), refresh: rec('refresh'), notify: rec('notify'),
    logLevel: rec('logLevel'), stop: rec('stop'), release: rec('release'),
  };
  return { api, calls };
}

const req = (method: string, path: string, body?: unknown): ControlRequest => ({ method, path, body });

describe('control routes', () => {
  const calls: [string, ControlRequest, unknown[]][] = [
    ['status', req('GET', '/status'), ['status']],
    ['status (HEAD)', req('HEAD', '/status'), ['status']],
    ['status (trailing slash)', req('GET', '/status/'), ['status']],
    ['zone status', req('GET', '/zones/example.com'), ['zoneStatus', 'example.com']],
    ['zone status, name escaped', req('GET', '/zones/a%2Fb.example.'), ['zoneStatus', 'a/b.example.']],
    ['every zone\'s secondaries', req('GET', '/secondaries'), ['secondaries', null]],
    ['one zone\'s secondaries', req('GET', '/secondaries/example.com'), ['secondaries', 'example.com']],
    ['reload everything', req('POST', '/reload'), ['reload', null]],
    ['reload everything ({})', req('POST', '/reload', {}), ['reload', null]],
    ['reload one zone', req('POST', '/reload', { zone: 'example.com' }), ['reload', 'example.com']],
    ['refresh', req('POST', '/zones/example.com/refresh'), ['refresh', 'example.com', { axfr: false }]],
    ['retransfer', req('POST', '/zones/example.com/retransfer'), ['refresh', 'example.com', { axfr: true }]],
    ['notify the targets', req('POST', '/zones/example.com/notify'), ['notify', 'example.com', null]],
    ['notify one address', req('POST', '/zones/example.com/notify', { to: '192.0.2.2:5301' }), ['notify', 'example.com', '192.0.2.2:5301']],
    ['log level', req('POST', '/loglevel', { level: 'debug' }), ['logLevel', 'debug']],
    ['release', req('POST', '/release', { target: '/srv/customers' }), ['release', '/srv/customers']],
  ];
  for (const [what, r, call] of calls) {
    it(`${what}: ${r.method} ${r.path} calls ${String(call[0])}`, async () => {
      const { api, calls: made } = recordingApi();
      const a = await route(api, r);
      assert.equal(a.status, 200, JSON.stringify(a.body));
      assert.deepEqual(made, [call]);
      assert.deepEqual(a.body, { called: call[0] });
    });
  }

  it('stop answers first and stops after (the answer reaches the client)', async () => {
    const { api, calls: made } = recordingApi();
    const a = await route(api, req('POST', '/stop'));
    assert.equal(a.status, 200);
    assert.deepEqual(a.body, { pid: process.pid, stopping: true });
    assert.deepEqual(made, [], 'not stopped before the answer is sent');
    a.after?.();
    assert.deepEqual(made, [['stop']]);
  });

  const refused: [string, ControlRequest, number, RegExp][] = [
    ['an unknown path', req('GET', '/nothing'), 404, /no such request: GET \/nothing \(known: GET \/status/],
    ['a GET of a POST route', req('GET', '/reload'), 404, /no such request/],
    ['a POST of a GET route', req('POST', '/status'), 404, /no such request/],
    ['an unknown zone action', req('POST', '/zones/example.com/explode'), 404, /no such request/],
    ['a zone path too deep', req('GET', '/zones/example.com/refresh/now'), 404, /no such request/],
    ['a secondaries path too deep', req('GET', '/secondaries/example.com/x'), 404, /no such request/],
    ['a level that is not one', req('POST', '/loglevel', { level: 'loud' }), 400, /'level' must be one of fatal, error, warn, info, debug, trace, silent/],
    ['no level', req('POST', '/loglevel', {}), 400, /'level' must be one of/],
    ['a zone that is not a string', req('POST', '/reload', { zone: 7 }), 400, /'zone' must be a non-empty string/],
    ['an empty --to', req('POST', '/zones/example.com/notify', { to: '' }), 400, /'to' must be a non-empty string/],
    ['release without a target', req('POST', '/release', {}), 400, /'target' .* is needed/],
  ];
  for (const [what, r, status, message] of refused) {
    it(`refuses ${what} with ${status} and CONTROL_BAD_REQUEST, calling nothing`, async () => {
      const { api, calls: made } = recordingApi();
      const a = await route(api, r);
      assert.equal(a.status, status);
      const e = (a.body as { error: { code: string; message: string } }).error;
      assert.equal(e.code, 'CONTROL_BAD_REQUEST');
      assert.match(e.message, message);
      assert.deepEqual(made, []);
    });
  }

  const thrown: [string, unknown, number, string][] = [
    ['no such zone', new ControlError('CONTROL_NO_SUCH_ZONE', 'no zone x.'), 404, 'CONTROL_NO_SUCH_ZONE'],
    ['wrong zone type', new ControlError('CONTROL_WRONG_ZONE_TYPE', 'x. is a primary zone'), 409, 'CONTROL_WRONG_ZONE_TYPE'],
    ['no such hold', new ControlError('CONTROL_NO_SUCH_HOLD', 'nothing held'), 404, 'CONTROL_NO_SUCH_HOLD'],
    ['any other error', new Error('disk on fire'), 500, 'CONTROL_INTERNAL'],
  ];
  for (const [what, err, status, code] of thrown) {
    it(`answers an API that throws ${what} with ${status} ${code} and its message`, async () => {
      const { api } = recordingApi(err);
      const a = await route(api, req('GET', '/zones/x.'));
      assert.equal(a.status, status);
      const e = (a.body as { error: { code: string; message: string } }).error;
      assert.equal(e.code, code);
      assert.ok(e.message.includes((err as Error).message), e.message);
    });
  }
});

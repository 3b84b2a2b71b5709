/** Errors in log lines: operator conditions (TyneError, system errors) without stacks, bugs with them. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serializeError } from '../../../src/log/error-serializer.js';
import { StorageError } from '../../../src/xfr/storage-error.js';
import { TransferError } from '../../../src/xfr/transfer-error.js';

function systemError(code: string): NodeJS.ErrnoException {
  const e = new Error(`${code}: permission denied, access '/etc/tyne'`) as NodeJS.ErrnoException;
  e.code = code;
  e.syscall = 'access';
  return e;
}

describe('serializeError', () => {
  it('gives a TyneError its type, code and message, its causes the same way, and no stack', () => {
    const err = new StorageError('STORAGE_UNWRITABLE', '/etc/tyne', 'folder is not writable', { cause: systemError('EACCES') });
    assert.deepEqual(serializeError(err), {
      type: 'StorageError',
      code: 'STORAGE_UNWRITABLE',
      message: '/etc/tyne: folder is not writable',
      cause: { type: 'Error', code: 'EACCES', message: "EACCES: permission denied, access '/etc/tyne'" },
    });
    assert.doesNotMatch(JSON.stringify(serializeError(new TransferError('XFR_TIMEOUT', '192.0.2.1:53', 'no answer'))), /\n\s+at /);
  });

  it('keeps the stack of anything else (a bug)', () => {
    const out = serializeError(new TypeError('x is undefined')) as { type: string; stack: string };
    assert.equal(out.type, 'TypeError');
    assert.match(out.stack, /\n\s+at /);
  });
});

/** TSIG for NOTIFY out (RFC 8945 §5.1, §5.3.2): each try signed, the answer checked against that try's MAC. */
import type { Name } from '../wire/index.js';
import type { TsigKey } from './tsig-key.js';
import { tsigSign, tsigVerify } from './tsig.js';

/**
 * Signs one outgoing NOTIFY (TSIG, RFC 8945) and checks the answer to that
 * very message (its MAC covers the request MAC).
 */
export type NotifySigner = (query: Uint8Array) => { bytes: Uint8Array; verify(response: Uint8Array): boolean };

/**
 * A NotifySigner with a TSIG key: each try is signed afresh (RFC 8945
 * §5.1), and an answer counts only when it carries a TSIG by the same key
 * that verifies against that try's MAC with no TSIG error (§5.3.2).
 * `now` (seconds; default the clock) is the time signed, for tests.
 */
export function tsigNotifySigner(key: TsigKey, opts: { now?: () => number } = {}): NotifySigner {
  const keys = (name: Name): TsigKey | undefined => (name.equals(key.name) ? key : undefined);
  return (query) => {
    const { bytes, mac } = tsigSign(query, key, opts.now === undefined ? {} : { now: opts.now() });
    return {
      bytes,
      verify(response: Uint8Array): boolean {
        const v = tsigVerify(response, keys, { requestMac: mac });
        return v.present && !v.malformed && v.error === 0 && v.tsigError === 0;
      },
    };
  };
}

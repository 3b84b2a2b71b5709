/** The transfer client's TSIG (RFC 8945 §5.3), made from tsig.ts. */
import { TsigError, TsigStreamVerifier, tsigSign } from './tsig.js';
import { TsigCheckError } from './tsig-check-error.js';
import type { TsigKey } from './tsig-key.js';
import type { XfrSigner } from './xfr-signer.js';

function errorName(code: number): string {
  for (const [k, v] of Object.entries(TsigError)) if (v === code) return k;
  return `error ${code}`;
}

/**
 * Signs each query with `key` and verifies the response stream to it: the
 * first message must be signed, at most 99 unsigned ones in a row between
 * signed ones, and the last one signed.
 */
export function tsigSigner(key: TsigKey): XfrSigner {
  let verifier: TsigStreamVerifier | null = null;
  let count = 0;
  return {
    signQuery(query: Uint8Array): Uint8Array {
      const signed = tsigSign(query, key);
      verifier = new TsigStreamVerifier(key, signed.mac);
      count = 0;
      return signed.bytes;
    },
    verifyResponse(message: Uint8Array): void {
      if (verifier === null) throw new TsigCheckError('TSIG_NO_QUERY', 'response verified before a query was signed');
      count++;
      const v = verifier.verify(message);
      if (v.malformed) throw new TsigCheckError('TSIG_MALFORMED', `message ${count}: malformed TSIG record`);
      if (v.error !== TsigError.NOERROR) {
        const why = !v.present ? (count === 1 ? 'first message is not signed' : 'too many unsigned messages in a row') : errorName(v.error);
        throw new TsigCheckError('TSIG_UNVERIFIED', `message ${count}: ${why}`);
      }
      if (v.present && v.tsigError !== TsigError.NOERROR) throw new TsigCheckError('TSIG_PEER_ERROR', `message ${count}: the primary reports ${errorName(v.tsigError)}`);
    },
    finish(): void {
      if (verifier === null || !verifier.finish()) throw new TsigCheckError('TSIG_UNSIGNED_END', `the last message (${count}) is not signed`);
    },
  };
}

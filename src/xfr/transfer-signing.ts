/**
 * The TSIG signer of one transfer or SOA query (RFC 8945 §5.3): made from the key (or a test's factory),
 * and its end-of-stream check, with failures as XFR_TSIG.
 */
import { tsigSigner, type TsigKey, type XfrSigner, type XfrSignerFactory } from '../tsig/index.js';
import { TransferError } from './transfer-error.js';

/** The signer for `key` (null: unsigned), from `factory` when given, else tsigSigner. */
export function makeSigner(key: TsigKey | null, factory: XfrSignerFactory | undefined): XfrSigner | null {
  if (key === null) return null;
  if (factory !== undefined) return factory(key);
  return tsigSigner(key);
}

/** After the last message: the stream must have ended verified (RFC 8945 §5.3.1). */
export function finishSigner(signer: XfrSigner | null, peer: string): void {
  if (signer === null) return;
  try {
    signer.finish();
  } catch (e) {
    if (e instanceof TransferError) throw e;
    throw new TransferError('XFR_TSIG', peer, `TSIG check failed: ${(e as Error).message}`, { cause: e });
  }
}


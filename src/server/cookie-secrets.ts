/** The server secrets DNS COOKIEs are made with (RFC 9018 §5): the operator's, or derived from a seed and rotated. */
import { createHmac, randomBytes } from 'node:crypto';

/** A generated secret is used to make cookies this long, then accepted for as long again (Knot's secret-lifetime default). */
export const GENERATED_SECRET_LIFETIME_SEC = 26 * 3600;

/** Where the server secrets come from: fixed (`cookie-secret`), or derived from a random seed and rotated. */
export interface CookieSecrets {
  /** The secrets in force at `nowSec`: the first makes cookies, every one is accepted. */
  at(nowSec: number): readonly Uint8Array[];
}

/** `cookie-secret`: the operator's secrets (RFC 9018 §5: shared by every server of an anycast set). */
export function fixedSecrets(secrets: readonly Uint8Array[]): CookieSecrets {
  if (secrets.length === 0 || secrets.some((s) => s.length !== 16)) throw new RangeError('cookie secrets are 16 octets, at least one');
  const list = [...secrets];
  return { at: () => list };
}

/**
 * Secrets derived from `seed` (random, made once per start by the process
 * that forks the workers, so all of them agree): the secret of period n is
 * HMAC-SHA256(seed, "tyne cookie secret n") cut to 16 octets. A new one
 * makes cookies every `lifetimeSec`; the previous one is still accepted, so
 * a rotation never turns a cookie that is less than an hour old away.
 */
export function rotatingSecrets(seed: Uint8Array, lifetimeSec = GENERATED_SECRET_LIFETIME_SEC): CookieSecrets {
  let period = -1;
  let list: Uint8Array[] = [];
  const derive = (n: number): Uint8Array => new Uint8Array(createHmac('sha256', seed).update(`tyne cookie secret ${n}`).digest().subarray(0, 16));
  return {
    at(nowSec: number): readonly Uint8Array[] {
      const n = Math.floor(nowSec / lifetimeSec);
      if (n !== period) {
        period = n;
        list = [derive(n), derive(n - 1)];
      }
      return list;
    },
  };
}

/** A fresh random seed for `rotatingSecrets` (hex, so it can travel in the environment). */
export function newCookieSeed(): string {
  return randomBytes(32).toString('hex');
}

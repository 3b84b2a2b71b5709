import type { Config } from '../config/index.js';
import { fixedSecrets, newCookieSeed, rotatingSecrets } from '../server/cookie-secrets.js';
import { ServerCookies } from '../server/server-cookie.js';

/**
 * The server cookies (RFC 7873) of the configuration in force: from
 * `cookie-secret`, or from secrets derived from a seed made once per start
 * (by the cluster primary when there are workers, by the main thread for
 * serving threads); kept across reloads that leave the cookie settings as
 * they were.
 */
export class CookieSource {
  readonly #seed: Uint8Array;
  /** The seed as hex, for a serving thread to derive the same secrets. */
  readonly seedHex: string;
  #key = '';
  #cookies: ServerCookies | null = null;

  constructor(seedHex: string | undefined) {
    const hex = seedHex !== undefined && /^[0-9a-f]{64}$/.test(seedHex) ? seedHex : newCookieSeed();
    this.seedHex = hex;
    this.#seed = Uint8Array.from(Buffer.from(hex, 'hex'));
  }

  /** For `server:`'s answer-cookie and cookie-secret (a serving thread passes its copy of them). */
  for(s: Pick<Config['server'], 'answerCookie' | 'cookieSecrets'>): ServerCookies | null {
    if (!s.answerCookie) return null;
    const key = s.cookieSecrets.map((k) => Buffer.from(k).toString('hex')).join(',');
    if (this.#cookies === null || key !== this.#key) {
      this.#key = key;
      this.#cookies = new ServerCookies(s.cookieSecrets.length > 0 ? fixedSecrets(s.cookieSecrets) : rotatingSecrets(this.#seed));
    }
    return this.#cookies;
  }
}

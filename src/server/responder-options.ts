/** The responder's options: the `server:` settings it answers by, and the shared quota, limiter and cookies. */
import type { HotAnswers } from './hot-answers.js';
import type { RateLimiter } from './rate-limit.js';
import type { ServerCookies } from './server-cookie.js';
import type { TransferQuota } from './transfer-quota.js';

/** What the responder needs to know besides the zones. */
export interface ResponderOptions {
  /** RFC 6891 §6.2.5: the largest UDP response we send to EDNS clients (and advertise). */
  udpPayload: number;
  /** CH TXT id.server / hostname.bind and the EDNS NSID payload; null = not given. */
  identity: string | null;
  /** CH TXT version.bind; null = REFUSED. */
  version: string | null;
  /** `answer-cache-size`: bytes of prepared answers kept per zone set (default 256 MiB; 0 = none). */
  answerCacheSize?: number;
  /** `transfers-out`: shared by every responder of the process, so a rebuilt one keeps counting; none = no limit. */
  transfers?: TransferQuota;
  /** Response rate limiting of UDP answers; null or left out = none. Kept by the caller across zone reloads. */
  rateLimiter?: RateLimiter | null;
  /** RFC 7873 server cookies (BIND's `answer-cookie`); null: COOKIE options are ignored and never answered. */
  cookies?: ServerCookies | null;
  /**
   * The hot answers, shared by the responders of a process one after
   * another (a rebuilt responder claims them, and the one before loses
   * them): made once, not at every rebuild. Left out: the responder makes
   * its own when answer-cache-size allows (hotAnswersFor); null: none.
   */
  hotAnswers?: HotAnswers | null;
}

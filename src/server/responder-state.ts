/**
 * What the parts of the responder share: its settings and zones, and what
 * the request being handled has set so far (one object per responder).
 */
import type { ZoneSet } from '../query/index.js';
import type { Zone, ZoneNode } from '../zone/index.js';
import { AnswerCache, DEFAULT_ANSWER_CACHE_BYTES } from './answer-cache.js';
import { hotAnswersFor, type HotAnswers } from './hot-answers.js';
import type { RateLimiter } from './rate-limit.js';
import type { Request } from './request.js';
import type { ResponderOptions } from './responder-options.js';
import { MIN_UDP } from './response-limit.js';
import type { ServerCookies } from './server-cookie.js';
import type { TransferHooks } from './transfer-hooks.js';

/**
 * The responder's state. Handling is synchronous, so the per-request fields
 * (`req` to `chase`) describe the request being handled until the next one.
 */
export class ResponderState {
  zones: ZoneSet;
  cache: AnswerCache;
  /** Octets of the AnswerCache (answer-cache-size less the hot answers' share). */
  readonly cacheSize: number;
  /** The hot answers in front of the cache (null when answer-cache-size is too small to share): emptied with it. */
  readonly hot: HotAnswers | null;
  /** This responder's claim on them: used only while `hot.owner` is still it (a newer responder took them over otherwise). */
  hotOwner: number;
  /** The options, with `udpPayload` within 512..65535. */
  readonly options: ResponderOptions;
  /** RFC 5001: the NSID payload (the identity), or null. */
  readonly nsid: Uint8Array | null;
  readonly cookies: ServerCookies | null;
  readonly hooks: TransferHooks | null;
  readonly limiter: RateLimiter | null;

  /** The request being handled (readRequest's shared object). */
  req: Request | null = null;
  /** This query's COOKIE option to answer with (client and server cookie), or null. */
  cookie: Uint8Array | null = null;
  /** This query's edns-tcp-keepalive TIMEOUT to answer with (100 ms units), or -1. */
  keepalive = -1;
  /** The upper bits of the extended RCODE of the response being made (RFC 6891 §6.1.3: BADVERS, BADCOOKIE), for the counters. */
  rcodeHigh = 0;
  /** The closest encloser of the wildcard that synthesized the answer being sent (null: none). */
  wildcard: Uint8Array | null = null;
  /** The zone and node the prepared path looked the question up at (node null: no prepared answer can be kept for it). */
  zone: Zone | null = null;
  node: ZoneNode | null = null;
  /** The prepared answer's key there (see answer-cache-key.ts). */
  key = 0;
  /** The answer may be one a CNAME chain gives to every type it does not hold (CHASE_KEY). */
  chase = false;
  /** The question's spelling class at `node` (ZoneNode.spelledFrom; spelling-class.ts). */
  spelling = 0;
  /** Which path answered the last query (AnswerPath), for tests and the debug log. */
  path = 0;
  /** The hot answers were asked for this question and missed (its key is `hotKey`): the general path may keep its NXDOMAIN there. */
  hotMissed = false;
  hotKey = 0;
  /**
   * Where the prepared path may write the response in place (the batched
   * socket's send slot; issue 16 §1), or null. When it does, it returns
   * `dest` itself and leaves the response's length in `destLength`.
   */
  dest: Uint8Array | null = null;
  destLength = 0;

  constructor(zones: ZoneSet, options: ResponderOptions, hooks: TransferHooks | null) {
    this.zones = zones;
    this.hooks = hooks;
    this.limiter = options.rateLimiter ?? null;
    const size = options.answerCacheSize ?? DEFAULT_ANSWER_CACHE_BYTES;
    // An eighth of answer-cache-size is the hot answers' (issue 16 §1); the whole stays within it.
    const hot = options.hotAnswers === undefined ? hotAnswersFor(size) : options.hotAnswers;
    this.hot = hot;
    this.hotOwner = hot === null ? 0 : hot.claim();
    this.cacheSize = Math.max(0, size - (hot === null ? 0 : hot.bytes));
    this.cache = new AnswerCache(this.cacheSize);
    this.options = { ...options, udpPayload: Math.max(MIN_UDP, Math.min(options.udpPayload, 65535)) };
    this.nsid = options.identity === null ? null : Buffer.from(options.identity, 'utf8');
    this.cookies = options.cookies ?? null;
  }
}

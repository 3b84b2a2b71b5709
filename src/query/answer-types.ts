/** What kind of response `answer` produced (a result, never an exception). */
export const AnswerKind = {
  /** Data for the question (possibly through a CNAME/DNAME chain). */
  ANSWER: 'answer',
  /** RFC 2308 §2.2: the name exists, the type does not. */
  NODATA: 'nodata',
  /** RFC 2308 §2.1: the name does not exist. */
  NXDOMAIN: 'nxdomain',
  /** RFC 1034 §4.3.2 step 3b: the name is at or below a zone cut. */
  REFERRAL: 'referral',
  /** The name is in no zone we host. */
  REFUSED: 'refused',
  /** The zone is configured but has no data (an expired secondary). */
  SERVFAIL: 'servfail',
  /** RFC 6672 §2.2: a DNAME substitution made a name longer than 255 octets. */
  YXDOMAIN: 'yxdomain',
} as const;
export type AnswerKind = (typeof AnswerKind)[keyof typeof AnswerKind];

/** One record of a response, owner as uncompressed wire octets (the case the response shows). */
export interface AnswerRecord {
  owner: Uint8Array;
  type: number;
  class: number;
  ttl: number;
  rdata: Uint8Array;
}

/** The sections of a response, before encoding. */
export interface Answer {
  kind: AnswerKind;
  rcode: number;
  /** RFC 1035 §4.1.1 AA. */
  aa: boolean;
  answer: AnswerRecord[];
  authority: AnswerRecord[];
  additional: AnswerRecord[];
  /**
   * How many leading additional records must fit (RFC 9471 §3: in-domain
   * glue of a referral); if they do not, the response is truncated.
   */
  requiredAdditional: number;
  /**
   * Set when a wildcard synthesized the answer (RFC 4592 §3.3.1): the
   * closest encloser, whose `*.` child was the source. Response rate
   * limiting counts such answers by it, as BIND does.
   */
  wildcardEncloser?: Uint8Array;
}

/** A question as the query path sees it: the name as received (uncompressed wire, any case). */
export interface WireQuestion {
  name: Uint8Array;
  type: number;
  class: number;
}

export interface AnswerOptions {
  /**
   * RFC 8482 §4.1: answer ANY with one RRset (true, the default, as over
   * UDP) or with every RRset at the name (false, as over TCP, like Knot).
   */
  minimalAny?: boolean;
  /** RFC 3225: the query set DO; a signed zone then adds RRSIGs and NSEC/NSEC3 proofs (RFC 4035 §3.1). */
  dnssecOk?: boolean;
}

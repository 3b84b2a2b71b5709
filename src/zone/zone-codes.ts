/**
 * Stable codes of the zone checks (never renamed once released). Each
 * comment gives the severity and what named-checkzone 9.18 says, since
 * the checks reproduce its default verdicts.
 */
export const ZoneCode = {
  /** error. BIND: "has 0 SOA records". */
  NO_SOA: 'ZONE_NO_SOA',
  /** error. BIND: "has no NS records". */
  NO_NS: 'ZONE_NO_NS',
  /** error. BIND: "SOA record not at top of zone (sub.example.com)". */
  SOA_NOT_AT_APEX: 'ZONE_SOA_NOT_AT_APEX',
  /** error. BIND: "example.com: multiple RRs of singleton type". */
  MULTIPLE_SOA: 'ZONE_MULTIPLE_SOA',
  /** error. BIND: "www.example.com: multiple RRs of singleton type". */
  MULTIPLE_CNAME: 'ZONE_MULTIPLE_CNAME',
  /** error. BIND: "d.example.com: multiple RRs of singleton type". */
  MULTIPLE_DNAME: 'ZONE_MULTIPLE_DNAME',
  /** error. BIND: "www.example.com: CNAME and other data". */
  CNAME_AND_OTHER_DATA: 'ZONE_CNAME_AND_OTHER_DATA',
  /** error. BIND: "d.example.com: CNAME and other data" (a DNAME is other data). */
  CNAME_AND_DNAME: 'ZONE_CNAME_AND_DNAME',
  /** error. BIND: "DS record at top of zone (example.com)". */
  DS_AT_APEX: 'ZONE_DS_AT_APEX',
  /** error. BIND: "*.example.com: invalid NS owner name (wildcard)". */
  WILDCARD_NS: 'ZONE_WILDCARD_NS',
  /** error. BIND (check-names, fatal even in warn mode): "www.example.com: bad owner name (check-names)". */
  NSEC3_BAD_OWNER: 'ZONE_NSEC3_BAD_OWNER',
  /** error. BIND: "a.example.com: ran out of space" (an RRset over 65512 octets of rdata plus 2 per record). */
  RRSET_TOO_LARGE: 'ZONE_RRSET_TOO_LARGE',
  /** error. BIND: "type 'TYPE200': invalid use of a meta type" (type 0, OPT and 128-255 never hold data). */
  META_TYPE: 'ZONE_META_TYPE',
  /** error. BIND: "class 'CH' != zone class 'IN'". */
  CLASS_MISMATCH: 'ZONE_CLASS_MISMATCH',
  /** warning; the record is left out. BIND: "ignoring out-of-zone data (www.other.net)". */
  OUT_OF_ZONE: 'ZONE_OUT_OF_ZONE',
  /** warning. BIND: "TTL set to prior TTL (300)". */
  TTL_MISMATCH: 'ZONE_TTL_MISMATCH',
  /** warning. BIND: "ownername 'a.*.example.com' contains an non-terminal wildcard". */
  NON_TERMINAL_WILDCARD: 'ZONE_NON_TERMINAL_WILDCARD',
  /**
   * Apex NS target in the zone without A/AAAA: error. BIND: "NS 'ns2.example.com'
   * has no address records (A or AAAA)". At a delegation: warning, BIND:
   * "sub.example.com/NS 'ns.other.example.com' has no address records (A or AAAA)".
   */
  NS_NO_ADDRESS: 'ZONE_NS_NO_ADDRESS',
  /** Apex: error, delegation: warning. BIND: "NS 'ns2.example.com' is a CNAME (illegal)". */
  NS_IS_CNAME: 'ZONE_NS_IS_CNAME',
  /** Apex: error, delegation: warning. BIND: "NS 'ns.d.example.com' is below a DNAME 'd.example.com' (illegal)". */
  NS_BELOW_DNAME: 'ZONE_NS_BELOW_DNAME',
  /** warning. BIND: "sub.example.com/NS 'ns.sub.example.com' has no REQUIRED GLUE address records (A or AAAA)". */
  MISSING_GLUE: 'ZONE_MISSING_GLUE',
  /** warning. BIND: "sub.example.com/NS 'ns.sub2.example.com' has no SIBLING GLUE address records (A or AAAA)". */
  MISSING_SIBLING_GLUE: 'ZONE_MISSING_SIBLING_GLUE',
  /** warning. BIND: "example.com/MX 'mail.example.com' has no address records (A or AAAA)". */
  MX_NO_ADDRESS: 'ZONE_MX_NO_ADDRESS',
  /** warning. BIND: "example.com/MX 'mail.example.com' is a CNAME (illegal)". */
  MX_IS_CNAME: 'ZONE_MX_IS_CNAME',
  /** warning. BIND: "example.com/MX 'mail.example.com' is below a DNAME 'example.com' (illegal)". */
  MX_BELOW_DNAME: 'ZONE_MX_BELOW_DNAME',
  /** warning. BIND: "_sip._tcp.example.com/SRV 'sip.example.com' has no address records (A or AAAA)". */
  SRV_NO_ADDRESS: 'ZONE_SRV_NO_ADDRESS',
  /** warning. BIND: "_sip._tcp.example.com/SRV 'sip.example.com' is a CNAME (illegal)". */
  SRV_IS_CNAME: 'ZONE_SRV_IS_CNAME',
  /** warning. BIND: "... /SRV '...' is below a DNAME '...' (illegal)". */
  SRV_BELOW_DNAME: 'ZONE_SRV_BELOW_DNAME',
  /** warning. BIND: "'x.example.com' found type SPF record but no SPF TXT record found, add matching type TXT record". */
  SPF_WITHOUT_TXT: 'ZONE_SPF_WITHOUT_TXT',
  /** warning. BIND: "g.example.com/NSEC has semantically identical records". */
  SEMANTICALLY_IDENTICAL: 'ZONE_SEMANTICALLY_IDENTICAL',
  /** warning (Tyne only; BIND is silent). Data below a DNAME can never be answered (RFC 6672 §2.3). */
  OCCLUDED_BY_DNAME: 'ZONE_OCCLUDED_BY_DNAME',
  /** warning (Tyne only; BIND is silent). Non-address data below a zone cut belongs to the child (RFC 1034 §4.2.1). */
  OCCLUDED_BY_DELEGATION: 'ZONE_OCCLUDED_BY_DELEGATION',
  /**
   * `tyne check-zone -k warn|fail` only (src/zone/check-names.ts): warning, or error with -k fail.
   * BIND: "www_1.example.com: bad owner name (check-names)", "ns_1.example.com: bad name (check-names)".
   */
  BAD_NAME: 'ZONE_BAD_NAME',
  /** `tyne check-zone -n warn|fail` only (src/zone/ns-address-check.ts). BIND: "NS record '192.0.2.1' appears to be an address". */
  NS_IS_ADDRESS: 'ZONE_NS_IS_ADDRESS',
} as const;

export type ZoneCodeValue = (typeof ZoneCode)[keyof typeof ZoneCode];

/** What the responder asks of the daemon for transfers, NOTIFY and TSIG, and what it tells it (the log lines' facts). */
import type { Name } from '../wire/index.js';
import type { Zone } from '../zone/index.js';
import type { Requester } from '../xfr/acl.js';
import type { Journal } from '../xfr/journal.js';
import type { TsigKey } from '../tsig/index.js';

/** One outgoing transfer, for the log line (RFC 5936 / RFC 1995). */
export interface TransferOutInfo {
  zone: string;
  peer: string;
  kind: 'AXFR' | 'IXFR' | 'UPTODATE';
  /** Why an IXFR was answered as AXFR, or null. */
  reason: string | null;
  fromSerial: number | null;
  serial: number;
  /** Records sent (SOAs included). */
  records: number;
  messages: number;
  bytes: number;
  durationMs: number;
  key: string | null;
  /** False when the client went away before the end. */
  complete: boolean;
}

/** An outgoing transfer refused because `transfers-out` were already running. */
export interface TransferRefusedInfo {
  zone: string;
  peer: string;
  kind: 'AXFR' | 'IXFR';
  key: string | null;
  /** Why: `allow-transfer` does not admit the client, or `transfers-out` transfers are running. */
  reason: 'acl' | 'transfers-out';
  /** The `transfers-out` limit that was reached (0 for `acl`). */
  limit: number;
}

/** A request whose TSIG did not verify (RFC 8945 §5.2), for the audit log. */
export interface TsigFailure {
  /** The client's address. */
  address: string;
  tcp: boolean;
  /** The key name the request claimed (null: no TSIG could be read). */
  key: string | null;
  algorithm: string | null;
  /** The TSIG error; FORMERR for a TSIG that could not be read or whose MAC size is out of bounds. */
  error: 'BADKEY' | 'BADSIG' | 'BADTIME' | 'BADTRUNC' | 'FORMERR';
  opcode: 'QUERY' | 'NOTIFY';
  /** Octets of MAC in the request. */
  macLength: number;
  /** BADTIME: our clock minus the request's time signed, in seconds; otherwise null. */
  skewSec: number | null;
}

/**
 * What the responder needs from the daemon for transfers, NOTIFY and
 * TSIG: keys, ACLs, journals and where NOTIFYs go. Without hooks a server
 * refuses transfers and answers NOTIFY and TSIG with errors.
 */
export interface TransferHooks {
  /** The TSIG key called `name` (RFC 8945 §5.2: unknown → BADKEY). */
  key(name: Name): TsigKey | undefined;
  /** `allow-transfer` of the zone admits `who`. */
  mayTransfer(zone: Zone, who: Requester): boolean;
  /** The zone's IXFR journal (null: none, IXFR is answered with the full zone). */
  journal(zone: Zone): Journal | null;
  /**
   * A NOTIFY for `origin` (RFC 1996 §3.7): 'accepted' when it is one of our
   * secondary zones and `allow-notify` admits `who` (the refresh then runs
   * in the background); 'refused' when the ACL does not; 'notauth' when we
   * are not a secondary for that zone.
   */
  notify(origin: Name, who: Requester, serial: number | null): 'accepted' | 'refused' | 'notauth';
  /** Called when an outgoing transfer ends. */
  transferred(info: TransferOutInfo): void;
  /** Called when a transfer is refused: by `allow-transfer`, or because `transfers-out` transfers are running. */
  transferRefused?(info: TransferRefusedInfo): void;
  /** Called for each request whose TSIG failed (the daemon logs them, rate-limited). */
  tsigFailed?(info: TsigFailure): void;
}

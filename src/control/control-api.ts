/**
 * What the control socket can ask of the daemon (ControlApi, implemented
 * by src/daemon/daemon-control.ts) and the JSON of each answer. Every
 * type here is plain data: it is what `--json` prints and what
 * `curl --unix-socket` gets. Times are ISO 8601 strings (UTC).
 */

import type { SecondaryReplication } from '../xfr/replication-view.js';

/** The log levels `tyne loglevel` takes (pino's, and `silent`). */
export const CONTROL_LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type ControlLogLevel = (typeof CONTROL_LOG_LEVELS)[number];

/** `GET /status`. */
export interface StatusReport {
  version: string;
  pid: number;
  /** When the process started. */
  startedAt: string;
  uptimeSec: number;
  /** Every zone of the configuration has loaded (or failed) once. */
  ready: boolean;
  config: string;
  logLevel: string;
  listen: string[];
  control: string;
  zones: {
    /** Zones served (with data), of every type. */
    served: number;
    /** Primary zones whose file never loaded (not served). */
    failed: number;
    /** Primary zones still loading for the first time. */
    loading: number;
    /** Secondary zones that expired (SERVFAIL). */
    expired: number;
    /** Secondary zones with no copy yet. */
    waiting: number;
    primary: number;
    secondary: number;
    catalog: number;
  };
  /** Removals held by a guard (zone directory max-removals or emptied folder, consumed catalog): `tyne release` applies them. */
  holds: HoldReport[];
}

/** A guard holding removals back. */
export interface HoldReport {
  kind: 'zone-directory' | 'catalog';
  /** The folder's path, or the catalog's name: what `tyne release` takes. */
  target: string;
  /** Zones whose removal is held (null when the guard only says the folder emptied). */
  zones: number | null;
  reason: string;
}

/** The last load of a primary zone's file (or a reload asked for by `tyne reload`). */
export interface LoadReport {
  at: string;
  ok: boolean;
  /** What happened, in a few words: `loaded`, `no change`, `not loaded`, `held`. */
  result: string;
  /** Each error as `file:line:col: message` (or the message alone when it has no position). */
  errors: string[];
}

/** The last refresh (SOA check, transfer) of a secondary zone. */
export interface RefreshReport {
  at: string;
  /** `transferred`, `up to date`, `failed`. */
  result: string;
  kind: 'AXFR' | 'IXFR' | null;
  peer: string | null;
  serial: number | null;
  error: string | null;
}

/** `GET /zones/ZONE`. */
export interface ZoneStatusReport {
  zone: string;
  type: 'primary' | 'secondary' | 'catalog';
  /** Answered with data now (not loading, failed or expired). */
  served: boolean;
  serial: number | null;
  /** A primary's file serial, when the served one differs (serial policy). */
  fileSerial: number | null;
  loadedAt: string | null;
  records: number | null;
  file: string | null;
  lastLoad: LoadReport | null;
  /** NOTIFY targets (`host:port`). */
  notify: string[];
  /** A zone we serve: its notify targets and clients, as `tyne secondaries ZONE` shows them (empty for a secondary zone). */
  secondaries: SecondaryReplication[];
  secondary: {
    primaries: string[];
    /** The primary the copy was last refreshed from. */
    primary: string | null;
    lastRefresh: string | null;
    nextRefresh: string | null;
    expiresAt: string | null;
    expired: boolean;
    last: RefreshReport | null;
  } | null;
}

/** `POST /reload`. */
export interface ReloadReport {
  /** The zone asked for, or null for the whole configuration. */
  zone: string | null;
  ok: boolean;
  /** The configuration's own problems (the running one is kept), as `file:line:col: key: problem`. */
  configErrors: string[];
  /** Primary zones read again by this reload. */
  zones: { zone: string; ok: boolean; result: string; serial: number | null; errors: string[] }[];
  /** Zones still loading when the reload stopped waiting (they are served once loaded). */
  pending: string[];
}

/** `POST /zones/ZONE/refresh` and `/retransfer`. */
export interface TransferReport {
  zone: string;
  ok: boolean;
  last: RefreshReport;
}

/** `POST /zones/ZONE/notify`. */
export interface NotifyReport {
  zone: string;
  serial: number;
  ok: boolean;
  targets: { target: string; acked: boolean; tries: number; rcode: string | null; error: string | null }[];
}

/** `POST /release`. */
export interface ReleaseReport {
  kind: 'zone-directory' | 'catalog';
  target: string;
  /** Zones removed by the release. */
  removed: number;
}

/** `GET /secondaries[/ZONE]`: the replication view (issue 15 §2), one row per zone and secondary. */
export interface SecondariesReport {
  /** The zone asked for (null: every zone served). */
  zone: string | null;
  secondaries: SecondaryReplication[];
}

/** What the daemon does for the control socket; every method waits for its result. Throws ControlError for a request it cannot do. */
export interface ControlApi {
  status(): StatusReport;
  zoneStatus(zone: string): ZoneStatusReport;
  secondaries(zone: string | null): SecondariesReport;
  reload(zone: string | null): Promise<ReloadReport>;
  refresh(zone: string, opts: { axfr: boolean }): Promise<TransferReport>;
  notify(zone: string, to: string | null): Promise<NotifyReport>;
  logLevel(level: ControlLogLevel): { from: string; to: string };
  /** Starts the stop (called after the answer is sent): the process exits with 0. */
  stop(): void;
  release(target: string): Promise<ReleaseReport>;
}

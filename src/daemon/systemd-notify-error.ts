import { TyneError } from '../wire/index.js';

/** Stable codes of SystemdNotifyError. */
export const SystemdNotifyErrorCode = {
  /** `systemd-notify` is not on PATH (it comes with systemd). */
  MISSING: 'SYSTEMD_NOTIFY_MISSING',
  /** `systemd-notify` ran but failed (its exit code and stderr), or did not finish in time. */
  FAILED: 'SYSTEMD_NOTIFY_FAILED',
} as const;

export type SystemdNotifyErrorCode = (typeof SystemdNotifyErrorCode)[keyof typeof SystemdNotifyErrorCode];

/**
 * Readiness could not be told to systemd (`NOTIFY_SOCKET` set, but
 * `systemd-notify --ready` did not deliver it). Logged as a warning: the
 * server serves all the same; the message says what fixes it.
 */
export class SystemdNotifyError extends TyneError<SystemdNotifyErrorCode> {}

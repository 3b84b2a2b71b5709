/**
 * ControlError: what goes wrong with the control socket, on the server's
 * side (the socket cannot be made, a request names no such zone) and on
 * the client's (no server answers). Each message is one line saying what
 * is wrong and what fixes it.
 */
import { TyneError } from '../wire/index.js';

/** Stable codes of ControlError. */
export const ControlErrorCode = {
  /** A live server already answers on the socket path. */
  SOCKET_IN_USE: 'CONTROL_SOCKET_IN_USE',
  /** The socket could not be made, or given its mode or group (`cause` holds the system error). */
  SOCKET_FAILED: 'CONTROL_SOCKET_FAILED',
  /** No server answers on the socket (missing, refused, not permitted): the `tyne` commands exit 3. */
  UNREACHABLE: 'CONTROL_UNREACHABLE',
  /** The server's answer is not what a `tyne` command expects (another program on the socket, or another version). */
  BAD_ANSWER: 'CONTROL_BAD_ANSWER',
  /** A request the server does not know, or with a bad argument (HTTP 400/404). */
  BAD_REQUEST: 'CONTROL_BAD_REQUEST',
  /** The zone named is not served here (HTTP 404). */
  NO_SUCH_ZONE: 'CONTROL_NO_SUCH_ZONE',
  /** The zone is not of the type the command needs: refresh of a primary, notify of a secondary (HTTP 409). */
  WRONG_ZONE_TYPE: 'CONTROL_WRONG_ZONE_TYPE',
  /** `tyne release` named neither a zone directory nor a consumed catalog (HTTP 404). */
  NO_SUCH_HOLD: 'CONTROL_NO_SUCH_HOLD',
  /** The server failed to do what was asked for (a bug, or a system error; its log says more) (HTTP 500). */
  INTERNAL: 'CONTROL_INTERNAL',
  /** `tyne stop`: the server said it is stopping, but its process has not exited in time. */
  STOP_TIMEOUT: 'CONTROL_STOP_TIMEOUT',
} as const;

export type ControlErrorCode = (typeof ControlErrorCode)[keyof typeof ControlErrorCode];

/** The HTTP status a ControlError thrown by a ControlApi is answered with. */
export const CONTROL_ERROR_STATUS: Readonly<Record<ControlErrorCode, number>> = {
  CONTROL_SOCKET_IN_USE: 500,
  CONTROL_SOCKET_FAILED: 500,
  CONTROL_UNREACHABLE: 502,
  CONTROL_BAD_ANSWER: 502,
  CONTROL_BAD_REQUEST: 400,
  CONTROL_NO_SUCH_ZONE: 404,
  CONTROL_WRONG_ZONE_TYPE: 409,
  CONTROL_NO_SUCH_HOLD: 404,
  CONTROL_INTERNAL: 500,
  CONTROL_STOP_TIMEOUT: 500,
};

export class ControlError extends TyneError<ControlErrorCode> {
  constructor(code: ControlErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** True when `code` is one of ControlErrorCode's (an error answer read back by the client). */
export function isControlErrorCode(code: unknown): code is ControlErrorCode {
  return typeof code === 'string' && (Object.values(ControlErrorCode) as string[]).includes(code);
}

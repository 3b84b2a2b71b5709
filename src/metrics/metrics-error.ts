/** MetricsError: the metrics endpoint cannot be served. One line: what is wrong and what fixes it. */
import { TyneError } from '../wire/index.js';

/** Stable codes of MetricsError. */
export const MetricsErrorCode = {
  /** `metrics.listen` cannot be bound (in use, no such address, no permission); DNS is served without the endpoint. */
  LISTEN_FAILED: 'METRICS_LISTEN_FAILED',
} as const;

export type MetricsErrorCode = (typeof MetricsErrorCode)[keyof typeof MetricsErrorCode];

export class MetricsError extends TyneError<MetricsErrorCode> {
  constructor(code: MetricsErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

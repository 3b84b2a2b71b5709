import { TyneError } from './tyne-error.js';

/** Stable codes for presentation-format (text) errors. */
export const TextErrorCode = {
  BAD_NAME: 'TEXT_BAD_NAME',
  LABEL_TOO_LONG: 'TEXT_LABEL_TOO_LONG',
  NAME_TOO_LONG: 'TEXT_NAME_TOO_LONG',
  RELATIVE_NAME: 'TEXT_RELATIVE_NAME',
  BAD_ESCAPE: 'TEXT_BAD_ESCAPE',
  BAD_NUMBER: 'TEXT_BAD_NUMBER',
  BAD_IPV4: 'TEXT_BAD_IPV4',
  BAD_IPV6: 'TEXT_BAD_IPV6',
  BAD_TYPE: 'TEXT_BAD_TYPE',
  BAD_CLASS: 'TEXT_BAD_CLASS',
  BAD_BASE64: 'TEXT_BAD_BASE64',
  BAD_BASE32: 'TEXT_BAD_BASE32',
  BAD_HEX: 'TEXT_BAD_HEX',
  BAD_TIME: 'TEXT_BAD_TIME',
  STRING_TOO_LONG: 'TEXT_STRING_TOO_LONG',
  MISSING_FIELD: 'TEXT_MISSING_FIELD',
  EXTRA_FIELD: 'TEXT_EXTRA_FIELD',
  BAD_GENERIC: 'TEXT_BAD_GENERIC',
  BAD_VALUE: 'TEXT_BAD_VALUE',
  NO_TEXT_FORM: 'TEXT_NO_TEXT_FORM',
  UNBALANCED_QUOTE: 'TEXT_UNBALANCED_QUOTE',
} as const;

export type TextErrorCodeValue = (typeof TextErrorCode)[keyof typeof TextErrorCode];

/**
 * Raised when presentation text (a name, or the rdata of one record) is
 * invalid. `token` is the index of the offending rdata token when known, so
 * the zone-file parser can turn it into a line and column.
 */
export class TextFormatError extends TyneError<TextErrorCodeValue> {
  readonly token: number;

  constructor(code: TextErrorCodeValue, message: string, token = -1, options?: { cause?: unknown }) {
    super(code, message, options);
    this.token = token;
  }
}

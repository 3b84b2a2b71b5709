/**
 * The serial policies by name (`serial-policy:` in the configuration):
 * which SOA serial a primary serves for a newly loaded version of a zone.
 * What each one decides is decideSerial (src/daemon/serial-policy.ts).
 */
export const SERIAL_POLICIES = ['file', 'increment', 'unixtime', 'dateserial'] as const;
export type SerialPolicy = (typeof SERIAL_POLICIES)[number];

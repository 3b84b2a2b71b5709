import { toHex } from './base-encoding.js';

/** RFC 3597 §5 generic presentation of any rdata: `\# <length> <hex>`. */
export function genericRdataText(rdata: Uint8Array): string {
  return rdata.length === 0 ? '\\# 0' : `\\# ${rdata.length} ${toHex(rdata)}`;
}

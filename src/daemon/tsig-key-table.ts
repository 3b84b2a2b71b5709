import type { Config } from '../config/index.js';
import type { TsigKey } from '../tsig/index.js';
import { Name } from '../wire/index.js';

/** How a key name is compared: without its final dot, in lower case. */
export function keyId(name: string): string {
  return name.replace(/\.$/, '').toLowerCase();
}

/** The configuration's TSIG keys (RFC 8945) by keyId, as the transfer service and the serving threads look them up. */
export function tsigKeyTable(keys: Config['keys']): Map<string, TsigKey> {
  const out = new Map<string, TsigKey>();
  for (const k of keys) {
    out.set(keyId(k.name), {
      name: Name.fromText(k.name.endsWith('.') ? k.name : `${k.name}.`), algorithm: k.algorithm, secret: k.secret,
      ...(k.macLength === undefined ? {} : { macLength: k.macLength }),
    });
  }
  return out;
}

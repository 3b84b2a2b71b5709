import type { Logger } from '../log/logger.js';
import type { QueryObserver } from '../server/udp-listener.js';
import { rcodeToText, typeToText, wireNameToText } from '../wire/index.js';

/**
 * Per-query debug lines (`query` events: client, transport, name, type,
 * rcode, answer size). Installed only when the log level is debug or
 * trace, so the query path pays nothing otherwise.
 */
export function queryLogger(log: Logger): QueryObserver {
  return (query, response, client, tcp) => {
    let qname = '?';
    let qtype = '?';
    try {
      if (query.length > 12 && ((query[4]! << 8) | query[5]!) === 1) {
        qname = wireNameToText(query, 12);
        let p = 12;
        while (p < query.length && query[p] !== 0) p += query[p]! + 1;
        if (p + 2 < query.length) qtype = typeToText((query[p + 1]! << 8) | query[p + 2]!);
      }
    } catch {
      // a malformed question: logged as '?'
    }
    const rcode = response === null ? 'dropped' : rcodeToText(response[3]! & 0xf);
    log.debug({ client, transport: tcp ? 'tcp' : 'udp', qname, qtype, rcode, size: response?.length ?? 0 }, 'query');
  };
}

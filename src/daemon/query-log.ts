import type { Logger } from '../log/logger.js';
import type { QueryObserver } from '../server/listener-callbacks.js';
import { rcodeToText, typeToText, wireNameToText } from '../wire/index.js';

/**
 * Per-query debug lines (`query` events: client, transport, name, type,
 * rcode, answer size), for debugging: about 170 octets a query. Installed
 * while the log level is debug or trace (serve.ts follows the level's
 * changes), so the query path pays one null check otherwise; `sample` N > 1
 * logs one query in N (`log.query-sample`),
 * the others cost one counter step.
 */
export function queryLogger(log: Logger, sample = 1): QueryObserver {
  const every = Math.max(1, Math.floor(sample));
  let n = 0;
  return (query, response, client, tcp) => {
    if (every > 1) {
      if (++n < every) return;
      n = 0;
    }
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
    log.debug({ peer: client, transport: tcp ? 'tcp' : 'udp', qname, qtype, rcode, size: response?.length ?? 0, ...(every > 1 ? { sample: every } : {}) }, 'query');
  };
}

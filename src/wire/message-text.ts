import { Rcode, type Message, type ResourceRecord } from './message.js';
import { rdataToText } from './rdata.js';
import { classToText, typeToText } from './rr-type.js';
import { toHex } from './base-encoding.js';

const OPCODES = ['QUERY', 'IQUERY', 'STATUS', 'OPCODE3', 'NOTIFY', 'UPDATE', 'DSO'];
/** RCODE mnemonics by value, from the Rcode table; the first name wins where two share a value (16 is BADVERS, not BADSIG). */
const RCODE_NAMES: string[] = [];
for (const [name, value] of Object.entries(Rcode)) RCODE_NAMES[value] ??= name;

/** The mnemonic of an RCODE (RFC 6895 §2.3), or RCODEn. */
export function rcodeToText(rcode: number): string {
  return RCODE_NAMES[rcode] ?? `RCODE${rcode}`;
}

/** One record in zone-file form: owner, TTL, class, type, rdata. */
export function recordToText(rr: ResourceRecord): string {
  return `${rr.name.toText()}\t${rr.ttl}\t${classToText(rr.class)}\t${typeToText(rr.type)}\t${rdataToText(rr.type, rr.rdata)}`;
}

/** A dig-like rendering of a whole message, for humans and test failure output. */
export function messageToText(m: Message): string {
  const flags = (['qr', 'aa', 'tc', 'rd', 'ra', 'ad', 'cd'] as const).filter((f) => m[f]).join(' ');
  const lines = [
    `;; opcode: ${OPCODES[m.opcode] ?? m.opcode}, status: ${rcodeToText(m.rcode)}, id: ${m.id}`,
    `;; flags: ${flags}; QUERY: ${m.questions.length}, ANSWER: ${m.answers.length}, AUTHORITY: ${m.authorities.length}, ADDITIONAL: ${m.additionals.length + (m.edns ? 1 : 0) + (m.tsig ? 1 : 0)}`,
  ];
  if (m.edns) {
    lines.push(`;; EDNS: version: ${m.edns.version}, flags:${m.edns.dnssecOk ? ' do' : ''}; udp: ${m.edns.udpPayload}`);
    for (const o of m.edns.options) lines.push(`;; OPTION ${o.code}: ${toHex(o.data)}`);
  }
  lines.push(';; QUESTION SECTION:');
  for (const q of m.questions) lines.push(`;${q.name.toText()}\t\t${classToText(q.class)}\t${typeToText(q.type)}`);
  const sections: [string, ResourceRecord[]][] = [['ANSWER', m.answers], ['AUTHORITY', m.authorities], ['ADDITIONAL', m.additionals]];
  for (const [title, list] of sections) {
    if (list.length === 0) continue;
    lines.push(`;; ${title} SECTION:`);
    for (const rr of list) lines.push(recordToText(rr));
  }
  if (m.tsig) lines.push(';; TSIG:', recordToText(m.tsig));
  return lines.join('\n');
}

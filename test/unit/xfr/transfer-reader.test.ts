/**
 * TransferReader with no sockets: AXFR and IXFR response messages built
 * here, fed one at a time, and what the reader says after each.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Name, RRClass, RRType, Rcode, emptyMessage, encodeMessageToBytes, type Message, type ResourceRecord } from '../../../src/wire/index.js';
import { runStepsNow } from '../../../src/zone/index.js';
import { formatRecord, parseZoneText } from '../../../src/zonefile/index.js';
import type { XfrSigner } from '../../../src/tsig/index.js';
import { finishTransferredZoneSteps } from '../../../src/xfr/apply-diff.js';
import { TransferReader, type TransferReaderOptions, type TransferReaderStep } from '../../../src/xfr/transfer-reader.js';
import { primaryReply } from '../../support/fake-primary.js';

const origin = Name.fromText('example.');
const ID = 0x1234;

function records(text: string): ResourceRecord[] {
  const out: ResourceRecord[] = [];
  const r = parseZoneText(`$TTL 300\n${text}`, { origin }, (rr) => out.push(rr));
  assert.deepEqual(r.errors, []);
  return out;
}

const soa = (serial: number): ResourceRecord => records(`@ SOA ns1 hostmaster ${serial} 3600 600 86400 300`)[0]!;
const BODY = records('@ NS ns1\nns1 A 192.0.2.1\nwww A 192.0.2.10\n');

/** The query the reader's answers are to. */
function query(qtype: number): Message {
  const q = emptyMessage(ID);
  q.questions.push({ name: origin, type: qtype, class: RRClass.IN });
  return q;
}

/** Answers to `qtype` holding `rrs`, at most `per` to a message, the question in the first only. */
function answers(qtype: number, rrs: ResourceRecord[], per: number, opts: { rcode?: number } = {}): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i === 0 || i < rrs.length; i += per) {
    const m = primaryReply(query(qtype));
    if (i > 0) m.questions = [];
    m.rcode = opts.rcode ?? Rcode.NOERROR;
    m.answers.push(...rrs.slice(i, i + per));
    out.push(encodeMessageToBytes(m));
  }
  return out;
}

function reader(qtype: typeof RRType.AXFR | typeof RRType.IXFR, opts: Partial<TransferReaderOptions> = {}): TransferReader {
  return new TransferReader({
    qtype, origin, peer: '192.0.2.53:53', id: ID, signer: null, ourSerial: qtype === RRType.IXFR ? 1 : 0,
    maxRecords: 1000, memoryBudget: Infinity, ...opts,
  });
}

/** Feeds every message; the steps said. */
function feedAll(r: TransferReader, messages: Uint8Array[]): TransferReaderStep[] {
  return messages.map((m) => r.feed(m));
}

function errorOf(step: TransferReaderStep | undefined): { code: string; message: string } {
  assert.equal(step?.state, 'error', JSON.stringify(step));
  return step.error;
}

describe('TransferReader: AXFR', () => {
  it('reads a zone over several messages: progress, then done with the zone', () => {
    const r = reader(RRType.AXFR);
    const rrs = [soa(7), ...BODY, soa(7)];
    const steps = feedAll(r, answers(RRType.AXFR, rrs, 2));
    assert.deepEqual(steps.slice(0, -1).map((s) => s.state), ['progress', 'progress']);
    const last = steps.at(-1)!;
    assert.ok(last.state === 'done' && last.outcome.type === 'full');
    assert.equal(last.outcome.serial, 7);
    const zone = runStepsNow(finishTransferredZoneSteps(last.outcome.builder, 'peer'));
    assert.deepEqual(zone.canonicalRecords().map(formatRecord).sort(), [soa(7), ...BODY].map(formatRecord).sort());
    assert.equal(r.records, rrs.length);
    assert.equal(r.messages, 3);
  });

  it('errors: first record, closing serial, records after the end, garbage, wrong ID, max-records, end in the middle', () => {
    const rrs = [soa(7), ...BODY, soa(7)];
    const cases: [string, () => TransferReaderStep | undefined, string, RegExp][] = [
      ['first record not the SOA', () => feedAll(reader(RRType.AXFR), answers(RRType.AXFR, [BODY[0]!, ...rrs], 100))[0], 'XFR_MALFORMED', /first record/],
      ['closing SOA with another serial', () => feedAll(reader(RRType.AXFR), answers(RRType.AXFR, [...rrs.slice(0, -1), soa(8)], 100))[0], 'XFR_MALFORMED', /closing SOA/],
      ['records after the closing SOA', () => feedAll(reader(RRType.AXFR), answers(RRType.AXFR, [...rrs, BODY[1]!], 100))[0], 'XFR_MALFORMED', /after the closing SOA/],
      ['garbage', () => reader(RRType.AXFR).feed(Uint8Array.from({ length: 40 }, (_, i) => (i * 37 + 11) & 0xff)), 'XFR_MALFORMED', /does not decode/],
      ['wrong ID', () => reader(RRType.AXFR, { id: ID + 1 }).feed(answers(RRType.AXFR, rrs, 100)[0]!), 'XFR_MALFORMED', /ID/],
      ['refused', () => reader(RRType.AXFR).feed(answers(RRType.AXFR, [], 100, { rcode: Rcode.REFUSED })[0]!), 'XFR_REFUSED', /REFUSED/],
      ['max-records', () => reader(RRType.AXFR, { maxRecords: 2 }).feed(answers(RRType.AXFR, rrs, 100)[0]!), 'XFR_TOO_MANY_RECORDS', /more than 2 records/],
      [
        'closed in the middle',
        () => {
          const r = reader(RRType.AXFR);
          r.feed(answers(RRType.AXFR, rrs, 2)[0]!);
          return r.end();
        },
        'XFR_CONNECTION',
        /closed before the transfer was complete \(after 1 messages\)/,
      ],
    ];
    for (const [name, run, code, match] of cases) {
      const e = errorOf(run());
      assert.equal(e.code, code, name);
      assert.match(e.message, match, name);
    }
  });

  it('nothing more is taken after the end', () => {
    const r = reader(RRType.AXFR);
    const msgs = answers(RRType.AXFR, [soa(7), ...BODY, soa(7)], 100);
    assert.equal(r.feed(msgs[0]!).state, 'done');
    assert.equal(errorOf(r.feed(msgs[0]!)).code, 'XFR_MALFORMED');
  });
});

describe('TransferReader: IXFR', () => {
  it('a lone SOA no later than ours: up to date', () => {
    const step = reader(RRType.IXFR).feed(answers(RRType.IXFR, [soa(1)], 100)[0]!);
    assert.deepEqual(step, { state: 'done', outcome: { type: 'upToDate', serial: 1 } });
  });

  it('sequences become diffs', () => {
    const seq = [soa(3), soa(1), ...records('www A 192.0.2.10'), soa(3), ...records('www A 192.0.2.11'), soa(3)];
    const steps = feedAll(reader(RRType.IXFR), answers(RRType.IXFR, seq, 2));
    const last = steps.at(-1)!;
    assert.ok(last.state === 'done' && last.outcome.type === 'incremental');
    assert.equal(last.outcome.serial, 3);
    assert.deepEqual(
      last.outcome.diffs.map((d) => [d.fromSerial, d.toSerial, d.removed.map(formatRecord), d.added.map(formatRecord)]),
      [[1, 3, [soa(1), ...records('www A 192.0.2.10')].map(formatRecord), [soa(3), ...records('www A 192.0.2.11')].map(formatRecord)]],
    );
  });

  it('an AXFR-style answer is a full zone', () => {
    const steps = feedAll(reader(RRType.IXFR), answers(RRType.IXFR, [soa(2), ...BODY, soa(2)], 3));
    const last = steps.at(-1)!;
    assert.ok(last.state === 'done' && last.outcome.type === 'full');
    assert.equal(last.outcome.serial, 2);
  });

  it('NOTIMP, or a newer SOA alone and then the end: ask for AXFR', () => {
    const notimp = reader(RRType.IXFR).feed(answers(RRType.IXFR, [], 100, { rcode: Rcode.NOTIMP })[0]!);
    assert.deepEqual(notimp, { state: 'done', outcome: { type: 'needAxfr', reason: 'server answered IXFR with NOTIMP' } });
    const r = reader(RRType.IXFR);
    assert.equal(r.feed(answers(RRType.IXFR, [soa(5)], 100)[0]!).state, 'progress');
    assert.deepEqual(r.end(), { state: 'done', outcome: { type: 'needAxfr', reason: 'server answered IXFR with only its SOA (serial 5) and closed' } });
  });
});

describe('TransferReader: TSIG', () => {
  it('verifies every message and finishes the stream at the end; a failed check is XFR_TSIG', () => {
    const calls: string[] = [];
    const signer = (failAt: number): XfrSigner => ({
      signQuery: (q) => q,
      verifyResponse: () => {
        calls.push('verify');
        if (calls.length === failAt) throw new Error('bad MAC');
      },
      finish: () => void calls.push('finish'),
    });
    const msgs = answers(RRType.AXFR, [soa(7), ...BODY, soa(7)], 2);
    const last = feedAll(reader(RRType.AXFR, { signer: signer(0) }), msgs).at(-1)!;
    assert.equal(last.state, 'done');
    assert.deepEqual(calls, ['verify', 'verify', 'verify', 'finish']);
    calls.length = 0;
    const e = errorOf(feedAll(reader(RRType.AXFR, { signer: signer(2) }), msgs)[1]);
    assert.equal(e.code, 'XFR_TSIG');
    assert.match(e.message, /TSIG check failed: bad MAC/);
  });
});

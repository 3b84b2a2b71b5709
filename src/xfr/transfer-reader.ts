/**
 * The reading of one AXFR (RFC 5936) or IXFR (RFC 1995) response stream as a state machine with no
 * sockets: fed one message at a time, it checks each and says whether more must come, what the stream
 * brought, or what is wrong with it.
 */
import { RRClass, RRType, Rcode, decodeMessage, rcodeToText, soaSerial, typeToText, type Message, type Name, type ResourceRecord } from '../wire/index.js';
import { ZoneBuilder, encodedRecordBytes, estimatedZoneBytes } from '../zone/index.js';
import type { XfrSigner } from '../tsig/index.js';
import { checkResponse } from './check-response.js';
import { compareSerial } from './serial.js';
import { TransferError } from './transfer-error.js';
import { finishSigner } from './transfer-signing.js';
import type { ZoneDiff } from './zone-diff.js';

export interface TransferReaderOptions {
  qtype: typeof RRType.AXFR | typeof RRType.IXFR;
  origin: Name;
  /** The primary, as named in errors. */
  peer: string;
  /** The query's message ID. */
  id: number;
  /** The signer that signed the query (it verifies every message), or null. */
  signer: XfrSigner | null;
  /** IXFR: the serial we hold (0 for AXFR). */
  ourSerial: number;
  /** `max-records` (an IXFR may carry twice as many). */
  maxRecords: number;
  /** `zone-memory-budget` in octets (Infinity: no bound). */
  memoryBudget: number;
}

/** What a whole stream brought. A full zone still has to be built (finishTransferredZoneSteps). */
export type TransferReaderOutcome =
  | { type: 'full'; builder: ZoneBuilder; serial: number }
  | { type: 'upToDate'; serial: number }
  | { type: 'incremental'; diffs: ZoneDiff[]; serial: number }
  | { type: 'needAxfr'; reason: string };

/** The answer to one message fed (or to the end of the stream). */
export type TransferReaderStep =
  | { state: 'progress' }
  | { state: 'done'; outcome: TransferReaderOutcome }
  | { state: 'error'; error: TransferError };

const PROGRESS: TransferReaderStep = { state: 'progress' };

/**
 * One AXFR or IXFR response stream. Records are checked as they come:
 * class IN, owner at or below the origin, the first one the zone's SOA.
 * An AXFR (or AXFR-style IXFR answer) goes straight into a ZoneBuilder;
 * IXFR sequences are collected as ZoneDiffs. After 'done' or 'error'
 * nothing more is to be fed.
 */
export class TransferReader {
  readonly #a: TransferReaderOptions;
  #mode: 'start' | 'second' | 'full' | 'del' | 'add' = 'start';
  #firstSoa: ResourceRecord | null = null;
  #finalSerial = 0;
  #builder: ZoneBuilder | null = null;
  readonly #diffs: ZoneDiff[] = [];
  #cur: ZoneDiff | null = null;
  /** Messages that passed the header checks. */
  #accepted = 0;
  #done = false;
  #upToDate = false;
  #finished = false;
  /** Records of the zone (full mode) or of the differences (IXFR), against max-records; their encoded octets, against the memory budget. */
  #held = 0;
  #heldBytes = 0;
  /** Messages fed (whether or not they passed the checks). */
  messages = 0;
  /** Records read (as counted in TransferResult.records). */
  records = 0;

  constructor(opts: TransferReaderOptions) {
    this.#a = opts;
  }

  /** Reads one response message (without its TCP length prefix). */
  feed(bytes: Uint8Array): TransferReaderStep {
    if (this.#finished) return this.#fail(new TransferError('XFR_MALFORMED', this.#a.peer, 'message after the end of the transfer'));
    try {
      return this.#read(bytes);
    } catch (e) {
      if (e instanceof TransferError) return this.#fail(e);
      throw e;
    }
  }

  /** The primary closed the connection cleanly between messages. */
  end(): TransferReaderStep {
    if (this.#finished) return this.#fail(new TransferError('XFR_MALFORMED', this.#a.peer, 'end after the end of the transfer'));
    if (this.#mode === 'second' && this.#a.qtype === RRType.IXFR) {
      // A single SOA later than ours, then nothing: the server will not send differences.
      return this.#finish({ type: 'needAxfr', reason: `server answered IXFR with only its SOA (serial ${this.#finalSerial}) and closed` });
    }
    return this.#fail(new TransferError('XFR_CONNECTION', this.#a.peer, `connection closed before the transfer was complete (after ${this.#accepted} messages)`));
  }

  #fail(error: TransferError): TransferReaderStep {
    this.#finished = true;
    return { state: 'error', error };
  }

  #finish(outcome: TransferReaderOutcome): TransferReaderStep {
    this.#finished = true;
    return { state: 'done', outcome };
  }

  #read(bytes: Uint8Array): TransferReaderStep {
    const a = this.#a;
    const label = a.peer;
    this.messages++;
    let msg: Message;
    try {
      msg = decodeMessage(bytes);
    } catch (e) {
      throw new TransferError('XFR_MALFORMED', label, `message ${this.#accepted + 1} does not decode: ${(e as Error).message}`, { cause: e });
    }
    try {
      checkResponse(msg, bytes, a.id, a.origin, a.qtype, this.#accepted === 0, a.signer, label);
    } catch (e) {
      // RFC 1995 does not oblige a server to do IXFR: NOTIMP or FORMERR means "ask for AXFR".
      if (
        e instanceof TransferError && e.code === 'XFR_REFUSED' && a.qtype === RRType.IXFR && this.#accepted === 0 &&
        (msg.rcode === Rcode.NOTIMP || msg.rcode === Rcode.FORMERR)
      ) {
        return this.#finish({ type: 'needAxfr', reason: `server answered IXFR with ${rcodeToText(msg.rcode)}` });
      }
      throw e;
    }
    this.#accepted++;
    if (this.#accepted === 1 && msg.answers.length === 0) throw new TransferError('XFR_MALFORMED', label, 'first response message has no answer records');
    const answers = msg.answers;
    for (let i = 0; i < answers.length; i++) {
      const rr = answers[i]!;
      if (this.#done) throw new TransferError('XFR_MALFORMED', label, `records after the closing SOA (${rr.name.toText()} ${typeToText(rr.type)})`);
      this.records++;
      this.#inZone(rr);
      switch (this.#mode) {
        case 'start': {
          if (!this.#isApexSoa(rr)) {
            throw new TransferError('XFR_MALFORMED', label, `first record is ${rr.name.toText()} ${typeToText(rr.type)}, not the SOA of ${a.origin.toText()}`);
          }
          this.#firstSoa = rr;
          this.#finalSerial = this.#serialOf(rr);
          if (a.qtype === RRType.AXFR) {
            this.#builder = new ZoneBuilder(a.origin);
            this.#mode = 'full';
            this.#hold(rr);
            this.#builder.add(rr);
          } else {
            this.#mode = 'second';
            // RFC 1995 §4: a lone SOA no later than ours means we are up to date.
            if (answers.length === 1 && compareSerial(this.#finalSerial, a.ourSerial) !== 1) {
              this.#done = true;
              this.#upToDate = true;
            }
          }
          break;
        }
        case 'second': {
          // RFC 1995 §4: a second record that is not a SOA (or the same SOA: an empty zone) means a full zone.
          if (!this.#isApexSoa(rr) || this.#serialOf(rr) === this.#finalSerial) {
            this.#builder = new ZoneBuilder(a.origin);
            this.#mode = 'full';
            this.#held = 0;
            this.#heldBytes = 0;
            this.#hold(this.#firstSoa!);
            this.#builder.add(this.#firstSoa!);
            i--; // handle this record as zone data
            this.records--;
            break;
          }
          this.#cur = { fromSerial: this.#serialOf(rr), toSerial: 0, removed: [rr], added: [] };
          this.#diffs.push(this.#cur);
          this.#mode = 'del';
          this.#hold(rr);
          break;
        }
        case 'full': {
          if (this.#isApexSoa(rr)) {
            // RFC 5936 §2.2: the transfer ends with the zone's SOA again.
            const s = this.#serialOf(rr);
            if (s !== this.#finalSerial) {
              throw new TransferError('XFR_MALFORMED', label, `closing SOA has serial ${s}, the opening one ${this.#finalSerial}`);
            }
            this.#done = true;
          } else {
            this.#hold(rr);
            this.#builder!.add(rr);
          }
          break;
        }
        case 'del': {
          this.#hold(rr);
          if (this.#isApexSoa(rr)) {
            this.#cur!.toSerial = this.#serialOf(rr);
            this.#cur!.added.push(rr);
            this.#mode = 'add';
          } else {
            this.#cur!.removed.push(rr);
          }
          break;
        }
        case 'add': {
          this.#hold(rr);
          if (this.#isApexSoa(rr)) {
            const s = this.#serialOf(rr);
            if (s === this.#finalSerial && this.#cur!.toSerial === this.#finalSerial) {
              this.#done = true;
            } else {
              this.#cur = { fromSerial: s, toSerial: 0, removed: [rr], added: [] };
              this.#diffs.push(this.#cur);
              this.#mode = 'del';
            }
          } else {
            this.#cur!.added.push(rr);
          }
          break;
        }
      }
    }
    if (!this.#done) return PROGRESS;
    finishSigner(a.signer, label);
    if (this.#upToDate) return this.#finish({ type: 'upToDate', serial: this.#finalSerial });
    if (this.#builder !== null) return this.#finish({ type: 'full', builder: this.#builder, serial: this.#finalSerial });
    return this.#finish({ type: 'incremental', diffs: this.#diffs, serial: this.#finalSerial });
  }

  #inZone(rr: ResourceRecord): void {
    const a = this.#a;
    if (rr.class !== RRClass.IN) {
      throw new TransferError('XFR_INVALID_ZONE', a.peer, `record ${rr.name.toText()} ${typeToText(rr.type)} has class ${rr.class}, not IN`);
    }
    if (!rr.name.isSubdomainOf(a.origin)) {
      throw new TransferError('XFR_INVALID_ZONE', a.peer, `out-of-zone record ${rr.name.toText()} ${typeToText(rr.type)} in the transfer of ${a.origin.toText()}`);
    }
  }

  #isApexSoa(rr: ResourceRecord): boolean {
    return rr.type === RRType.SOA && rr.name.equals(this.#a.origin);
  }

  #serialOf(rr: ResourceRecord): number {
    const s = soaSerial(rr.rdata);
    if (Number.isNaN(s)) throw new TransferError('XFR_MALFORMED', this.#a.peer, 'SOA rdata too short');
    return s;
  }

  #hold(rr: ResourceRecord): void {
    const a = this.#a;
    const full = this.#mode === 'full';
    const limit = full ? a.maxRecords : 2 * a.maxRecords;
    this.#heldBytes += encodedRecordBytes(rr.name.wire.length, rr.rdata.length);
    // Issue 12 item 2: a transfer is held to server.zone-memory-budget as a zone file is (estimatedZoneBytes).
    if (estimatedZoneBytes(this.#heldBytes, this.#held + 1) > a.memoryBudget) {
      throw new TransferError(
        'XFR_MEMORY_BUDGET',
        a.peer,
        `the ${full ? 'transfer' : 'IXFR'} of ${a.origin.toText()} is over server.zone-memory-budget (${Math.round(a.memoryBudget / 2 ** 20)} MiB) after ${this.#held + 1} records; abandoned, the zone held is kept; raise zone-memory-budget if the zone is meant to be this large`,
      );
    }
    if (++this.#held > limit) {
      throw new TransferError(
        'XFR_TOO_MANY_RECORDS',
        a.peer,
        full
          ? `the transfer of ${a.origin.toText()} has more than ${a.maxRecords} records (max-records); abandoned, the zone held is kept; raise max-records if the zone is meant to be this large`
          : `the IXFR of ${a.origin.toText()} carries more than ${limit} records, twice max-records (${a.maxRecords}); abandoned, the zone held is kept`,
      );
    }
  }
}

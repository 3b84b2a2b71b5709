/**
 * The CI part of the wire-decode fuzz target: the saved seed corpus, the
 * captured real traffic in ../shared/corpora, every saved crash in
 * fuzz/crashes/ (regressions), and a short deterministic fuzz run. All of
 * it runs in a watched worker, so a hang fails the test instead of
 * stalling it. `npm run fuzz` is the long, open-ended version.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeMessage, emptyMessage, Name } from '../src/wire/index.js';
import { runSession, type Crash, type SessionResult } from './session.js';
import { crashInputs, crashesDir, externalCorpus, nextInput, savedCorpus, type CorpusEntry } from './fuzz-kit.js';
import { Rng } from '../test/support/rng.js';
import { loudSkip } from '../test/support/skip.js';
import { diffMessages, fuzzOne, runOne, wireTarget } from './wire-decode.js';

const SEED = 0x5eed;
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function report(crashes: Crash<Uint8Array>[]): string {
  return crashes.map((c) => `${c.kind}${c.name ? ` [${c.name}]` : ''}: ${c.message}\n  input ${hex(c.input)}`).join('\n');
}

async function replay(entries: CorpusEntry[]): Promise<SessionResult<Uint8Array>> {
  const r = await runSession(wireTarget, { seconds: 60, seed: SEED, replay: entries });
  assert.equal(r.crashes.length, 0, `crashing inputs:\n${report(r.crashes)}`);
  assert.equal(r.execs, entries.length, 'every entry ran');
  return r;
}

describe('fuzz target wire-decode', () => {
  it('the saved seed corpus is there and its messages decode', async () => {
    const corpus = savedCorpus();
    assert.ok(corpus.length >= 30, `expected at least 30 seeds in fuzz/corpus/wire, found ${corpus.length}`);
    for (const { name, bytes } of corpus) {
      // cut-* seeds are deliberately truncated; every other seed is a valid message.
      if (!name.startsWith('cut-')) assert.doesNotThrow(() => decodeMessage(bytes), name);
    }
    await replay(corpus);
  });

  it('captured real traffic passes the target', async (t) => {
    const external = externalCorpus(); // prints a loud skip line for a missing corpus
    if (external.length === 0) {
      t.skip('no external corpora');
      return;
    }
    await replay(external);
    // These are real servers' answers: nearly all of them must decode.
    const decoded = external.filter((e) => runOne(e.bytes).startsWith('ok')).length;
    assert.ok(decoded >= external.length * 0.9, `only ${decoded} of ${external.length} captured messages decode`);
  });

  it('every saved crash in fuzz/crashes/ passes now (regressions)', async (t) => {
    const crashes = crashInputs();
    if (crashes.length === 0) {
      // No saved crash is the usual state (a fixed one becomes a unit test), in CI too: like the regression
      // replays of the handle, xfr-in and zonefile-parse targets, nothing to replay does not fail the run.
      loudSkip(`no saved crash (*.bin) in ${crashesDir}; the regression replay did not run`);
      t.skip('no saved crashes to replay');
      return;
    }
    await replay(crashes);
  });

  it('a short deterministic fuzz run finds nothing', async () => {
    const pool = [...savedCorpus(), ...externalCorpus()];
    const r = await runSession(wireTarget, { seconds: 3, seed: SEED, pool, maxExecs: 150_000 });
    console.error(`fuzz: ${r.execs} executions in ${r.elapsedMs} ms, ${r.signatures} features, seed ${SEED}`);
    assert.equal(r.crashes.length, 0, `crashes (reproduce with seed ${SEED}):\n${report(r.crashes)}`);
    assert.ok(r.execs > 1000, `only ${r.execs} executions ran`);
  });
});

describe('fuzz engine', () => {
  it('is reproducible from its seed', () => {
    const pool = savedCorpus().map((e) => e.bytes);
    const run = (): string[] => {
      const rng = new Rng(42);
      return Array.from({ length: 300 }, () => hex(nextInput(rng, pool)));
    };
    assert.deepEqual(run(), run());
  });

  it('produces inputs the decoder both accepts and refuses', () => {
    const pool = savedCorpus().map((e) => e.bytes);
    const rng = new Rng(7);
    const kinds = new Set<string>();
    for (let i = 0; i < 5000; i++) kinds.add(runOne(nextInput(rng, pool)).split(/[:|]/)[0]!);
    assert.ok(kinds.has('ok'), 'some mutants still decode');
    for (const code of ['WIRE_SHORT_READ', 'WIRE_COUNT_MISMATCH', 'WIRE_FORWARD_POINTER', 'WIRE_BAD_LABEL_TYPE', 'WIRE_RDATA_LENGTH']) {
      assert.ok(kinds.has(code), `no mutant reached ${code}`);
    }
  });

  it('the oracle notices a difference in any part of a message', () => {
    const a = { ...emptyMessage(1), questions: [{ name: Name.fromText('a.example.'), type: 1, class: 1 }] };
    assert.equal(diffMessages(a, structuredClone(a)), null);
    assert.match(diffMessages(a, { ...a, questions: [{ name: Name.fromText('A.example.'), type: 1, class: 1 }] }) ?? '', /name/);
    assert.match(diffMessages(a, { ...a, cd: true }) ?? '', /cd/);
    assert.match(diffMessages(a, { ...a, edns: { udpPayload: 512, version: 0, dnssecOk: false, z: 0, options: [] } }) ?? '', /edns/);
  });

  it('fuzzOne passes on refused input and on a message that round-trips', () => {
    assert.doesNotThrow(() => fuzzOne(new Uint8Array(3)));
    assert.doesNotThrow(() => fuzzOne(Uint8Array.from(Buffer.from('abcd01000001000000000000076578616d706c650000010001', 'hex'))));
  });
});

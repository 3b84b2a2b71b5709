/**
 * The error catalog, checked against the README: every code of every
 * catalog (imported here) is a row of README.md's "## Error codes" table
 * with its class, the table lists no code that does not exist, and every
 * error class in src/ is a TyneError.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { posix } from 'node:path';
import { describe, it } from 'node:test';
import { CatalogStateError, CatalogStateErrorCode } from '../../src/catalog/index.js';
import { ConfigError, ConfigErrorCode, ConfigValueError, ConfigValueErrorCode } from '../../src/config/index.js';
import { ControlError, ControlErrorCode } from '../../src/control/index.js';
import { MetricsError, MetricsErrorCode } from '../../src/metrics/index.js';
import { ListenError, ListenErrorCode } from '../../src/daemon/listen-error.js';
import { ZoneLoadError, ZoneLoadErrorCode } from '../../src/daemon/zone-load-error.js';
import { ZoneDirectoryError, ZoneDirectoryErrorCode } from '../../src/daemon/zone-directory-error.js';
import { SystemdNotifyError, SystemdNotifyErrorCode } from '../../src/daemon/systemd-notify-error.js';
import { TsigCheckError, TsigCheckErrorCode } from '../../src/tsig/index.js';
import { UdpIoError, UdpIoErrorCode } from '../../src/server/udp-io-choice.js';
import { TextErrorCode, TextFormatError, TyneError, WireErrorCode, WireFormatError } from '../../src/wire/index.js';
import { XfrRecordTooLargeError, XfrRecordTooLargeErrorCode } from '../../src/xfr/axfr-out.js';
import { JournalCorruptError } from '../../src/xfr/journal.js';
import { StorageError, StorageErrorCode } from '../../src/xfr/storage-error.js';
import { TransferError, TransferErrorCode } from '../../src/xfr/transfer-error.js';
import { ZoneCode, ZoneUsageError, ZoneUsageErrorCode } from '../../src/zone/index.js';
import { ZoneFileCode, ZoneFileError, ZoneFileErrorCode } from '../../src/zonefile/index.js';
import { repoRoot } from '../support/paths.js';

/** Each catalog with what the table's class column says for it. */
const CATALOGS: { label: string; codes: Readonly<Record<string, string>> }[] = [
  { label: 'WireFormatError', codes: WireErrorCode },
  { label: 'TextFormatError', codes: TextErrorCode },
  { label: 'ZoneFileError', codes: ZoneFileErrorCode },
  { label: 'zone-file diagnostic', codes: ZoneFileCode },
  { label: 'zone-check diagnostic', codes: ZoneCode },
  { label: 'ZoneUsageError', codes: ZoneUsageErrorCode },
  { label: 'CatalogStateError', codes: CatalogStateErrorCode },
  { label: 'ConfigError', codes: ConfigErrorCode },
  { label: 'ConfigValueError', codes: ConfigValueErrorCode },
  { label: 'ZoneLoadError', codes: ZoneLoadErrorCode },
  { label: 'ZoneDirectoryError', codes: ZoneDirectoryErrorCode },
  { label: 'ListenError', codes: ListenErrorCode },
  { label: 'ControlError', codes: ControlErrorCode },
  { label: 'SystemdNotifyError', codes: SystemdNotifyErrorCode },
  { label: 'MetricsError', codes: MetricsErrorCode },
  { label: 'StorageError', codes: StorageErrorCode },
  { label: 'TransferError', codes: TransferErrorCode },
  { label: 'XfrRecordTooLargeError', codes: XfrRecordTooLargeErrorCode },
  { label: 'TsigCheckError', codes: TsigCheckErrorCode },
  { label: 'UdpIoError', codes: UdpIoErrorCode },
];

/** Every error class of src/ (JournalCorruptError takes StorageError's codes). */
const CLASSES: (abstract new (...args: never[]) => Error)[] = [
  WireFormatError, TextFormatError, ZoneFileError, ZoneUsageError, CatalogStateError, ConfigError, ConfigValueError, ZoneLoadError, ZoneDirectoryError,
  ListenError, ControlError, SystemdNotifyError, MetricsError, StorageError, JournalCorruptError, TransferError, XfrRecordTooLargeError, TsigCheckError, UdpIoError,
];

/** Classes of src/ that extend Error on purpose and are never seen outside their file, with why. */
const NOT_ERRORS: Record<string, string> = {
  StopParsing: 'zone-parser.ts: control flow that stops the parse; caught where it is thrown, never escapes',
};

/** The rows of README.md's "## Error codes" table: code and class column, backticks removed. */
function readmeRows(): { code: string; label: string; line: number }[] {
  const lines = readFileSync(posix.join(repoRoot, 'README.md'), 'utf8').split('\n');
  const start = lines.indexOf('## Error codes');
  assert.ok(start >= 0, 'README.md has a "## Error codes" section');
  const rows: { code: string; label: string; line: number }[] = [];
  for (let i = start + 1; i < lines.length && !lines[i]!.startsWith('## '); i++) {
    const m = /^\| `([A-Z0-9_]+)` \| ([^|]+?) \| .+ \|$/.exec(lines[i]!);
    if (m !== null) rows.push({ code: m[1]!, label: m[2]!.replaceAll('`', ''), line: i + 1 });
  }
  return rows;
}

describe('error codes', () => {
  const codes = new Map<string, string>();
  for (const c of CATALOGS) {
    for (const code of Object.values(c.codes)) {
      assert.ok(!codes.has(code), `${code} is in two catalogs (${codes.get(code)} and ${c.label})`);
      codes.set(code, c.label);
    }
  }

  it('the README table lists every code of every catalog, with its class', () => {
    const rows = new Map(readmeRows().map((r) => [r.code, r]));
    const missing = [...codes].filter(([code]) => !rows.has(code)).map(([code, label]) => `${code} (${label})`);
    assert.deepEqual(missing, [], 'codes missing from README.md "## Error codes"');
    const wrongClass = [...codes]
      .filter(([code, label]) => rows.get(code)!.label !== label)
      .map(([code, label]) => `README.md:${rows.get(code)!.line}: ${code} is ${label}'s, not ${rows.get(code)!.label}'s`);
    assert.deepEqual(wrongClass, []);
  });

  it('the README table lists no code that does not exist, and each once', () => {
    const rows = readmeRows();
    assert.deepEqual(rows.filter((r) => !codes.has(r.code)).map((r) => `README.md:${r.line}: ${r.code}`), [], 'codes in README.md that no catalog has');
    const seen = new Set<string>();
    assert.deepEqual(rows.filter((r) => seen.size === seen.add(r.code).size).map((r) => `README.md:${r.line}: ${r.code}`), [], 'codes listed twice');
  });

  it('every error class is a TyneError', () => {
    for (const c of CLASSES) assert.ok(c.prototype instanceof TyneError, `${c.name} is not a TyneError`);
  });

  it('every error class in src/ is one of them', () => {
    const known = new Set([TyneError.name, ...CLASSES.map((c) => c.name)]);
    const unknown: string[] = [];
    const files = readdirSync(posix.join(repoRoot, 'src'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    for (const file of files) {
      const text = readFileSync(posix.join(repoRoot, 'src', file), 'utf8');
      for (const m of text.matchAll(/\bclass (\w+) extends (\w+)/g)) {
        const [, name, base] = m as unknown as [string, string, string];
        if (!name.endsWith('Error') && !base.endsWith('Error')) continue;
        if (!known.has(name) && NOT_ERRORS[name] === undefined) unknown.push(`src/${file}: ${name} extends ${base}`);
      }
    }
    assert.deepEqual(unknown, [], 'error classes this test (and so the TyneError check) does not know');
  });
});

/** The seam between reading configuration text (config-document.ts) and looking at the files it names (file-checks.ts). */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readConfigDocument } from '../../../src/config/config-document.js';
import { checkZoneFiles } from '../../../src/config/file-checks.js';

let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tyne-file-checks-'));
  mkdirSync(join(dir, 'a-folder.zone'));
});

after(() => rmSync(dir, { recursive: true, force: true }));

const TEXT = [
  'listen: ["127.0.0.1:53"]',
  'zones:',
  '  - { name: p.example, file: p.zone }',
  '  - { name: s.example, type: secondary, primaries: [192.0.2.1], file: a-folder.zone }',
  '',
].join('\n');

describe('config files', () => {
  it('reading the text finds nothing wrong with a file it has not looked at; the file checks then do', () => {
    const doc = readConfigDocument(TEXT, join(dir, 'tyne.yaml'));
    assert.deepEqual(doc.problems, []);
    assert.deepEqual(doc.zoneFiles.map((f) => [f.zone.name, f.text, f.base]), [['p.example', 'p.zone', dir], ['s.example', 'a-folder.zone', dir]]);
    const zones = checkZoneFiles(doc.zoneFiles, doc.problems);
    assert.deepEqual(zones.map((z) => z.file), [join(dir, 'p.zone')]);
    assert.deepEqual(doc.problems, [{ path: 'zones[1].file', line: 4, col: 71, message: "'a-folder.zone' is not a regular file" }]);
  });

  it('a secondary\'s file is relative to server.data-dir when set', () => {
    const doc = readConfigDocument(`${TEXT}server: { data-dir: /var/lib/tyne }\n`, join(dir, 'tyne.yaml'));
    assert.deepEqual(doc.zoneFiles.map((f) => f.base), [dir, '/var/lib/tyne']);
  });
});

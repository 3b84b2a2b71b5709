import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError, loadConfig, parseConfig, type ConfigErrorCode } from '../../../src/config/index.js';

let dir: string;
let cfg: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tyne-config-'));
  cfg = join(dir, 'ns1.yaml');
  writeFileSync(join(dir, 'shop.example.zone'), '');
  writeFileSync(join(dir, 'hosting.example.zone'), '');
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'sub', 'deep.example.zone'), '');
  mkdirSync(join(dir, 'a-folder.zone'));
});

after(() => rmSync(dir, { recursive: true, force: true }));

/** Writes the text as ns1.yaml and loads it. */
function load(text: string): ReturnType<typeof loadConfig> {
  writeFileSync(cfg, text);
  return loadConfig(cfg);
}

/** The ConfigError a text raises. */
function failure(text: string, code: ConfigErrorCode = 'CONFIG_INVALID'): ConfigError {
  try {
    load(text);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    assert.equal(err.code, code, err.message);
    assert.equal(err.file, cfg);
    // message is exactly one line per problem.
    assert.equal(err.message.split('\n').length, err.problems.length);
    return err;
  }
  assert.fail('configuration was accepted');
}

/** The error message lines, with the file name replaced by `F`. */
function lines(text: string, code?: ConfigErrorCode): string[] {
  return failure(text, code).message.split('\n').map((l) => l.replaceAll(cfg, 'F'));
}

const MINIMAL = 'listen: ["127.0.0.1:5300"]\nzones: []\n';

describe('loadConfig: good files', () => {
  it('fills in every default', () => {
    const c = load(MINIMAL);
    assert.deepEqual(c, {
      path: cfg,
      listen: [{ host: '127.0.0.1', port: 5300, family: 4 }],
      log: { level: 'info' },
      server: { udpPayload: 1232, identity: null, version: null, tcpIdleTimeoutMs: 10_000, tcpMaxConnections: 1000, workers: 1 },
      zones: [],
    });
  });

  it('reads every key', () => {
    const c = load(
      [
        'listen:',
        '  - 127.0.0.1:5300',
        '  - "[::1]:5300"',
        '  - "[2001:db8::53]:53"',
        'log:',
        '  level: debug',
        'server:',
        '  udp-payload: 4096',
        '  identity: ns1.hosting.example',
        '  version: "Tyne 0.1"',
        '  tcp-idle-timeout: 30s',
        '  tcp-max-connections: 50',
        '  workers: 4',
        'zones:',
        '  - name: shop.example',
        '    file: shop.example.zone',
        '  - name: hosting.example.',
        '    file: ' + join(dir, 'hosting.example.zone'),
        '  - file: sub/deep.example.zone',
        '    name: deep.example',
        '',
      ].join('\n'),
    );
    assert.deepEqual(c.listen, [
      { host: '127.0.0.1', port: 5300, family: 4 },
      { host: '::1', port: 5300, family: 6 },
      { host: '2001:db8::53', port: 53, family: 6 },
    ]);
    assert.equal(c.log.level, 'debug');
    assert.deepEqual(c.server, {
      udpPayload: 4096,
      identity: 'ns1.hosting.example',
      version: 'Tyne 0.1',
      tcpIdleTimeoutMs: 30_000,
      tcpMaxConnections: 50,
      workers: 4,
    });
    assert.deepEqual(c.zones, [
      { name: 'shop.example', file: join(dir, 'shop.example.zone'), line: 15 },
      { name: 'hosting.example.', file: join(dir, 'hosting.example.zone'), line: 17 },
      { name: 'deep.example', file: join(dir, 'sub', 'deep.example.zone'), line: 19 },
    ]);
  });

  it('accepts each log level and the range limits', () => {
    for (const level of ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) {
      assert.equal(load(`${MINIMAL}log: { level: ${level} }\n`).log.level, level);
    }
    const lo = load(`${MINIMAL}server: { udp-payload: 512, tcp-max-connections: 1, workers: 1, tcp-idle-timeout: 1ms }\n`).server;
    assert.deepEqual([lo.udpPayload, lo.tcpMaxConnections, lo.workers, lo.tcpIdleTimeoutMs], [512, 1, 1, 1]);
    const hi = load(`${MINIMAL}server: { udp-payload: 4096, tcp-max-connections: 100000, workers: 64, tcp-idle-timeout: 1h }\n`).server;
    assert.deepEqual([hi.udpPayload, hi.tcpMaxConnections, hi.workers, hi.tcpIdleTimeoutMs], [4096, 100_000, 64, 3_600_000]);
  });

  it('takes a duration as a number of seconds', () => {
    assert.equal(load(`${MINIMAL}server: { tcp-idle-timeout: 2.5 }\n`).server.tcpIdleTimeoutMs, 2500);
    assert.equal(load(`${MINIMAL}server: { tcp-idle-timeout: 2m }\n`).server.tcpIdleTimeoutMs, 120_000);
  });

  it('treats null and empty identity/version and empty sections as unset', () => {
    const c = load(`${MINIMAL}log:\nserver:\n  identity: ~\n  version:\n`);
    assert.equal(c.server.identity, null);
    assert.equal(c.server.version, null);
    assert.equal(c.log.level, 'info');
  });

  it('resolves zone files against the config folder, not the working directory', () => {
    const cwd = process.cwd();
    try {
      process.chdir(join(dir, 'sub'));
      writeFileSync(cfg, 'listen: ["127.0.0.1:53"]\nzones:\n  - { name: shop.example, file: shop.example.zone }\n');
      const c = loadConfig(relative(join(dir, 'sub'), cfg)); // "../ns1.yaml"
      assert.equal(c.path, cfg);
      assert.equal(c.zones[0]!.file, join(dir, 'shop.example.zone'));
    } finally {
      process.chdir(cwd);
    }
  });

  it('parseConfig resolves against the given path without reading it', () => {
    const c = parseConfig('listen: ["[::1]:53"]\nzones:\n  - name: deep.example\n    file: deep.example.zone\n', join(dir, 'sub', 'not-written.yaml'));
    assert.equal(c.path, join(dir, 'sub', 'not-written.yaml'));
    assert.equal(c.zones[0]!.file, join(dir, 'sub', 'deep.example.zone'));
    assert.deepEqual(c.listen, [{ host: '::1', port: 53, family: 6 }]);
  });

  it('ignores a byte order mark without shifting columns', () => {
    assert.deepEqual(lines(`\uFEFFlisten: ["127.0.0.1:0"]\nzones: []\n`), ["F:1:10: listen[0]: bad port '0' (1..65535)"]);
  });

  it('follows YAML aliases', () => {
    const c = load('listen: [&a "127.0.0.1:53"]\nzones: []\nserver: { identity: *a }\n');
    assert.equal(c.server.identity, '127.0.0.1:53');
  });
});

describe('loadConfig: problems, with file:line:col and key path', () => {
  it('reports a missing file as CONFIG_UNREADABLE with the cause', () => {
    const missing = join(dir, 'missing.yaml');
    assert.throws(() => loadConfig(missing), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.code, 'CONFIG_UNREADABLE');
      assert.equal(e.message, `${missing}: cannot read configuration (no such file)`);
      assert.equal((e.cause as NodeJS.ErrnoException).code, 'ENOENT');
      assert.deepEqual(e.problems, [{ path: '', line: 0, col: 0, message: 'cannot read configuration (no such file)' }]);
      return true;
    });
    assert.throws(() => loadConfig(join(dir, 'sub')), { code: 'CONFIG_UNREADABLE', message: `${join(dir, 'sub')}: cannot read configuration (is a directory)` });
  });

  it('reports YAML syntax errors as CONFIG_SYNTAX with their position', () => {
    assert.deepEqual(lines('listen: ["127.0.0.1:53"\nzones: []\n', 'CONFIG_SYNTAX'), [
      'F:2:1: Flow sequence in block collection must be sufficiently indented and end with a ] [YAML BAD_INDENT]',
    ]);
    const e = failure('zones: []\nlisten:\n  - "127.0.0.1:53"\n  -\t"x"\nlisten: []\n', 'CONFIG_SYNTAX');
    assert.ok(e.problems.some((p) => p.line === 5 && p.col === 1 && /YAML DUPLICATE_KEY/.test(p.message)), e.message);
    assert.deepEqual(lines('a: 1\n---\nb: 2\n', 'CONFIG_SYNTAX'), [
      'F:2:1: Source contains multiple documents; please use YAML.parseAllDocuments() [YAML MULTIPLE_DOCS]',
    ]);
    assert.deepEqual(lines('listen: !ip "127.0.0.1:53"\nzones: []\n', 'CONFIG_SYNTAX'), ['F:1:9: Unresolved tag: !ip [YAML TAG_RESOLVE_FAILED]']);
  });

  it('requires listen and zones, at the start of the document', () => {
    assert.deepEqual(lines(''), ['F:1:1: listen: required key missing', 'F:1:1: zones: required key missing']);
    assert.deepEqual(lines('# comment\n\nlog: { level: warn }\n'), ['F:3:1: listen: required key missing', 'F:3:1: zones: required key missing']);
    assert.deepEqual(lines('- listen\n'), ["F:1:1: expected a mapping, got a list"]);
  });

  it('reports unknown keys at every level, suggesting the nearest known key', () => {
    assert.deepEqual(
      lines(
        [
          'listen: ["127.0.0.1:53"]',
          'zone: []',
          'log: { levle: info }',
          'server:',
          '  udp-paylod: 1232',
          '  recursion: no',
          'zones:',
          '  - name: shop.example',
          '    file: shop.example.zone',
          '    fiel: x',
          '',
        ].join('\n'),
      ),
      [
        "F:2:1: zone: unknown key 'zone' (did you mean 'zones'?)",
        'F:3:8: log.levle: unknown key \'levle\' (did you mean \'level\'?)',
        "F:5:3: server.udp-paylod: unknown key 'udp-paylod' (did you mean 'udp-payload'?)",
        "F:6:3: server.recursion: unknown key 'recursion'",
        "F:10:5: zones[0].fiel: unknown key 'fiel' (did you mean 'file'?)",
      ],
    );
  });

  it('checks listen addresses', () => {
    assert.deepEqual(
      lines(
        [
          'listen:',
          '  - 127.0.0.1:5300', //        ok
          '  - "[::1]:5300"', //          ok
          '  - "::1:5300"', //            unbracketed IPv6
          '  - localhost:53', //          not an IP literal
          '  - 127.0.0.1:0', //           port 0
          '  - 127.0.0.1:65536', //       port too high
          '  - "[127.0.0.1]:53"', //      IPv4 in brackets
          '  - 127.0.0.1', //             no port
          '  - 5300', //                  not a string
          '  - "[0:0:0:0:0:0:0:1]:5300"', // same as [::1]:5300
          '  - 127.0.0.1:5300', //        duplicate
          '  - 127.0.0.1:5301', //        ok
          'zones: []',
          '',
        ].join('\n'),
      ),
      [
        `F:4:5: listen[2]: '::1:5300': an IPv6 address goes in brackets, as "[::1]:5300"`,
        "F:5:5: listen[3]: 'localhost' is not an IP address (host names are not allowed)",
        "F:6:5: listen[4]: bad port '0' (1..65535)",
        "F:7:5: listen[5]: bad port '65536' (1..65535)",
        "F:8:5: listen[6]: '127.0.0.1' is not an IPv6 address",
        `F:9:5: listen[7]: '127.0.0.1' has no port (write "host:port", or "[v6]:port" for IPv6)`,
        'F:10:5: listen[8]: expected "host:port" or "[v6]:port", got number 5300',
        'F:11:5: listen[9]: duplicate of listen[1]',
        'F:12:5: listen[10]: duplicate of listen[0]',
      ],
    );
    assert.deepEqual(lines('listen: []\nzones: []\n'), ['F:1:9: listen: must list at least one address']);
    assert.deepEqual(lines('listen: 127.0.0.1:53\nzones: []\n'), ["F:1:9: listen: expected a list of addresses, got '127.0.0.1:53'"]);
    assert.deepEqual(lines('listen:\nzones: []\n'), ['F:1:1: listen: expected a list of addresses, got nothing']);
  });

  it('checks log and server values', () => {
    assert.deepEqual(
      lines(
        [
          MINIMAL.trimEnd(),
          'log: { level: loud }',
          'server:',
          '  udp-payload: 511',
          '  identity: 1.0',
          `  version: "${'v'.repeat(256)}"`,
          '  tcp-idle-timeout: 0',
          '  tcp-max-connections: 1.5',
          '  workers: "4"',
          '',
        ].join('\n'),
      ),
      [
        "F:3:15: log.level: expected one of fatal, error, warn, info, debug, trace, silent, got 'loud'",
        'F:5:16: server.udp-payload: 511 is out of range (512..4096)',
        'F:6:13: server.identity: expected a string, got number 1 (quote it)',
        'F:7:12: server.version: longer than 255 octets',
        'F:8:21: server.tcp-idle-timeout: must be more than 0ms',
        'F:9:24: server.tcp-max-connections: expected an integer from 1 to 100000, got number 1.5',
        "F:10:12: server.workers: expected an integer from 1 to 64, got '4'",
      ],
    );
    assert.deepEqual(
      lines(`${MINIMAL}server:\n  udp-payload: 4097\n  tcp-idle-timeout: 61m\n  tcp-max-connections: 100001\n  workers: 65\n  identity: ""\n`),
      [
        'F:4:16: server.udp-payload: 4097 is out of range (512..4096)',
        'F:5:21: server.tcp-idle-timeout: must be at most 1h',
        'F:6:24: server.tcp-max-connections: 100001 is out of range (1..100000)',
        'F:7:12: server.workers: 65 is out of range (1..64)',
        'F:8:13: server.identity: empty string',
      ],
    );
    assert.deepEqual(lines(`${MINIMAL}server: { tcp-idle-timeout: 10 seconds }\n`), [
      "F:3:29: server.tcp-idle-timeout: bad duration '10 seconds' (use a number of seconds, or a whole number with a unit: 500ms, 10s, 2m, 1h, 1d)",
    ]);
    assert.deepEqual(lines(`${MINIMAL}server: [1]\nlog: info\n`), ['F:3:9: server: expected a mapping, got a list', "F:4:6: log: expected a mapping, got 'info'"]);
  });

  it('checks zone entries', () => {
    assert.deepEqual(
      lines(
        [
          'listen: ["127.0.0.1:53"]',
          'zones:',
          '  - name: shop.example', //            ok
          '    file: shop.example.zone',
          '  - name: SHOP.example.', //           duplicate (case and trailing dot ignored)
          '    file: shop.example.zone',
          '  - name: a..example', //              bad name
          '    file: db.shop', //                 missing file
          '  - name: folder.example',
          '    file: a-folder.zone', //           not a regular file
          '  - file: hosting.example.zone', //    no name
          '  - name: 42', //                      name not a string, no file
          '  - just-a-string',
          '  - name: x.example',
          '    file:', //                         empty file
          '',
        ].join('\n'),
      ),
      [
        "F:5:11: zones[1].name: zone 'SHOP.example.' is already listed at zones[0]",
        "F:7:11: zones[2].name: 'a..example' is not a valid domain name (bad name 'a..example.': empty label)",
        "F:8:11: zones[2].file: no such file 'db.shop'",
        "F:10:11: zones[3].file: 'a-folder.zone' is not a regular file",
        'F:11:5: zones[4].name: required key missing',
        'F:12:5: zones[5].file: required key missing',
        'F:12:11: zones[5].name: expected a string, got number 42 (quote it)',
        "F:13:5: zones[6]: expected a mapping, got 'just-a-string'",
        'F:15:5: zones[7].file: expected a string, got nothing',
      ],
    );
    assert.deepEqual(lines('listen: ["127.0.0.1:53"]\nzones:\n'), ['F:2:1: zones: expected a list (write [] for none), got nothing']);
    assert.deepEqual(lines('listen: ["127.0.0.1:53"]\nzones: { name: x }\n'), ['F:2:8: zones: expected a list (write [] for none), got a mapping']);
  });

  it('reports every problem at once, sorted by position, as CONFIG_INVALID', () => {
    const e = failure(
      [
        'listen: ["localhost:53"]', // 1
        'server:',
        '  workers: 0', //             3
        '  colour: blue', //           4
        'zones:',
        '  - name: shop.example',
        '    file: nope.zone', //      7
        '',
      ].join('\n'),
    );
    assert.deepEqual(e.problems, [
      { path: 'listen[0]', line: 1, col: 10, message: "'localhost' is not an IP address (host names are not allowed)" },
      { path: 'server.workers', line: 3, col: 12, message: '0 is out of range (1..64)' },
      { path: 'server.colour', line: 4, col: 3, message: "unknown key 'colour'" },
      { path: 'zones[0].file', line: 7, col: 11, message: "no such file 'nope.zone'" },
    ]);
    assert.equal(
      e.message,
      [
        `${cfg}:1:10: listen[0]: 'localhost' is not an IP address (host names are not allowed)`,
        `${cfg}:3:12: server.workers: 0 is out of range (1..64)`,
        `${cfg}:4:3: server.colour: unknown key 'colour'`,
        `${cfg}:7:11: zones[0].file: no such file 'nope.zone'`,
      ].join('\n'),
    );
  });

  it('parseConfig uses the given path in messages', () => {
    assert.throws(() => parseConfig('listen: ["127.0.0.1:53"]\nzones:\n  - name: x\n    file: db.x\n', '/etc/tyne/ns1.yaml'), {
      name: 'ConfigError',
      code: 'CONFIG_INVALID',
      message: "/etc/tyne/ns1.yaml:4:11: zones[0].file: no such file 'db.x'",
    });
  });
});

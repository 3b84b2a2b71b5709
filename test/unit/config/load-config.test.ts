import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError, defaultIncludeConfine, loadConfig, parseConfig, type ConfigErrorCode } from '../../../src/config/index.js';
import { DEFAULT_ZONE_LIMITS } from '../../../src/zonefile/index.js';
import { RATE_LIMIT_DEFAULTS } from '../../../src/server/rate-limit-settings.js';

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

/** A zone as it is read when it says no more than its name and file: a primary with every default (name, file and line are each test's). */
const ZONE_DEFAULTS = {
  type: 'primary',
  notify: [],
  allowTransfer: [],
  primaries: [],
  allowNotify: null,
  serialPolicy: 'increment',
  limits: DEFAULT_ZONE_LIMITS,
  includeConfine: false,
  catalog: null,
  catalogGroups: [],
  members: null,
  directory: null,
} as const;

describe('loadConfig: good files', () => {
  it('fills in every default', () => {
    const c = load(MINIMAL);
    assert.deepEqual(c, {
      path: cfg,
      listen: [{ host: '127.0.0.1', port: 5300, family: 4 }],
      log: { level: 'info', querySample: 1 },
      server: {
        udpPayload: 1232, identity: hostname(), version: null, tcpIdleTimeoutMs: 10_000, tcpMaxConnections: 1000, tcpMaxConnectionsPerClient: 100, transfersOut: 10, workers: 1, threads: 1, udpIo: 'auto',
        minRefreshSec: 300, maxRefreshSec: 2_419_200, minRetrySec: 500, maxRetrySec: 1_209_600, serialPolicy: 'increment',
        dataDir: null, watch: true, watchSettleMs: 100, watchHoldMs: 5000, removedRetentionMs: 7 * 86_400_000, zonefileSyncMs: 60_000,
        answerCacheSize: 256 * 1024 * 1024,
        zoneLimits: DEFAULT_ZONE_LIMITS, includeConfine: null,
        zoneMemoryBudget: null,
        notifyCheckIntervalMs: 1000,
        secondaryProbeIntervalMs: 60_000, notifyRetryMs: 10_000, notifyRetryLimitMs: 3_600_000,
        rateLimit: RATE_LIMIT_DEFAULTS,
        answerCookie: true, cookieSecrets: [],
      },
      keys: [],
      zones: [],
      zoneDirectories: [],
      control: { socket: cfg.replace(/\.yaml$/, '.sock'), explicit: false, mode: 0o660, group: null },
      metrics: null,
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
        '  udp-io: dgram',
        '  min-refresh-time: 1s',
        '  max-refresh-time: 1h',
        '  min-retry-time: 2',
        '  max-retry-time: 30m',
        '  serial-policy: unixtime',
        '  data-dir: state',
        '  watch: false',
        '  watch-settle: 250ms',
        '  watch-hold: 10s',
        '  removed-retention: 2d',
        '  answer-cache-size: 8M',
        '  zone-memory-budget: 512M',
        '  answer-cookie: false',
        '  cookie-secret: ["0123456789abcdef0123456789ABCDEF", ffeeddccbbaa99887766554433221100]',
        'zones:',
        '  - name: shop.example',
        '    file: shop.example.zone',
        '  - name: hosting.example.',
        '    file: ' + join(dir, 'hosting.example.zone'),
        '  - file: sub/deep.example.zone',
        '    name: deep.example',
        '    serial-policy: file',
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
      tcpMaxConnectionsPerClient: 100,
      transfersOut: 10,
      workers: 4,
      threads: 1,
      udpIo: 'dgram',
      minRefreshSec: 1,
      maxRefreshSec: 3600,
      minRetrySec: 2,
      maxRetrySec: 1800,
      serialPolicy: 'unixtime',
      dataDir: join(dir, 'state'),
      watch: false,
      watchSettleMs: 250,
      watchHoldMs: 10_000,
      removedRetentionMs: 2 * 86_400_000,
      zonefileSyncMs: 60_000,
      answerCacheSize: 8 * 1024 * 1024,
      zoneLimits: DEFAULT_ZONE_LIMITS,
      includeConfine: null,
      zoneMemoryBudget: 512 * 2 ** 20,
      notifyCheckIntervalMs: 1000,
      secondaryProbeIntervalMs: 60_000,
      notifyRetryMs: 10_000,
      notifyRetryLimitMs: 3_600_000,
      rateLimit: RATE_LIMIT_DEFAULTS,
      answerCookie: false,
      cookieSecrets: [
        Uint8Array.from(Buffer.from('0123456789abcdef0123456789abcdef', 'hex')),
        Uint8Array.from(Buffer.from('ffeeddccbbaa99887766554433221100', 'hex')),
      ],
    });
    assert.deepEqual(c.zones, [
      { ...ZONE_DEFAULTS, name: 'shop.example', file: join(dir, 'shop.example.zone'), serialPolicy: 'unixtime', line: 30 },
      { ...ZONE_DEFAULTS, name: 'hosting.example.', file: join(dir, 'hosting.example.zone'), serialPolicy: 'unixtime', line: 32 },
      { ...ZONE_DEFAULTS, name: 'deep.example', file: join(dir, 'sub', 'deep.example.zone'), serialPolicy: 'file', line: 34 },
    ]);
    assert.deepEqual(c.keys, []);
  });

  it('accepts each log level and the range limits', () => {
    for (const level of ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) {
      assert.equal(load(`${MINIMAL}log: { level: ${level} }\n`).log.level, level);
    }
    const lo = load(`${MINIMAL}server: { udp-payload: 512, tcp-max-connections: 1, workers: 1, tcp-idle-timeout: 1ms }\n`).server;
    assert.deepEqual([lo.udpPayload, lo.tcpMaxConnections, lo.workers, lo.tcpIdleTimeoutMs], [512, 1, 1, 1]);
    const hi = load(`${MINIMAL}server: { udp-payload: 4096, tcp-max-connections: 100000, workers: 64, tcp-idle-timeout: 1h }\n`).server;
    assert.deepEqual([hi.udpPayload, hi.tcpMaxConnections, hi.workers, hi.tcpIdleTimeoutMs], [4096, 100_000, 64, 3_600_000]);
    const tcp = load(`${MINIMAL}server: { tcp-max-connections-per-client: 5, transfers-out: 3 }\n`).server;
    assert.deepEqual([tcp.tcpMaxConnectionsPerClient, tcp.transfersOut], [5, 3]);
  });

  it('takes answer-cache-size as octets or with a K, M or G unit, 0 turning the cache off', () => {
    const cases: [string, number][] = [['0', 0], ['65536', 65_536], ['512K', 512 * 1024], ['256m', 256 * 1024 ** 2], ['2G', 2 * 1024 ** 3], ['64G', 64 * 1024 ** 3]];
    for (const [text, bytes] of cases) assert.equal(load(`${MINIMAL}server: { answer-cache-size: ${text} }\n`).server.answerCacheSize, bytes, text);
    assert.deepEqual(lines(`${MINIMAL}server: { answer-cache-size: 256MB }\n`), [
      "F:3:30: server.answer-cache-size: bad size '256MB' (use a number of octets, or a whole number with a unit: 512K, 256M, 1G)",
    ]);
    assert.deepEqual(lines(`${MINIMAL}server: { answer-cache-size: 65G }\n`), ['F:3:30: server.answer-cache-size: must be from 0 to 64G (0 turns it off)']);
    assert.deepEqual(lines(`${MINIMAL}server: { answer-cache-size: -1 }\n`), [
      'F:3:30: server.answer-cache-size: bad size -1 (use a number of octets, or a whole number with a unit: 512K, 256M, 1G)',
    ]);
  });

  it('takes a duration as a number of seconds', () => {
    assert.equal(load(`${MINIMAL}server: { tcp-idle-timeout: 2.5 }\n`).server.tcpIdleTimeoutMs, 2500);
    assert.equal(load(`${MINIMAL}server: { tcp-idle-timeout: 2m }\n`).server.tcpIdleTimeoutMs, 120_000);
  });

  it('gives identity the host name by default (as Knot and NSD); identity: null turns it off', () => {
    assert.notEqual(hostname(), '');
    assert.equal(load(MINIMAL).server.identity, hostname());
    assert.equal(load(`${MINIMAL}server: { udp-payload: 1232 }\n`).server.identity, hostname());
    assert.equal(load(`${MINIMAL}server: { identity: null }\n`).server.identity, null);
    assert.equal(load(`${MINIMAL}server: { identity: ns9.example }\n`).server.identity, 'ns9.example');
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

  it('reads server.udp-io; batched needs workers: 1 (issue 16 §2)', () => {
    for (const mode of ['auto', 'batched', 'dgram']) assert.equal(load(`${MINIMAL}server: { udp-io: ${mode} }\n`).server.udpIo, mode);
    assert.equal(load(`${MINIMAL}server: { udp-io: auto, workers: 2 }\n`).server.udpIo, 'auto');
    assert.deepEqual(lines(`${MINIMAL}server: { udp-io: fast }\n`), ["F:3:19: server.udp-io: expected one of auto, batched, dgram, got 'fast'"]);
    assert.deepEqual(lines(`${MINIMAL}server:\n  udp-io: batched\n  workers: 2\n`), [
      'F:4:3: server.udp-io: batched UDP I/O needs server.workers: 1 (cluster workers share node:dgram sockets); write udp-io: auto or dgram, or set workers: 1',
    ]);
  });

  it('reads server.threads (1 to 64); threads and workers are not both above 1 (issue 16 §3)', () => {
    const cases: [string, number][] = [['1', 1], ['2', 2], ['64', 64]];
    for (const [text, n] of cases) assert.equal(load(`${MINIMAL}server: { threads: ${text} }\n`).server.threads, n, text);
    assert.equal(load(`${MINIMAL}server: { threads: 1, workers: 4 }\n`).server.workers, 4);
    assert.equal(load(`${MINIMAL}server: { threads: 4, workers: 1 }\n`).server.threads, 4);
    assert.deepEqual(lines(`${MINIMAL}server: { threads: 0 }\n`), ['F:3:20: server.threads: 0 is out of range (1..64)']);
    assert.deepEqual(lines(`${MINIMAL}server: { threads: 65 }\n`), ['F:3:20: server.threads: 65 is out of range (1..64)']);
    assert.deepEqual(lines(`${MINIMAL}server: { threads: two }\n`), ["F:3:20: server.threads: expected an integer from 1 to 64, got 'two'"]);
    assert.deepEqual(lines(`${MINIMAL}server:\n  workers: 2\n  threads: 2\n`), [
      'F:5:3: server.threads: threads and workers cannot both be above 1; use threads (they share the zones and allow transfers), and set workers: 1',
    ]);
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
    assert.deepEqual(lines(`${MINIMAL}server:\n  tcp-max-connections-per-client: 0\n  transfers-out: 1001\n`), [
      'F:4:35: server.tcp-max-connections-per-client: 0 is out of range (1..100000)',
      'F:5:18: server.transfers-out: 1001 is out of range (1..1000)',
    ]);
    assert.deepEqual(lines(`${MINIMAL}server:\n  zone-memory-budget: 1M\n`), ['F:4:23: server.zone-memory-budget: must be from 16M to 1024G']);
    assert.deepEqual(lines(`${MINIMAL}server:\n  zone-memory-budget: lots\n`), [
      "F:4:23: server.zone-memory-budget: expected a size such as 512M or 2G (or auto), got 'lots'",
    ]);
    assert.equal(load(`${MINIMAL}server:\n  zone-memory-budget: 2G\n`).server.zoneMemoryBudget, 2 * 2 ** 30);
    assert.equal(load(`${MINIMAL}server:\n  zone-memory-budget: auto\n`).server.zoneMemoryBudget, null);
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
          '    file: db.shop', //                 missing file: that zone's problem, not the configuration's
          '  - name: folder.example',
          '    file: a-folder.zone', //           not a regular file: likewise
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
        '    file: nope.zone', //      7: missing, which fails only that zone when it loads
        '  - name: 42', //             8
        '    file: x.zone',
        '',
      ].join('\n'),
    );
    assert.deepEqual(e.problems, [
      { path: 'listen[0]', line: 1, col: 10, message: "'localhost' is not an IP address (host names are not allowed)" },
      { path: 'server.workers', line: 3, col: 12, message: '0 is out of range (1..64)' },
      { path: 'server.colour', line: 4, col: 3, message: "unknown key 'colour'" },
      { path: 'zones[1].name', line: 8, col: 11, message: 'expected a string, got number 42 (quote it)' },
    ]);
    assert.equal(
      e.message,
      [
        `${cfg}:1:10: listen[0]: 'localhost' is not an IP address (host names are not allowed)`,
        `${cfg}:3:12: server.workers: 0 is out of range (1..64)`,
        `${cfg}:4:3: server.colour: unknown key 'colour'`,
        `${cfg}:8:11: zones[1].name: expected a string, got number 42 (quote it)`,
      ].join('\n'),
    );
  });

  it('parseConfig uses the given path in messages', () => {
    assert.throws(() => parseConfig('listen: ["127.0.0.1:53"]\nzones:\n  - name: x\n    file: [db.x]\n', '/etc/tyne/ns1.yaml'), {
      name: 'ConfigError',
      code: 'CONFIG_INVALID',
      message: '/etc/tyne/ns1.yaml:4:11: zones[0].file: expected a string, got a list',
    });
  });

  it('resolves zone files without looking at them: a missing primary file is its zone\'s problem (item: zones that go unseen)', () => {
    const c = parseConfig('listen: ["127.0.0.1:53"]\nzones:\n  - name: x\n    file: db.x\n', '/etc/tyne/ns1.yaml');
    assert.equal(c.zones[0]!.file, '/etc/tyne/db.x');
  });

  it('resolves a secondary\'s relative file against server.data-dir when set (as BIND\'s directory and Knot\'s storage)', () => {
    const text = (dataDir: string): string =>
      `listen: ["127.0.0.1:53"]\nzones:\n  - { name: p, file: p.zone }\n  - { name: s, type: secondary, primaries: ["192.0.2.1"], file: copies/s.zone }\n${dataDir}`;
    const without = parseConfig(text(''), '/etc/tyne/ns2.yaml');
    assert.deepEqual(without.zones.map((z) => z.file), ['/etc/tyne/p.zone', '/etc/tyne/copies/s.zone']);
    assert.equal(without.server.dataDir, null);
    const withDir = parseConfig(text('server: { data-dir: /var/lib/tyne }\n'), '/etc/tyne/ns2.yaml');
    assert.deepEqual(withDir.zones.map((z) => z.file), ['/etc/tyne/p.zone', '/var/lib/tyne/copies/s.zone']);
    assert.equal(withDir.server.dataDir, '/var/lib/tyne');
  });

  it('reads cookie-secret as one secret or a list, and reports bad ones with the fix', () => {
    const one = load(`server:\n  cookie-secret: "00112233445566778899aabbccddeeff"\n${MINIMAL}`);
    assert.deepEqual(one.server.cookieSecrets, [Uint8Array.from(Buffer.from('00112233445566778899aabbccddeeff', 'hex'))]);
    assert.deepEqual(lines(`server:\n  cookie-secret: "0011"\n${MINIMAL}`), [
      "F:2:18: server.cookie-secret: expected 32 hex digits (a 128-bit secret, e.g. from 'openssl rand -hex 16'), got 4 characters",
    ]);
    assert.deepEqual(lines(`server:\n  cookie-secret: ["00112233445566778899aabbccddeeff", "zz112233445566778899aabbccddeeff"]\n${MINIMAL}`), [
      "F:2:55: server.cookie-secret[1]: expected 32 hex digits (a 128-bit secret, e.g. from 'openssl rand -hex 16'), got 32 characters",
    ]);
    assert.deepEqual(lines(`server:\n  cookie-secret: []\n${MINIMAL}`), [
      'F:2:18: server.cookie-secret: expected at least one secret (leave cookie-secret out to have one generated)',
    ]);
    assert.deepEqual(lines(`server:\n  answer-cookie: yes\n${MINIMAL}`), [
      "F:2:18: server.answer-cookie: expected true or false, got 'yes' (write true)",
    ]);
  });

  it('checks the watch settings', () => {
    assert.deepEqual(lines(`${MINIMAL}server:\n  watch: yes\n  watch-settle: 2m\n  watch-hold: soon\n  data-dir: ""\n`), [
      "F:4:10: server.watch: expected true or false, got 'yes' (write true)",
      'F:5:17: server.watch-settle: must be at most 1m',
      "F:6:15: server.watch-hold: bad duration 'soon' (use a number of seconds, or a whole number with a unit: 500ms, 10s, 2m, 1h, 1d)",
      'F:7:13: server.data-dir: empty string',
    ]);
  });
});

// ------------------------------------------------------- zone transfers --

/** 32 octets, base64. */
const SECRET_BYTES = Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 1);
const SECRET = Buffer.from(SECRET_BYTES).toString('base64');
const KEYS = `keys:\n  - { name: transfer, algorithm: hmac-sha256, secret: "${SECRET}" }\n`;

/** The octets of an IPv4 or IPv6 network as a plain list, for deepEqual. */
function octets(...b: number[]): Uint8Array {
  return Uint8Array.from(b);
}

const V6_LOOPBACK = octets(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);

describe('loadConfig: keys and zone transfers', () => {
  it('reads keys: every algorithm, in any case, with the secret decoded', () => {
    const c = load(
      [
        MINIMAL.trimEnd(),
        'keys:',
        ...['hmac-sha1', 'HMAC-SHA224', 'hmac-sha256', 'Hmac-Sha384', 'hmac-sha512'].map((a, i) => `  - { name: k${i}.example., algorithm: ${a}, secret: "${SECRET}" }`),
        '  - name: short',
        '    algorithm: hmac-sha256',
        '    secret: AQ==',
        '',
      ].join('\n'),
    );
    assert.deepEqual(c.keys, [
      { name: 'k0.example.', algorithm: 'hmac-sha1', secret: SECRET_BYTES },
      { name: 'k1.example.', algorithm: 'hmac-sha224', secret: SECRET_BYTES },
      { name: 'k2.example.', algorithm: 'hmac-sha256', secret: SECRET_BYTES },
      { name: 'k3.example.', algorithm: 'hmac-sha384', secret: SECRET_BYTES },
      { name: 'k4.example.', algorithm: 'hmac-sha512', secret: SECRET_BYTES },
      { name: 'short', algorithm: 'hmac-sha256', secret: octets(1) },
    ]);
    assert.ok(c.keys[0]!.secret instanceof Uint8Array);
    assert.deepEqual(load(`${MINIMAL}keys: []\n`).keys, []);
  });

  it('reads notify and allow-transfer on a primary: ports, IPv6 forms, ACL forms, keys', () => {
    const c = load(
      [
        'listen: ["127.0.0.1:5300"]',
        'zones:',
        '  - name: shop.example',
        '    file: shop.example.zone',
        '    notify:',
        '      - 127.0.0.1:5301', //                       IPv4 with port
        '      - 192.0.2.1', //                            IPv4, port 53
        '      - "[2001:db8::1]:5302"', //                 IPv6 with port
        '      - "::1"', //                                bare IPv6, port 53
        '      - "[2001:db8::2]"', //                      IPv6 in brackets, port 53
        '      - { address: "127.0.0.1:5302", key: transfer }',
        '      - { address: "::1:5300" }', //              a bare IPv6 literal (::1:5300), port 53
        '    allow-transfer:',
        '      - 127.0.0.1/32',
        '      - 10.0.0.0/8',
        '      - 192.0.2.7', //                            /32
        '      - "::1"', //                                /128
        '      - "2001:DB8::/32"',
        '      - 0.0.0.0/0',
        '      - { address: "::1", key: TRANSFER. }', //   the key as declared
        '      - { address: 198.51.100.0/24 }',
        '      - { key: transfer }',
        '      - "::ffff:192.0.2.0/120"', //               IPv4-mapped: the IPv4 network
        KEYS.trimEnd(), //                                  keys may come after their use
        '',
      ].join('\n'),
    );
    assert.equal(c.keys.length, 1);
    const z = c.zones[0]!;
    assert.equal(z.type, 'primary');
    assert.equal(z.file, join(dir, 'shop.example.zone'));
    assert.deepEqual(z.primaries, []);
    assert.equal(z.allowNotify, null);
    assert.deepEqual(z.notify, [
      { host: '127.0.0.1', port: 5301, family: 4, key: null },
      { host: '192.0.2.1', port: 53, family: 4, key: null },
      { host: '2001:db8::1', port: 5302, family: 6, key: null },
      { host: '::1', port: 53, family: 6, key: null },
      { host: '2001:db8::2', port: 53, family: 6, key: null },
      { host: '127.0.0.1', port: 5302, family: 4, key: 'transfer' },
      { host: '::1:5300', port: 53, family: 6, key: null },
    ]);
    assert.deepEqual(z.allowTransfer, [
      { kind: 'range', family: 4, network: octets(127, 0, 0, 1), prefix: 32, key: null },
      { kind: 'range', family: 4, network: octets(10, 0, 0, 0), prefix: 8, key: null },
      { kind: 'range', family: 4, network: octets(192, 0, 2, 7), prefix: 32, key: null },
      { kind: 'range', family: 6, network: V6_LOOPBACK, prefix: 128, key: null },
      { kind: 'range', family: 6, network: octets(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), prefix: 32, key: null },
      { kind: 'range', family: 4, network: octets(0, 0, 0, 0), prefix: 0, key: null },
      { kind: 'range', family: 6, network: V6_LOOPBACK, prefix: 128, key: 'transfer' },
      { kind: 'range', family: 4, network: octets(198, 51, 100, 0), prefix: 24, key: null },
      { kind: 'key', key: 'transfer' },
      { kind: 'range', family: 4, network: octets(192, 0, 2, 0), prefix: 24, key: null },
    ]);
  });

  it('reads a secondary: primaries, allow-notify, and a file that does not exist yet', () => {
    const c = load(
      [
        'listen: ["127.0.0.1:5301"]',
        KEYS.trimEnd(),
        'zones:',
        '  - name: partner.example',
        '    type: secondary',
        '    primaries: ["127.0.0.1:5300", { address: "127.0.0.1:5400", key: transfer }, "[::1]:5300", "2001:db8::53"]',
        '    file: secondary/partner.example.zone', //    neither file nor folder exists
        '    allow-notify: ["127.0.0.1/32", { key: transfer }]',
        '    notify: ["127.0.0.1:5302"]', //              a secondary may notify and serve transfers too
        '    allow-transfer: [127.0.0.0/8]',
        '  - name: other.example',
        '    type: secondary',
        '    primaries: [192.0.2.53]',
        '    file: sub/other.example.zone', //            the folder exists, the file does not
        '  - name: deep.example',
        '    type: secondary',
        '    primaries: [192.0.2.53]',
        '    file: sub/deep.example.zone', //             the file exists (a copy from an earlier run)
        '  - { name: shop.example, type: primary, file: shop.example.zone }',
        '',
      ].join('\n'),
    );
    assert.deepEqual(c.zones, [
      {
        ...ZONE_DEFAULTS,
        name: 'partner.example',
        type: 'secondary',
        file: join(dir, 'secondary', 'partner.example.zone'),
        notify: [{ host: '127.0.0.1', port: 5302, family: 4, key: null }],
        allowTransfer: [{ kind: 'range', family: 4, network: octets(127, 0, 0, 0), prefix: 8, key: null }],
        primaries: [
          { host: '127.0.0.1', port: 5300, family: 4, key: null },
          { host: '127.0.0.1', port: 5400, family: 4, key: 'transfer' },
          { host: '::1', port: 5300, family: 6, key: null },
          { host: '2001:db8::53', port: 53, family: 6, key: null },
        ],
        allowNotify: [
          { kind: 'range', family: 4, network: octets(127, 0, 0, 1), prefix: 32, key: null },
          { kind: 'key', key: 'transfer' },
        ],
        line: 5,
      },
      { ...ZONE_DEFAULTS, name: 'other.example', type: 'secondary', file: join(dir, 'sub', 'other.example.zone'), primaries: [{ host: '192.0.2.53', port: 53, family: 4, key: null }], line: 12 },
      { ...ZONE_DEFAULTS, name: 'deep.example', type: 'secondary', file: join(dir, 'sub', 'deep.example.zone'), primaries: [{ host: '192.0.2.53', port: 53, family: 4, key: null }], line: 16 },
      { ...ZONE_DEFAULTS, name: 'shop.example', file: join(dir, 'shop.example.zone'), line: 20 },
    ]);
    assert.deepEqual(load(`${MINIMAL.replace('[]', '')}  - { name: x.example, type: secondary, primaries: [192.0.2.1], file: x.zone, allow-notify: [] }\n`).zones[0]!.allowNotify, []);
  });

  it('reports key problems', () => {
    assert.deepEqual(
      lines(
        [
          MINIMAL.trimEnd(),
          'keys:',
          `  - { name: a, algorithm: hmac-md5, secret: "${SECRET}" }`, //  3
          '  - { name: b, algorithm: hmac-sha256, secret: "not base64!" }',
          '  - { name: c, algorithm: hmac-sha256, secret: "AQ=" }', //      bad padding
          '  - { name: d, algorithm: hmac-sha256, secret: "AQ" }', //       no padding
          '  - { name: e, algorithm: hmac-sha256, secret: "AR==" }', //     stray bits
          '  - { name: f, algorithm: hmac-sha256, secret: "AQID BAUG" }', // white space
          '  - { name: g, algorithm: hmac-sha256, secret: 1234 }',
          '  - { name: h, algorithm: hmac-sha256, secret: "" }',
          '  - { name: A., algorithm: hmac-sha1, secret: AQ== }', //        duplicate of a (case, dot)
          '  - { name: "x..y", algorithm: hmac-sha1, secret: AQ== }',
          '  - { name: i, secret: AQ== }',
          '  - { name: j, algorithm: hmac-sha1, secret: AQ==, scret: x }',
          '  - transfer',
          '',
        ].join('\n'),
      ),
      [
        "F:4:27: keys[0].algorithm: expected one of hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384, hmac-sha512 (or, to allow truncated MACs, one with a length in bits as BIND writes it: hmac-sha256-128), got 'hmac-md5'",
        'F:5:48: keys[1].secret: not valid base64',
        'F:6:48: keys[2].secret: not valid base64',
        'F:7:48: keys[3].secret: not valid base64',
        'F:8:48: keys[4].secret: not valid base64',
        'F:9:48: keys[5].secret: not valid base64',
        'F:10:48: keys[6].secret: expected a string, got number 1234 (quote it)',
        'F:11:48: keys[7].secret: empty string',
        "F:12:13: keys[8].name: key 'A.' is already listed at keys[0]",
        "F:13:13: keys[9].name: 'x..y' is not a valid key name (bad name 'x..y.': empty label)",
        'F:14:5: keys[10].algorithm: required key missing',
        "F:15:52: keys[11].scret: unknown key 'scret' (did you mean 'secret'?)",
        "F:16:5: keys[12]: expected a mapping, got 'transfer'",
      ],
    );
    assert.deepEqual(lines(`${MINIMAL}keys:\n`), ['F:3:1: keys: expected a list (write [] for none), got nothing']);
    assert.deepEqual(lines(`${MINIMAL}keys: { name: x }\n`), ['F:3:7: keys: expected a list (write [] for none), got a mapping']);
  });

  it('reports notify and primaries problems', () => {
    assert.deepEqual(
      lines(
        [
          'listen: ["127.0.0.1:53"]',
          'zones:',
          '  - name: shop.example',
          '    file: shop.example.zone',
          '    notify:',
          '      - ns2.hosting.example', //        6: host name
          '      - "2001:db8::1:99999"', //        7: IPv6 with a port, no brackets
          '      - "[127.0.0.1]:53"', //           8: IPv4 in brackets
          '      - 127.0.0.1:0', //                9
          '      - 127.0.0.1:65536', //            10
          '      - 5301', //                       11: not a string
          '      - [127.0.0.1]', //                12: a list
          '      - { key: transfer }', //          13: no address
          '      - { adress: 127.0.0.1 }', //      14: misspelt
          '      - 192.0.2.1', //                  15
          '      - 192.0.2.1:53', //               16: duplicate (port 53)
          '      - "::1"', //                      17
          '      - "[0:0::1]:53"', //              18: duplicate
          '      - "127.0.0.1:"', //               19: empty port
          '  - name: partner.example',
          '    type: secondary',
          '    file: partner.zone',
          '    primaries: 127.0.0.1:5300', //      23: not a list
          '    notify:', //                        24: nothing
          '',
        ].join('\n'),
      ),
      [
        "F:6:9: zones[0].notify[0]: 'ns2.hosting.example' is not an IP address (host names are not allowed)",
        `F:7:9: zones[0].notify[1]: '2001:db8::1:99999' is not "address[:port]" (an IPv6 address with a port goes in brackets, as "[::1]:53")`,
        "F:8:9: zones[0].notify[2]: '127.0.0.1' is not an IPv6 address",
        "F:9:9: zones[0].notify[3]: bad port '0' (1..65535)",
        "F:10:9: zones[0].notify[4]: bad port '65536' (1..65535)",
        'F:11:9: zones[0].notify[5]: expected "address[:port]", got number 5301',
        'F:12:9: zones[0].notify[6]: expected "address[:port]" or { address, key }, got a list',
        'F:13:9: zones[0].notify[7].address: required key missing',
        'F:14:9: zones[0].notify[8].address: required key missing',
        "F:14:11: zones[0].notify[8].adress: unknown key 'adress' (did you mean 'address'?)",
        'F:16:9: zones[0].notify[10]: duplicate of zones[0].notify[9]',
        'F:18:9: zones[0].notify[12]: duplicate of zones[0].notify[11]',
        "F:19:9: zones[0].notify[13]: bad port '' (1..65535)",
        "F:23:16: zones[1].primaries: expected a list of addresses (write [] for none), got '127.0.0.1:5300'",
        'F:24:5: zones[1].notify: expected a list of addresses (write [] for none), got nothing',
      ],
    );
  });

  it('reports allow-transfer and allow-notify problems', () => {
    assert.deepEqual(
      lines(
        [
          'listen: ["127.0.0.1:53"]',
          'zones:',
          '  - name: shop.example',
          '    file: shop.example.zone',
          '    allow-transfer:',
          '      - 10.1.2.3/8', //                  6: host bits
          '      - "2001:db8::1/32"', //           7: host bits
          '      - 127.0.0.1/33', //               8
          '      - "::1/129"', //                  9
          '      - 127.0.0.1/x', //                10
          '      - 127.0.0.1:53', //               11: a port
          '      - "[::1]"', //                    12: brackets
          '      - localhost', //                  13
          '      - 10.0.0.0/8/8', //               14
          '      - 127', //                        15: a number
          '      - [127.0.0.1]', //                16
          '      - {}', //                         17
          '      - { address: 10.0.0.1/31, key: transfer }', // 18: host bits
          '      - { adress: 10.0.0.0/8 }', //     19
          '      - 127.0.0.1/', //                 20: empty prefix
          '  - name: partner.example',
          '    type: secondary',
          '    primaries: [127.0.0.1]',
          '    file: partner.zone',
          '    allow-notify: 127.0.0.1', //        25: not a list
          '    allow-transfer:', //                26: nothing
          '',
        ].join('\n'),
      ),
      [
        "F:6:9: zones[0].allow-transfer[0]: '10.1.2.3/8': host bits set (the network is 10.0.0.0/8)",
        "F:7:9: zones[0].allow-transfer[1]: '2001:db8::1/32': host bits set (the network is 2001:db8::/32)",
        "F:8:9: zones[0].allow-transfer[2]: bad prefix length '/33' (0..32)",
        "F:9:9: zones[0].allow-transfer[3]: bad prefix length '/129' (0..128)",
        "F:10:9: zones[0].allow-transfer[4]: bad prefix length '/x' (0..32)",
        "F:11:9: zones[0].allow-transfer[5]: '127.0.0.1:53' is not an address or network (a.b.c.d, a.b.c.d/n, v6 or v6/n; no host names, no ports)",
        "F:12:9: zones[0].allow-transfer[6]: '[::1]' is not an address or network (a.b.c.d, a.b.c.d/n, v6 or v6/n; no host names, no ports)",
        "F:13:9: zones[0].allow-transfer[7]: 'localhost' is not an address or network (a.b.c.d, a.b.c.d/n, v6 or v6/n; no host names, no ports)",
        "F:14:9: zones[0].allow-transfer[8]: bad prefix length '/8/8' (0..32)",
        'F:15:9: zones[0].allow-transfer[9]: expected "address" or "address/prefix", got number 127',
        'F:16:9: zones[0].allow-transfer[10]: expected "address[/prefix]" or { address, key }, got a list',
        'F:17:9: zones[0].allow-transfer[11]: needs an address, a key, or both',
        "F:18:20: zones[0].allow-transfer[12].address: '10.0.0.1/31': host bits set (the network is 10.0.0.0/31)",
        "F:19:11: zones[0].allow-transfer[13].adress: unknown key 'adress' (did you mean 'address'?)",
        "F:20:9: zones[0].allow-transfer[14]: bad prefix length '/' (0..32)",
        "F:25:19: zones[1].allow-notify: expected a list (write [] for nobody), got '127.0.0.1'",
        'F:26:5: zones[1].allow-transfer: expected a list (write [] for nobody), got nothing',
      ],
    );
  });

  it('reports references to keys that do not exist, wherever they are', () => {
    assert.deepEqual(
      lines(
        [
          'listen: ["127.0.0.1:53"]',
          KEYS.trimEnd(), //                                                  2-3
          'zones:',
          '  - name: shop.example',
          '    file: shop.example.zone',
          '    notify: [{ address: 127.0.0.1, key: transfr }]', //               7
          '    allow-transfer: [{ key: nope }, { address: "::1", key: other }]', // 8
          '  - name: partner.example',
          '    type: secondary',
          '    file: partner.zone',
          '    primaries: [{ address: 127.0.0.1, key: "" }, { address: "::1", key: Transfer }]', // 12
          '    allow-notify: [{ key: 42 }, { key: nope }]', //                   13
          '',
        ].join('\n'),
      ),
      [
        "F:7:41: zones[0].notify[0].key: unknown key 'transfr' (did you mean 'transfer'?)",
        "F:8:29: zones[0].allow-transfer[0].key: unknown key 'nope'",
        "F:8:60: zones[0].allow-transfer[1].key: unknown key 'other'",
        'F:12:44: zones[1].primaries[0].key: empty string',
        'F:13:27: zones[1].allow-notify[0].key: expected a string, got number 42 (quote it)',
        "F:13:40: zones[1].allow-notify[1].key: unknown key 'nope'",
      ],
    );
    // With no keys: section at all, every reference is unknown.
    assert.deepEqual(lines(`${MINIMAL.replace('[]', '')}  - { name: shop.example, file: shop.example.zone, allow-transfer: [{ key: transfer }] }\n`), [
      "F:3:76: zones[0].allow-transfer[0].key: unknown key 'transfer'",
    ]);
  });

  it('checks the zone type and the keys that go with it', () => {
    assert.deepEqual(
      lines(
        [
          'listen: ["127.0.0.1:53"]',
          'zones:',
          '  - name: a.example', //                     3
          '    type: slave',
          '    file: nope.zone', //                     not checked: the type is unknown
          '    primaries: [127.0.0.1]', //              not checked either
          '  - name: b.example', //                     7: secondary without primaries
          '    type: secondary',
          '    file: b.zone',
          '  - name: c.example', //                     10
          '    type: secondary',
          '    primaries: []', //                       12
          '    file: c.zone',
          '  - name: d.example', //                     14: primary (default) with secondary keys
          '    file: shop.example.zone',
          '    primaries: [127.0.0.1]', //              16
          '    allow-notify: []', //                    17
          '  - name: e.example',
          '    type: primary',
          '    file: hosting.example.zone',
          '    allow-notify:', //                       21: still reported on the key
          '  - name: f.example',
          '    type: secondary',
          '    primaries: [127.0.0.1]',
          '    file: a-folder.zone', //                 25: a folder
          '  - name: g.example',
          '    type: secondary',
          '    primaries: [127.0.0.1]',
          '    file: shop.example.zone/g.zone', //      29: "folder" is a file
          '  - name: h.example',
          '    type: secondary',
          '    primaries: [127.0.0.1]',
          '    file: shop.example.zone/x/h.zone', //    33: further up
          '  - name: i.example',
          '    type: secondary',
          '    primaries: [127.0.0.1]',
          '    file: sub/../shop.example.zone', //      37: the file of d.example
          '  - name: j.example',
          '    type: secondary',
          '    primaries: [127.0.0.1]',
          '    file: b.zone', //                        41: the file of b.example
          '  - name: k.example',
          '    type: Secondary', //                     43: case matters
          '    file: k.zone',
          '',
        ].join('\n'),
      ),
      [
        "F:4:11: zones[0].type: expected one of primary, secondary, catalog, got 'slave'",
        'F:7:5: zones[1].primaries: required for type secondary',
        'F:12:16: zones[2].primaries: must list at least one primary',
        'F:16:5: zones[3].primaries: only for type secondary',
        'F:17:5: zones[3].allow-notify: only for type secondary',
        'F:21:5: zones[4].allow-notify: expected a list (write [] for nobody), got nothing',
        'F:21:5: zones[4].allow-notify: only for type secondary',
        "F:25:11: zones[5].file: 'a-folder.zone' is not a regular file",
        "F:29:11: zones[6].file: cannot create 'shop.example.zone/g.zone': 'shop.example.zone' is not a folder",
        "F:33:11: zones[7].file: cannot create 'shop.example.zone/x/h.zone': 'shop.example.zone' is not a folder",
        "F:37:11: zones[8].file: 'sub/../shop.example.zone' is also the file of zones[3] (a secondary's file must be its own)",
        "F:41:11: zones[9].file: 'b.zone' is also the file of zones[1] (a secondary's file must be its own)",
        "F:43:11: zones[10].type: expected one of primary, secondary, catalog, got 'Secondary'",
      ],
    );
  });

  it('accepts a primary whose zone file does not exist yet (the zone loads when it appears)', () => {
    const c = load(`${MINIMAL.replace('[]', '')}  - { name: x.example, type: primary, file: x.zone, notify: [127.0.0.1] }\n`);
    assert.equal(c.zones[0]!.file, join(dir, 'x.zone'));
  });
});

describe('loadConfig: serial-policy', () => {
  const zones = (text: string): string[] => load(text).zones.map((z) => `${z.name}:${z.serialPolicy}`);

  it('takes the zone\'s own policy, else the server\'s, wherever the server section is', () => {
    for (const policy of ['file', 'increment', 'unixtime', 'dateserial']) {
      assert.equal(load(`${MINIMAL}server: { serial-policy: ${policy} }\n`).server.serialPolicy, policy);
    }
    const text = [
      'listen: ["127.0.0.1:5300"]',
      'zones:',
      '  - { name: a.example, file: shop.example.zone }',
      '  - { name: b.example, file: shop.example.zone, serial-policy: file }',
      '  - { name: c.example, file: shop.example.zone, serial-policy: increment }',
      '  - { name: d.example, type: secondary, primaries: [192.0.2.1], file: d.zone }',
      'server:', //                                     after the zones
      '  serial-policy: dateserial',
      '',
    ].join('\n');
    assert.deepEqual(zones(text), ['a.example:dateserial', 'b.example:file', 'c.example:increment', 'd.example:dateserial']);
    assert.deepEqual(zones(text.replace(/server:\n.*\n/, '')), ['a.example:increment', 'b.example:file', 'c.example:increment', 'd.example:increment']);
  });

  it('reports bad values and a policy on a secondary', () => {
    assert.deepEqual(
      lines(
        [
          'listen: ["127.0.0.1:5300"]',
          'server:',
          '  serial-policy: date',
          'zones:',
          '  - { name: a.example, file: shop.example.zone, serial-policy: Increment }',
          '  - { name: b.example, file: shop.example.zone, serial-policy: }',
          '  - { name: c.example, type: secondary, primaries: [192.0.2.1], file: c.zone, serial-policy: unixtime }',
          '  - { name: d.example, file: shop.example.zone, serial-policy: [file] }',
          '',
        ].join('\n'),
      ),
      [
        "F:3:18: server.serial-policy: expected one of file, increment, unixtime, dateserial, got 'date'",
        "F:5:64: zones[0].serial-policy: expected one of file, increment, unixtime, dateserial, got 'Increment'",
        'F:6:49: zones[1].serial-policy: expected one of file, increment, unixtime, dateserial, got nothing',
        'F:7:79: zones[2].serial-policy: only for type primary',
        'F:8:64: zones[3].serial-policy: expected one of file, increment, unixtime, dateserial, got a list',
      ],
    );
  });
});

describe('loadConfig: zone read limits and include-confine', () => {
  const base = (server: string, zone = ''): string =>
    `listen: ["127.0.0.1:5300"]\nzones:\n  - { name: a.example, file: shop.example.zone${zone} }\n  - { name: b.example, file: shop.example.zone }\n${server === '' ? '' : `server: { ${server} }\n`}`;

  const good: { name: string; server: string; zone?: string; a: object; b?: object; confine?: [boolean, boolean] }[] = [
    { name: 'defaults', server: '', a: DEFAULT_ZONE_LIMITS, b: DEFAULT_ZONE_LIMITS, confine: [false, false] },
    {
      name: 'server values (sizes with units), for every zone',
      server: 'max-include-reads: 10, max-records: 5000, max-zone-file-size: 512M, max-line-length: 64K, include-confine: true',
      a: { maxIncludeReads: 10, maxRecords: 5000, maxFileBytes: 512 * 1024 * 1024, maxLineBytes: 65536 },
      confine: [true, true],
    },
    {
      name: 'a zone\'s own values over the server\'s (server section after the zones)',
      server: 'max-records: 5000, include-confine: true',
      zone: ', max-records: 7, max-zone-file-size: 2048, include-confine: false',
      a: { ...DEFAULT_ZONE_LIMITS, maxRecords: 7, maxFileBytes: 2048 },
      b: { ...DEFAULT_ZONE_LIMITS, maxRecords: 5000 },
      confine: [false, true],
    },
    { name: 'sizes as integers', server: 'max-zone-file-size: 1000000, max-line-length: 4096', a: { ...DEFAULT_ZONE_LIMITS, maxFileBytes: 1_000_000, maxLineBytes: 4096 } },
  ];
  for (const c of good) {
    it(c.name, () => {
      const cfgd = load(base(c.server, c.zone));
      assert.deepEqual(cfgd.zones[0]!.limits, { ...DEFAULT_ZONE_LIMITS, ...c.a });
      if (c.b !== undefined) assert.deepEqual(cfgd.zones[1]!.limits, c.b);
      if (c.confine !== undefined) assert.deepEqual(cfgd.zones.map((z) => z.includeConfine), c.confine);
    });
  }

  it('refuses bad values with one line naming the setting', () => {
    assert.deepEqual(lines(base('max-records: 0, max-zone-file-size: 12X, max-line-length: 100, include-confine: yes, max-include-reads: -1')), [
      'F:5:24: server.max-records: 0 is out of range (1..100000000)',
      "F:5:47: server.max-zone-file-size: bad size '12X' (use a number of octets, or a whole number with a unit: 512K, 256M, 1G)",
      'F:5:69: server.max-line-length: must be from 1K to 1G',
      "F:5:91: server.include-confine: expected true or false, got 'yes' (write true)",
      'F:5:115: server.max-include-reads: -1 is out of range (0..1000000)',
    ]);
    assert.deepEqual(lines(base('', ', max-records: many')), ["F:3:62: zones[0].max-records: expected an integer from 1 to 100000000, got 'many'"]);
  });

  it('the include-confine default depends on where the zone came from (a zone directory confines)', () => {
    assert.equal(defaultIncludeConfine('listed'), false);
    assert.equal(defaultIncludeConfine('zone-directory'), true);
  });
});

describe('loadConfig: server.rate-limit', () => {
  const withRrl = (v: string): string => `listen: ["127.0.0.1:5300"]\nserver:\n  rate-limit: ${v}\nzones: []\n`;
  const v4 = (a: number, b: number, c: number, d: number, prefix: number) => ({ family: 4, network: Uint8Array.of(a, b, c, d), prefix });
  const good: { name: string; yaml: string; want: unknown }[] = [
    { name: 'false turns it off', yaml: 'false', want: null },
    { name: 'true is the defaults', yaml: 'true', want: RATE_LIMIT_DEFAULTS },
    {
      name: "BIND's names; the per-kind rates default to responses-per-second; an explicit exempt replaces loopback",
      yaml: '{ responses-per-second: 20, window: 5, slip: 0, ipv4-prefix-length: 32, ipv6-prefix-length: 64, exempt: ["10.0.0.0/8"], max-table-size: 1000, log-only: true }',
      want: {
        ...RATE_LIMIT_DEFAULTS, responsesPerSecond: 20, referralsPerSecond: 20, nodataPerSecond: 20, nxdomainsPerSecond: 20, errorsPerSecond: 20,
        window: 5, slip: 0, ipv4PrefixLength: 32, ipv6PrefixLength: 64, exempt: [v4(10, 0, 0, 0, 8)], maxTableSize: 1000, logOnly: true,
      },
    },
    {
      name: 'separate NXDOMAIN, error, referral and NODATA rates',
      yaml: '{ nxdomains-per-second: 5, errors-per-second: 3, referrals-per-second: 0, nodata-per-second: 7 }',
      want: { ...RATE_LIMIT_DEFAULTS, nxdomainsPerSecond: 5, errorsPerSecond: 3, referralsPerSecond: 0, nodataPerSecond: 7 },
    },
    { name: 'exempt: [] exempts nobody', yaml: '{ exempt: [] }', want: { ...RATE_LIMIT_DEFAULTS, exempt: [] } },
  ];
  for (const c of good) {
    it(c.name, () => {
      assert.deepEqual(load(withRrl(c.yaml)).server.rateLimit, c.want);
    });
  }
  const bad: { yaml: string; message: RegExp }[] = [
    { yaml: '{ responses-per-second: -1 }', message: /server\.rate-limit\.responses-per-second: -1 is out of range \(0\.\.1000000\)/ },
    { yaml: '{ window: 0 }', message: /server\.rate-limit\.window: 0 is out of range \(1\.\.3600\)/ },
    { yaml: '{ slip: 11 }', message: /server\.rate-limit\.slip: 11 is out of range \(0\.\.10\)/ },
    { yaml: '{ ipv6-prefix-length: 129 }', message: /ipv6-prefix-length: 129 is out of range \(0\.\.128\)/ },
    { yaml: '{ exempt: "127.0.0.1" }', message: /server\.rate-limit\.exempt: expected a list of networks/ },
    { yaml: '{ exempt: ["127.0.0.1/8"] }', message: /host bits set/ },
    { yaml: '{ responses-per-secnd: 5 }', message: /unknown key 'responses-per-secnd' \(did you mean 'responses-per-second'\?\)/ },
    { yaml: 'yes', message: /server\.rate-limit: expected false, true or a mapping/ },
  ];
  for (const c of bad) {
    it(`refuses rate-limit: ${c.yaml}`, () => {
      const msg = lines(withRrl(c.yaml)).join('\n');
      assert.match(msg, c.message);
      assert.equal(msg.split('\n').length, 1);
    });
  }
});

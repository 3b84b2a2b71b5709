/** The replication view (issue 15 §2): observation sequences → what each secondary holds, its state, versions behind and lag. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReplicationView, replaces, type Observation } from '../../../src/xfr/replication-view.js';

const Z = 'example.com.';
const NS2 = '127.0.0.1:5302';
const T0 = Date.UTC(2026, 11, 3, 10, 0, 0);
const s = (n: number): number => T0 + n * 1000;

type Step =
  | { served: number; at: number }
  | { obs: Observation }
  | { contact: number }
  | { failed: number; reason: string };

interface Case {
  name: string;
  steps: Step[];
  now: number;
  want: { serial: number | null; source: string | null; state: string; behindVersions: number | null; lagSeconds: number | null; problem?: string | null };
}

const cases: Case[] = [
  {
    name: 'nothing learnt: unknown',
    steps: [{ served: 1, at: s(0) }],
    now: s(10),
    want: { serial: null, source: null, state: 'unknown', behindVersions: null, lagSeconds: null },
  },
  {
    name: 'a completed transfer of the served serial: in sync, lag 0',
    steps: [{ served: 1, at: s(0) }, { obs: { serial: 1, source: 'transfer', at: s(1) } }],
    now: s(10),
    want: { serial: 1, source: 'transfer', state: 'in-sync', behindVersions: 0, lagSeconds: 0 },
  },
  {
    name: 'holds 1, three versions served since: behind by 3, lag from the first it lacks',
    steps: [
      { served: 1, at: s(0) }, { obs: { serial: 1, source: 'probe', at: s(1) } },
      { served: 2, at: s(10) }, { served: 3, at: s(20) }, { served: 4, at: s(30) },
    ],
    now: s(40),
    want: { serial: 1, source: 'probe', state: 'behind', behindVersions: 3, lagSeconds: 30 },
  },
  {
    name: 'a probe after the NOTIFY (old serial), then the transfer: weaker but newer serial wins',
    steps: [
      { served: 1, at: s(0) }, { served: 2, at: s(10) },
      { obs: { serial: 1, source: 'probe', at: s(11) } }, { obs: { serial: 2, source: 'transfer', at: s(12) } },
    ],
    now: s(13),
    want: { serial: 2, source: 'transfer', state: 'in-sync', behindVersions: 0, lagSeconds: 0 },
  },
  {
    name: 'a probe racing the transfer it has not applied yet does not move the view back',
    steps: [
      { served: 1, at: s(0) }, { served: 2, at: s(10) },
      { obs: { serial: 2, source: 'transfer', at: s(11) } }, { obs: { serial: 1, source: 'probe', at: s(12) } },
    ],
    now: s(13),
    want: { serial: 2, source: 'transfer', state: 'in-sync', behindVersions: 0, lagSeconds: 0 },
  },
  {
    name: 'a transfer the secondary threw away: the probe past the settle time wins',
    steps: [
      { served: 1, at: s(0) }, { served: 2, at: s(10) },
      { obs: { serial: 2, source: 'transfer', at: s(11) } }, { obs: { serial: 1, source: 'probe', at: s(30) } },
    ],
    now: s(40),
    want: { serial: 1, source: 'probe', state: 'behind', behindVersions: 1, lagSeconds: 30 },
  },
  {
    name: 'an IXFR request of an older serial after a probe: contact only',
    steps: [
      { served: 1, at: s(0) }, { served: 2, at: s(10) },
      { obs: { serial: 2, source: 'probe', at: s(11) } }, { obs: { serial: 1, source: 'ixfr-request', at: s(12) } },
    ],
    now: s(13),
    want: { serial: 2, source: 'probe', state: 'in-sync', behindVersions: 0, lagSeconds: 0 },
  },
  {
    name: 'a stronger source replaces a weaker one of the same time',
    steps: [{ served: 5, at: s(0) }, { obs: { serial: 5, source: 'ixfr-request', at: s(1) } }, { obs: { serial: 5, source: 'probe', at: s(1) } }],
    now: s(2),
    want: { serial: 5, source: 'probe', state: 'in-sync', behindVersions: 0, lagSeconds: 0 },
  },
  {
    name: 'an observation older than the one held is ignored',
    steps: [{ served: 1, at: s(0) }, { served: 2, at: s(5) }, { obs: { serial: 2, source: 'probe', at: s(10) } }, { obs: { serial: 1, source: 'probe', at: s(9) } }],
    now: s(11),
    want: { serial: 2, source: 'probe', state: 'in-sync', behindVersions: 0, lagSeconds: 0 },
  },
  {
    name: 'a failed probe after the last contact: unreachable, with the reason and what it last held',
    steps: [{ served: 1, at: s(0) }, { obs: { serial: 1, source: 'probe', at: s(1) } }, { failed: s(61), reason: 'no answer to the SOA query within 2000 ms' }],
    now: s(62),
    want: { serial: 1, source: 'probe', state: 'unreachable', behindVersions: 0, lagSeconds: 0, problem: 'no answer to the SOA query within 2000 ms' },
  },
  {
    name: 'contact after a failure (a NOTIFY acknowledged): reachable again',
    steps: [{ served: 1, at: s(0) }, { obs: { serial: 1, source: 'probe', at: s(1) } }, { failed: s(61), reason: 'x' }, { contact: s(62) }],
    now: s(63),
    want: { serial: 1, source: 'probe', state: 'in-sync', behindVersions: 0, lagSeconds: 0, problem: null },
  },
  {
    name: 'a probe answered SERVFAIL (no copy): behind, versions not countable, lag from the oldest version known',
    steps: [{ served: 7, at: s(0) }, { obs: { serial: null, source: 'probe', at: s(3) } }],
    now: s(10),
    want: { serial: null, source: 'probe', state: 'behind', behindVersions: null, lagSeconds: 10 },
  },
  {
    name: 'a secondary with a serial newer than ours: ahead',
    steps: [{ served: 10, at: s(0) }, { obs: { serial: 12, source: 'probe', at: s(1) } }],
    now: s(2),
    want: { serial: 12, source: 'probe', state: 'ahead', behindVersions: null, lagSeconds: null },
  },
  {
    name: 'serial arithmetic wraps (RFC 1982): 4294967295 then 1',
    steps: [{ served: 4294967295, at: s(0) }, { obs: { serial: 4294967295, source: 'probe', at: s(1) } }, { served: 1, at: s(5) }],
    now: s(6),
    want: { serial: 4294967295, source: 'probe', state: 'behind', behindVersions: 1, lagSeconds: 1 },
  },
];

describe('ReplicationView', () => {
  for (const c of cases) {
    it(c.name, () => {
      const v = new ReplicationView();
      v.targets(Z, [NS2]);
      for (const st of c.steps) {
        if ('served' in st) v.served(Z, st.served, st.at);
        else if ('obs' in st) v.observe(Z, NS2, st.obs);
        else if ('contact' in st) v.contact(Z, NS2, st.contact);
        else v.failed(Z, NS2, st.failed, st.reason);
      }
      const [row, ...rest] = v.list(c.now, Z);
      assert.equal(rest.length, 0);
      assert.ok(row !== undefined);
      const got = { serial: row.serial, source: row.source, state: row.state, behindVersions: row.behindVersions, lagSeconds: row.lagSeconds, ...(c.want.problem === undefined ? {} : { problem: row.problem }) };
      assert.deepEqual(got, c.want);
    });
  }

  it('counts versions from before this process through the journal chain (seed), lag from the first time known', () => {
    const v = new ReplicationView();
    v.targets(Z, [NS2]);
    v.served(Z, 5, s(100));
    v.seed(Z, [2, 3, 4, 5]);
    v.observe(Z, NS2, { serial: 3, source: 'probe', at: s(101) });
    const [row] = v.list(s(110), Z);
    assert.equal(row?.behindVersions, 2);
    assert.equal(row?.behindSince, new Date(s(100)).toISOString());
  });

  it('drops a client that transferred once, after the retention; keeps notify targets', () => {
    const v = new ReplicationView({ retentionMs: 60_000 });
    v.targets(Z, [NS2]);
    v.served(Z, 1, s(0));
    v.observe(Z, '192.0.2.9', { serial: 1, source: 'transfer', at: s(1) });
    assert.deepEqual(v.list(s(2), Z).map((r) => [r.secondary, r.notifyTarget]), [[NS2, true], ['192.0.2.9', false]]);
    v.prune(s(62));
    assert.deepEqual(v.list(s(62), Z).map((r) => r.secondary), [NS2]);
  });

  it('keeps at most maxClients clients per zone, dropping the least recently seen', () => {
    const v = new ReplicationView({ maxClients: 2 });
    v.served(Z, 1, s(0));
    for (let i = 1; i <= 4; i++) v.observe(Z, `192.0.2.${i}`, { serial: 1, source: 'transfer', at: s(i) });
    assert.deepEqual(v.list(s(5), Z).map((r) => r.secondary), ['192.0.2.3', '192.0.2.4']);
  });

  it('keeps at most maxVersions serials per zone: older ones are behind by an uncounted number', () => {
    const v = new ReplicationView({ maxVersions: 3 });
    v.targets(Z, [NS2]);
    v.served(Z, 1, s(0));
    v.observe(Z, NS2, { serial: 1, source: 'probe', at: s(0) });
    for (let i = 2; i <= 5; i++) v.served(Z, i, s(i));
    const [row] = v.list(s(10), Z);
    assert.equal(row?.state, 'behind');
    assert.equal(row?.behindVersions, null);
    assert.equal(row?.lagSeconds, 7); // from serial 3's time, the oldest kept (at least this long)
  });

  it('lists every zone sorted by zone then secondary, as plain JSON', () => {
    const v = new ReplicationView();
    v.targets('b.example.', ['127.0.0.1:2', '127.0.0.1:1']);
    v.targets('a.example.', ['127.0.0.1:9']);
    v.served('a.example.', 1, s(0));
    v.served('b.example.', 1, s(0));
    const rows = v.list(s(1));
    assert.deepEqual(rows.map((r) => `${r.zone} ${r.secondary}`), ['a.example. 127.0.0.1:9', 'b.example. 127.0.0.1:1', 'b.example. 127.0.0.1:2']);
    assert.deepEqual(JSON.parse(JSON.stringify(rows)), rows);
  });

  it('a target removed from notify becomes a client; a zone no longer served is forgotten', () => {
    const v = new ReplicationView();
    v.targets(Z, [NS2]);
    v.served(Z, 1, s(0));
    v.observe(Z, NS2, { serial: 1, source: 'probe', at: s(1) });
    v.targets(Z, []);
    assert.equal(v.list(s(2), Z)[0]?.notifyTarget, false);
    v.keepZones(new Set());
    assert.deepEqual(v.list(s(2)), []);
  });
});

describe('replaces (the rule)', () => {
  const o = (serial: number, source: Observation['source'], at: number): Observation => ({ serial, source, at });
  const table: [string, Observation | null, Observation, boolean][] = [
    ['anything replaces nothing', null, o(1, 'ixfr-request', 0), true],
    ['newer, same source', o(1, 'probe', 0), o(1, 'probe', 1), true],
    ['newer, weaker, same serial: no', o(1, 'probe', 0), o(1, 'transfer', 1), false],
    ['newer, weaker, newer serial: yes', o(1, 'probe', 0), o(2, 'transfer', 1), true],
    ['newer, weaker, older serial: no', o(2, 'probe', 0), o(1, 'ixfr-request', 1), false],
    ['older: no, even when stronger', o(1, 'ixfr-request', 5), o(2, 'probe', 4), false],
    ['newer, stronger, older serial (past the settle time): yes', o(2, 'transfer', 0), o(1, 'probe', 6000), true],
    ['newer, stronger, older serial within the settle time: no', o(2, 'transfer', 0), o(1, 'probe', 4000), false],
  ];
  for (const [name, c, n, want] of table) it(name, () => assert.equal(replaces(c, n, 5000), want));
});

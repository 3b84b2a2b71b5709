/**
 * Zone images across threads (issue 16 §3): the images of two zones are
 * posted to a real worker_threads Worker, which makes the Zones and
 * answers questions through a Responder; its responses must be the octets
 * the main thread's Responder over the zones themselves gives.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadZoneText, zoneImage } from '../../../src/zone/index.js';
import { ZoneSet } from '../../../src/query/index.js';
import { Responder } from '../../../src/server/responder.js';
import { Name, RRType, emptyMessage, encodeMessageToBytes } from '../../../src/wire/index.js';
import { answerInWorker } from '../../support/image-worker.js';

const COM = `$ORIGIN Example.COM.
$TTL 300
@ SOA ns1 hostmaster 2026120701 7200 3600 1209600 300
@ NS ns1
@ MX 10 Mail
ns1 A 192.0.2.53
Mail A 192.0.2.25
www A 192.0.2.80
www AAAA 2001:db8::80
WWW TXT "spelled otherwise"
*.wild A 192.0.2.90
a.b.ent A 192.0.2.70
cname CNAME www
dn DNAME example.net.
deleg NS ns.deleg
ns.deleg A 192.0.2.100
big TXT ${Array.from({ length: 12 }, (_, i) => `"${i}${'b'.repeat(200)}"`).join(' ')}
`;
const NET = `$ORIGIN example.net.
$TTL 300
@ SOA ns1.example.com. hostmaster 7 7200 3600 1209600 300
@ NS ns1.example.com.
www A 198.51.100.80
`;

const NAMES = ['example.com', 'WWW.example.com', 'www.EXAMPLE.com', 'mail.example.com', 'x.wild.example.com', 'b.ent.example.com', 'nope.example.com', 'cname.example.com', 'x.dn.example.com', 'q.deleg.example.com', 'big.example.com', 'www.example.net', 'example.org'];
const TYPES = [RRType.A, RRType.AAAA, RRType.TXT, RRType.MX, RRType.NS, RRType.SOA, RRType.ANY];

describe('zone images in a worker thread', () => {
  it('a worker answering from posted images gives the main thread\'s octets', async () => {
    const zones = [loadZoneText(COM, Name.fromText('example.com.')), loadZoneText(NET, Name.fromText('example.net.'))];
    const options = { udpPayload: 1232, identity: 'ns1.test', version: 'tyne-test' };
    const responder = new Responder(new ZoneSet(zones), options);
    const queries: { bytes: Uint8Array; tcp: boolean }[] = [];
    let id = 1;
    for (const name of NAMES) {
      for (const type of TYPES) {
        for (const tcp of [false, true]) {
          const m = emptyMessage(id++);
          m.questions.push({ name: Name.fromText(`${name}.`), type, class: 1 });
          if (id % 2 === 0) m.edns = { udpPayload: 512, version: 0, dnssecOk: false, z: 0, options: [] };
          queries.push({ bytes: encodeMessageToBytes(m), tcp });
        }
      }
    }
    // Each query twice: the worker's second answers may come from its answer cache.
    const all = [...queries, ...queries];
    const reply = await answerInWorker({ images: zones.map(zoneImage), queries: all, options });
    assert.equal(reply.shared, true, 'the images arrived as SharedArrayBuffers');
    assert.equal(reply.identityKept, true);
    assert.equal(reply.responses.length, all.length);
    let answered = 0;
    for (let i = 0; i < all.length; i++) {
      const want = responder.handle(all[i]!.bytes, { tcp: all[i]!.tcp });
      const got = reply.responses[i] ?? null;
      assert.equal(got === null ? 'null' : Buffer.from(got).toString('hex'), want === null ? 'null' : Buffer.from(want).toString('hex'), `query ${i}`);
      if (want !== null && want.length > 12) answered++;
    }
    assert.ok(answered > all.length / 2, `${answered} real responses compared`);
  });
});

/**
 * The production examples of zones/systemd/ (ns1.yaml, ns2.yaml, for
 * /etc/tyne) laid out in a scratch folder as the units would find them on
 * two hosts: `<dir>/ns1/etc/ns1.yaml` with the zone files beside it in
 * `zones/` (copied from the repository's zones/), and its data and
 * runtime folders (`/var/lib/tyne/ns1`, `/run/tyne/ns1`) as
 * `<dir>/ns1/data` and `<dir>/ns1/run`; the same for ns2. What is
 * rewritten, and nothing else: those paths, the listen addresses and
 * peers' addresses (the documentation addresses 192.0.2.53 and
 * 198.51.100.53 to the ones given; IPv6 listen entries dropped), and the
 * key's placeholder (to the secret given). Each rewrite must match, so a
 * change of the shipped files' shape fails the tests that use this.
 */
import { chmodSync, chownSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths.js';

export const EXAMPLES_DIR = join(repoRoot, 'zones', 'systemd');
/** The key's placeholder in the shipped configurations (not base64: the loader refuses it). */
export const SECRET_PLACEHOLDER = 'REPLACE-ME-with-the-base64-secret-of-tsig-keygen';
const NS1_ADDRESS = '192.0.2.53';
const NS2_ADDRESS = '198.51.100.53';

export interface ExampleHost {
  /** The configuration file (`/etc/tyne/nsN.yaml` on the host). */
  config: string;
  data: string;
  /** The control socket. */
  socket: string;
  /** The folder of its zone files (ns1 only; `/etc/tyne/zones`). */
  zones: string;
}

export interface ExampleLayout {
  ns1: ExampleHost;
  ns2: ExampleHost;
}

/** Replaces every `from` in `text` by `to`, and throws when there is none. */
function swap(text: string, from: string | RegExp, to: string, what: string): string {
  const re = typeof from === 'string' ? new RegExp(from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g') : from;
  if (!re.test(text)) throw new Error(`${what}: ${String(from)} not found; zones/systemd/ changed shape, update test/support/systemd-examples.ts`);
  re.lastIndex = 0;
  return text.replace(re, to);
}

/**
 * The shipped `nsN.yaml` with only the addresses (listen: the host's own
 * on port 53, IPv6 dropped; peers) and the key's placeholder rewritten:
 * the file as the install steps put it in /etc/tyne, its paths
 * (/etc/tyne/zones, /var/lib/tyne/nsN, /run/tyne/nsN) as shipped.
 */
export function shippedConfig(name: 'ns1' | 'ns2', opts: { ns1: string; ns2: string; secret: string }): string {
  let text = readFileSync(join(EXAMPLES_DIR, `${name}.yaml`), 'utf8');
  const own = name === 'ns1' ? NS1_ADDRESS : NS2_ADDRESS;
  const peer = name === 'ns1' ? NS2_ADDRESS : NS1_ADDRESS;
  text = swap(text, /^listen: \[.*\]$/m, `listen: ["${name === 'ns1' ? opts.ns1 : opts.ns2}:53"]`, `${name}.yaml listen`);
  if (text.includes(own)) throw new Error(`${name}.yaml names its own address ${own} outside listen`);
  text = swap(text, peer, name === 'ns1' ? opts.ns2 : opts.ns1, `${name}.yaml peer`);
  return swap(text, SECRET_PLACEHOLDER, opts.secret, `${name}.yaml key`);
}

/** The repository's zone files as the install steps copy them into ns1's /etc/tyne/zones (`zonesDir`, made). */
export function installZones(zonesDir: string): void {
  mkdirSync(zonesDir, { recursive: true });
  for (const f of ['hosting.example.zone', '2.0.192.in-addr.arpa.zone', 'customers']) cpSync(join(repoRoot, 'zones', f), join(zonesDir, f), { recursive: true });
  chmodSync(zonesDir, 0o755);
  chmodSync(join(zonesDir, 'customers'), 0o755);
}

/**
 * Writes the layout into `dir` (which must exist). `owner` gets the data
 * and runtime folders (as StateDirectory= and RuntimeDirectory= would
 * give them to User=); everything else is root's and readable by all.
 */
export function installExamples(dir: string, opts: { ns1: string; ns2: string; secret: string; owner?: { uid: number; gid: number } }): ExampleLayout {
  const host = (name: 'ns1' | 'ns2'): ExampleHost => {
    const base = join(dir, name);
    const h = { config: join(base, 'etc', `${name}.yaml`), data: join(base, 'data'), socket: join(base, 'run', 'tyne.sock'), zones: join(base, 'etc', 'zones') };
    for (const d of [join(base, 'etc'), h.data, join(base, 'run')]) {
      mkdirSync(d, { recursive: true });
      chmodSync(d, 0o755);
    }
    chmodSync(base, 0o755);
    if (opts.owner !== undefined) for (const d of [h.data, join(base, 'run')]) chownSync(d, opts.owner.uid, opts.owner.gid);
    let text = shippedConfig(name, opts);
    text = swap(text, `/var/lib/tyne/${name}`, h.data, `${name}.yaml data-dir`);
    text = swap(text, `/run/tyne/${name}/tyne.sock`, h.socket, `${name}.yaml control socket`);
    writeFileSync(h.config, text, { mode: 0o644 });
    return h;
  };
  const ns1 = host('ns1');
  const ns2 = host('ns2');
  // /etc/tyne/zones on ns1: the repository's zones, as README.md's install steps copy them.
  installZones(ns1.zones);
  return { ns1, ns2 };
}

/**
 * Hosts on one machine, for tests of the real layout (ns1 and ns2 on
 * hosts of their own, each on port 53): a network namespace per host
 * (`ip netns add`), all joined by a bridge in a namespace of its own (the
 * LAN), and the test's own (host) namespace on the same LAN, so the test
 * reaches every host and the hosts reach each other without forwarding in
 * the host namespace. Addresses are `10.53.N.0/24` with N from the test's
 * pid (private, used only on the LAN's interfaces). Names carry the pid,
 * so runs never share one; close() deletes the namespaces, which removes
 * every interface made (the host end of a veth goes with its peer).
 *
 * IPv6 (for tests that want it): the same LAN is `fd00:53:N::/64` (unique
 * local, RFC 4193), given to interfaces by addHostAddress/addSelfAddress
 * with the other addresses a test needs (a second IPv4 address of a host,
 * say). IPv6 addresses are added without duplicate address detection
 * (`nodad`: the LAN is the test's own), so they are usable at once.
 *
 * Needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN) and `ip`; `available()`
 * says why not, for a loud skip.
 */
import { spawnSync } from 'node:child_process';

/** Runs `ip ...args`; throws with its stderr on failure. */
function ip(...args: string[]): string {
  const r = spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: exit ${r.status}: ${(r.stderr ?? '').trim() || r.error?.message}`);
  return r.stdout;
}

export interface LabHost {
  /** The namespace's name, for `ip netns exec`. */
  readonly ns: string;
  /** Its address on the LAN. */
  readonly address: string;
  /** Its interface on the LAN (inside its namespace). */
  readonly dev: string;
}

export class NetLab {
  private readonly made: string[] = [];
  private constructor(
    readonly prefix: string,
    /** The LAN's first three octets, `10.53.N`. */
    readonly net: string,
    readonly hosts: LabHost[],
    /** The test's own address on the LAN (in the host namespace). */
    readonly self: string,
    /** The LAN's IPv6 prefix, `fd00:53:N::` (a /64): hosts' IPv6 addresses are `${net6}1` and so on, once added. */
    readonly net6: string,
    /** The test's own end of the LAN (an interface of the host namespace, deleted with the LAN). */
    readonly selfDev: string,
  ) {}

  /** Why namespaces cannot be made here (not root, no `ip`, a sandbox refusing them), or null. */
  static unavailable(): string | null {
    if (process.getuid?.() !== 0) return 'not root: network namespaces need CAP_SYS_ADMIN and CAP_NET_ADMIN';
    const name = `tyne-probe-${process.pid}`;
    try {
      ip('netns', 'add', name);
    } catch (e) {
      return `ip netns add is not permitted here (${(e as Error).message})`;
    }
    try {
      ip('netns', 'del', name);
    } catch {
      // gone already
    }
    return null;
  }

  /**
   * Makes the LAN and one namespace per name (`ns1`, `ns2`), each with its
   * address (.1, .2, ... in the order given) and lo up; the host namespace
   * gets .254. On a failure half way, what was made is deleted.
   */
  static create(names: readonly string[]): NetLab {
    const pid = process.pid;
    const prefix = `tyne-t${pid}`;
    const net = `10.53.${20 + (pid % 200)}`;
    const tag = (pid % 100_000).toString(36);
    const hosts = names.map((n, i) => ({ ns: `${prefix}-${n}`, address: `${net}.${i + 1}`, dev: 'lan0' }));
    const lab = new NetLab(prefix, net, hosts, `${net}.254`, `fd00:53:${20 + (pid % 200)}::`, `ty${tag}sa`);
    try {
      const lan = `${prefix}-lan`;
      ip('netns', 'add', lan);
      lab.made.push(lan);
      ip('-n', lan, 'link', 'add', 'br0', 'type', 'bridge');
      ip('-n', lan, 'link', 'set', 'br0', 'up');
      ip('-n', lan, 'link', 'set', 'lo', 'up');
      const plug = (end: string, into: string | null, dev: string, address: string): void => {
        // Interface names: at most 15 octets, unique in the host namespace while both ends are born there.
        ip('link', 'add', `${end}a`, 'type', 'veth', 'peer', 'name', `${end}b`);
        ip('link', 'set', `${end}b`, 'netns', lan);
        ip('-n', lan, 'link', 'set', `${end}b`, 'master', 'br0', 'up');
        if (into !== null) {
          ip('link', 'set', `${end}a`, 'netns', into);
          ip('-n', into, 'link', 'set', `${end}a`, 'name', dev);
          ip('-n', into, 'addr', 'add', `${address}/24`, 'dev', dev);
          ip('-n', into, 'link', 'set', dev, 'up');
        } else {
          ip('addr', 'add', `${address}/24`, 'dev', `${end}a`);
          ip('link', 'set', `${end}a`, 'up');
        }
      };
      lab.hosts.forEach((h, i) => {
        ip('netns', 'add', h.ns);
        lab.made.push(h.ns);
        ip('-n', h.ns, 'link', 'set', 'lo', 'up');
        plug(`ty${tag}h${i}`, h.ns, h.dev, h.address);
      });
      plug(`ty${tag}s`, null, '', lab.self);
    } catch (e) {
      lab.close();
      throw e;
    }
    return lab;
  }

  host(name: string): LabHost {
    const h = this.hosts.find((x) => x.ns === `${this.prefix}-${name}`);
    if (h === undefined) throw new Error(`no host ${name} in the lab`);
    return h;
  }

  /** Adds `cidr` (`10.53.N.11/24`, `fd00:53:N::11/64`) to `name`'s LAN interface, beside its first address. */
  addHostAddress(name: string, cidr: string): void {
    const h = this.host(name);
    ip('-n', h.ns, 'addr', 'add', cidr, 'dev', h.dev, ...(cidr.includes(':') ? ['nodad'] : []));
  }

  /** Adds `cidr` to the test's own end of the LAN (in the host namespace). */
  addSelfAddress(cidr: string): void {
    ip('addr', 'add', cidr, 'dev', this.selfDev, ...(cidr.includes(':') ? ['nodad'] : []));
  }

  /** The command prefix that runs a program inside `name`'s namespace. */
  exec(name: string): string[] {
    return ['ip', 'netns', 'exec', this.host(name).ns];
  }

  /** Takes `name` off the LAN (its interface down): a host that is down, as seen from the others. */
  down(name: string): void {
    const h = this.host(name);
    ip('-n', h.ns, 'link', 'set', h.dev, 'down');
  }

  /** Deletes every namespace made (and so every interface); the processes in them must have been stopped. */
  close(): void {
    for (const ns of this.made.splice(0).reverse()) {
      try {
        ip('netns', 'del', ns);
      } catch {
        // already gone
      }
    }
  }
}

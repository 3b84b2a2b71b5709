/**
 * A real systemd system manager for tests of units, on a machine whose
 * PID 1 is not systemd (a sandbox, a container, a CI runner): systemd
 * runs as PID 1 of new PID, mount, UTS and cgroup namespaces (unshare),
 * optionally in a network namespace of the test's (test/support/netns.ts),
 * and the test talks to it with `nsenter -t PID -a systemctl ...`.
 *
 * What it sees, in its own mount namespace (nothing of the host changes):
 * - /sys/fs/cgroup: a cgroup2 mount, rooted (cgroup namespace) at a group
 *   of its own made under the host's cgroup2 mount (`tyne-sd-<pid>-<n>`).
 * - /etc, /var and /usr/local: overlays on the host's, their changes kept
 *   in the scratch folder (so `systemd-sysusers` adds users to a copy of
 *   /etc/passwd, StateDirectory= makes /var/lib/... in the copy).
 * - /etc/systemd/system: only the units given; /lib/systemd/system (and
 *   /usr/lib/systemd/system): a minimal set of this module's (the special
 *   targets as empty targets, journald and its sockets from the host's
 *   copies), so nothing of the host's boot runs; the generators folder is
 *   emptied. The manager starts `tyne-lab.target` (nothing but sysinit
 *   and journald): the test starts its units itself.
 * - /run and /tmp: empty tmpfs; journald keeps the journal in /run
 *   (`journalctl` through nsenter), not reading the kernel's log.
 * - host folders bound where the test says (`binds`), e.g. a checkout as
 *   /usr/local/lib/node_modules/tyne, and symlinks made under /usr/local.
 *
 * Needs root, cgroup2 and overlay in /proc/filesystems, a cgroup2 mount,
 * unshare and nsenter (util-linux), and systemd's manager binary;
 * `unavailable()` says why not, for a loud skip. close() kills the
 * manager (and so every process of its PID namespace) and removes its
 * cgroups and scratch folder.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, readdirSync, rmdirSync, rmSync, symlinkSync, writeFileSync, mkdtempSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { until, sleep } from './wait.js';

/** Where distributions put the manager (Debian: /lib, merged into /usr/lib). */
const SYSTEMD_BINARIES = ['/lib/systemd/systemd', '/usr/lib/systemd/systemd'];
const UNIT_DIRS = ['/lib/systemd/system', '/usr/lib/systemd/system'];
const GENERATOR_DIRS = ['/lib/systemd/system-generators', '/usr/lib/systemd/system-generators'];
/** The host's journald units, copied into the minimal set. */
const JOURNALD_UNITS = ['systemd-journald.service', 'systemd-journald.socket', 'systemd-journald-dev-log.socket'];
/** The special targets units refer to (DefaultDependencies=, After=network-online.target, shutdown). */
const EMPTY_TARGETS = ['basic', 'network-online', 'network', 'shutdown', 'sockets', 'timers', 'paths', 'slices', 'local-fs', 'swap', 'multi-user'];

export interface CommandRun {
  code: number | null;
  out: string;
  err: string;
}

export interface ManagerOptions {
  /** The units of /etc/systemd/system: file name -> text. */
  units: Record<string, string>;
  /** Files laid in /etc: path relative to /etc -> text (mode 0644). */
  etc?: Record<string, string>;
  /** Host folders bound into its view (read-only unless `writable`); the mountpoint is made (under /etc, /var or /usr/local). */
  binds?: { path: string; from: string; writable?: boolean }[];
  /** Symlinks in /usr/local: path relative to /usr/local -> target. */
  links?: Record<string, string>;
  /** The network namespace (an `ip netns` name) it runs in; by default one of its own with only lo. */
  netns?: string;
  /** How long the manager may take to reach `running` (default 20 s). */
  bootTimeoutMs?: number;
}

function cgroup2Mount(): string | null {
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    // "id parent maj:min root mountpoint opts ... - fstype source superopts"
    const [pre, post] = line.split(' - ');
    if (post?.startsWith('cgroup2 ') === true && pre?.split(' ')[3] === '/') return pre.split(' ')[4] ?? null;
  }
  return null;
}

const q = (s: string): string => {
  if (s.includes("'")) throw new Error(`path with a quote: ${s}`);
  return `'${s}'`;
};

let made = 0;

export class SystemdManager {
  private exited = false;
  private constructor(
    /** The scratch folder (overlay layers, units, the boot script, console.log). */
    readonly dir: string,
    private readonly cgroup: string,
    private readonly child: ChildProcess,
    /** The manager's PID in the host's PID namespace (PID 1 in its own). */
    readonly pid: number,
  ) {
    child.on('exit', () => {
      this.exited = true;
    });
  }

  /** Why a manager cannot be run here, or null. */
  static unavailable(): string | null {
    if (process.getuid?.() !== 0) return 'not root: a systemd manager in namespaces needs CAP_SYS_ADMIN';
    if (SystemdManager.binary() === null) return `systemd's manager is missing (${SYSTEMD_BINARIES.join(', ')}; package systemd)`;
    for (const tool of ['unshare', 'nsenter', 'systemctl', 'journalctl', 'systemd-sysusers']) {
      if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is missing`;
    }
    const fs = readFileSync('/proc/filesystems', 'utf8');
    for (const f of ['cgroup2', 'overlay']) if (!new RegExp(`\\s${f}$`, 'm').test(fs)) return `the kernel has no ${f} file system`;
    if (cgroup2Mount() === null) return 'no cgroup2 file system is mounted (a group for the manager is made in it)';
    return null;
  }

  private static binary(): string | null {
    return SYSTEMD_BINARIES.find((b) => existsSync(b)) ?? null;
  }

  /** Boots a manager; resolves once `systemctl is-system-running` says running (or degraded). */
  static async boot(opts: ManagerOptions): Promise<SystemdManager> {
    const systemd = SystemdManager.binary();
    const mount = cgroup2Mount();
    if (systemd === null || mount === null) throw new Error(SystemdManager.unavailable() ?? 'no systemd');
    const dir = mkdtempSync(join(tmpdir(), 'tyne-systemd-'));
    chmodSync(dir, 0o755);
    const layers = ['etc', 'var', 'local'];
    for (const l of layers) for (const s of ['up', 'work']) mkdirSync(join(dir, `${l}.${s}`));
    // /etc/systemd/system: the units given, as installed.
    const system = join(dir, 'system');
    mkdirSync(system);
    for (const [name, text] of Object.entries(opts.units)) writeFileSync(join(system, name), text, { mode: 0o644 });
    // The minimal unit set.
    const lib = join(dir, 'lib');
    mkdirSync(lib);
    for (const t of EMPTY_TARGETS) writeFileSync(join(lib, `${t}.target`), `[Unit]\nDescription=${t} (test manager)\nDefaultDependencies=no\n`);
    writeFileSync(join(lib, 'sysinit.target'), `[Unit]\nDescription=sysinit (test manager)\nDefaultDependencies=no\nWants=${JOURNALD_UNITS.join(' ')}\n`);
    writeFileSync(join(lib, 'tyne-lab.target'), '[Unit]\nDescription=The test manager\nRequires=sysinit.target\nAfter=sysinit.target\n');
    const hostUnits = UNIT_DIRS.find((d) => existsSync(join(d, JOURNALD_UNITS[0]!)));
    if (hostUnits === undefined) throw new Error(`${JOURNALD_UNITS[0]} not found in ${UNIT_DIRS.join(', ')}`);
    for (const u of JOURNALD_UNITS) writeFileSync(join(lib, u), readFileSync(join(hostUnits, u)));
    const etc = { 'systemd/journald.conf.d/tyne-test.conf': '[Journal]\nStorage=volatile\nReadKMsg=no\n', ...opts.etc };
    for (const [rel, text] of Object.entries(etc)) {
      mkdirSync(dirname(join(dir, 'etc.up', rel)), { recursive: true });
      writeFileSync(join(dir, 'etc.up', rel), text, { mode: 0o644 });
    }
    for (const [rel, target] of Object.entries(opts.links ?? {})) {
      mkdirSync(dirname(join(dir, 'local.up', rel)), { recursive: true });
      symlinkSync(target, join(dir, 'local.up', rel));
    }
    const binds = (opts.binds ?? []).flatMap((b) => [
      `mkdir -p ${q(b.path)}`,
      `mount --bind ${q(b.from)} ${q(b.path)}`,
      ...(b.writable === true ? [] : [`mount -o remount,bind,ro ${q(b.path)}`]),
    ]);
    const script = [
      'set -eu',
      'mount --make-rprivate /',
      'mount -t cgroup2 cgroup2 /sys/fs/cgroup',
      `mount -t overlay overlay -o lowerdir=/etc,upperdir=${dir}/etc.up,workdir=${dir}/etc.work /etc`,
      `mount -t overlay overlay -o lowerdir=/var,upperdir=${dir}/var.up,workdir=${dir}/var.work /var`,
      `mount -t overlay overlay -o lowerdir=/usr/local,upperdir=${dir}/local.up,workdir=${dir}/local.work /usr/local`,
      `mount --bind ${q(system)} /etc/systemd/system`,
      ...UNIT_DIRS.filter((d) => existsSync(d)).map((d) => `mount --bind ${q(lib)} ${d}`),
      ...GENERATOR_DIRS.filter((d) => existsSync(d)).map((d) => `mount -t tmpfs -o ro,mode=755 tmpfs ${d}`),
      ...binds,
      'mount -t tmpfs -o mode=755,nosuid,nodev tmpfs /run',
      'mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /tmp',
      'ip link set lo up 2>/dev/null || true',
      'export container=tyne-test',
      `exec ${systemd} --system --unit=tyne-lab.target --log-target=journal --log-level=info`,
    ].join('\n');
    const boot = join(dir, 'boot.sh');
    writeFileSync(boot, `${script}\n`, { mode: 0o755 });

    const cgroup = join(mount, `tyne-sd-${process.pid}-${made++}`);
    mkdirSync(cgroup);
    const net = opts.netns === undefined ? ['--net'] : [];
    const prefix = opts.netns === undefined ? [] : ['nsenter', `--net=/run/netns/${opts.netns}`];
    const log = openSync(join(dir, 'console.log'), 'w');
    // Into the group first: the cgroup namespace made next is rooted where the process is.
    const child = spawn('sh', ['-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', cgroup, ...prefix,
      'unshare', '--cgroup', '--fork', '--pid', '--mount', '--uts', '--mount-proc', ...net, 'sh', boot], { stdio: ['ignore', log, log] });
    closeSync(log);
    let pid = 0;
    const consoleLog = (): string => readFileSync(join(dir, 'console.log'), 'utf8');
    try {
      await until('the manager process', () => {
        if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}: ${consoleLog()}`);
        const kids = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
        pid = Number(kids[0] ?? 0);
        return pid > 0 && readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'systemd';
      }, { timeoutMs: 10_000, everyMs: 20, detail: consoleLog });
    } catch (e) {
      child.kill('SIGKILL');
      SystemdManager.cleanup(cgroup, dir);
      throw e;
    }
    const m = new SystemdManager(dir, cgroup, child, pid);
    try {
      let state: CommandRun | null = null;
      await until('the manager running', async () => {
        state = await m.run(['systemctl', 'is-system-running'], 5000);
        return /^(running|degraded)$/m.test(state.out);
      }, { timeoutMs: opts.bootTimeoutMs ?? 20_000, everyMs: 50, detail: () => `${JSON.stringify(state)}\n${consoleLog()}` });
    } catch (e) {
      await m.close();
      throw e;
    }
    return m;
  }

  /** Runs a command inside the manager's namespaces (mount, PID, network, ...); resolves however it exits. */
  run(args: readonly string[], timeoutMs = 30_000): Promise<CommandRun> {
    return new Promise((res) => {
      execFile('nsenter', ['-t', String(this.pid), '-a', ...args], { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
        res({ code, out: stdout, err: stderr });
      });
    });
  }

  /** `systemctl ...args` in the manager; throws with its output (and the unit's journal) unless it exits 0. */
  async systemctl(...args: string[]): Promise<string> {
    const r = await this.run(['systemctl', '--no-pager', ...args]);
    if (r.code !== 0) throw new Error(`systemctl ${args.join(' ')}: exit ${r.code}\n${r.out}${r.err}\n${await this.journal()}`);
    return r.out;
  }

  /** Properties of a unit (`systemctl show -p ...`), as a map. */
  async show(unit: string, ...props: string[]): Promise<Record<string, string>> {
    const out = await this.systemctl('show', unit, ...props.flatMap((p) => ['-p', p]));
    return Object.fromEntries(out.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  }

  /** The last lines of the journal (of `unit`, or all), for failure messages. */
  async journal(unit?: string, lines = 40): Promise<string> {
    const r = await this.run(['journalctl', '--no-pager', '-n', String(lines), ...(unit === undefined ? [] : ['-u', unit])], 10_000);
    return r.out + r.err;
  }

  /** Kills the manager and everything in its PID namespace; removes its cgroups and scratch folder. */
  async close(): Promise<void> {
    if (!this.exited) {
      try {
        process.kill(this.pid, 'SIGKILL');
      } catch {
        // gone
      }
      const t0 = Date.now();
      while (!this.exited && Date.now() - t0 < 5000) await sleep(20);
      if (!this.exited) this.child.kill('SIGKILL');
    }
    // The group's processes are gone once PID 1 of the namespace is; their cgroups may take a moment to empty.
    for (let i = 0; i < 50; i++) {
      try {
        SystemdManager.cleanup(this.cgroup, this.dir);
        return;
      } catch {
        await sleep(50);
      }
    }
    SystemdManager.cleanup(this.cgroup, this.dir);
  }

  private static cleanup(cgroup: string, dir: string): void {
    const rm = (d: string): void => {
      if (!existsSync(d)) return;
      for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) rm(join(d, e.name));
      rmdirSync(d);
    };
    rm(cgroup);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The readable tables the control commands print (what `--json` gives as
 * JSON): one printer per report of src/control/control-api.ts, and the
 * two table shapes they are made of (key/value lines, and columns).
 */
import type {
  HoldReport, NotifyReport, RefreshReport, ReleaseReport, ReloadReport, SecondariesReport, StatusReport, TransferReport, ZoneStatusReport,
} from '../control/index.js';
import type { SecondaryReplication } from '../xfr/replication-view.js';

/** Rows of text in aligned columns, the first row a header (two spaces between columns, no trailing spaces). */
export function columns(rows: readonly (readonly string[])[], indent = ''): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => indent + r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n') + '\n';
}

/** `key   value` lines, the keys padded to one width; a null value is left out. */
export function keyValues(pairs: readonly (readonly [string, string | null])[]): string {
  const shown = pairs.filter((p): p is readonly [string, string] => p[1] !== null);
  const width = Math.max(0, ...shown.map(([k]) => k.length));
  return shown.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n') + '\n';
}

const yes = (b: boolean): string => (b ? 'yes' : 'no');

/** An ISO time to the second. */
const stamp = (iso: string): string => iso.replace(/\.\d{3}Z$/, 'Z');

/** `3d 4h`, `5m 2s`, `40s`: the two largest units. */
export function duration(sec: number): string {
  const units: [string, number][] = [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]];
  const parts: string[] = [];
  let left = Math.max(0, Math.round(sec));
  for (const [u, n] of units) {
    if (left >= n || (u === 's' && parts.length === 0)) {
      parts.push(`${Math.floor(left / n)}${u}`);
      left %= n;
    }
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

/** An ISO time with how long ago (or in how long) it is: `2026-12-03T10:52:44Z (5m 2s ago)`. */
export function when(iso: string | null, now = Date.now()): string | null {
  if (iso === null) return null;
  const ms = Date.parse(iso);
  const d = Math.round((now - ms) / 1000);
  const text = stamp(iso);
  return d >= 0 ? `${text} (${duration(d)} ago)` : `${text} (in ${duration(-d)})`;
}

function holdsText(holds: readonly HoldReport[]): string {
  if (holds.length === 0) return '';
  const rows = [['KIND', 'TARGET', 'ZONES', 'REASON'], ...holds.map((h) => [h.kind, h.target, h.zones === null ? '-' : String(h.zones), h.reason])];
  return `held removals (tyne release TARGET applies them):\n${columns(rows, '  ')}`;
}

export function statusText(s: StatusReport, now = Date.now()): string {
  const z = s.zones;
  const zones = `${z.served} served, ${z.failed} failed, ${z.loading} loading, ${z.expired} expired, ${z.waiting} waiting for a first transfer (${z.primary} primary, ${z.secondary} secondary, ${z.catalog} catalog)`;
  return keyValues([
    ['version', s.version],
    ['pid', String(s.pid)],
    ['up', `${duration(s.uptimeSec)}, since ${when(s.startedAt, now)!.replace(/ \(.*\)$/, '')}`],
    ['ready', s.ready ? 'yes: every zone has loaded (or failed) once' : 'no: zones are still loading'],
    ['config', s.config],
    ['log level', s.logLevel],
    ['listen', s.listen.join(', ')],
    ['control', s.control],
    ['zones', zones],
    ['holds', s.holds.length === 0 ? 'none' : String(s.holds.length)],
  ]) + holdsText(s.holds);
}

function refreshLine(r: RefreshReport | null): string | null {
  if (r === null) return null;
  if (r.result === 'failed') return `failed at ${stamp(r.at)}${r.peer === null ? '' : ` (${r.peer})`}: ${r.error ?? 'no primary answered'}`;
  if (r.result === 'up to date') return `up to date at ${stamp(r.at)}, serial ${r.serial ?? '-'} (${r.peer ?? '-'})`;
  return `transferred at ${stamp(r.at)}: ${r.kind ?? 'AXFR'} from ${r.peer ?? '-'}, serial ${r.serial ?? '-'}`;
}

export function zoneStatusText(z: ZoneStatusReport, now = Date.now()): string {
  const serial = z.serial === null ? '-' : `${z.serial}${z.fileSerial === null ? '' : ` (the file says ${z.fileSerial})`}`;
  const pairs: [string, string | null][] = [
    ['zone', z.zone],
    ['type', z.type],
    ['served', yes(z.served)],
    ['serial', serial],
    ['records', z.records === null ? '-' : String(z.records)],
    ['loaded at', z.type === 'secondary' ? null : (when(z.loadedAt, now) ?? '-')],
    ['file', z.file],
  ];
  if (z.lastLoad !== null) pairs.push(['last load', `${z.lastLoad.result} at ${stamp(z.lastLoad.at)}`]);
  const s = z.secondary;
  if (s !== null) {
    pairs.push(
      ['primaries', s.primaries.join(', ')],
      ['last from', s.primary],
      ['last refresh', when(s.lastRefresh, now) ?? 'never'],
      ['next refresh', s.nextRefresh === null ? 'none scheduled (one is running, or the zone is stopping)' : when(s.nextRefresh, now)],
      ['expires at', when(s.expiresAt, now) ?? '-'],
      ['expired', yes(s.expired)],
      ['last result', refreshLine(s.last) ?? 'none yet'],
    );
  }
  pairs.push(['notify', z.notify.length === 0 ? 'none' : z.notify.join(', ')]);
  const errors = z.lastLoad?.errors ?? [];
  const held = z.secondaries.length === 0 ? '' : `secondaries:\n${replicationColumns(z.secondaries, now, false, '  ')}`;
  return keyValues(pairs) + errors.map((e) => `  ${e}\n`).join('') + held;
}

export function reloadText(r: ReloadReport): string {
  if (r.configErrors.length > 0) {
    return `configuration not reloaded (the running one is kept):\n${r.configErrors.map((e) => `  ${e}\n`).join('')}`;
  }
  let out = '';
  if (r.zones.length === 0) out += r.zone === null ? 'reloaded: no zone file had changed\n' : `${r.zone}: not read\n`;
  else {
    out += columns([['ZONE', 'RESULT', 'SERIAL'], ...r.zones.map((z) => [z.zone, z.ok ? z.result : `FAILED: ${z.result}`, z.serial === null ? '-' : String(z.serial)])]);
    for (const z of r.zones) for (const e of z.errors) out += `  ${e}\n`;
    const failed = r.zones.filter((z) => !z.ok).length;
    out += `${r.zones.length} zone(s) read, ${failed} failed\n`;
  }
  if (r.pending.length > 0) out += `still loading (served once loaded): ${r.pending.join(', ')}\n`;
  return out;
}

export function transferText(t: TransferReport): string {
  return `${t.zone} ${refreshLine(t.last)!}\n`;
}

export function notifyText(n: NotifyReport): string {
  const rows = [['TARGET', 'ACKNOWLEDGED', 'TRIES', 'RCODE', 'ERROR'], ...n.targets.map((t) => [t.target, yes(t.acked), String(t.tries), t.rcode ?? '-', t.error ?? ''])];
  return `NOTIFY of ${n.zone} serial ${n.serial}\n${columns(rows)}`;
}

export function logLevelText(l: { from: string; to: string }): string {
  return `log level ${l.from} -> ${l.to}\n`;
}

export function releaseText(r: ReleaseReport): string {
  return `released the held removals of ${r.kind} ${r.target}: ${r.removed} zone(s) removed\n`;
}

/** One secondary's state as a word or two: `in sync`, `behind 3 (since 12:00:01Z)`, `unreachable`. */
function replicationState(r: SecondaryReplication): string {
  if (r.state === 'behind') return r.behindVersions === null ? 'behind' : `behind ${r.behindVersions}`;
  return r.state.replace('-', ' ');
}

/** The NOTIFY-until-converged column: `converged`, `waiting (3 sent, next 12:00:10Z)`, `gave up after 9`. */
function notifyProgress(r: SecondaryReplication): string {
  const n = r.notify;
  if (n.state === 'none') return '-';
  if (n.state === 'gave-up') return `gave up after ${n.tries}`;
  const next = n.nextAt === null ? '' : `, next ${stamp(n.nextAt)}`;
  return n.state === 'converged' ? 'converged' : `${n.state} (${n.tries} sent${next})`;
}

function replicationColumns(rows: readonly SecondaryReplication[], now: number, withZone: boolean, indent = ''): string {
  const head = ['SECONDARY', 'STATE', 'SERIAL', 'SERVED', 'LEARNT FROM', 'LAG', 'LAST SEEN', 'NOTIFY'];
  const line = (r: SecondaryReplication): string[] => [
    r.notifyTarget ? r.secondary : `${r.secondary} (client)`,
    replicationState(r),
    r.serial === null ? '-' : String(r.serial),
    r.servedSerial === null ? '-' : String(r.servedSerial),
    r.source ?? '-',
    r.lagSeconds === null ? '-' : duration(r.lagSeconds),
    when(r.lastSeen, now) ?? 'never',
    notifyProgress(r),
  ];
  const table = columns([withZone ? ['ZONE', ...head] : head, ...rows.map((r) => (withZone ? [r.zone, ...line(r)] : line(r)))], indent);
  const problems = rows.filter((r) => r.problem !== null).map((r) => `${indent}${withZone ? `${r.zone} ` : ''}${r.secondary}: ${r.problem!}\n`);
  return table + problems.join('');
}

/** `tyne secondaries [ZONE]`: one row per zone and secondary, then the problems of the unreachable ones. */
export function secondariesText(r: SecondariesReport, now = Date.now()): string {
  if (r.secondaries.length === 0) return `${r.zone ?? 'no zone'}: no secondary known yet (none in notify, and no client has transferred it)\n`;
  return replicationColumns(r.secondaries, now, r.zone === null);
}

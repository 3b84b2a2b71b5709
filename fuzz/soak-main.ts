/**
 * `npm run fuzz -- --target soak [--packets N] [--seconds S] [--seed S] [--tcp N] [--rate PPS]`
 * (fuzz/run.ts): reads the arguments, runs the network soak (fuzz/soak.ts)
 * and prints its figures and verdict.
 */
import { MiB, runSoak } from './soak.js';

/**
 * The long run's pace, in mutated datagrams a second: below what this server answers on 2 cores with the attacks
 * running (about 28,000/s unpaced), so that the probe measures the server's latency under load, not a queue that
 * a closed-loop flood keeps full.
 */
const DEFAULT_RATE = 20_000;

/** `--target soak` of fuzz/run.ts; returns the exit code. */
export async function soakMain(arg: (name: string) => string | undefined): Promise<number> {
  const packets = Number(arg('--packets') ?? 10_000_000);
  const seconds = Number(arg('--seconds') ?? 3600);
  const seed = Number(arg('--seed') ?? 0x50a4);
  const tcp = Number(arg('--tcp') ?? 400);
  const rate = Number(arg('--rate') ?? DEFAULT_RATE);
  if (!(packets > 0) || !(seconds > 0) || !Number.isInteger(seed) || !(tcp >= 0) || !(rate >= 0)) {
    throw new Error('usage: run.js --target soak [--packets N] [--seconds S] [--seed S] [--tcp N] [--rate PPS (0: unpaced)]');
  }
  console.log(`network soak: ${packets} UDP packets${rate > 0 ? ` at ${rate}/s` : ', unpaced'}, ${tcp} TCP connections, seed ${seed}, at most ${seconds} s`);
  const r = await runSoak({ packets, seconds, tcpConnections: tcp, seed, rate, log: (l) => console.log(l) });
  const mib = (k: number): string => (k / MiB).toFixed(1);
  console.log(`packets sent:    ${r.sent} (${Math.round(r.packetsPerSec)}/s over ${r.udpSeconds.toFixed(1)} s, ${r.sendErrors} send errors)`);
  console.log(`replies:         ${r.replies} (${((100 * r.replies) / Math.max(1, r.sent)).toFixed(1)}%)`);
  console.log(`TCP connections: ${r.tcp.connections ?? 0}, ${r.tcp.tcpBytesIn ?? 0} octets of answers; clean pipelines: ${r.tcp.cleanAnswers ?? 0}/${r.tcp.cleanQueries ?? 0} answered${r.tcp.cleanQueriesCut ? ` (+${r.tcp.cleanAnswersCut ?? 0}/${r.tcp.cleanQueriesCut} on connections cut at our time limit)` : ''}`);
  console.log(`probes:          ${r.probes - r.probesFailed}/${r.probes} answered correctly during the soak (every ${5} s, with RSS)`);
  console.log(`probe:           ${r.probe.correct}/${r.probe.sent} correct, ${r.probe.lost} lost, ${r.probe.wrong.length} wrong; p50 ${r.probe.p50Ms.toFixed(2)} ms, p99 ${r.probe.p99Ms.toFixed(2)} ms, max ${r.probe.maxMs.toFixed(1)} ms; longest without a correct answer ${Math.round(r.probe.longestGapMs)} ms`);
  if (r.cache) console.log(`cache attack:    ${r.cache.typeQueries} TYPEn queries at CNAME owners and a delegation, ${r.cache.paddedQueries} padded with 60 KB, ${r.cache.replies} replies`);
  if (r.steady) console.log(`steady client:   ${r.steady.answered}/${r.steady.sent} answered${r.steady.cut ? `, cut: ${r.steady.cut}` : ''}`);
  if (r.tcpAttack) {
    const t = r.tcpAttack;
    console.log(`TCP attacks:     ${t.floodOpened} flood connections (${t.floodClosedByServer} closed by the server); slow AXFR ${t.axfrComplete ? 'complete' : 'CUT'}, ${t.axfrRecords} records`);
  }
  console.log(`server RSS:      before ${mib(r.rssBeforeKiB)} MiB, peak ${mib(r.rssPeakKiB)} MiB (VmHWM ${mib(r.hwmKiB)}), after ${mib(r.rssAfterKiB)} MiB; bound ${mib(r.rssBoundKiB)} MiB`);
  console.log(`server log:      ${r.serverLogLines} lines at warn and above${r.serverStderr ? `; stderr: ${r.serverStderr.slice(-500)}` : ''}`);
  if (!r.ok) {
    for (const f of r.failures) console.log(`FAIL: ${f}`);
    return 1;
  }
  console.log('soak passed: server alive, answers correctly over UDP and TCP and to the probe throughout, the slow transfer and the steady client never cut, RSS within the bound');
  return 0;
}

/**
 * Watches a swap from many clients at once: rounds of one SOA query from
 * each of `clients` fresh UDP sockets (so many source ports: a server with
 * SO_REUSEPORT sockets per thread gets them spread over its threads), each
 * round sent once the one before has been answered. Bounded in rounds and
 * time. A lost answer counts as null.
 */
import { soaSerialUdp } from './dns-client.js';

/** One round: the serial each client was answered (null: no answer, or none in it). */
export type SerialRound = (number | null)[];

/**
 * Rounds until one in which every client was answered `want` (that round included), at most
 * `maxRounds` or `timeoutMs`. `during` runs once, after the first round (what makes the change).
 */
export async function serialRounds(
  port: number, zone: string, want: number,
  opts: { clients?: number; maxRounds?: number; timeoutMs?: number; during?: () => void | Promise<void> } = {},
): Promise<SerialRound[]> {
  const clients = opts.clients ?? 16;
  const end = Date.now() + (opts.timeoutMs ?? 10_000);
  const rounds: SerialRound[] = [];
  for (let r = 0; r < (opts.maxRounds ?? 2000) && Date.now() < end; r++) {
    const round = await Promise.all(Array.from({ length: clients }, () => soaSerialUdp(port, zone, 1000).catch(() => null)));
    rounds.push(round);
    if (r === 0 && opts.during !== undefined) await opts.during();
    if (r > 0 && round.every((s) => s === want)) break;
  }
  return rounds;
}

/**
 * The first round in which some client saw `want` (-1: none), and the first
 * round after it in which some client was still answered another serial
 * (-1: none; an unanswered query is not one).
 */
export function swapSeenAtOnce(rounds: readonly SerialRound[], want: number): { first: number; mixedAfter: number } {
  const first = rounds.findIndex((round) => round.includes(want));
  if (first < 0) return { first, mixedAfter: -1 };
  const mixedAfter = rounds.findIndex((round, i) => i > first && round.some((s) => s !== null && s !== want));
  return { first, mixedAfter };
}

/** A server we talk to: a primary we transfer from, or a NOTIFY target. */
export interface Peer {
  /** IPv4 or IPv6 literal, no brackets. */
  host: string;
  /** 53 when the configuration leaves it out. */
  port: number;
  family: 4 | 6;
  /** Name of the TSIG key to sign with (from `keys:`), or null. */
  key: string | null;
}

/** `host:port`, with brackets around IPv6, for logs. */
export function peerText(p: { host: string; port: number; family: 4 | 6 }): string {
  return p.family === 6 ? `[${p.host}]:${p.port}` : `${p.host}:${p.port}`;
}

/** True when both lists name the same peers in the same order (host, port, family and key). */
export function samePeers(a: readonly Peer[], b: readonly Peer[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  return a.every((p, i) => {
    const q = b[i]!;
    return p.host === q.host && p.port === q.port && p.family === q.family && p.key === q.key;
  });
}

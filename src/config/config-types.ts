/** One `listen` entry: each address serves UDP and TCP. */
export interface ListenAddress {
  /** IPv4 or IPv6 literal, without brackets. */
  host: string;
  port: number;
  family: 4 | 6;
}

/** `server:` settings. */
export interface ServerSettings {
  /** Largest UDP answer we send to EDNS clients (RFC 6891 §6.2.5); 512..4096, default 1232. */
  udpPayload: number;
  /** Answers CH TXT id.server / hostname.bind and EDNS NSID; null = REFUSED / no NSID. */
  identity: string | null;
  /** Answers CH TXT version.bind; null = REFUSED. */
  version: string | null;
  /** RFC 7766 §6.2.3 idle timeout, in milliseconds (default 10 s). */
  tcpIdleTimeoutMs: number;
  /** Open TCP connections allowed at once (default 1000). */
  tcpMaxConnections: number;
  /** Processes serving the same sockets (node:cluster); 1 = no workers (default). */
  workers: number;
}

/** One `zones:` entry. */
export interface ZoneSettings {
  /** Zone name as written (no trailing dot needed). */
  name: string;
  /** Absolute path of the zone file (relative paths are resolved against the config file's folder). */
  file: string;
  /** 1-based line of the entry in the config file, for messages. */
  line: number;
}

/** A checked configuration file. */
export interface Config {
  /** Absolute path of the file it was read from. */
  path: string;
  listen: ListenAddress[];
  log: { level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' };
  server: ServerSettings;
  zones: ZoneSettings[];
}

import { TyneError } from '../wire/index.js';

/** One thing wrong with a configuration file. */
export interface ConfigProblem {
  /** Key path of the offending entry (`server.udp-payload`, `zones[2].file`, `listen[0]`); '' for the file as a whole. */
  path: string;
  /** 1-based line; 0 when the problem has no position (file unreadable). */
  line: number;
  /** 1-based column; 0 when the problem has no position. */
  col: number;
  message: string;
}

/** Stable codes of ConfigError. */
export const ConfigErrorCode = {
  /** The file is YAML but breaks the schema or a value is out of range. */
  INVALID: 'CONFIG_INVALID',
  /** The file could not be read (`cause` holds the system error). */
  UNREADABLE: 'CONFIG_UNREADABLE',
  /** The file is not well-formed YAML. */
  SYNTAX: 'CONFIG_SYNTAX',
} as const;

export type ConfigErrorCode = (typeof ConfigErrorCode)[keyof typeof ConfigErrorCode];

/** `<file>:<line>:<col>: <keypath>: <problem>`, leaving out the parts a problem does not have. */
export function formatConfigProblem(file: string, p: ConfigProblem): string {
  const where = p.line > 0 ? `${file}:${p.line}:${p.col}` : file;
  return p.path === '' ? `${where}: ${p.message}` : `${where}: ${p.path}: ${p.message}`;
}

/**
 * A configuration file that cannot be used. Every problem found is listed in
 * `problems` (sorted by position), and `message` has one line per problem.
 */
export class ConfigError extends TyneError<ConfigErrorCode> {
  /** Absolute path of the configuration file. */
  readonly file: string;
  readonly problems: readonly ConfigProblem[];

  constructor(code: ConfigErrorCode, file: string, problems: ConfigProblem[], options?: { cause?: unknown }) {
    super(code, problems.map((p) => formatConfigProblem(file, p)).join('\n'), options);
    this.file = file;
    this.problems = problems;
  }
}

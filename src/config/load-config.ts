/**
 * The loader: loadConfig reads a configuration file, parseConfig checks
 * its text (config-document.ts), then the files it names (file-checks.ts),
 * and throws one ConfigError listing every problem found.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { byPosition, readConfigDocument } from './config-document.js';
import { ConfigError } from './config-error.js';
import type { Config } from './config-types.js';
import { checkZoneFiles } from './file-checks.js';

/**
 * Checks configuration text. `path` is the file it came from: it appears in
 * messages, and relative zone file paths are resolved against its folder
 * (a relative `path` is first resolved against the working directory).
 * The text is read first, touching no file (config-document.ts); then the
 * zones' files are resolved and a secondary's looked at (file-checks.ts).
 * Throws ConfigError listing every problem found.
 */
export function parseConfig(text: string, path: string): Config {
  const file = resolve(path);
  const { config, problems, zoneFiles } = readConfigDocument(text, file);
  config.zones = checkZoneFiles(zoneFiles, problems);
  if (problems.length > 0) throw new ConfigError('CONFIG_INVALID', file, problems.sort(byPosition));
  return config;
}

/** Reads and checks a configuration file (a relative `path` is resolved against the working directory). */
export function loadConfig(path: string): Config {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'is a directory' : (e.code ?? e.message);
    throw new ConfigError('CONFIG_UNREADABLE', file, [{ path: '', line: 0, col: 0, message: `cannot read configuration (${why})` }], { cause: err });
  }
  return parseConfig(text, file);
}

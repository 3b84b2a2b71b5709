/**
 * `tyne check-config [-q] [--json] FILE`: checks a configuration offline,
 * as `named-checkconf` does, with every problem found (file:line:col: key:
 * problem), and what `tyne serve` refuses besides (transfers with several
 * workers). Exit 0 when it can be served, 1 when not, 2 for bad usage.
 */
import { resolve } from 'node:path';
import { ConfigError, formatConfigProblem, loadConfig } from '../config/index.js';
import { transfersNeedOneProcess } from '../daemon/serve.js';
import type { CommandIo } from './control-commands.js';

export const CHECK_CONFIG_USAGE = 'usage: tyne check-config [-q] [--json] FILE';

export function checkConfig(argv: readonly string[], io: CommandIo): number {
  let quiet = false;
  let json = false;
  const files: string[] = [];
  for (const a of argv) {
    if (a === '-q') quiet = true;
    else if (a === '--json') json = true;
    else if (a === '-h' || a === '--help') {
      io.out(`${CHECK_CONFIG_USAGE}\n  check a configuration file offline and list every problem (nothing is started)\n`);
      return 0;
    } else if (a.startsWith('-')) {
      io.err(`tyne check-config: unknown option '${a}'\n${CHECK_CONFIG_USAGE}\n`);
      return 2;
    } else files.push(a);
  }
  if (files.length !== 1) {
    io.err(`tyne check-config: ${files.length === 0 ? 'missing FILE' : `unexpected argument '${files[1]!}'`}\n${CHECK_CONFIG_USAGE}\n`);
    return 2;
  }
  const file = resolve(files[0]!);
  let problems: string[];
  let summary = '';
  try {
    const config = loadConfig(file);
    const conflict = transfersNeedOneProcess(config);
    problems = conflict === null ? [] : [`${file}: ${conflict}`];
    summary = `${config.zones.length} zone(s), ${config.zoneDirectories.length} zone director${config.zoneDirectories.length === 1 ? 'y' : 'ies'}, control socket ${config.control?.socket ?? 'off'}`;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems = err.problems.map((p) => formatConfigProblem(err.file, p));
  }
  if (json) io.out(`${JSON.stringify({ file, ok: problems.length === 0, problems }, null, 2)}\n`);
  else {
    for (const p of problems) io.out(`${p}\n`);
    if (problems.length > 0) io.err(`${file}: ${problems.length} problem(s); not usable\n`);
    else if (!quiet) io.out(`${file}: OK (${summary})\n`);
  }
  return problems.length === 0 ? 0 : 1;
}

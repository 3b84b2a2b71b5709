import { serve } from '../daemon/serve.js';

/** `tyne serve -c FILE` / `--config FILE` / `--config=FILE`; returns the exit code. */
export async function serveCommand(args: string[]): Promise<number> {
  let config: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-c' || a === '--config') config = args[++i];
    else if (a.startsWith('--config=')) config = a.slice('--config='.length);
    else {
      process.stderr.write(`tyne serve: unexpected argument '${a}'\nusage: tyne serve -c|--config FILE\n`);
      return 2;
    }
  }
  if (config === undefined || config === '') {
    process.stderr.write('tyne serve: missing --config FILE\nusage: tyne serve -c|--config FILE\n');
    return 2;
  }
  const code = await serve(config);
  // A cluster worker's IPC channel would keep the process alive after a clean stop.
  process.exit(code);
}

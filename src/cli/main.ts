import { WireFormatError, TextFormatError, decodeMessage, lookupType, messageToText, Name, rdataFromText, rdataToText, toHex, tokenize, typeToText } from '../wire/index.js';
import type { CommandIo } from './control-commands.js';

// Each command's modules are imported when it runs: `tyne check-zone` does not load the
// server, the configuration and the control client (about 0.15 s of start-up, issue 16 §4).

const io: CommandIo = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

const usage = (controlUsage: () => string): string => `usage: tyne <command> [arguments]

commands:
  serve -c|--config FILE
                        serve the zones of a YAML configuration over UDP and TCP (see README)
  check-config [-q] [--json] FILE
                        check a configuration offline and list every problem, as named-checkconf does
  check-zone [-jqD] [-c class] [-k|-n fail|warn|ignore] [-i mode] [-s full|relative] [-o FILE]
             [-t DIR] [-w DIR] [-J FILE] [--include-from-cwd] ORIGIN (FILE|-)
                        check a zone file with named-checkzone's options; -D (or --print) dumps it
                        as named-checkzone -D does; tyne check-zone --help lists the options
  check-zone [-q] --diff ORIGIN FILE --against HOST:PORT [--key NAME:ALG:SECRET]
                        check a zone file, AXFR the zone from a server, list the records the file
                        adds (+) and removes (-), and say whether its serial is above the served one
  rdata TYPE RDATA...   convert record data text to wire hex and back to canonical text
  decode HEX            decode a DNS message given in hex and print it like dig
  --version             the version
  help                  this text

commands of a running server, over its control socket (-c its configuration, or -s the socket;
--json for scripts; exit 0 done, 1 failed, 2 bad usage, 3 server not running or unreachable):
${controlUsage()}`;

/** Entry point of the `tyne` command; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [cmd, ...args] = argv;
  // (No control command has the name of one of the commands below.)
  const control = cmd === 'check-zone' ? undefined : await import('./control-commands.js');
  if (control !== undefined && cmd !== undefined && Object.hasOwn(control.CONTROL_COMMANDS, cmd)) return control.runControlCommand(cmd, args, io);
  const checkZone = cmd === 'check-zone' ? (await import('./check-zone.js')).checkZone : undefined;
  try {
    switch (cmd) {
      case '--version':
      case '-V':
      case 'version':
        console.log(`tyne ${(await import('../control/index.js')).tyneVersion()}`);
        return 0;
      case 'check-config':
        return (await import('./check-config.js')).checkConfig(args, io);
      case 'serve':
        return await (await import('./serve-command.js')).serveCommand(args);
      case 'check-zone':
        return checkZone!(args, (s) => process.stdout.write(s), (s) => console.error(s));
      case 'rdata': {
        const [typeText, ...rest] = args;
        const type = typeText === undefined ? -1 : lookupType(typeText);
        if (type < 0) {
          console.error(`tyne rdata: unknown type '${typeText ?? ''}'`);
          return 2;
        }
        const rdata = rdataFromText(type, tokenize(rest.join(' ')), Name.ROOT);
        console.log(`${typeToText(type)} ${rdataToText(type, rdata)}`);
        console.log(`\\# ${rdata.length} ${toHex(rdata)}`);
        return 0;
      }
      case 'decode': {
        const hex = args.join('').replace(/\s+/g, '');
        if (!/^([0-9a-fA-F]{2})*$/.test(hex)) {
          console.error('tyne decode: expected hex octets');
          return 2;
        }
        console.log(messageToText(decodeMessage(Buffer.from(hex, 'hex'))));
        return 0;
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        console.log(usage(control!.controlUsage));
        return cmd === undefined ? 2 : 0;
      default:
        console.error(`tyne: unknown command '${cmd}'\n${usage(control!.controlUsage)}`);
        return 2;
    }
  } catch (e) {
    if (e instanceof WireFormatError || e instanceof TextFormatError) {
      console.error(`tyne ${cmd}: ${e.message} [${e.code}]`);
      return 1;
    }
    throw e;
  }
}

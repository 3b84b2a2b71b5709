import { Name } from '../wire/index.js';

/**
 * The zone a file in a zone directory serves, from the part of its name
 * that `match` captured (issue 14): read with Tyne's name rules, so `\.`
 * and `\DDD` escapes work (RFC 1035 §5.1), and `@` stands for `/`, which
 * a file name cannot hold: `0@26.2.0.192.in-addr.arpa` is the RFC 2317
 * zone `0/26.2.0.192.in-addr.arpa.`. The name is absolute whether or not
 * it ends with a dot. Throws (with the reason) when it is no domain name.
 */
export function originFromFileName(captured: string): Name {
  const text = captured.replaceAll('@', '/');
  // A final dot that is not escaped (an even number of backslashes before it) already makes it absolute.
  const trailing = /(^|[^\\])(\\\\)*\.$/.test(text);
  return Name.fromText(trailing ? text : `${text}.`);
}

/**
 * Names a zone directory never serves, as editors and tools leave them
 * beside the files being edited: dotfiles (our own temporary files among
 * them), backups (`*~`), swap files (`*.swp`), temporary files (`*.tmp`)
 * and Emacs autosaves (`#*#`).
 */
export function ignoredZoneFileName(name: string): boolean {
  return name.startsWith('.') || name.endsWith('~') || name.endsWith('.swp') || name.endsWith('.tmp') || (name.startsWith('#') && name.endsWith('#'));
}

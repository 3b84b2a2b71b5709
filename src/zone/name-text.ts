import { wireNameToText, type Name } from '../wire/index.js';

/** A name as BIND writes it in its messages: presentation form without the final dot (the root stays "."). */
export function nameForMessage(name: Name): string {
  return bareName(name.toText());
}

/** The same for an uncompressed wire name inside rdata. */
export function wireNameForMessage(bytes: Uint8Array, offset: number): string {
  return bareName(wireNameToText(bytes, offset));
}

function bareName(text: string): string {
  return text === '.' ? '.' : text.slice(0, -1);
}

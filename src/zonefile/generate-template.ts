/**
 * BIND's `$GENERATE start-stop[/step] lhs [ttl] [class] type rhs`: the
 * range and the `$` templates of its left and right hand sides.
 */

export interface GenerateRange {
  start: number;
  stop: number;
  step: number;
}

/** Parses `start-stop[/step]`; returns a reason string when malformed. */
export function parseGenerateRange(text: string): GenerateRange | string {
  const m = /^([0-9]{1,10})-([0-9]{1,10})(?:\/([0-9]{1,10}))?$/.exec(text);
  if (m === null) return `bad $GENERATE range '${text}' (want start-stop[/step])`;
  const start = Number(m[1]);
  const stop = Number(m[2]);
  const step = m[3] === undefined ? 1 : Number(m[3]);
  if (start > stop) return `$GENERATE range '${text}' starts after it stops`;
  if (step < 1) return `$GENERATE step must be at least 1`;
  if (stop > 0x7fffffff) return `$GENERATE range '${text}' is too large`;
  return { start, stop, step };
}

/**
 * Formats one `${offset,width,base}` value. Bases: d, o, x, X, and n / N
 * (nibbles, least significant first, each followed by a dot, as for
 * ip6.arpa). The result is at least `width` characters, zero-padded.
 */
function formatValue(v: number, width: number, base: string): string {
  if (base === 'n' || base === 'N') {
    let out = '';
    let rest = v;
    do {
      const d = rest & 15;
      out += (base === 'N' ? d.toString(16).toUpperCase() : d.toString(16)) + '.';
      rest = Math.floor(rest / 16);
    } while (rest > 0 || out.length < width);
    return out;
  }
  const digits = base === 'o' ? v.toString(8) : base === 'x' ? v.toString(16) : base === 'X' ? v.toString(16).toUpperCase() : String(v);
  return digits.padStart(width, '0');
}

/**
 * Expands a template for one iteration value. `$` is the value,
 * `${offset[,width[,base]]}` a formatted one, `$$` a literal `$`; `\$` (any escape) passes
 * through untouched for the name or rdata parser. Returns a reason string
 * when the template is malformed.
 */
export function expandTemplate(template: string, value: number): { text: string } | { error: string } {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c === '\\') {
      out += template.slice(i, i + 2);
      i++;
      continue;
    }
    if (c !== '$') {
      out += c;
      continue;
    }
    if (template[i + 1] === '$') {
      // `$$` is a literal dollar sign (BIND).
      out += '\\$';
      i++;
      continue;
    }
    if (template[i + 1] !== '{') {
      out += String(value);
      continue;
    }
    const close = template.indexOf('}', i + 2);
    if (close < 0) return { error: `unterminated \${ in '${template}'` };
    const m = /^(-?[0-9]{1,10})(?:,([0-9]{1,3})(?:,([doxXnN]))?)?$/.exec(template.slice(i + 2, close));
    if (m === null) return { error: `bad \${offset,width,base} in '${template}'` };
    const v = value + Number(m[1]);
    if (v < 0) return { error: `\${} value ${v} is negative` };
    out += formatValue(v, m[2] === undefined ? 0 : Number(m[2]), m[3] ?? 'd');
    i = close;
  }
  return { text: out };
}

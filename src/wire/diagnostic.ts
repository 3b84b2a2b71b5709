/** Where something was read from: a file, 1-based line and column. */
export interface SourcePosition {
  file: string;
  line: number;
  col: number;
}

/**
 * One finding about input (a zone file, a zone's data). Errors make the
 * input invalid; warnings do not. `code` is stable; `message` is for people.
 */
export interface Diagnostic {
  severity: 'error' | 'warning';
  code: string;
  message: string;
  at?: SourcePosition;
}

/** `file:line:col: message`, or just the message when there is no position. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.at ? `${d.at.file}:${d.at.line}:${d.at.col}: ` : '';
  return `${where}${d.severity === 'warning' ? 'warning: ' : ''}${d.message}`;
}

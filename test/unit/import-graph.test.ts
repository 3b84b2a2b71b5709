/**
 * The module graph, checked against the README: every relative import in
 * every .ts file under src/ and fuzz/ (type-only imports, `export ... from`
 * and `import('...')` too) is read with the TypeScript parser, and
 *
 *  - an import from one folder into another must be one that the "may
 *    import" column of README.md's "## Layout" table allows (the table is
 *    parsed here, so the two cannot disagree), and the table must name
 *    exactly the folders under src/;
 *  - nothing in src/ imports test/ or fuzz/;
 *  - an import into another folder that has an index.ts goes through it;
 *  - no file imports itself through a chain of others (no cycle).
 *
 * Every failure names the importing file, its line and the import.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { posix } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { repoRoot } from '../support/paths.js';

interface Edge {
  /** The importing file, relative to the repository root (posix). */
  from: string;
  line: number;
  /** The specifier as written. */
  spec: string;
  /** The imported file, relative to the repository root, with .ts for .js. */
  to: string;
}

const read = (rel: string): string => readFileSync(posix.join(repoRoot, rel), 'utf8');

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  if (!existsSync(posix.join(repoRoot, dir))) return out;
  for (const e of readdirSync(posix.join(repoRoot, dir), { withFileTypes: true })) {
    const rel = posix.join(dir, e.name);
    if (e.isDirectory()) out.push(...tsFiles(rel));
    else if (e.name.endsWith('.ts')) out.push(rel);
  }
  return out.sort();
}

/** Every relative import of one file, found in its syntax tree (comments and strings cannot fool it). */
function importsOf(file: string): Edge[] {
  const sf = ts.createSourceFile(file, read(file), ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: Edge[] = [];
  const add = (lit: ts.Node): void => {
    if (!ts.isStringLiteralLike(lit) || !/^\.\.?\//.test(lit.text)) return;
    const to = posix.normalize(posix.join(posix.dirname(file), lit.text)).replace(/\.js$/, '.ts');
    out.push({ from: file, line: sf.getLineAndCharacterOfPosition(lit.getStart(sf)).line + 1, spec: lit.text, to });
  };
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier !== undefined) add(node.moduleSpecifier);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] !== undefined) add(node.arguments[0]);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) add(node.moduleReference.expression);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** The folder a path belongs to, as the Layout table names it: `src/zone`, `test/support`, `fuzz`. */
function folderOf(path: string): string {
  const seg = path.split('/');
  return (seg[0] === 'src' || seg[0] === 'test') && seg.length > 2 ? `${seg[0]}/${seg[1]}` : seg[0]!;
}

/** A folder as written in the table: `fuzz/` is fuzz, `test/unit/…` is test/unit; `src/…` alone means any folder under src/. */
function tableFolder(token: string): string {
  return token.replace(/\/…$/, '/*').replace(/\/$/, '');
}

interface LayoutRow {
  folders: string[];
  /** Folders it may import; `X/*` is any folder under X. */
  mayImport: string[];
}

/** The rows of README.md's "## Layout" table, with its "folder" and "may import" columns. */
function layoutTable(): LayoutRow[] {
  const readme = read('README.md');
  const start = readme.indexOf('\n## Layout\n');
  assert.ok(start >= 0, 'README.md has no "## Layout" section');
  const after = readme.indexOf('\n## ', start + 1);
  const lines = readme.slice(start, after < 0 ? undefined : after).split('\n').filter((l) => l.startsWith('|'));
  const cells = (l: string): string[] => l.replace(/^\||\|$/g, '').split('|').map((c) => c.trim());
  const header = cells(lines[0] ?? '');
  const folderCol = header.indexOf('folder');
  const importCol = header.indexOf('may import');
  assert.ok(folderCol >= 0 && importCol >= 0, `README.md "## Layout" table needs a "folder" and a "may import" column, has: ${header.join(', ')}`);
  const ticked = (c: string): string[] => [...c.matchAll(/`([^`]+)`/g)].map((m) => tableFolder(m[1]!));
  return lines.slice(2).map((l) => {
    const c = cells(l);
    const row = { folders: ticked(c[folderCol] ?? ''), mayImport: ticked(c[importCol] ?? '') };
    assert.ok(row.mayImport.length > 0 || /^nothing$/i.test(c[importCol] ?? ''), `README.md "## Layout" row has no "may import" entry (folders or "nothing"): ${l}`);
    return row;
  });
}

function allows(patterns: readonly string[], folder: string): boolean {
  return patterns.some((p) => p === folder || (p.endsWith('/*') && folder.startsWith(p.slice(0, -1))));
}

const files = [...tsFiles('src'), ...tsFiles('fuzz')];
const known = new Set(files);
const edges = files.flatMap(importsOf);
const crossing = edges.filter((e) => folderOf(e.from) !== folderOf(e.to));
const where = (e: Edge): string => `${e.from}:${e.line} imports '${e.spec}'`;

/** Fails with one line per problem. */
function none(problems: readonly string[]): void {
  assert.ok(problems.length === 0, `${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
}

describe('module graph (src/ and fuzz/)', () => {
  const rows = layoutTable();
  const table = new Map<string, string[]>();
  const twice: string[] = [];
  for (const r of rows) {
    for (const f of r.folders) {
      if (table.has(f)) twice.push(f);
      table.set(f, r.mayImport);
    }
  }

  it('the README Layout table has one row for each folder under src/, and names no folder that is not there', () => {
    const actual = readdirSync(posix.join(repoRoot, 'src'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => `src/${d.name}`).sort();
    const problems = twice.map((f) => `folder ${f} has more than one row in README.md "## Layout"`);
    for (const f of actual) if (!table.has(f)) problems.push(`folder ${f} has no row in README.md "## Layout"`);
    if (!table.has('fuzz')) problems.push('folder fuzz/ has no row in README.md "## Layout"');
    const named = new Set(rows.flatMap((r) => [...r.folders, ...r.mayImport]));
    for (const f of named) if (f.startsWith('src/') && !f.endsWith('/*') && !actual.includes(f)) problems.push(`README.md "## Layout" names ${f}, which is not a folder`);
    none(problems);
  });

  it('every import from one folder into another is one the README table allows', () => {
    const problems: string[] = [];
    for (const e of crossing) {
      const from = folderOf(e.from);
      const to = folderOf(e.to);
      const may = table.get(from);
      if (may === undefined) problems.push(`${where(e)}: folder ${from} has no row in README.md "## Layout"`);
      else if (!allows(may, to)) problems.push(`${where(e)}: ${from} may not import ${to} (README.md "## Layout": ${from} may import ${may.length === 0 ? 'nothing' : may.join(', ')})`);
    }
    none(problems);
  });

  it('nothing in src/ imports test/ or fuzz/', () => {
    const problems = edges
      .filter((e) => e.from.startsWith('src/') && !e.to.startsWith('src/'))
      .map((e) => `${where(e)}: src/ may not import ${folderOf(e.to)}`);
    none(problems);
  });

  it('an import into another folder that has an index.ts goes through it', () => {
    const problems = crossing
      .filter((e) => existsSync(posix.join(repoRoot, folderOf(e.to), 'index.ts')) && e.to !== `${folderOf(e.to)}/index.ts`)
      .map((e) => `${where(e)}: goes past ${folderOf(e.to)}/index.ts (export what it needs there)`);
    none(problems);
  });

  it('no cycle between files', () => {
    const out = new Map<string, Edge[]>();
    for (const f of files) out.set(f, []);
    for (const e of edges) if (known.has(e.to)) out.get(e.from)!.push(e);
    // Tarjan's strongly connected components; each with more than one file (or a file importing itself) holds a cycle.
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const components: string[][] = [];
    const connect = (v: string): void => {
      index.set(v, index.size);
      low.set(v, index.get(v)!);
      stack.push(v);
      onStack.add(v);
      for (const e of out.get(v)!) {
        if (!index.has(e.to)) {
          connect(e.to);
          low.set(v, Math.min(low.get(v)!, low.get(e.to)!));
        } else if (onStack.has(e.to)) low.set(v, Math.min(low.get(v)!, index.get(e.to)!));
      }
      if (low.get(v) === index.get(v)) {
        const c: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          c.push(w);
        } while (w !== v);
        if (c.length > 1 || out.get(v)!.some((e) => e.to === v)) components.push(c.sort());
      }
    };
    for (const f of files) if (!index.has(f)) connect(f);
    // One concrete cycle per component: the shortest way from its first file back to it.
    const problems = components.map((c) => {
      const inside = new Set(c);
      const start = c[0]!;
      const via = new Map<string, Edge>();
      const queue = [start];
      let last: Edge | undefined;
      while (queue.length > 0 && last === undefined) {
        const v = queue.shift()!;
        for (const e of out.get(v)!) {
          if (!inside.has(e.to)) continue;
          if (e.to === start) {
            last = e;
            break;
          }
          if (!via.has(e.to)) {
            via.set(e.to, e);
            queue.push(e.to);
          }
        }
      }
      const path: Edge[] = [last!];
      while (path[0]!.from !== start) path.unshift(via.get(path[0]!.from)!);
      return `cycle of ${c.length} file(s) (${c.join(', ')}): ${path.map(where).join(' -> ')}`;
    });
    none(problems);
  });
});

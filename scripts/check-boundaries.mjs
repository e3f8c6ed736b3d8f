// The layering rules of CONVENTIONS.md, enforced: a violation fails `npm test`.
//  - native/api is plain TypeScript: no node:* modules, no native packages (zod only).
//  - nothing in native/ imports electron or renderer code.
//  - renderer/ imports from native/ only with `import type`, and only from native/api
//    (except the constants-only modules listed below).
//    Those modules must not reach zod through their value imports (the method specs stay out of the web bundle).
//  - only native/onnx/ort.ts imports onnxruntime-node; only native/store/database.ts imports better-sqlite3.
//  - inside native/, folders are floors (CONVENTIONS.md 5a): each may import only the folders `floors`
//    lists for it, and no chain of value imports between files of native/ may come back to where it
//    started (an `import type` is erased before run time, so it cannot make a module load half-initialised).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const root = process.cwd();
const importPattern = /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
const rendererValueImportsAllowed = new Set([
  'native/api/types.ts',
  'native/api/bridge.ts',
  'native/api/random.ts',
  'native/api/feature-key.ts',
]);

// For each folder of native/, the folders it may import (its own always). Read bottom to top: a folder
// appears only after every folder it uses, so the table itself cannot hold a circle. `native/cli.ts`
// counts as cli.
const bottom = ['api', 'formats', 'onnx'];
const middle = [...bottom, 'models', 'corpus'];
const engine = [...middle, 'sae', 'store'];
const floors = {
  api: [],
  formats: ['api'],
  onnx: ['api'],
  models: ['api', 'formats', 'onnx'],
  corpus: ['api', 'formats'],
  sae: middle,
  store: ['api', 'formats'],
  // registry: registering models and SAEs (paths, fingerprints) and loading what a run asked for.
  registry: engine,
  // index sits one step below maps and prompt: both read the feature index it builds.
  index: [...engine, 'registry'],
  maps: [...engine, 'registry', 'index'],
  prompt: [...engine, 'registry', 'index'],
  demo: [...engine, 'registry', 'index', 'maps', 'prompt'],
  jobs: [...engine, 'registry', 'index', 'maps', 'prompt', 'demo'],
  host: [...engine, 'registry', 'index', 'maps', 'prompt', 'demo', 'jobs'],
  cli: [...engine, 'registry', 'index', 'maps', 'prompt', 'demo', 'jobs', 'host'],
};

function files(dir, extensions) {
  const out = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...files(path, extensions));
    else if (extensions.some((e) => name.endsWith(e))) out.push(path);
  }
  return out;
}

function imports(file) {
  const text = readFileSync(file, 'utf8');
  const found = [];
  for (const m of text.matchAll(importPattern)) {
    found.push({ typeOnly: Boolean(m[2]), spec: m[3] ?? m[4] });
  }
  return found;
}

function resolveRelative(file, spec) {
  return relative(root, join(file, '..', spec)).replace(/\.js$/, '.ts');
}

/** native/<folder>/… (or native/<name>.ts) -> folder */
function floorOf(rel) {
  return rel.split('/')[1].replace(/\.ts$/, '');
}

/** Every circle in the graph (file -> files it imports), each as the files on it; Tarjan's strongly connected components. */
function circles(graph) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  let next = 0;
  function visit(v) {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) !== index.get(v)) return;
    const component = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? new Set()).has(v)) found.push(component.sort());
  }
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

const problems = [];
const zodImporters = new Set();
const graph = new Map();
for (const file of files(join(root, 'native'), ['.ts'])) {
  const rel = relative(root, file);
  const from = floorOf(rel);
  const allowed = floors[from];
  if (!allowed) problems.push(`${rel}: native/${from} has no row in the floors table of scripts/check-boundaries.mjs`);
  graph.set(rel, new Set());
  for (const { spec, typeOnly } of imports(file)) {
    if (spec.startsWith('.')) {
      const target = resolveRelative(file, spec);
      if (target.startsWith('native/')) {
        if (!typeOnly) graph.get(rel).add(target);
        const to = floorOf(target);
        if (allowed && to !== from && !allowed.includes(to))
          problems.push(`${rel}: native/${from} may not import native/${to} (${spec}); it may import ${allowed.join(', ') || 'nothing'}`);
      }
    }
    if (spec === 'electron' || spec.startsWith('electron/')) problems.push(`${rel}: native/ must not import electron`);
    if (spec.includes('renderer/')) problems.push(`${rel}: native/ must not import renderer code (${spec})`);
    if (rel.startsWith('native/api/') && !spec.startsWith('.') && spec !== 'zod')
      problems.push(`${rel}: native/api is plain TS, cannot import "${spec}"`);
    if (spec === 'zod' && !typeOnly) zodImporters.add(rel);
    if (spec === 'onnxruntime-node' && rel !== 'native/onnx/ort.ts')
      problems.push(`${rel}: only native/onnx/ort.ts may import onnxruntime-node`);
    if (spec === 'better-sqlite3' && rel !== 'native/store/database.ts')
      problems.push(`${rel}: only native/store/database.ts may import better-sqlite3`);
  }
}
for (const circle of circles(graph)) problems.push(`import circle among ${circle.join(', ')}`);
// The renderer's value imports of native/api must not load zod (the method specs): it would ship in the web bundle unused.
for (const start of rendererValueImportsAllowed) {
  const seen = new Set([start]);
  const todo = [start];
  while (todo.length > 0) {
    const file = todo.pop();
    if (zodImporters.has(file))
      problems.push(
        `${start}: the renderer value-imports it, and through it ${file}, which imports zod (keep method specs in native/api/methods/)`,
      );
    for (const next of graph.get(file) ?? []) {
      if (seen.has(next)) continue;
      seen.add(next);
      todo.push(next);
    }
  }
}
for (const file of files(join(root, 'renderer', 'src'), ['.ts', '.svelte'])) {
  const rel = relative(root, file);
  for (const { spec, typeOnly } of imports(file)) {
    if (!spec.startsWith('.')) continue;
    const target = resolveRelative(file, spec);
    if (!target.startsWith('native/')) continue;
    if (!target.startsWith('native/api/')) problems.push(`${rel}: renderer may import only native/api, not ${target}`);
    else if (!typeOnly && !rendererValueImportsAllowed.has(target))
      problems.push(`${rel}: renderer may import only types from ${target} (use import type)`);
  }
}
problems.push(...storeDoorProblems());
if (problems.length > 0) {
  console.error(`Layering violations:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('Layering: ok');

// Workspace is the only door to SQLite (issue 15): outside native/store, no file of native/ reads a
// `.db` member (the connection) or holds SQL in a string. Parsed with TypeScript, so help text that
// names loupe.db and comments are not code.
function storeDoorProblems() {
  const sql =
    /\b(?:SELECT\b[\s\S]*\bFROM|INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(?:TABLE|INDEX|VIRTUAL\s+TABLE)|DROP\s+(?:TABLE|INDEX)|PRAGMA\s+\w+)\b/;
  const out = [];
  for (const file of files(join(root, 'native'), ['.ts'])) {
    const rel = relative(root, file);
    if (rel.startsWith('native/store/')) continue;
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const where = (node) => `${rel}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}`;
    const visit = (node) => {
      if (ts.isPropertyAccessExpression(node) && node.name.text === 'db') {
        out.push(`${where(node)}: reads the workspace database (.db) outside native/store; use a Workspace member's verb`);
      } else if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node)) {
        const text = ts.isTemplateExpression(node)
          ? [node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join(' ? ')
          : node.text;
        if (sql.test(text)) out.push(`${where(node)}: SQL outside native/store; make it a verb of the table it reads`);
        if (ts.isTemplateExpression(node)) node.templateSpans.forEach((s) => visit(s.expression));
        return;
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return out;
}

// The layering rules of CONVENTIONS.md, enforced: a violation fails `npm test`.
//  - native/api is plain TypeScript: no node:* modules, no native packages (zod only).
//  - nothing in native/ imports electron or renderer code.
//  - renderer/ imports from native/ only with `import type`, and only from native/api
//    (except the constants-only modules listed below).
//  - only native/onnx/ort.ts imports onnxruntime-node; only native/store/database.ts imports better-sqlite3.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = process.cwd();
const importPattern = /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
const rendererValueImportsAllowed = new Set(['native/api/types.ts', 'native/api/bridge.ts']);

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

const problems = [];
for (const file of files(join(root, 'native'), ['.ts'])) {
  const rel = relative(root, file);
  for (const { spec } of imports(file)) {
    if (spec === 'electron' || spec.startsWith('electron/')) problems.push(`${rel}: native/ must not import electron`);
    if (spec.includes('renderer/')) problems.push(`${rel}: native/ must not import renderer code (${spec})`);
    if (rel.startsWith('native/api/') && !spec.startsWith('.') && spec !== 'zod') problems.push(`${rel}: native/api is plain TS, cannot import "${spec}"`);
    if (spec === 'onnxruntime-node' && rel !== 'native/onnx/ort.ts') problems.push(`${rel}: only native/onnx/ort.ts may import onnxruntime-node`);
    if (spec === 'better-sqlite3' && rel !== 'native/store/database.ts') problems.push(`${rel}: only native/store/database.ts may import better-sqlite3`);
  }
}
for (const file of files(join(root, 'renderer', 'src'), ['.ts', '.svelte'])) {
  const rel = relative(root, file);
  for (const { spec, typeOnly } of imports(file)) {
    if (!spec.startsWith('.')) continue;
    const target = resolveRelative(file, spec);
    if (!target.startsWith('native/')) continue;
    if (!target.startsWith('native/api/')) problems.push(`${rel}: renderer may import only native/api, not ${target}`);
    else if (!typeOnly && !rendererValueImportsAllowed.has(target)) problems.push(`${rel}: renderer may import only types from ${target} (use import type)`);
  }
}
if (problems.length > 0) {
  console.error(`Layering violations:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('Layering: ok');

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

// The real script, run on small trees of real files: it reads whatever tree it is started in.
const script = resolve('scripts/check-boundaries.mjs');
const trees: string[] = [];

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'loupe-layering-'));
  trees.push(root);
  mkdirSync(join(root, 'renderer', 'src'), { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

function lint(root: string): { ok: boolean; output: string } {
  try {
    return { ok: true, output: execFileSync(process.execPath, [script], { cwd: root, encoding: 'utf8', stdio: 'pipe' }) };
  } catch (e) {
    const err = e as { stdout: string; stderr: string };
    return { ok: false, output: `${err.stdout}${err.stderr}` };
  }
}

afterEach(() => {
  for (const root of trees.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe('check-boundaries floors', () => {
  it('accepts imports that run down the floors', () => {
    const root = tree({
      'native/api/types.ts': 'export interface A { a: number }\n',
      'native/sae/x.ts': "import type { A } from '../api/types.js';\nimport { y } from '../models/y.js';\nexport const x = y;\n",
      'native/models/y.ts': 'export const y = 1;\n',
      'native/index/z.ts': "import { x } from '../sae/x.js';\nexport const z = x;\n",
    });
    expect(lint(root)).toEqual({ ok: true, output: 'Layering: ok\n' });
  });

  it('refuses an import that runs back up, type-only or not, naming the file and the allowed floors', () => {
    const root = tree({
      'native/sae/eval.ts': 'export interface Report { fvu: number }\n',
      'native/store/evals.ts': "import type { Report } from '../sae/eval.js';\nexport type R = Report;\n",
    });
    const { ok, output } = lint(root);
    expect(ok).toBe(false);
    expect(output).toContain('native/store/evals.ts: native/store may not import native/sae (../sae/eval.js); it may import api, formats');
  });

  it('refuses a folder that has no row in the table', () => {
    const { ok, output } = lint(tree({ 'native/newfloor/a.ts': 'export const a = 1;\n' }));
    expect(ok).toBe(false);
    expect(output).toContain('native/newfloor has no row in the floors table');
  });

  it('refuses a circle of value imports inside one folder but not a circle closed by import type', () => {
    const circle = tree({
      'native/maps/a.ts': "import { b } from './b.js';\nexport const a = b + 1;\n",
      'native/maps/b.ts': "import { c } from './c.js';\nexport const b = c;\n",
      'native/maps/c.ts': "import { a } from './a.js';\nexport const c = () => a;\n",
    });
    const { ok, output } = lint(circle);
    expect(ok).toBe(false);
    expect(output).toContain('import circle among native/maps/a.ts, native/maps/b.ts, native/maps/c.ts');

    const typeOnly = tree({
      'native/maps/a.ts': "import { b } from './b.js';\nexport const a = b;\nexport type A = number;\n",
      'native/maps/b.ts': "import type { A } from './a.js';\nexport const b: A = 1;\n",
    });
    expect(lint(typeOnly).ok).toBe(true);
  });
});

describe('check-boundaries renderer value imports', () => {
  it('refuses a renderer-importable api module that reaches zod through its value imports, but not through a type import', () => {
    const specs = "import { z } from 'zod';\nexport const specs = { a: z.string() };\nexport type A = number;\n";
    const reaches = tree({
      'native/api/types.ts': "export * from './labels.js';\n",
      'native/api/labels.ts': "export { specs } from './methods/labels.js';\nexport const tag = 'x';\n",
      'native/api/methods/labels.ts': specs,
    });
    const { ok, output } = lint(reaches);
    expect(ok).toBe(false);
    expect(output).toContain(
      'native/api/types.ts: the renderer value-imports it, and through it native/api/methods/labels.ts, which imports zod',
    );

    const typeOnly = tree({
      'native/api/types.ts': "export * from './labels.js';\n",
      'native/api/labels.ts': "import type { A } from './methods/labels.js';\nexport const tag: A = 1;\n",
      'native/api/methods/labels.ts': specs,
    });
    expect(lint(typeOnly)).toEqual({ ok: true, output: 'Layering: ok\n' });
  });
});

describe('check-boundaries store door', () => {
  it('refuses a workspace connection read outside native/store, naming file and line', () => {
    const root = tree({
      'native/host/h.ts': "export function n(ws: { db: { get(s: string): unknown } }) {\n  return ws.db.get('x');\n}\n",
    });
    const { ok, output } = lint(root);
    expect(ok).toBe(false);
    expect(output).toContain('native/host/h.ts:2: reads the workspace database (.db) outside native/store');
  });

  it('refuses SQL in a string or template outside native/store, naming file and line', () => {
    const root = tree({
      'native/cli/a.ts': "export const q = 'SELECT config_json FROM saes WHERE id = ?';\n",
      'native/index/b.ts': 'export const t = "saes";\nexport const u = `UPDATE ${t} SET d_sae = ?`;\nexport const d = `DELETE FROM x`;\n',
    });
    const { ok, output } = lint(root);
    expect(ok).toBe(false);
    expect(output).toContain('native/cli/a.ts:1: SQL outside native/store');
    expect(output).toContain('native/index/b.ts:3: SQL outside native/store');
    expect(output).not.toContain('native/index/b.ts:1:');
  });

  it('accepts SQL and .db inside native/store, and prose, comments and file names elsewhere', () => {
    const root = tree({
      'native/store/t.ts':
        "export function c(db: { get(s: string): unknown }, o: { db: unknown }) {\n  return [db.get('SELECT count(*) FROM saes'), o.db];\n}\n",
      'native/cli/help.ts':
        "// SELECT x FROM y is SQL only in code\nexport const help = 'the Loupe workspace (loupe.db + artifacts/); select the features from a list, then update the map';\n",
    });
    expect(lint(root)).toEqual({ ok: true, output: 'Layering: ok\n' });
  });
});

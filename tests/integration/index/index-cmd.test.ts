import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openWorkspace } from '../../../native/store/workspace.js';
import { DEMO_MODEL } from '../../helpers/shared.js';
import { tempDir } from '../../helpers/tmp.js';
import { loupe } from '../../helpers/loupe-cli.js';
import { writeTestSae } from './catalog-fixtures.js';

const dir = tempDir('index-cmd');
afterAll(() => dir.cleanup());
const sae = join(dir.path, 'res0');
writeTestSae(sae);

/** `loupe index` on the demo model; `rest` adds flags after the corpus and token count (--context). */
const index = (workspace: string, saePath: string, corpus: string, tokens: number, ...rest: string[]) =>
  loupe(
    'index',
    '--workspace',
    workspace,
    '--model',
    DEMO_MODEL,
    '--sae',
    saePath,
    '--corpus',
    corpus,
    '--tokens',
    String(tokens),
    ...rest,
  );

describe('loupe index', () => {
  it('registers the model and the SAE, indexes, and prints the run summary', async () => {
    const workspace = join(dir.path, 'ws');
    const run = await index(workspace, sae, 'brown:ca01', 256, '--context', '64');
    expect(run.code, run.err).toBe(0);
    expect(run.err).toContain('loupe index: model demo-model (added), SAE res0 (added)');
    expect(JSON.parse(run.out)).toMatchObject({ model: 'demo-model', saeId: 'res0', tokens: 256, windows: 5 }); // 63 after the BOS, then 55 a window after a burn-in of 8
    const ws = openWorkspace(workspace);
    try {
      expect(ws.saes.get('res0')).toMatchObject({ modelId: 'demo-model', path: sae });
      expect(ws.features.page({ saeId: 'res0', index: 0 }).run).toMatchObject({ corpusSpec: 'brown:ca01', tokensDone: 256, state: 'done' });
    } finally {
      ws.close();
    }
  });

  it('says what is wrong: a missing flag (exit 2), an SAE of the wrong width or a bad corpus (exit 1)', async () => {
    const workspace = join(dir.path, 'ws-bad');
    const missing = await loupe('index', '--workspace', workspace, '--model', DEMO_MODEL, '--corpus', 'brown', '--tokens', '256');
    expect(missing).toMatchObject({ code: 2, err: expect.stringContaining('missing required flag --sae') });
    const narrow = join(dir.path, 'narrow');
    writeTestSae(narrow, { dIn: 128 });
    const wrong = await index(workspace, narrow, 'brown', 256);
    expect(wrong).toMatchObject({
      code: 1,
      err: expect.stringMatching(
        /^loupe index: .*d_in = 128 values per token, but demo-model's hook blocks\.0\.hook_resid_post is 256 wide/,
      ),
    });
    const corpus = await index(workspace, sae, 'text:/no/such.txt', 256);
    expect(corpus).toMatchObject({ code: 1, err: expect.stringContaining('corpus file not found: /no/such.txt') });
  });
});

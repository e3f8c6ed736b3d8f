import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiFailure } from '../../../native/api/errors.js';
import { saeWithModel } from '../../../native/store/sae-with-model.js';
import { openWorkspace } from '../../../native/store/workspace.js';
import type { Workspace } from '../../../native/store/workspace.js';
import { tempDir } from '../../helpers/tmp.js';
import { registerSae } from './index-fixtures.js';

const dir = tempDir('sae-with-model');
afterAll(() => dir.cleanup());
let n = 0;
let ws: Workspace;

beforeEach((context) => {
  ws = openWorkspace(join(dir.path, `ws-${++n}`));
  context.onTestFinished(() => ws.close());
});

function refusal(saeId: string, field?: string): ApiFailure {
  try {
    saeWithModel(ws, saeId, field);
  } catch (e) {
    if (e instanceof ApiFailure) return e;
    throw e;
  }
  throw new Error(`saeWithModel(${saeId}) did not refuse`);
}

describe('saeWithModel', () => {
  it('returns the SAE row and the row of the model it is attached to', () => {
    ws.models.insert({
      id: 'm1',
      name: 'tiny',
      path: '/models/tiny',
      family: 'gpt2',
      nLayers: 2,
      dModel: 16,
      dVocab: 50,
      nCtx: 64,
      fingerprint: 'beef',
      addedAt: '2024-01-01T00:00:00.000Z',
      config: {},
    });
    registerSae(ws, 's1', 32);
    const sae = ws.saes.get('s1');
    if (!sae) throw new Error('registerSae wrote no row');
    ws.saes.update({ ...sae, modelId: 'm1' });
    const found = saeWithModel(ws, 's1');
    expect(found.sae).toMatchObject({ id: 's1', modelId: 'm1', dSae: 32 });
    expect(found.model).toMatchObject({ id: 'm1', name: 'tiny', nCtx: 64 });
  });

  it('refuses an unknown SAE with not_found naming the field', () => {
    expect(refusal('nope')).toMatchObject({ code: 'not_found', field: 'saeId', message: 'no SAE "nope" in this workspace' });
    expect(refusal('nope', 'edits.2.saeId')).toMatchObject({ code: 'not_found', field: 'edits.2.saeId' });
  });

  it('refuses an SAE with no model with a conflict that says how to attach one', () => {
    registerSae(ws, 'lonely', 8);
    const e = refusal('lonely', 'edits.0.saeId');
    expect(e).toMatchObject({ code: 'conflict', field: 'edits.0.saeId' });
    expect(e.message).toBe('SAE "lonely" is not attached to a model: register it again with saes.add {path, modelId}');
  });
});

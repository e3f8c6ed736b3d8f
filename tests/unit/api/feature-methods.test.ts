import { describe, expect, it } from 'vitest';
import { methods } from '../../../native/api/methods.js';
import type { MethodName } from '../../../native/api/methods.js';
import { validateCall } from '../../../native/api/validate.js';

/** The methods issues 5 and 7 added, each with the smallest params it accepts. */
const minimal: Partial<Record<MethodName, Record<string, unknown>>> = {
  'models.add': { path: '/models/gpt2' },
  'saes.add': { path: '/saes/res-0' },
  'index.start': { saeId: 'sae-a', corpus: 'brown', tokens: 4096 },
  'features.page': { saeId: 'sae-a', index: 0 },
  'features.search': { saeId: 'sae-a' },
  'features.list': { saeId: 'sae-a', sort: 'index', offset: 0, limit: 50 },
  'labels.set': { saeId: 'sae-a', index: 3 },
  'labels.history': { saeId: 'sae-a' },
  'labels.undo': { saeId: 'sae-a' },
  'jobs.data': { jobId: 'job-1' },
  'train.start': {
    name: 'split-7',
    model: '/models/gpt2',
    hook: 'blocks.0.hook_resid_post',
    corpus: 'brown',
    dSae: 64,
    activation: { kind: 'topk', k: 4 },
    tokens: 8192,
  },
};
const train = minimal['train.start']!;

const good: [MethodName, Record<string, unknown>][] = [
  ...(Object.entries(minimal) as [MethodName, Record<string, unknown>][]),
  ['saes.add', { path: '/saes/res-0', modelId: 'gpt2' }],
  ['index.start', { saeId: 'sae-a', corpus: 'text:/data/corpus.txt', tokens: 1_000_000_000, contextLength: 64 }],
  ['features.page', { saeId: 'sae-a', index: 2_147_483_647 }],
  [
    'features.search',
    {
      saeId: 'sae-a',
      text: 'dog OR "cat',
      token: ' the',
      labelState: 'unlabelled',
      minDensity: 0,
      maxDensity: 1,
      sort: 'density',
      descending: true,
      offset: 100,
      limit: 1000,
    },
  ],
  ['features.list', { saeId: 'sae-a', sort: 'label', descending: false, offset: 10, limit: 1 }],
  ['labels.set', { saeId: 'sae-a', index: 3, label: 'dogs', notes: '', tags: ['animal', 'noun'] }],
  [
    'labels.set',
    { saeId: 'sae-a', index: 3, label: 'x'.repeat(1000), notes: 'n'.repeat(100_000), tags: Array.from({ length: 64 }, (_, i) => `t${i}`) },
  ],
  ['labels.history', { saeId: 'sae-a', index: 2, limit: 10_000, beforeId: 7 }],
  ['labels.undo', { saeId: 'sae-a', index: 1 }],
  ['models.add', { path: `/${'p'.repeat(4095)}` }],
  [
    'train.start',
    {
      ...train,
      name: 'a_b-0',
      activation: { kind: 'relu', l1Coefficient: 5 },
      batchTokens: 1024,
      contextLength: 64,
      lr: 1e-3,
      seed: 0xffffffff,
    },
  ],
  [
    'train.start',
    {
      ...train,
      activation: { kind: 'topk', k: 64, auxKCoefficient: 0 },
      initFrom: '/saes/narrow',
      normalizeInitFrom: true,
      filter: { sae: '/saes/narrow', feature: 7, threshold: 0.5 },
      zeroFilterFeature: true,
    },
  ],
];

describe('the feature, label, index and training methods accept what they should', () => {
  for (const [method, params] of good) {
    it(`${method} accepts ${JSON.stringify(params).slice(0, 100)}`, () => {
      const checked = validateCall(method, params);
      expect(checked.ok ? 'ok' : checked.error).toBe('ok');
    });
  }

  it('labels.history pages 100 events unless told otherwise', () => {
    const checked = validateCall('labels.history', { saeId: 'sae-a' });
    expect(checked.ok && checked.params).toEqual({ saeId: 'sae-a', limit: 100 });
  });

  it('every method says what it does, and jobs say which events they send', () => {
    for (const name of Object.keys(minimal) as MethodName[]) {
      expect(methods[name].summary.length, name).toBeGreaterThan(20);
    }
    expect(methods['index.start'].job).toBe(true);
    expect(methods['train.start'].job).toBe(true);
    expect(methods['train.start'].events).toContain('job.data');
  });
});

const bad: [string, MethodName, unknown, string, RegExp][] = [
  ['no path', 'models.add', {}, 'path', /expected string/i],
  ['an empty path', 'models.add', { path: '' }, 'path', /too small/i],
  ['a path over 4096 characters', 'models.add', { path: `/${'p'.repeat(4096)}` }, 'path', /too big/i],
  ['a path that is a number', 'saes.add', { path: 5 }, 'path', /expected string/i],
  ['a model id that is null', 'saes.add', { path: '/s', modelId: null }, 'modelId', /expected string/i],
  ['an overlong model id', 'saes.add', { path: '/s', modelId: 'm'.repeat(201) }, 'modelId', /too big/i],
  ['no corpus', 'index.start', { saeId: 's', tokens: 10 }, 'corpus', /expected string/i],
  ['zero tokens', 'index.start', { saeId: 's', corpus: 'brown', tokens: 0 }, 'tokens', /too small/i],
  ['infinite tokens', 'index.start', { saeId: 's', corpus: 'brown', tokens: Infinity }, 'tokens', /expected number/i],
  ['more tokens than a double counts', 'index.start', { saeId: 's', corpus: 'brown', tokens: 2 ** 60 }, 'tokens', /too big/i],
  [
    'a fractional context',
    'index.start',
    { saeId: 's', corpus: 'brown', tokens: 10, contextLength: 12.5 },
    'contextLength',
    /expected int/i,
  ],
  ['tokens as a string', 'index.start', { saeId: 's', corpus: 'brown', tokens: '4096' }, 'tokens', /expected number/i],
  ['a negative feature index', 'features.page', { saeId: 's', index: -1 }, 'index', /too small/i],
  ['a feature index past int32', 'features.page', { saeId: 's', index: 2 ** 31 }, 'index', /too big/i],
  ['a feature index that is NaN', 'features.page', { saeId: 's', index: Number.NaN }, 'index', /expected number/i],
  ['no SAE id', 'features.page', { index: 1 }, 'saeId', /expected string/i],
  ['an empty SAE id', 'features.search', { saeId: '' }, 'saeId', /too small/i],
  ['a density above 1', 'features.search', { saeId: 's', minDensity: 2 }, 'minDensity', /too big/i],
  ['a negative density', 'features.search', { saeId: 's', maxDensity: -0.1 }, 'maxDensity', /too small/i],
  ['an unknown sort key', 'features.search', { saeId: 's', sort: 'bogus' }, 'sort', /invalid option/i],
  ['an unknown label state', 'features.search', { saeId: 's', labelState: 'some' }, 'labelState', /invalid option/i],
  ['overlong search text', 'features.search', { saeId: 's', text: 't'.repeat(1001) }, 'text', /too big/i],
  ['a limit of 0', 'features.search', { saeId: 's', limit: 0 }, 'limit', /too small/i],
  [
    'a nested density object (the store shape, not the contract)',
    'features.search',
    { saeId: 's', density: { min: 0 } },
    'density',
    /unrecognized key/i,
  ],
  ['no sort', 'features.list', { saeId: 's', offset: 0, limit: 5 }, 'sort', /invalid option/i],
  ['no limit', 'features.list', { saeId: 's', sort: 'index', offset: 0 }, 'limit', /expected number/i],
  ['a limit over 1000', 'features.list', { saeId: 's', sort: 'index', offset: 0, limit: 1001 }, 'limit', /too big/i],
  ['a negative offset', 'features.list', { saeId: 's', sort: 'index', offset: -1, limit: 5 }, 'offset', /too small/i],
  [
    'descending as a string',
    'features.list',
    { saeId: 's', sort: 'index', offset: 0, limit: 5, descending: 'yes' },
    'descending',
    /expected boolean/i,
  ],
  ['a label over 1000 characters', 'labels.set', { saeId: 's', index: 1, label: 'x'.repeat(1001) }, 'label', /too big/i],
  ['notes over 100000 characters', 'labels.set', { saeId: 's', index: 1, notes: 'x'.repeat(100_001) }, 'notes', /too big/i],
  ['tags that are a string', 'labels.set', { saeId: 's', index: 1, tags: 'a;b' }, 'tags', /expected array/i],
  ['an empty tag', 'labels.set', { saeId: 's', index: 1, tags: ['ok', ''] }, 'tags.[1]', /too small/i],
  ['a tag over 64 characters', 'labels.set', { saeId: 's', index: 1, tags: ['t'.repeat(65)] }, 'tags.[0]', /too big/i],
  ['more than 64 tags', 'labels.set', { saeId: 's', index: 1, tags: Array.from({ length: 65 }, (_, i) => `t${i}`) }, 'tags', /too big/i],
  ['a label that is null', 'labels.set', { saeId: 's', index: 1, label: null }, 'label', /expected string/i],
  ['a history limit over 10000', 'labels.history', { saeId: 's', limit: 10_001 }, 'limit', /too big/i],
  ['a history beforeId of 0', 'labels.history', { saeId: 's', beforeId: 0 }, 'beforeId', /too small/i],
  ['an undo index that is a string', 'labels.undo', { saeId: 's', index: '3' }, 'index', /expected number/i],
  ['no job id', 'jobs.data', {}, 'jobId', /expected string/i],
  ['a name with a path in it', 'train.start', { ...train, name: '../../etc' }, 'name', /a-z, 0-9/],
  ['an absolute folder as the name', 'train.start', { ...train, name: '/tmp/sae' }, 'name', /a-z, 0-9/],
  ['a name in capitals', 'train.start', { ...train, name: 'MySae' }, 'name', /a-z, 0-9/],
  ['a name over 64 characters', 'train.start', { ...train, name: 'n'.repeat(65) }, 'name', /a-z, 0-9/],
  ['an out folder (not in the contract)', 'train.start', { ...train, out: '/tmp/x' }, 'out', /unrecognized key/i],
  ['an unknown activation', 'train.start', { ...train, activation: { kind: 'jumprelu', k: 4 } }, 'activation.kind', /discriminator/i],
  ['TopK without k', 'train.start', { ...train, activation: { kind: 'topk' } }, 'activation.k', /expected number/i],
  [
    'ReLU without its L1 coefficient',
    'train.start',
    { ...train, activation: { kind: 'relu' } },
    'activation.l1Coefficient',
    /expected number/i,
  ],
  [
    'an extra key in the activation',
    'train.start',
    { ...train, activation: { kind: 'topk', k: 4, l1Coefficient: 1 } },
    'activation.l1Coefficient',
    /unrecognized key/i,
  ],
  ['k above dSae', 'train.start', { ...train, activation: { kind: 'topk', k: 65 } }, 'activation.k', /more than the 64 latents/],
  ['zero latents', 'train.start', { ...train, dSae: 0 }, 'dSae', /too small/i],
  ['a learning rate of 0', 'train.start', { ...train, lr: 0 }, 'lr', /too small/i],
  ['a negative seed', 'train.start', { ...train, seed: -1 }, 'seed', /too small/i],
  ['a seed past 32 bits', 'train.start', { ...train, seed: 2 ** 32 }, 'seed', /too big/i],
  ['a filter without a threshold', 'train.start', { ...train, filter: { sae: '/s', feature: 1 } }, 'filter.threshold', /expected number/i],
  [
    'a filter feature below 0',
    'train.start',
    { ...train, filter: { sae: '/s', feature: -1, threshold: 0 } },
    'filter.feature',
    /too small/i,
  ],
  ['zeroing a feature without a filter', 'train.start', { ...train, zeroFilterFeature: true }, 'zeroFilterFeature', /same SAE/],
  [
    'zeroing a feature of an SAE it did not start from',
    'train.start',
    { ...train, initFrom: '/a', filter: { sae: '/b', feature: 1, threshold: 0 }, zeroFilterFeature: true },
    'zeroFilterFeature',
    /same SAE/,
  ],
];

describe('the feature, label, index and training methods refuse bad params with a structured error', () => {
  for (const [what, method, params, field, reason] of bad) {
    it(`${method} refuses ${what}`, () => {
      const checked = validateCall(method, params);
      expect(checked.ok).toBe(false);
      if (checked.ok) return;
      expect(checked.error).toMatchObject({ code: 'invalid_params', method, field });
      expect(checked.error.reason).toMatch(reason);
    });
  }

  it('each refuses a key the contract does not have, and params that are not an object', () => {
    for (const [method, params] of Object.entries(minimal) as [MethodName, Record<string, unknown>][]) {
      const extra = validateCall(method, { ...params, notInTheContract: 1 });
      expect(extra.ok ? 'ok' : extra.error, method).toMatchObject({ code: 'invalid_params', method, field: 'notInTheContract' });
      const list = validateCall(method, [params]);
      expect(list.ok ? 'ok' : list.error, method).toMatchObject({ code: 'invalid_params', method, field: '(params)' });
    }
  });
});

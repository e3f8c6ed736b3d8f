import { loadTokenizer } from '../formats/tokenizer.js';
import type { Tokenizer } from '../formats/tokenizer.js';
import { loadTransformer } from '../models/load.js';
import type { TransformerWeights } from '../models/weights.js';
import { assertHookWidth } from '../sae/canonical.js';
import { resolveInputScale } from '../sae/input-scale.js';
import type { CanonicalSae } from '../sae/canonical.js';
import { loadSae } from '../sae/formats/load.js';
import { hookWidth } from '../models/hooks.js';
import type { ModelRecord } from '../store/models-table.js';
import type { SaeRecord } from '../store/saes-table.js';
import type { Workspace } from '../store/workspace.js';

/** A problem with the SAEs asked for (unknown, not attached to one model, another hook): the message names it. */
export class RegisteredInputError extends Error {
  override name = 'RegisteredInputError';

  constructor(
    message: string,
    /** not_found: an id names nothing; conflict: the SAEs or files do not fit together */
    readonly reason: 'not_found' | 'conflict' = 'conflict',
  ) {
    super(message);
  }
}

/** Rows of SAEs that read one hook of one registered model, checked before any weights load. */
export interface RegisteredRows {
  saes: SaeRecord[];
  model: ModelRecord;
  hook: string;
}

export function registeredRows(ws: Workspace, saeIds: readonly string[]): RegisteredRows {
  if (new Set(saeIds).size !== saeIds.length) throw new RegisteredInputError(`an SAE is listed twice in [${saeIds.join(', ')}]`);
  const saes = saeIds.map((id) => {
    const row = ws.saes.get(id);
    if (!row) throw new RegisteredInputError(`no SAE "${id}" in this workspace: register it first`, 'not_found');
    if (!row.modelId) throw new RegisteredInputError(`SAE "${row.name}" has no model: register it with the model it reads`);
    return row;
  });
  const [first] = saes;
  for (const s of saes) {
    if (s.modelId !== first.modelId)
      throw new RegisteredInputError(
        `SAE ${s.id} reads model ${s.modelId} and SAE ${first.id} model ${first.modelId}: SAEs compared on the same tokens must read one model`,
      );
    if (s.hookName !== first.hookName || s.dIn !== first.dIn) {
      throw new RegisteredInputError(
        `SAE ${s.id} reads ${s.hookName} (width ${s.dIn}) and SAE ${first.id} ${first.hookName} (width ${first.dIn}): they must read one hook`,
      );
    }
  }
  const model = ws.models.get(first.modelId as string);
  if (!model) throw new RegisteredInputError(`SAE "${first.name}" names model "${first.modelId}", which is not in this workspace`);
  return { saes, model, hook: first.hookName };
}

/** What a pass over a corpus with registered SAEs reads, loaded. */
export interface RegisteredInputs {
  saes: CanonicalSae[];
  model: TransformerWeights;
  tokenizer: Tokenizer;
  hook: string;
}

/** Loads the model, its tokenizer and the SAEs, checking each SAE still has the shape it was registered with. */
export async function loadRegistered(rows: RegisteredRows): Promise<RegisteredInputs> {
  const { weights, dir } = loadTransformer(rows.model.path);
  const tokenizer = await loadTokenizer(dir);
  const width = hookWidth(weights.config, rows.hook);
  const saes: CanonicalSae[] = [];
  for (const row of rows.saes) {
    const sae = loadSae(row.path);
    if (sae.dSae !== row.dSae || sae.dIn !== row.dIn)
      throw new RegisteredInputError(
        `SAE ${row.id}: ${row.path} now holds a [${sae.dSae}, ${sae.dIn}] decoder, registered as [${row.dSae}, ${row.dIn}]: register it again`,
      );
    assertHookWidth(sae, width, rows.model.name, rows.hook);
    saes.push(await resolveInputScale(sae, weights, tokenizer, rows.hook));
  }
  return { saes, model: weights, tokenizer, hook: rows.hook };
}

import { ApiFailure } from '../../api/errors.js';
import type { CorpusPreview } from '../../api/types.js';
import { openCorpus } from '../../corpus/open.js';
import { CorpusError } from '../../corpus/types.js';
import { countedTokens, tokenWindows } from '../../corpus/windows.js';
import { loadTokenizer } from '../../formats/tokenizer.js';
import { modelFiles } from '../../models/model-files.js';
import type { Engine } from '../engine.js';
import type { Handlers } from '../router.js';

const PREVIEW_CHARS = 600;
const PREVIEW_DOCS = 5;

/** corpus.preview: reads a corpus's first documents only (and tokenises its first window with the model's tokenizer). */
export function corpusHandlers(engine: Engine): Pick<Handlers, 'corpus.preview'> {
  return {
    'corpus.preview': async ({ corpus: spec, modelId, contextLength }) => {
      const model = modelId === undefined ? undefined : engine.workspace.models.get(modelId);
      if (modelId !== undefined && !model) throw new ApiFailure('not_found', `no model "${modelId}" in this workspace`, 'modelId');
      try {
        const corpus = openCorpus(spec);
        const firstDocuments: string[] = [];
        let text = '';
        for await (const doc of corpus.documents()) {
          if (firstDocuments.length === 0) text = doc.text.slice(0, PREVIEW_CHARS);
          firstDocuments.push(doc.id);
          if (firstDocuments.length >= PREVIEW_DOCS) break;
        }
        if (firstDocuments.length === 0) throw new ApiFailure('failed', `corpus "${corpus.spec}" has no documents`, 'corpus');
        let window: CorpusPreview['window'] = null;
        if (model) {
          const tokenizer = await loadTokenizer(modelFiles(model.path).dir);
          for await (const w of tokenWindows(openCorpus(spec), tokenizer, { contextLength: contextLength ?? 128 })) {
            window = { text: w.text, tokens: w.ids.length, counted: countedTokens(w) };
            break;
          }
        }
        return { spec: corpus.spec, annotated: corpus.annotated, firstDocuments, text, window };
      } catch (e) {
        if (e instanceof CorpusError) throw new ApiFailure('failed', e.message, 'corpus');
        throw e;
      }
    },
  };
}

import { loadTokenizer } from '../../formats/tokenizer.js';
import { parseFlags, requireFlag } from '../args.js';
import type { CliCommand } from '../command.js';
import { asUserError } from '../user-errors.js';

const usage = `Usage: loupe tokenize --model DIR --text TEXT [--no-special]

Tokenizes TEXT with the model's tokenizer and prints, as one JSON line,
{"ids": [...], "tokens": [...], "offsets": [[start, end], ...]}: each token's id, its spelling in
the vocabulary, and the [start, end) of TEXT it covers in UTF-16 code units (as JavaScript slices
it; tokens the text does not hold, like a BOS, are empty spans at 0).

  --model DIR       a model folder with tokenizer.json (or vocab.json + merges.txt), or a tokenizer.json
  --text TEXT       the text to tokenize
  --no-special      only the text's own tokens: no BOS or other tokens the post-processor adds`;

export const tokenizeCommand: CliCommand = {
  name: 'tokenize',
  summary: "tokenize a text with a model's tokenizer: ids, tokens and character offsets as JSON",
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, {
      model: { type: 'string' },
      text: { type: 'string' },
      'no-special': { type: 'boolean', default: false },
    });
    const model = requireFlag(values, 'model');
    if (typeof values.text !== 'string') requireFlag(values, 'text');
    const text = String(values.text);
    const tokenizer = await asUserError(() => loadTokenizer(model));
    const { ids, offsets } = await asUserError(() => tokenizer.encode(text, { addSpecialTokens: values['no-special'] !== true }));
    const spans = Array.from({ length: ids.length }, (_, k) => [offsets[2 * k], offsets[2 * k + 1]]);
    const result = { ids: Array.from(ids), tokens: Array.from(ids, (id) => tokenizer.idToToken(id)), offsets: spans };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  },
};

import { registerModel, registerSae } from '../../registry/catalog.js';
import { runImport } from '../../index/import/run-import.js';
import { openWorkspace } from '../../store/workspace.js';
import { optionalIntegerFlag, parseFlags, requireFlag } from '../args.js';
import { CliError } from '../command.js';
import { progressPrinter, runInterruptible } from '../interruptible.js';
import { asUserError, asUserErrorSync } from '../user-errors.js';
import type { CliCommand } from '../command.js';

const usage = `Usage: loupe import --workspace DIR --model DIR [--sae PATH] PATH

Imports an exported dashboard into the workspace as the index of an SAE: feature pages, search,
the label queue and comparisons read it like an index Loupe computed. PATH is one of
  a Neuronpedia source folder (features/ and activations/ with batch-N.jsonl.gz, as SAEDashboard's
    neuronpedia_export.py writes them),
  a folder of SAEDashboard batch-N.json files (NeuronpediaRunner's output),
  a delphi latent cache folder of one hookpoint ({start}_{end}.safetensors splits with tokens).
Statistics an export does not carry (token counts, means or quantile bands) are shown as absent.
The import streams and commits in chunks; run the same command again to resume a killed one.

  --workspace DIR   the Loupe workspace (created if new or empty)
  --model DIR       the model the export was made with (its tokenizer reads the export's tokens)
  --sae PATH        the SAE's weights, when you have them: the import becomes its index (map, neighbours)
  --commit-rows N   activation rows per commit (default 4096)`;

export const importCommand: CliCommand = {
  name: 'import',
  summary: 'import a Neuronpedia / SAEDashboard / delphi export into a workspace as an indexed SAE',
  usage,
  async run(argv) {
    const { values, positionals } = parseFlags(
      argv,
      { workspace: { type: 'string' }, model: { type: 'string' }, sae: { type: 'string' }, 'commit-rows': { type: 'string' } },
      true,
    );
    const workspace = requireFlag(values, 'workspace');
    const modelPath = requireFlag(values, 'model');
    if (positionals.length !== 1) throw new CliError(`expected one export PATH, got ${positionals.length}`, 2);
    const commitRows = optionalIntegerFlag(values, 'commit-rows');
    const ws = asUserErrorSync(() => openWorkspace(workspace, { markInterrupted: false }));
    return runInterruptible(
      'import',
      'run the same command again to resume from the last commit',
      async (signal) => {
        const model = await asUserError(() => registerModel(ws, modelPath));
        const sae = values.sae === undefined ? undefined : asUserErrorSync(() => registerSae(ws, String(values.sae), model.id));
        const onProgress = progressPrinter('import');
        const summary = await asUserError(() =>
          runImport(ws, { path: positionals[0], modelId: model.id, saeId: sae?.id, commitRows }, { signal, onProgress }),
        );
        process.stdout.write(`${JSON.stringify({ model: model.id, ...summary })}\n`);
        return 0;
      },
      () => ws.close(),
    );
  },
};

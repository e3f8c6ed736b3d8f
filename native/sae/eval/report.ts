import type { EvalReport } from '../../api/eval-report.js';

/** The evaluation as a plain-text table for a terminal; the JSON report holds the same numbers in full. */
export function formatEvalReport(r: EvalReport): string {
  const lines: string[] = [];
  const row = (label: string, value: string) => lines.push(`  ${label.padEnd(38)}${value}`);
  lines.push(`SAE ${r.sae.path} (${r.sae.format}, ${r.sae.activation}, d_in ${r.sae.dIn} → d_sae ${r.sae.dSae})`);
  const at = r.outputHook
    ? `${r.hook} → ${r.outputHook} (a transcoder: its output is compared with ${r.outputHook}, and spliced in there)`
    : r.hook;
  lines.push(
    `on ${r.model} at ${at}: ${r.tokens} tokens (counted in ${r.windows} windows of ${r.contextLength}, each after a BOS), provider ${r.provider}`,
  );
  if (r.corpus) lines.push(`corpus ${r.corpus}`);
  if (r.fallbackMessage) lines.push(`  (${r.fallbackMessage})`);
  for (const note of r.notes ?? []) lines.push(`  note: ${note}`);

  lines.push('', 'Reconstruction');
  row('FVU (normalised MSE)', num(r.reconstruction.fvu));
  row('explained variance', num(r.reconstruction.explainedVariance));
  row('MSE per element', num(r.reconstruction.mse));
  row('L0 (active latents per token)', r.reconstruction.l0.toFixed(2));

  lines.push('', `Latents (d_sae ${r.latents.dSae})`);
  row(`dead (never fired on ${r.tokens} tokens)`, count(r.latents.dead));
  row(`dense (fired on > ${r.latents.dense.threshold * 100}% of tokens)`, count(r.latents.dense));

  const ce = r.crossEntropy;
  lines.push('', `Next-token loss (nats, mean over ${ce.predictedTokens} predictions)`);
  row('clean', num(ce.clean));
  row('SAE reconstruction spliced in', num(ce.sae));
  row('hook zero-ablated', num(ce.zeroAblated));
  row('loss recovered', ce.lossRecovered === null ? 'n/a' : `${(ce.lossRecovered * 100).toFixed(2)}%`);
  row('delta loss (SAE − clean)', `${ce.deltaLoss >= 0 ? '+' : ''}${num(ce.deltaLoss)}`);

  const a = r.ablationSparsity;
  if (a) {
    const measured = a.perLatent.filter((l) => l.sparsity !== null).length;
    lines.push(
      '',
      `Ablation sparsity (Gao et al. 2024 §4.5; ${measured} of ${a.perLatent.length} sampled latents, seed ${a.seed}, ${a.tokens} tokens)`,
    );
    lines.push(`  ${a.formula}`);
    row('mean', num(a.mean));
    row('median', num(a.median));
  }

  const c = r.decoderCosines;
  if (c) {
    lines.push('', 'Decoder rows: max cosine to any other row       decoder   random directions');
    const pair = (label: string, d: number, rnd: number, pct = false) =>
      row(
        label,
        `${(pct ? `${(d * 100).toFixed(2)}%` : d.toFixed(4)).padStart(8)}   ${(pct ? `${(rnd * 100).toFixed(2)}%` : rnd.toFixed(4)).padStart(8)}`,
      );
    pair('mean', c.decoder.mean, c.random.mean);
    pair('median', c.decoder.median, c.random.median);
    pair('rows above 0.9', c.decoder.above09, c.random.above09, true);
    lines.push(...histogramLines(c.histogram));
  }
  return `${lines.join('\n')}\n`;
}

/** One line per bin between the first and last non-empty bin: range, both counts, a bar for the decoder. */
function histogramLines(h: { min: number; max: number; bins: number; decoder: number[]; random: number[] }): string[] {
  const used = h.decoder.map((d, i) => d + h.random[i]);
  const first = used.findIndex((n) => n > 0);
  const last = used.length - 1 - [...used].reverse().findIndex((n) => n > 0);
  if (first < 0) return [];
  const width = (h.max - h.min) / h.bins;
  const peak = Math.max(...h.decoder.slice(first, last + 1), 1);
  const out = ['  histogram (bin: decoder rows, random directions)'];
  for (let i = first; i <= last; i++) {
    const lo = h.min + i * width;
    const label = `[${lo.toFixed(2)}, ${(lo + width).toFixed(2)}${i === h.bins - 1 ? ']' : ')'}`;
    const bar = '#'.repeat(Math.round((h.decoder[i] / peak) * 30));
    out.push(`    ${label.padEnd(16)}${String(h.decoder[i]).padStart(8)}${String(h.random[i]).padStart(8)}  ${bar}`);
  }
  return out;
}

function num(v: number | null): string {
  if (v === null) return 'n/a';
  const abs = Math.abs(v);
  return abs !== 0 && (abs < 1e-3 || abs >= 1e5) ? v.toExponential(3) : v.toFixed(4);
}

function count(c: { count: number; fraction: number }): string {
  return `${c.count} (${(c.fraction * 100).toFixed(2)}%)`;
}

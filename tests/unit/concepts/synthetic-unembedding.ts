import { mulberry32 } from '../../../native/api/random.js';

/**
 * A synthetic unembedding in which a known hierarchy holds exactly in the causal inner product.
 *
 * In whitened coordinates g (mean 0, covariance I over the whole vocabulary): animal = a·e₀;
 * mammal, bird and fish = a·e₀ + b·δᵢ with δᵢ three unit vectors 120° apart in span(e₁, e₂), so
 * ℓ_animal ⊥ ℓ_child − ℓ_animal. Each word is its concept's vector plus noise ±s·e_j on the other
 * dimensions, in ± pairs, so every concept's words have exactly its vector as mean and no spread
 * along it: the estimator must return it exactly. Every word's negative is another token (mean 0),
 * and filler tokens ±f·e_k top each coordinate's second moment up to the vocabulary size
 * (covariance I: the δᵢ form a tight frame and the e₀ cross terms cancel, so the moments are diagonal).
 * The unembedding is γ = B g + μ for a random B and μ: whitening it must undo B up to a rotation.
 */
export interface SyntheticUnembedding {
  d: number;
  dVocab: number;
  /** [dVocab, d] whitened coordinates, float64 */
  g: Float64Array;
  /** [dVocab, d] the unembedding, float32 */
  gamma: Float32Array;
  /** concept → token ids */
  concepts: Record<'animal' | 'mammal' | 'bird' | 'fish', number[]>;
  /** concept → its true vector in g coordinates */
  truth: Record<'animal' | 'mammal' | 'bird' | 'fish', Float64Array>;
}

export function syntheticUnembedding({
  d = 24,
  a = 2,
  b = 1.5,
  s = 0.8,
  wordsPerChild = 10,
  fillerPairs = 10,
  mixing = 1,
  seed = 3,
} = {}): SyntheticUnembedding {
  const unit = (k: number) => Float64Array.from({ length: d }, (_, i) => (i === k ? 1 : 0));
  const angles = [90, 210, 330].map((deg) => (deg * Math.PI) / 180);
  const animal = unit(0).map((v) => a * v);
  const children = angles.map((t) => animal.map((v, i) => v + b * (i === 1 ? Math.cos(t) : i === 2 ? Math.sin(t) : 0)));
  const noiseDims = d - 3;
  const words: Float64Array[] = [];
  const addPairs = (center: Float64Array, pairs: number, first: number) => {
    for (let k = 0; k < pairs; k++) {
      const dim = 3 + ((first + k) % noiseDims);
      for (const sign of [1, -1]) words.push(center.map((v, i) => v + (i === dim ? sign * s : 0)));
    }
  };
  children.forEach((c, i) => addPairs(c, wordsPerChild / 2, i * (wordsPerChild / 2)));
  addPairs(animal, 3, 3 * (wordsPerChild / 2));
  const nWords = words.length;
  const tokens = [...words, ...words.map((w) => w.map((v) => -v))];
  const dVocab = tokens.length + 2 * fillerPairs * d;
  const second = new Float64Array(d);
  for (const t of tokens) for (let i = 0; i < d; i++) second[i] += t[i] * t[i];
  for (let k = 0; k < d; k++) {
    if (second[k] >= dVocab) throw new Error(`synthetic unembedding: coordinate ${k} already has second moment ${second[k]} ≥ ${dVocab}`);
    const f = Math.sqrt((dVocab - second[k]) / (2 * fillerPairs));
    for (let p = 0; p < fillerPairs; p++) for (const sign of [1, -1]) tokens.push(unit(k).map((v) => sign * f * v));
  }
  const g = new Float64Array(dVocab * d);
  tokens.forEach((t, r) => g.set(t, r * d));
  const random = mulberry32(seed);
  const mix = Float64Array.from({ length: d * d }, (_, k) => (k % (d + 1) === 0 ? 1 : 0) + mixing * (random() - 0.5));
  const shift = Float64Array.from({ length: d }, () => random() - 0.5);
  const gamma = new Float32Array(dVocab * d);
  for (let r = 0; r < dVocab; r++) {
    for (let i = 0; i < d; i++) {
      let v = shift[i];
      for (let j = 0; j < d; j++) v += mix[i * d + j] * g[r * d + j];
      gamma[r * d + i] = v;
    }
  }
  const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);
  return {
    d,
    dVocab,
    g,
    gamma,
    concepts: {
      mammal: range(0, wordsPerChild),
      bird: range(wordsPerChild, wordsPerChild),
      fish: range(2 * wordsPerChild, wordsPerChild),
      animal: range(0, nWords),
    },
    truth: { animal, mammal: children[0], bird: children[1], fish: children[2] },
  };
}

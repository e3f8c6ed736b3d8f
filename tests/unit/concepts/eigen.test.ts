import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../native/api/random.js';
import { EigenError, pinvTolerance, spectralFunction, symmetricEigen } from '../../../native/maps/concepts/eigen.js';
import { relativeError } from '../../helpers/numeric.js';

/** [n, n] symmetric with entries uniform in [−1, 1), seeded. */
function randomSymmetric(n: number, seed: number): Float64Array {
  const random = mulberry32(seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = 2 * random() - 1;
  return a;
}

function orthogonalityError(vectors: Float64Array, n: number): number {
  let worst = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += vectors[i * n + k] * vectors[j * n + k];
      worst = Math.max(worst, Math.abs(s - (i === j ? 1 : 0)));
    }
  }
  return worst;
}

describe('symmetricEigen', () => {
  it.each([1, 2, 3, 17, 64, 256])('reconstructs a random symmetric matrix of size %i as V Λ Vᵀ with orthonormal V', (n) => {
    const a = randomSymmetric(n, n);
    const eig = symmetricEigen(a, n);
    expect(
      relativeError(
        spectralFunction(eig, (v) => v),
        a,
      ),
    ).toBeLessThan(1e-12);
    expect(orthogonalityError(eig.vectors, n)).toBeLessThan(1e-12);
    for (let i = 1; i < n; i++) expect(eig.values[i]).toBeGreaterThanOrEqual(eig.values[i - 1]);
  });

  it('finds the known eigenvalues 2 − 2cos(kπ/(n+1)) of the 1-D Laplacian', () => {
    const n = 50;
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      a[i * n + i] = 2;
      if (i > 0) a[i * n + i - 1] = a[(i - 1) * n + i] = -1;
    }
    const { values } = symmetricEigen(a, n);
    for (let k = 1; k <= n; k++) expect(values[k - 1]).toBeCloseTo(2 - 2 * Math.cos((k * Math.PI) / (n + 1)), 12);
  });

  it('handles repeated eigenvalues and a rank-deficient matrix (a projection)', () => {
    // P = u uᵀ + w wᵀ for orthonormal u, w in R^6: eigenvalues 0 (×4) and 1 (×2).
    const n = 6;
    const u = [1, 1, 0, 0, 0, 0].map((v) => v / Math.SQRT2);
    const w = [0, 0, 1, -1, 1, -1].map((v) => v / 2);
    const p = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) p[i * n + j] = u[i] * u[j] + w[i] * w[j];
    const eig = symmetricEigen(p, n);
    const rounded = Array.from(eig.values, (v) => Math.round(v * 1e12) / 1e12 + 0);
    expect(rounded).toEqual([0, 0, 0, 0, 1, 1]);
    expect(
      relativeError(
        spectralFunction(eig, (v) => v),
        p,
      ),
    ).toBeLessThan(1e-14);
    // The pseudo-inverse of a projection is itself.
    const tol = pinvTolerance(eig);
    expect(
      relativeError(
        spectralFunction(eig, (v) => (v > tol ? 1 / v : 0)),
        p,
      ),
    ).toBeLessThan(1e-12);
  });

  it('gives inverse square roots that whiten: (A^(−1/2))² A = I for a covariance', () => {
    const n = 32;
    const random = mulberry32(7);
    const x = Array.from({ length: 200 * n }, () => random() - 0.5);
    const cov = new Float64Array(n * n);
    for (let r = 0; r < 200; r++)
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) cov[i * n + j] += (x[r * n + i] * x[r * n + j]) / 200;
    const eig = symmetricEigen(cov, n);
    const s = spectralFunction(eig, (v) => 1 / Math.sqrt(v));
    const product = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++)
        for (let k = 0; k < n; k++) for (let l = 0; l < n; l++) product[i * n + j] += s[i * n + k] * s[k * n + l] * cov[l * n + j];
    const identity = Float64Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0));
    expect(relativeError(product, identity)).toBeLessThan(1e-10);
  });

  it('refuses a matrix that is not symmetric, has a NaN, or has the wrong size', () => {
    expect(() => symmetricEigen([1, 2, 3, 4], 2)).toThrow(EigenError);
    expect(() => symmetricEigen([1, 2, 3, 4], 2)).toThrow('not symmetric at (0, 1)');
    expect(() => symmetricEigen([1, Number.NaN, Number.NaN, 1], 2)).toThrow('entry (0, 1) is NaN');
    expect(() => symmetricEigen([1, 0, 0], 2)).toThrow('[2, 2] needs 4 values, got 3');
  });
});

/**
 * Symmetric eigendecomposition in float64: Householder reduction to tridiagonal form, then the
 * implicit QL algorithm with Wilkinson-style shifts (tred2/tql2 of EISPACK as JAMA writes them).
 * Used for d_model × d_model matrices (256 for the demo model, 768 for GPT-2): O(n³), well under
 * a second at 256 and a few seconds at 768, once per model.
 */
export interface SymmetricEigen {
  n: number;
  /** [n] ascending */
  values: Float64Array;
  /** [n, n] row-major: row j is the unit eigenvector of values[j] */
  vectors: Float64Array;
}

export class EigenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EigenError';
  }
}

const eps = 2 ** -52;
/** QL sweeps per eigenvalue before giving up; tql2 needs 1–3 in practice. */
const maxIterations = 60;

/** Checks that `a` ([n, n], row-major) is finite and symmetric to rounding, naming the first bad entry. */
export function checkSymmetric(a: ArrayLike<number>, n: number, what = 'matrix'): void {
  if (!Number.isInteger(n) || n < 1) throw new EigenError(`${what}: size must be a positive integer, got ${n}`);
  if (a.length !== n * n) throw new EigenError(`${what}: [${n}, ${n}] needs ${n * n} values, got ${a.length}`);
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) throw new EigenError(`${what}: entry (${Math.floor(i / n)}, ${i % n}) is ${a[i]}`);
    scale = Math.max(scale, Math.abs(a[i]));
  }
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (Math.abs(a[i * n + j] - a[j * n + i]) > 1e-9 * scale) {
        throw new EigenError(`${what}: not symmetric at (${i}, ${j}): ${a[i * n + j]} vs ${a[j * n + i]}`);
      }
    }
  }
}

/** Eigenvalues (ascending) and eigenvectors of a real symmetric [n, n] matrix; `a` is not modified. */
export function symmetricEigen(a: ArrayLike<number>, n: number): SymmetricEigen {
  checkSymmetric(a, n);
  // v is [n, n] row-major; tred2 leaves the orthogonal reduction in it (eigenvectors as columns).
  const v = Float64Array.from(a);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  tridiagonalize(v, d, e, n);
  // tql2 rotates pairs of eigenvector columns; as rows of the transpose they are contiguous.
  const rows = transpose(v, n);
  diagonalizeTridiagonal(rows, d, e, n);
  return sortAscending(d, rows, n);
}

function transpose(m: Float64Array, n: number): Float64Array {
  const t = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) t[j * n + i] = m[i * n + j];
  return t;
}

/** Householder tridiagonalisation (tred2): d ← diagonal, e ← subdiagonal (e[0] = 0), v ← Q. */
function tridiagonalize(v: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) d[j] = v[(n - 1) * n + j];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = v[(i - 1) * n + j];
        v[i * n + j] = 0;
        v[j * n + i] = 0;
      }
    } else {
      h = householderStep(v, d, e, n, i, scale);
    }
    d[i] = h;
  }
  accumulateReflections(v, d, e, n);
}

/** One Householder reflection of tred2 for row i (scaled by `scale` against under/overflow); returns h. */
function householderStep(v: Float64Array, d: Float64Array, e: Float64Array, n: number, i: number, scale: number): number {
  let h = 0;
  for (let k = 0; k < i; k++) {
    d[k] /= scale;
    h += d[k] * d[k];
  }
  let f = d[i - 1];
  let g = Math.sqrt(h);
  if (f > 0) g = -g;
  e[i] = scale * g;
  h -= f * g;
  d[i - 1] = f - g;
  for (let j = 0; j < i; j++) e[j] = 0;
  for (let j = 0; j < i; j++) {
    f = d[j];
    v[j * n + i] = f;
    g = e[j] + v[j * n + j] * f;
    for (let k = j + 1; k <= i - 1; k++) {
      g += v[k * n + j] * d[k];
      e[k] += v[k * n + j] * f;
    }
    e[j] = g;
  }
  f = 0;
  for (let j = 0; j < i; j++) {
    e[j] /= h;
    f += e[j] * d[j];
  }
  const hh = f / (h + h);
  for (let j = 0; j < i; j++) e[j] -= hh * d[j];
  for (let j = 0; j < i; j++) {
    f = d[j];
    g = e[j];
    for (let k = j; k <= i - 1; k++) v[k * n + j] -= f * e[k] + g * d[k];
    d[j] = v[(i - 1) * n + j];
    v[i * n + j] = 0;
  }
  return h;
}

/** Turns the stored Householder vectors into the orthogonal matrix Q (tred2's second half). */
function accumulateReflections(v: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 0; i < n - 1; i++) {
    v[(n - 1) * n + i] = v[i * n + i];
    v[i * n + i] = 1;
    const h = d[i + 1];
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = v[k * n + i + 1] / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += v[k * n + i + 1] * v[k * n + j];
        for (let k = 0; k <= i; k++) v[k * n + j] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) v[k * n + i + 1] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = v[(n - 1) * n + j];
    v[(n - 1) * n + j] = 0;
  }
  v[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

/** Implicit QL on the tridiagonal (d, e) (tql2), rotating the rows of `rows` (eigenvectors as rows). */
function diagonalizeTridiagonal(rows: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n && Math.abs(e[m]) > eps * tst1) m++;
    if (m > l) {
      let iterations = 0;
      do {
        if (++iterations > maxIterations)
          throw new EigenError(`QL did not converge for eigenvalue ${l} of ${n} after ${maxIterations} sweeps`);
        f += qlSweep(rows, d, e, n, l, m);
      } while (Math.abs(e[l]) > eps * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
}

/** One implicitly shifted QL sweep over rows l..m; returns the shift applied to d[l+2..]. */
function qlSweep(rows: Float64Array, d: Float64Array, e: Float64Array, n: number, l: number, m: number): number {
  let g = d[l];
  let p = (d[l + 1] - g) / (2 * e[l]);
  let r = Math.hypot(p, 1);
  if (p < 0) r = -r;
  d[l] = e[l] / (p + r);
  d[l + 1] = e[l] * (p + r);
  const dl1 = d[l + 1];
  let h = g - d[l];
  for (let i = l + 2; i < n; i++) d[i] -= h;
  const shift = h;
  p = d[m];
  let c = 1;
  let c2 = c;
  let c3 = c;
  const el1 = e[l + 1];
  let s = 0;
  let s2 = 0;
  for (let i = m - 1; i >= l; i--) {
    c3 = c2;
    c2 = c;
    s2 = s;
    g = c * e[i];
    h = c * p;
    r = Math.hypot(p, e[i]);
    e[i + 1] = s * r;
    s = e[i] / r;
    c = p / r;
    p = c * d[i] - s * g;
    d[i + 1] = h + s * (c * g + s * d[i]);
    rotateRows(rows, n, i, c, s);
  }
  p = (-s * s2 * c3 * el1 * e[l]) / dl1;
  e[l] = s * p;
  d[l] = c * p;
  return shift;
}

/** rows i, i+1 ← (c·r_i − s·r_{i+1}, s·r_i + c·r_{i+1}): one Givens rotation of two eigenvectors. */
function rotateRows(rows: Float64Array, n: number, i: number, c: number, s: number): void {
  const a = i * n;
  const b = (i + 1) * n;
  for (let k = 0; k < n; k++) {
    const h = rows[b + k];
    rows[b + k] = s * rows[a + k] + c * h;
    rows[a + k] = c * rows[a + k] - s * h;
  }
}

function sortAscending(d: Float64Array, rows: Float64Array, n: number): SymmetricEigen {
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => d[x] - d[y]);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((from, to) => {
    values[to] = d[from];
    vectors.set(rows.subarray(from * n, (from + 1) * n), to * n);
  });
  return { n, values, vectors };
}

/**
 * V f(Λ) Vᵀ: a function of a symmetric matrix through its eigendecomposition ([n, n], row-major),
 * e.g. λ ↦ λ^(−1/2) for a whitening matrix, λ ↦ 1/λ (0 below a tolerance) for a pseudo-inverse.
 */
export function spectralFunction(eig: SymmetricEigen, f: (value: number) => number): Float64Array {
  const { n, values, vectors } = eig;
  const out = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const w = f(values[k]);
    if (w === 0) continue;
    const vk = vectors.subarray(k * n, (k + 1) * n);
    for (let i = 0; i < n; i++) {
      const wi = w * vk[i];
      if (wi === 0) continue;
      const row = i * n;
      for (let j = 0; j < n; j++) out[row + j] += wi * vk[j];
    }
  }
  return out;
}

/**
 * The tolerance under which an eigenvalue counts as zero for a pseudo-inverse: numpy's and torch's
 * default, max(n) · ε · λ_max.
 */
export function pinvTolerance(eig: SymmetricEigen): number {
  let largest = 0;
  for (const v of eig.values) largest = Math.max(largest, Math.abs(v));
  return eig.n * eps * largest;
}

/** Small float64 vector and matrix helpers for the concept geometry (d-sized work only). */

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function norm(a: ArrayLike<number>): number {
  return Math.sqrt(dot(a, a));
}

/** cos(a, b); 0 when either is the zero vector. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const na = norm(a);
  const nb = norm(b);
  return na === 0 || nb === 0 ? 0 : dot(a, b) / (na * nb);
}

export function subtract(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] - b[i];
  return out;
}

export function scale(a: ArrayLike<number>, s: number): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] * s;
  return out;
}

/** m · v for m [r, c] row-major, v [c] → [r]. */
export function matVec(m: ArrayLike<number>, r: number, c: number, v: ArrayLike<number>): Float64Array {
  const out = new Float64Array(r);
  for (let i = 0; i < r; i++) {
    let s = 0;
    const row = i * c;
    for (let j = 0; j < c; j++) s += m[row + j] * v[j];
    out[i] = s;
  }
  return out;
}

/** mᵀ · v for m [r, c] row-major, v [r] → [c]. */
export function matTVec(m: ArrayLike<number>, r: number, c: number, v: ArrayLike<number>): Float64Array {
  const out = new Float64Array(c);
  for (let i = 0; i < r; i++) {
    const vi = v[i];
    if (vi === 0) continue;
    const row = i * c;
    for (let j = 0; j < c; j++) out[j] += m[row + j] * vi;
  }
  return out;
}

/**
 * Solves a x = b for symmetric positive definite a [n, n] by Cholesky (a is not modified). Throws
 * when a pivot is not positive: the matrix is not positive definite to rounding.
 */
export function choleskySolve(a: ArrayLike<number>, n: number, b: ArrayLike<number>): Float64Array {
  const l = Float64Array.from(a);
  for (let j = 0; j < n; j++) {
    let pivot = l[j * n + j];
    for (let k = 0; k < j; k++) pivot -= l[j * n + k] * l[j * n + k];
    if (!(pivot > 0)) throw new RangeError(`choleskySolve: the [${n}, ${n}] matrix is not positive definite (pivot ${j} is ${pivot})`);
    const ljj = Math.sqrt(pivot);
    l[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = l[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = s / ljj;
    }
  }
  const y = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < i; k++) y[i] -= l[i * n + k] * y[k];
    y[i] /= l[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    for (let k = i + 1; k < n; k++) y[i] -= l[k * n + i] * y[k];
    y[i] /= l[i * n + i];
  }
  return y;
}

// The one module that touches onnxruntime-node. It is loaded on first use (a dynamic import), so
// importing the engine does not load the native binding until a graph actually runs.
import type * as OrtModule from 'onnxruntime-node';
import type { GraphBuilder } from './graph.js';
import type { GraphTensor } from './tensor-proto.js';

export type Provider = 'cpu' | 'webgpu' | 'cuda' | 'dml' | 'coreml';
export const PROVIDERS: readonly Provider[] = ['cpu', 'webgpu', 'cuda', 'dml', 'coreml'];

export type FeedType = 'float32' | 'int64' | 'int32' | 'bool';

/** A host tensor handed to `run`, row-major; bool data is one byte per element. */
export interface Feed {
  type: FeedType;
  dims: readonly number[];
  data: Float32Array | BigInt64Array | Int32Array | Uint8Array;
}

export interface SessionOptions {
  provider?: Provider;
  /** ONNX Runtime's intra-op pool size; its default is one thread per physical core. */
  intraOpNumThreads?: number;
}

let loaded: Promise<typeof OrtModule> | undefined;

function loadOrt(): Promise<typeof OrtModule> {
  // A CommonJS package: its exports arrive as `default`, with named re-exports where Node detects them.
  loaded ??= import('onnxruntime-node').then((m) => (m as unknown as { default?: typeof OrtModule }).default ?? m);
  return loaded;
}

/** Accepts a provider name from a user or a setting; the error lists the allowed names. */
export function parseProvider(name: string): Provider {
  if ((PROVIDERS as readonly string[]).includes(name)) return name as Provider;
  throw new Error(`Unsupported provider "${name}": expected one of ${PROVIDERS.join(', ')}`);
}

/** An output of `run`, wrapping ONNX Runtime's tensor; `dispose` releases its memory early. */
export class OrtTensor {
  readonly #tensor: OrtModule.Tensor;

  constructor(tensor: OrtModule.Tensor) {
    this.#tensor = tensor;
  }

  get type(): string {
    return this.#tensor.type;
  }

  get dims(): number[] {
    return [...this.#tensor.dims];
  }

  /** The data on the host (CPU outputs are always on the host). */
  get data(): Float32Array | BigInt64Array | Int32Array | Uint8Array {
    return this.#tensor.data as Float32Array;
  }

  /** The data as float32, or an error naming the tensor's actual type. */
  float32(): Float32Array {
    if (this.#tensor.type !== 'float32') throw new Error(`expected a float32 output, got ${this.#tensor.type}`);
    return this.#tensor.data as Float32Array;
  }

  dispose(): void {
    this.#tensor.dispose();
  }
}

/** A loaded graph. `fallbackMessage` says why it runs on the CPU when another provider was asked for. */
export class OrtSession {
  readonly #session: OrtModule.InferenceSession;
  readonly #ort: typeof OrtModule;
  /** Weights bound to the graph's inputs (GraphBuilder.boundInput), fed with every run. */
  readonly #bound: ReadonlyMap<string, OrtModule.Tensor>;

  constructor(
    ort: typeof OrtModule,
    session: OrtModule.InferenceSession,
    readonly provider: Provider,
    readonly fallbackMessage?: string,
    bound: ReadonlyMap<string, OrtModule.Tensor> = new Map(),
  ) {
    this.#ort = ort;
    this.#session = session;
    this.#bound = bound;
  }

  /**
   * The same native session, feeding these weights with every run. The tensors wrap the caller's
   * arrays (no copy), which the returned session keeps alive.
   */
  bind(weights: ReadonlyMap<string, GraphTensor>): OrtSession {
    if (weights.size === 0) return this;
    const bound = new Map(this.#bound);
    for (const [name, t] of weights) bound.set(name, toOrtTensor(this.#ort, name, { type: t.type, dims: t.dims, data: t.data }));
    return new OrtSession(this.#ort, this.#session, this.provider, this.fallbackMessage, bound);
  }

  get inputNames(): readonly string[] {
    return this.#session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.#session.outputNames;
  }

  /** Runs the graph; `outputs` defaults to all of them. Blocks the calling thread while it computes. */
  async run(feeds: Record<string, Feed>, outputs?: readonly string[]): Promise<Record<string, OrtTensor>> {
    const ortFeeds: Record<string, OrtModule.Tensor> = Object.fromEntries(this.#bound);
    for (const [name, feed] of Object.entries(feeds)) ortFeeds[name] = toOrtTensor(this.#ort, name, feed);
    const result = outputs ? await this.#session.run(ortFeeds, [...outputs]) : await this.#session.run(ortFeeds);
    const wrapped: Record<string, OrtTensor> = {};
    for (const [name, value] of Object.entries(result)) wrapped[name] = new OrtTensor(value as OrtModule.Tensor);
    return wrapped;
  }

  async release(): Promise<void> {
    await this.#session.release();
  }
}

function toOrtTensor(ort: typeof OrtModule, name: string, feed: Feed): OrtModule.Tensor {
  let n = 1;
  for (const d of feed.dims) n *= d;
  if (feed.data.length !== n) {
    throw new Error(`input "${name}": dims [${feed.dims.join(', ')}] need ${n} elements, the data has ${feed.data.length}`);
  }
  if (feed.type === 'bool') return new ort.Tensor('bool', feed.data as Uint8Array, feed.dims);
  return new ort.Tensor(feed.type, feed.data as Float32Array, feed.dims);
}

/**
 * Loads a serialized ONNX model, or a graph (whose bound weights the session then feeds). A provider
 * other than the CPU that fails to start (ONNX Runtime throws at session creation rather than falling
 * back) is retried on the CPU, and the session says why.
 */
export async function createSession(model: Uint8Array | GraphBuilder, options: SessionOptions = {}): Promise<OrtSession> {
  if (model instanceof Uint8Array) return createFromBytes(model, options);
  return (await createFromBytes(model.toBytes(), options)).bind(model.boundFeeds());
}

async function createFromBytes(model: Uint8Array, options: SessionOptions): Promise<OrtSession> {
  const ort = await loadOrt();
  const provider = options.provider ?? 'cpu';
  if (!PROVIDERS.includes(provider)) parseProvider(provider);
  const base: OrtModule.InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    // Without these, ORT's pool threads keep spinning after each run and starve the rest of the process.
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
    ...(options.intraOpNumThreads ? { intraOpNumThreads: options.intraOpNumThreads } : {}),
  };
  try {
    const session = await ort.InferenceSession.create(model, { ...base, executionProviders: [provider] });
    return new OrtSession(ort, session, provider);
  } catch (error) {
    if (provider === 'cpu') throw error;
    const session = await ort.InferenceSession.create(model, { ...base, executionProviders: ['cpu'] });
    const message = `Execution provider "${provider}" failed: ${firstLine(error)}; running on CPU`;
    return new OrtSession(ort, session, 'cpu', message);
  }
}

/** The reason, without the source location and failed condition ORT_ENFORCE puts in front of it. */
function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = text
    .split('\n')[0]
    .trim()
    .replace(/^\S+\.(?:cc|cpp|h):\d+ .* was false\. /, '')
    .replace(/\.$/, '');
  return line.length > 400 ? `${line.slice(0, 400)}…` : line;
}

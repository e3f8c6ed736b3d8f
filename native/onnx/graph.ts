import { createHash } from 'node:crypto';
import onnxProto from 'onnx-proto';
import { attributeProto, describeAttribute } from './attributes.js';
import type { Attrs } from './attributes.js';
import { checkTensor, dataType, float32Tensor, int64Tensor, rawBytes, tensorProto } from './tensor-proto.js';
import type { ElemType, GraphTensor } from './tensor-proto.js';

const { onnx } = onnxProto;

/** A value in a graph under construction: an input, an initializer or a node output. */
export interface ValueRef {
  readonly name: string;
}

/** A dimension: a fixed size, or a symbolic name such as 'batch' that varies between runs. */
export type Dim = number | string;

export interface GraphOptions {
  /** Default-domain opset; 23 has LayerNormalization (17), Gelu (20) and Attention (23). */
  opset?: number;
}

interface NodeSpec {
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attrs: Attrs;
}

interface IoSpec {
  name: string;
  type: ElemType;
  dims?: readonly Dim[];
}

// 2 GiB is protobuf's hard limit on one message; ONNX Runtime refuses larger models.
const MAX_MODEL_BYTES = 2 ** 31 - 1;

/**
 * Builds an ONNX graph as TypeScript: `g.op('MatMul', [x, w])` returns the new value. Names are
 * checked as they are used, so a value from another graph or a typo fails at the call that made it.
 */
export class GraphBuilder {
  readonly #inputs: IoSpec[] = [];
  readonly #outputs: IoSpec[] = [];
  readonly #initializers = new Map<string, GraphTensor>();
  readonly #bound = new Map<string, GraphTensor>();
  readonly #nodes: NodeSpec[] = [];
  readonly #values = new Set<string>();
  readonly #domains = new Set<string>();
  #counter = 0;
  #fingerprint: string | undefined;

  constructor(
    readonly name: string,
    readonly options: GraphOptions = {},
  ) {}

  get opset(): number {
    return this.options.opset ?? 23;
  }

  input(name: string, type: ElemType, dims: readonly Dim[]): ValueRef {
    this.#define(name);
    this.#inputs.push({ name, type, dims: [...dims] });
    return { name };
  }

  initializer(name: string, tensor: GraphTensor): ValueRef {
    checkTensor(name, tensor);
    this.#define(name);
    this.#initializers.set(name, tensor);
    return { name };
  }

  /**
   * A weight that stays in the caller's memory: a graph input fed on every run (see boundFeeds) rather
   * than an initializer copied into the protobuf. Sessions then hold no copy of it (ONNX Runtime reads
   * host feeds in place), one array serves every session built from it, and models whose weights
   * exceed protobuf's 2 GiB still load. The fingerprint covers its name and shape, not its values:
   * a session is only a function of them, the values arrive with each run.
   */
  boundInput(name: string, tensor: GraphTensor): ValueRef {
    checkTensor(name, tensor);
    this.#define(name);
    this.#bound.set(name, tensor);
    this.#inputs.push({ name, type: tensor.type, dims: [...tensor.dims] });
    return { name };
  }

  /** The values of the bound inputs some output needs, to feed with every run. */
  boundFeeds(): Map<string, GraphTensor> {
    const { inputs } = this.#live();
    return new Map([...this.#bound].filter(([name]) => inputs.some((i) => i.name === name)));
  }

  /** A float32 constant (scalar when `dims` is empty). */
  constFloat(values: number | readonly number[], dims?: readonly number[]): ValueRef {
    const list = typeof values === 'number' ? [values] : values;
    return this.initializer(this.#fresh('const'), float32Tensor(dims ?? (typeof values === 'number' ? [] : [list.length]), list));
  }

  /** An int64 constant: 1-D by default, the form shape-like inputs (Reshape, Slice, Split) take. */
  constInt64(values: number | readonly number[], dims?: readonly number[]): ValueRef {
    const list = typeof values === 'number' ? [values] : values;
    return this.initializer(this.#fresh('const'), int64Tensor(dims ?? (typeof values === 'number' ? [] : [list.length]), list));
  }

  /** Adds a node with one output. `null` stands for an omitted optional input. */
  op(opType: string, inputs: readonly (ValueRef | null)[], attrs: Attrs = {}, domain = ''): ValueRef {
    return this.opMulti(opType, inputs, 1, attrs, domain)[0];
  }

  opMulti(opType: string, inputs: readonly (ValueRef | null)[], nOutputs: number, attrs: Attrs = {}, domain = ''): ValueRef[] {
    const inputNames = inputs.map((v, i) => {
      if (v === null) return '';
      if (!this.#values.has(v.name)) throw new Error(`${opType} input ${i}: "${v.name}" is not a value of graph "${this.name}"`);
      return v.name;
    });
    const outputs = Array.from({ length: nOutputs }, () => this.#fresh(opType.toLowerCase()));
    for (const o of outputs) this.#define(o);
    if (domain !== '') this.#domains.add(domain);
    this.#nodes.push({ opType, domain, inputs: inputNames, outputs, attrs });
    return outputs.map((name) => ({ name }));
  }

  /** Exposes `value` as a graph output called `name` (through an Identity, so one value can have several names). */
  output(value: ValueRef, name: string, type: ElemType = 'float32', dims?: readonly Dim[]): void {
    if (this.#outputs.some((o) => o.name === name)) throw new Error(`graph "${this.name}" already has an output "${name}"`);
    if (!this.#values.has(value.name)) throw new Error(`output "${name}": "${value.name}" is not a value of graph "${this.name}"`);
    this.#define(name);
    this.#nodes.push({ opType: 'Identity', domain: '', inputs: [value.name], outputs: [name], attrs: {} });
    this.#outputs.push({ name, type, dims });
  }

  /** A value already in the graph, by name (an input, initializer, node output or graph output): for extending a built graph. */
  value(name: string): ValueRef {
    if (!this.#values.has(name)) throw new Error(`graph "${this.name}" has no value named "${name}"`);
    return { name };
  }

  get outputNames(): string[] {
    return this.#outputs.map((o) => o.name);
  }

  get inputNames(): string[] {
    return this.#inputs.map((i) => i.name);
  }

  /** A content hash of the whole graph (structure and weights), the session cache's key. */
  fingerprint(): string {
    if (this.#fingerprint) return this.#fingerprint;
    const hash = createHash('sha256');
    const { nodes: live, initializers, inputs } = this.#live();
    const nodes = live.map((n) => ({ ...n, attrs: Object.entries(n.attrs).map(([k, v]) => [k, describeAttribute(v)]) }));
    hash.update(JSON.stringify({ opset: this.opset, inputs, outputs: this.#outputs, nodes }));
    for (const n of live) for (const v of Object.values(n.attrs)) if (typeof v === 'object' && 'data' in v) hash.update(rawBytes(v));
    for (const [name, t] of initializers) {
      hash.update(JSON.stringify([name, t.type, t.dims]));
      hash.update(rawBytes(t));
    }
    this.#fingerprint = hash.digest('hex');
    return this.#fingerprint;
  }

  /** The serialized ModelProto. */
  toBytes(): Uint8Array {
    const { nodes, initializers, inputs } = this.#live();
    let total = 0;
    for (const t of initializers.values()) total += t.data.byteLength;
    if (total > MAX_MODEL_BYTES) {
      throw new Error(
        `graph "${this.name}" holds ${(total / 2 ** 30).toFixed(2)} GiB of weights; one ONNX protobuf is limited to 2 GiB (bind large weights as inputs)`,
      );
    }
    const model = onnx.ModelProto.create({
      irVersion: 10,
      producerName: 'loupe',
      opsetImport: [{ domain: '', version: this.opset }, ...[...this.#domains].map((domain) => ({ domain, version: 1 }))],
      graph: {
        name: this.name,
        node: nodes.map((n, i) => ({
          name: `${n.opType}_${i}`,
          opType: n.opType,
          domain: n.domain,
          input: n.inputs,
          output: n.outputs,
          attribute: Object.entries(n.attrs).map(([k, v]) => attributeProto(k, v)),
        })),
        initializer: [...initializers].map(([name, t]) => tensorProto(name, t)),
        input: inputs.map(valueInfo),
        output: this.#outputs.map(valueInfo),
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }

  /**
   * The nodes and initializers some output depends on. Builders can then write whole blocks and let
   * what no requested output needs fall away (ONNX Runtime would otherwise still compute it).
   */
  #live(): { nodes: NodeSpec[]; initializers: Map<string, GraphTensor>; inputs: IoSpec[] } {
    const needed = new Set(this.#outputs.map((o) => o.name));
    const nodes: NodeSpec[] = [];
    for (let i = this.#nodes.length - 1; i >= 0; i--) {
      const n = this.#nodes[i];
      if (!n.outputs.some((o) => needed.has(o))) continue;
      nodes.push(n);
      for (const input of n.inputs) needed.add(input);
    }
    const initializers = new Map([...this.#initializers].filter(([name]) => needed.has(name)));
    // Inputs the caller declared stay even when unused (callers feed them); unused bound weights go.
    const inputs = this.#inputs.filter((i) => !this.#bound.has(i.name) || needed.has(i.name));
    return { nodes: nodes.reverse(), initializers, inputs };
  }

  #define(name: string): void {
    if (name.length === 0) throw new Error(`graph "${this.name}": a value needs a non-empty name`);
    if (this.#values.has(name)) throw new Error(`graph "${this.name}" already has a value named "${name}"`);
    this.#values.add(name);
    this.#fingerprint = undefined;
  }

  #fresh(prefix: string): string {
    let name: string;
    do name = `${prefix}_${this.#counter++}`;
    while (this.#values.has(name));
    return name;
  }
}

function valueInfo(io: IoSpec): onnxProto.onnx.IValueInfoProto {
  const shape = io.dims ? { dim: io.dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } : undefined;
  return { name: io.name, type: { tensorType: { elemType: dataType(io.type), ...(shape ? { shape } : {}) } } };
}

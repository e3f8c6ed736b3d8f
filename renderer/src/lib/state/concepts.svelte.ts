import type {
  ConceptAligned,
  ConceptDefaultRoot,
  ConceptHeatmap,
  ConceptHierarchy,
  ConceptPlane,
  ConceptSynsetMatch,
  ConceptWordList,
} from '../../../../native/api/types.js';
import type { ApiClient } from '../api/client.js';
import { defaultHighlight } from '../concepts/concept-tree.js';
import { LatestRequest } from './latest-request.svelte.js';

/** The plane's axes: x = ℓ̄(x); y = ℓ̄(y), or ℓ̄(y) − ℓ̄(yMinus); optionally orthogonalised against x. */
export interface PlaneAxes {
  x: string;
  y: string;
  yMinus: string | null;
  orthogonalize: boolean;
}

/** Most concepts coloured at once in a plane (the engine takes 12; eight colours read apart). */
export const maxHighlight = 8;

/**
 * The Concepts view: one model, one WordNet root, its hierarchy, heat map, a plane and the features
 * aligned with one concept. Every request is superseded by a newer one of its kind.
 */
export class ConceptsState {
  readonly #api: ApiClient;
  modelId = $state<string | null>(null);
  saeId = $state<string | null>(null);
  /** the hierarchy shown: the URL's, else the model's default (null until that is known) */
  root = $state<string | null>(null);
  depth = $state(2);
  minTokens = $state(8);
  axes = $state.raw<PlaneAxes | null>(null);
  highlight = $state.raw<string[]>([]);
  /** the concept whose aligned features are listed */
  focus = $state<string | null>(null);

  readonly defaultRoot = new LatestRequest<ConceptDefaultRoot>();
  readonly suggestions = new LatestRequest<ConceptSynsetMatch[]>();
  readonly hierarchy = new LatestRequest<ConceptHierarchy>();
  readonly heatmap = new LatestRequest<ConceptHeatmap>();
  readonly plane = new LatestRequest<ConceptPlane>();
  readonly aligned = new LatestRequest<ConceptAligned>();
  readonly lists = new LatestRequest<ConceptWordList[]>();

  constructor(api: ApiClient) {
    this.#api = api;
  }

  /** The root this vocabulary holds at the current minimum (the engine tries a ranked list). */
  loadDefaultRoot(): Promise<void> {
    const modelId = this.modelId;
    if (!modelId) return Promise.resolve();
    return this.defaultRoot.run(() => this.#api.call('concepts.defaultRoot', { modelId, minTokens: this.minTokens }));
  }

  searchSynsets(query: string): Promise<void> {
    const modelId = this.modelId;
    if (!modelId) return Promise.resolve();
    return this.suggestions.run(() => this.#api.call('concepts.synsets', { modelId, query, minTokens: this.minTokens, limit: 30 }));
  }

  /** A new hierarchy: its tree and heat map, then a plane on its first edge (root → its largest child). */
  async loadHierarchy(): Promise<void> {
    const modelId = this.modelId;
    const root = this.root;
    if (!modelId || !root) return;
    const params = { modelId, root, depth: this.depth, minTokens: this.minTokens };
    this.heatmap.clear();
    void this.heatmap.run(() => this.#api.call('concepts.heatmap', params));
    await this.hierarchy.run(() => this.#api.call('concepts.hierarchy', params));
    const tree = this.hierarchy.data;
    // A newer hierarchy was asked for meanwhile: its own call sets the axes.
    if (
      !tree ||
      this.root !== params.root ||
      this.depth !== params.depth ||
      this.minTokens !== params.minTokens ||
      this.modelId !== modelId
    )
      return;
    const child = tree.root.children.find((c) => c.enough);
    this.highlight = defaultHighlight(tree.root, maxHighlight);
    this.focus = child?.ref ?? tree.root.ref;
    this.axes = child ? { x: tree.root.ref, y: child.ref, yMinus: tree.root.ref, orthogonalize: false } : null;
  }

  loadPlane(): Promise<void> {
    const modelId = this.modelId;
    const axes = this.axes;
    if (!modelId || !axes) return Promise.resolve();
    return this.plane.run(() =>
      this.#api.call('concepts.plane', {
        modelId,
        ...(this.saeId ? { saeId: this.saeId } : {}),
        x: axes.x,
        y: axes.y,
        ...(axes.yMinus ? { yMinus: axes.yMinus } : {}),
        orthogonalize: axes.orthogonalize,
        highlight: this.highlight,
        minTokens: this.minTokens,
      }),
    );
  }

  loadAligned(): Promise<void> {
    const { saeId, focus, modelId } = this;
    if (!saeId || !focus || !modelId) {
      this.aligned.clear();
      return Promise.resolve();
    }
    return this.aligned.run(() =>
      this.#api.call('concepts.aligned', { saeId, modelId, concept: focus, limit: 12, minTokens: this.minTokens }),
    );
  }

  loadLists(): Promise<void> {
    const modelId = this.modelId ?? undefined;
    return this.lists.run(() => this.#api.call('concepts.lists', modelId ? { modelId } : {}));
  }

  async saveList(name: string, words: string[]): Promise<ConceptWordList> {
    const saved = await this.#api.call('concepts.saveWords', { name, words, ...(this.modelId ? { modelId: this.modelId } : {}) });
    await this.loadLists();
    return saved;
  }

  async deleteList(name: string): Promise<void> {
    await this.#api.call('concepts.deleteWords', { name });
    this.highlight = this.highlight.filter((r) => r !== `list:${name}`);
    await this.loadLists();
  }

  toggleHighlight(ref: string): void {
    this.highlight = this.highlight.includes(ref) ? this.highlight.filter((r) => r !== ref) : [...this.highlight, ref].slice(-maxHighlight);
  }
}

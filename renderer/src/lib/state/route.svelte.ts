/** The views DESIGN.md lists, in navigation order. */
export const views = [
  { id: 'home', title: 'Home', about: 'Models, SAEs, corpora and jobs of this workspace.' },
  { id: 'map', title: 'Map', about: 'UMAP of an SAE’s decoder directions, coloured by density, label state or parent.' },
  { id: 'feature', title: 'Feature', about: 'One feature: label, statistics, histogram, top examples, output-token effects, neighbours.' },
  { id: 'compare', title: 'Compare', about: 'Two SAEs side by side: metrics, matched pairs, joint map, splitting tree.' },
  { id: 'concepts', title: 'Concepts', about: 'Hierarchical-concept planes: tokens and features projected onto concept directions.' },
  { id: 'prompt', title: 'Prompt', about: 'Type text, see per-token activations and the top features.' },
  { id: 'labels', title: 'Label queue', about: 'Keyboard-driven labeling of features.' },
  { id: 'train', title: 'Train', about: 'Configure SAE training, watch live curves, read the evaluation report.' },
  { id: 'jobs', title: 'Jobs', about: 'Long work: progress, cancel, history.' },
  { id: 'steer', title: 'Steer', about: 'Clamp, add or ablate features while the model generates: clean and steered text side by side.' },
] as const;

export type ViewId = (typeof views)[number]['id'];

export interface Route {
  view: ViewId;
  /** path segments after the view, decoded: `#/feature/res0-512/42` → ['res0-512', '42'] */
  params: string[];
  /** the route asked for when it names no view (`#/nonsense`): the app says so instead of showing Home */
  unknown?: string;
}

export function parseRoute(hash: string): Route {
  const [id, ...rest] = hash.replace(/^#\/?/, '').split('/');
  const view = views.find((v) => v.id === id)?.id;
  if (!view) return id === '' ? { view: 'home', params: [] } : { view: 'home', params: [], unknown: hash };
  return { view, params: rest.filter((p) => p.length > 0).map((p) => decodeURIComponent(p)) };
}

/** The hash for a view and its params (each encoded): href('feature', saeId, 42). */
export function href(view: ViewId, ...params: (string | number)[]): string {
  return `#/${[view, ...params.map((p) => encodeURIComponent(String(p)))].join('/')}`;
}

/**
 * Hash routing (`#/map`, `#/feature/SAE/INDEX`): works the same from file-like Electron origins and
 * from `loupe serve`, and every view a researcher looks at has a URL they can come back to.
 */
export class RouteState {
  #route = $state.raw<Route>(parseRoute(window.location.hash));

  get view(): ViewId {
    return this.#route.view;
  }

  get params(): readonly string[] {
    return this.#route.params;
  }

  get unknown(): string | undefined {
    return this.#route.unknown;
  }

  go(view: ViewId, ...params: (string | number)[]): void {
    window.location.hash = href(view, ...params);
  }

  listen(): () => void {
    const onChange = () => (this.#route = parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }
}

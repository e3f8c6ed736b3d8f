/** The views DESIGN.md lists, in navigation order. `built` says whether the view exists yet. */
export const views = [
  { id: 'home', title: 'Home', built: true, about: 'Models, SAEs, corpora and jobs of this workspace.' },
  { id: 'map', title: 'Map', built: false, about: 'UMAP of an SAE’s decoder directions, coloured by density, label state or parent.' },
  { id: 'feature', title: 'Feature', built: false, about: 'One feature: label, statistics, histogram, top examples, output-token effects, neighbours.' },
  { id: 'compare', title: 'Compare', built: false, about: 'Two SAEs side by side: metrics, matched pairs, joint map, splitting tree.' },
  { id: 'concepts', title: 'Concepts', built: false, about: 'Hierarchical-concept planes: tokens and features projected onto concept directions.' },
  { id: 'prompt', title: 'Prompt', built: false, about: 'Type text, see per-token activations and the top features.' },
  { id: 'labels', title: 'Label queue', built: false, about: 'Keyboard-driven labeling of features.' },
  { id: 'train', title: 'Train', built: false, about: 'Configure SAE training, watch live curves, read the evaluation report.' },
  { id: 'jobs', title: 'Jobs', built: true, about: 'Long work: progress, cancel, history.' },
] as const;

export type ViewId = (typeof views)[number]['id'];

function parse(hash: string): ViewId {
  const id = hash.replace(/^#\/?/, '').split('/')[0];
  return views.find((v) => v.id === id)?.id ?? 'home';
}

/** Hash routing (`#/map`): works the same from file-like Electron origins and from `loupe serve`. */
export class RouteState {
  view = $state<ViewId>(parse(window.location.hash));

  listen(): () => void {
    const onChange = () => (this.view = parse(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }
}

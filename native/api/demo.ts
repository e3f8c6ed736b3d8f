import type { FeatureKey } from './features.js';
import type { JobSummary } from './jobs.js';

/**
 * The demo workspace: the demo model (resources/demo/model) with two TopK SAEs on one hook (512 and
 * 4,096 latents, resources/demo/saes), indexed over a sample of Brown and mapped. These are the
 * shapes of `demo.create` and `demo.status`.
 */

/** One step of preparing the demo: indexing one SAE, or one map (of one SAE, or of both jointly). */
export interface DemoStep {
  kind: 'index' | 'map';
  /** The SAE indexed, or the SAEs of the map (a joint map lists both). */
  saeIds: string[];
  /** What the step does, for people ("Index the 512-feature SAE"). */
  title: string;
  /** Finished: the SAE has a finished index run, or the map is stored. */
  done: boolean;
  /** The newest job of this step (queued, running or ended), null when none was started. */
  jobId: string | null;
}

export interface DemoStatus {
  /** No models, no SAEs, no jobs: a launcher may turn this workspace into the demo. */
  fresh: boolean;
  /** The workspace holds the demo model (by path): it is the demo workspace, or is becoming it. */
  demo: boolean;
  /** Every step done. */
  ready: boolean;
  modelId: string | null;
  /** The demo's SAEs registered here, narrow first. */
  saes: { id: string; dSae: number }[];
  /** In the order they run; empty when `demo` is false. */
  steps: DemoStep[];
  /**
   * Brown tokens each SAE is indexed over, and the corpus spec (a sample of every Brown genre): what the demo plans,
   * and once the narrow SAE is indexed, what its finished index run actually read.
   */
  tokens: number;
  corpus: string;
  /** A feature worth opening first (a clear corpus-tag candidate label), once the narrow SAE is indexed. */
  firstFeature: FeatureKey | null;
  /** Its most frequent tokens (corpus text: display as text only), to say what it is before it is opened. */
  firstFeatureTokens: string[];
}

export interface DemoCreated {
  /** The jobs of every unfinished step: started now, or already queued or running. Empty when the demo is ready. */
  jobs: JobSummary[];
}

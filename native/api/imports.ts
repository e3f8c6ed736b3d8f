/** Imports of exported dashboards (Neuronpedia, SAEDashboard, delphi). */

/** Formats of the SAE rows an import makes when no weights are given: no encoder, so no prompt, splitting, map or neighbours. */
export const weightlessSaeFormats = ['neuronpedia-export', 'saedashboard-export', 'delphi-export'] as const;

/** Layouts `loupe import` / imports.start read (issue 16). */
export const importFormats = ['neuronpedia', 'saedashboard', 'delphi'] as const;
export type ImportFormat = (typeof importFormats)[number];

/** Statistics an import may not be able to supply; the page shows each one as absent, never as 0. */
export const absentStatKeys = ['tokensSeen', 'fires', 'meanAct', 'histogram', 'quantiles', 'frequent', 'logits'] as const;
export type AbsentStatKey = (typeof absentStatKeys)[number];

/** Where an imported run came from and what it lacks (features.page). */
export interface ImportedRunInfo {
  format: ImportFormat;
  /** the export folder or file read */
  path: string;
  /** what the export does not carry, shown as absent */
  absent: AbsentStatKey[];
  /** the dataset the export names, when it names one */
  dataset: string | null;
}

/** What an import job returns. */
export interface ImportSummary {
  saeId: string;
  runId: number;
  format: ImportFormat;
  features: number;
  /** activation rows (SAEDashboard / Neuronpedia) or nonzero (location, activation) rows (delphi) read */
  rows: number;
  windows: number;
  /** where a resumed import picked up (rows already committed), or null for a fresh one */
  resumedAtRow: number | null;
  /** token strings of the export not in the model's vocabulary (kept as text; no id) */
  unknownTokens: number;
  seconds: number;
}

/** Small display helpers shared by views. */

export function formatDuration(fromIso: string | null, toIso: string | null, now = Date.now()): string {
  if (!fromIso) return '';
  const ms = (toIso ? Date.parse(toIso) : now) - Date.parse(fromIso);
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const s = ms / 1000;
  if (s < 90) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

export function formatTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function formatPercent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}

/**
 * Time left for a running job, from its progress and how long it has run (a straight-line
 * estimate: elapsed × (1 − p) / p); '' until there is enough to go on (2 % done, 3 s run).
 */
export function formatRemaining(startedIso: string | null, progress: number, now = Date.now()): string {
  if (!startedIso || !(progress >= 0.02) || progress >= 1) return '';
  const elapsed = (now - Date.parse(startedIso)) / 1000;
  if (!(elapsed >= 3)) return '';
  const left = (elapsed * (1 - progress)) / progress;
  if (left < 60) return `~${Math.max(1, Math.round(left))} s left`;
  if (left < 3600) return `~${Math.round(left / 60)} min left`;
  const h = Math.floor(left / 3600);
  return `~${h} h ${Math.round((left - h * 3600) / 60)} min left`;
}

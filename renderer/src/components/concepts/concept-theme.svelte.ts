/** The concept views' canvas colours, from the theme's CSS variables (styles.css, --concept-*). */
export interface ConceptTheme {
  groups: string[];
  cloud: string;
  feature: string;
  axis: string;
  text: string;
  missing: string;
  hover: string;
}

function readTheme(): ConceptTheme {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    groups: Array.from({ length: 8 }, (_, i) => v(`--concept-${i + 1}`, '#4e79a7')),
    cloud: v('--concept-cloud', '#9aa0a8'),
    feature: v('--concept-feature', '#1d1f23'),
    axis: v('--concept-axis', '#b9bcc2'),
    text: v('--text', '#1d1f23'),
    missing: v('--hover', '#f0f0ed'),
    hover: v('--accent', '#4f5bd5'),
  };
}

/** Follows the theme toggle (it sets data-theme on <html>), so canvases recolour with the page. */
export class ConceptPalette {
  theme = $state.raw<ConceptTheme>(readTheme());

  listen(): () => void {
    const observer = new MutationObserver(() => (this.theme = readTheme()));
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    return () => observer.disconnect();
  }
}

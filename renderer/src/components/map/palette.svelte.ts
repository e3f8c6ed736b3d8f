import type { Palette } from '../../lib/map/colour.js';

/** The map's colours and marks, read from the theme's CSS variables (styles.css, --map-*). */
export interface MapTheme extends Palette {
  ring: string;
  hover: string;
  lasso: string;
  background: string;
  text: string;
}

function readTheme(): MapTheme {
  const root = document.documentElement;
  const css = getComputedStyle(root);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    dark: root.dataset.theme === 'dark',
    unknown: v('--map-unknown', '#c9c9c4'),
    unlabelled: v('--map-unlabelled', '#aab0bb'),
    labelled: v('--map-labelled', '#4f5bd5'),
    uninterpretable: v('--map-uninterpretable', '#e0803a'),
    saes: [v('--map-sae-1', '#4e79a7'), v('--map-sae-2', '#f28e2b'), v('--map-sae-3', '#59a14f')],
    ring: v('--map-ring', '#1d1f23'),
    hover: v('--map-hover', '#1d1f23'),
    lasso: v('--accent', '#4f5bd5'),
    text: v('--text', '#1d1f23'),
    background: v('--map-bg', root.dataset.theme === 'dark' ? '#1b1d22' : '#ffffff'),
  };
}

/** Follows the theme toggle (it sets data-theme on <html>) so the canvas recolours with the page. */
export class ThemePalette {
  theme = $state.raw<MapTheme>(readTheme());

  listen(): () => void {
    // Read again now: the theme may have been applied between this palette's creation and listen()
    // (a reload in the dark theme otherwise kept the light palette until the next toggle).
    this.theme = readTheme();
    const observer = new MutationObserver(() => (this.theme = readTheme()));
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme', 'style', 'class'] });
    return () => observer.disconnect();
  }
}

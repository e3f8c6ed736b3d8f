/** The theme the app starts in: the one chosen last (localStorage), else the system's. */
export type Theme = 'light' | 'dark';

export const THEME_KEY = 'loupe.theme';

export function initialTheme(): Theme {
  const stored = localStorage.getItem(THEME_KEY);
  if (stored === 'dark' || stored === 'light') return stored;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

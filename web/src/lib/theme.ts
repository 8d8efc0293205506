import { useCallback, useEffect, useLayoutEffect, useState } from 'react';

export type ThemeChoice = 'light' | 'dark' | 'system';
const STORAGE_KEY = 'vibecheck-theme';

function readStoredTheme(): ThemeChoice {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return value === 'light' || value === 'dark' ? value : 'system';
  } catch {
    return 'system';
  }
}

const queryDarkScheme = (): MediaQueryList | null =>
  typeof window.matchMedia === 'function' ? window.matchMedia('(prefers-color-scheme: dark)') : null;

/** The theme in use: the stored choice, else the system's preference; the choice persists in localStorage. */
export function useTheme(): { choice: ThemeChoice; dark: boolean; cycle: () => void } {
  const [choice, setChoice] = useState<ThemeChoice>(readStoredTheme);
  const [systemDark, setSystemDark] = useState(() => queryDarkScheme()?.matches ?? false);

  useEffect(() => {
    const media = queryDarkScheme();
    if (!media) return;
    const onChange = (e: MediaQueryListEvent) => setSystemDark(e.matches);
    media.addEventListener('change', onChange);
    return () => media.removeEventListener('change', onChange);
  }, []);

  // A layout effect, so charts built in this commit already read the new theme's colours.
  useLayoutEffect(() => {
    const root = document.documentElement;
    if (choice === 'system') delete root.dataset.theme;
    else root.dataset.theme = choice;
    try {
      if (choice === 'system') localStorage.removeItem(STORAGE_KEY);
      else localStorage.setItem(STORAGE_KEY, choice);
    } catch {
      // Private windows may refuse storage; the theme still applies for this visit.
    }
  }, [choice]);

  const cycle = useCallback(() => setChoice((c) => (c === 'system' ? 'dark' : c === 'dark' ? 'light' : 'system')), []);
  return { choice, dark: choice === 'dark' || (choice === 'system' && systemDark), cycle };
}

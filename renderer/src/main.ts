import { mount } from 'svelte';
import App from './App.svelte';
import { initialTheme } from './lib/theme/initial-theme.js';
import './styles.css';

// Before anything mounts, so every view (and every canvas palette read at creation) starts in the
// theme the page will have: a reload in the dark theme must not paint light first.
document.documentElement.dataset.theme = initialTheme();
mount(App, { target: document.getElementById('app')! });

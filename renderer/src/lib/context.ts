import { getContext, setContext } from 'svelte';
import type { ApiClient } from './api/client.js';
import type { JobsState } from './state/jobs.svelte.js';
import type { RouteState } from './state/route.svelte.js';
import type { WorkspaceState } from './state/workspace.svelte.js';

export interface AppContext {
  api: ApiClient;
  workspace: WorkspaceState;
  jobs: JobsState;
  route: RouteState;
}

const key = Symbol('loupe.app');

export function setAppContext(context: AppContext): AppContext {
  return setContext(key, context);
}

export function getAppContext(): AppContext {
  return getContext<AppContext>(key);
}

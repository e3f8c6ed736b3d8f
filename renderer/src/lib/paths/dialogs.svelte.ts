import type { PathGrant } from '../../../../native/api/types.js';
import { LoupeApiError, type ApiClient } from '../api/client.js';

/**
 * Whether this window has native file dialogs. The desktop app answers grants.choose in its main
 * process; `loupe serve` answers "failed" (no dialog in a browser tab). One failure is enough: every
 * path field then disables its Browse button and takes the typed path, and says why once.
 */
class Dialogs {
  /** null until a grants.choose failed; then the engine's reason */
  unavailable = $state<string | null>(null);

  async choose(api: ApiClient, kind: PathGrant['kind'], title: string): Promise<PathGrant | null> {
    if (this.unavailable !== null) return null;
    try {
      return await api.call('grants.choose', { kind, title });
    } catch (error) {
      const reason = error instanceof LoupeApiError ? error.error.reason : (error as Error).message;
      this.unavailable = reason.charAt(0).toUpperCase() + reason.slice(1);
      return null;
    }
  }
}

export const dialogs = new Dialogs();

import { ApiFailure } from '../../api/errors.js';
import type { Handlers } from '../router.js';

/**
 * The engine has no dialogs: in the desktop app the main process answers grants.choose itself
 * (electron/main.ts) and never forwards it. A call that reaches the engine came from `loupe serve`
 * or a script, where paths are typed.
 */
export function grantHandlers(): Pick<Handlers, 'grants.choose'> {
  return {
    'grants.choose': () => {
      throw new ApiFailure(
        'failed',
        'there is no file dialog here (loupe serve): type the path, as it reads on the machine Loupe runs on',
        'kind',
      );
    },
  };
}

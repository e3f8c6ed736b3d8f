import { ApiFailure } from '../api/errors.js';
import { FormatError } from '../formats/tensor.js';
import { CorpusError } from '../corpus/types.js';
import { IndexError } from '../index/indexer.js';
import { ForwardInputError } from '../models/forward.js';
import { UnknownHookError } from '../models/hooks.js';
import { parseProvider } from '../onnx/ort.js';
import type { Provider } from '../onnx/ort.js';
import { ActivationStreamError } from '../sae/train/activations.js';
import { TrainingError } from '../sae/train/trainer.js';
import { CliError } from './command.js';

/**
 * Errors about the user's files, flags or data (a malformed file, an unknown hook, a corpus with no
 * text, settings a run cannot take): every command reports them as one line and exit status 1;
 * anything else is a bug and keeps its stack.
 */
const USER_ERRORS = [
  ApiFailure,
  FormatError,
  CorpusError,
  IndexError,
  ForwardInputError,
  UnknownHookError,
  ActivationStreamError,
  TrainingError,
  RangeError,
];

export function isUserError(e: unknown): e is Error {
  return USER_ERRORS.some((type) => e instanceof type);
}

/** Runs `f`; a user error becomes a CliError (exit 1). Works for sync and async `f`. */
export async function asUserError<T>(f: () => T | Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (isUserError(e)) throw new CliError(e.message);
    throw e;
  }
}

/** The synchronous form, for code that must not become async. */
export function asUserErrorSync<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (isUserError(e)) throw new CliError(e.message);
    throw e;
  }
}

/** --provider's value, or a usage error (exit 2) listing the allowed names. */
export function providerFlag(name: string): Provider {
  try {
    return parseProvider(name);
  } catch (e) {
    throw new CliError(`--provider: ${(e as Error).message}`, 2);
  }
}

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { jsonLimits, readCappedJsonObject } from './strict-json.js';

/**
 * End-of-text markers by the names the families ship them under, tried in order when no
 * tokenizer_config.json names one: GPT-2 / NeoX / Qwen, Llama 3, Gemma, Llama 2 / Mistral.
 */
export const EOS_NAMES = ['<|endoftext|>', '<|end_of_text|>', '<eos>', '</s>'] as const;

function tokenName(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as { content?: unknown }).content === 'string')
    return (value as { content: string }).content;
  return undefined;
}

/** The BOS and EOS tokens a sibling tokenizer_config.json names, when it does. */
export async function configSpecialTokens(dir: string): Promise<{ bos?: string; eos?: string }> {
  const configPath = join(dir, 'tokenizer_config.json');
  if (!existsSync(configPath)) return {};
  try {
    // A tokenizer_config.json can list thousands of added tokens: capped as a tokenizer file is.
    const config = await readCappedJsonObject(configPath, jsonLimits.tokenizer);
    return { bos: tokenName(config.bos_token), eos: tokenName(config.eos_token) };
  } catch {
    // A broken tokenizer_config.json only costs us the BOS / EOS hints; the tokenizer itself is tokenizer.json.
    return {};
  }
}

import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { int, readJsonConfig, str } from './discovery-json.js';
import { saesInFolder } from './discovery-sae.js';

/** A model, SAE or tokenizer found on disk. Widths come from small configs and headers; weights are never read. */
export interface DiscoveredItem {
  kind: 'model' | 'sae' | 'tokenizer';
  /** 'hf-gpt2' (or 'hf-<model_type>') | 'transformerlens' | 'saelens' | 'sparsify' | 'openai' | 'gemma-scope' | 'dictionary-learning' | 'tokenizer-json' | 'gpt2-vocab' */
  format: string;
  /** The folder, or the file for an openai .pt SAE and a tokenizer.json. */
  path: string;
  /** Found in the Hugging Face cache: the repo and the snapshot's commit. */
  repoId?: string;
  revision?: string;
  /** TransformerLens hook name the SAE reads. */
  hookName?: string;
  /** Transcoders: the hook their output predicts. */
  outputHookName?: string;
  /** How inputs are scaled before encoding and where the factor comes from, when they are (SAELens normalize_activations, Llama Scope norm_activation). */
  inputScaling?: string;
  /** The hook as the SAE's files name it, where that is not a TransformerLens name. */
  hookpoint?: string;
  dSae?: number;
  dIn?: number;
  k?: number;
  /** SAE: 'standard' | 'topk' | 'jumprelu' | 'gated' | ...; model: config.json's architectures[0]. */
  architecture?: string;
  modelName?: string;
  /** Model weights file, relative to `path`. */
  weights?: string;
  dModel?: number;
  nLayers?: number;
  /** Why the item could not be read fully (a broken config), so a listing can say so. */
  problem?: string;
}

export interface DiscoverOptions {
  /** Folder levels below `path` to scan; SAELens repos keep one SAE per subfolder, Gemma Scope three deep. */
  maxDepth?: number;
  /** How the folder is named to the user (e.g. a repo id); SAE formats without configs read hooks from it. */
  hint?: string;
}

const HF_WEIGHTS = ['model.safetensors', 'model.safetensors.index.json', 'pytorch_model.bin', 'pytorch_model.bin.index.json'];
const MAX_FOLDERS = 5000;

/** Lists the models, SAEs and tokenizers in a folder (or the one a file is), scanning a few levels of subfolders. */
export function discover(path: string, options: DiscoverOptions = {}): DiscoveredItem[] {
  if (!existsSync(path)) throw new Error(`${path}: no such file or folder`);
  if (statSync(path).isFile()) {
    // A file stands for what its folder holds: the items that are the file or the folder.
    const dir = dirname(path);
    return discover(dir, { maxDepth: 0, hint: options.hint }).filter((i) => i.path === path || i.path === dir);
  }
  const items: DiscoveredItem[] = [];
  const queue: { dir: string; hint: string; depth: number }[] = [{ dir: path, hint: options.hint ?? path, depth: 0 }];
  const maxDepth = options.maxDepth ?? 4;
  for (let visited = 0; queue.length > 0 && visited < MAX_FOLDERS; visited++) {
    const { dir, hint, depth } = queue.shift() as (typeof queue)[number];
    const { files, dirs } = listFolder(dir);
    items.push(...itemsInFolder(dir, files, hint));
    if (depth < maxDepth) for (const sub of dirs) queue.push({ dir: join(dir, sub), hint: `${hint}/${sub}`, depth: depth + 1 });
  }
  return items;
}

/** Files and subfolders, following symlinks (the HF cache links snapshot files to blobs); hidden entries skipped. */
function listFolder(dir: string): { files: Set<string>; dirs: string[] } {
  const files = new Set<string>();
  const dirs: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return { files, dirs };
  }
  for (const name of names.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))) {
    if (name.startsWith('.') || name === 'node_modules') continue;
    try {
      const s = statSync(join(dir, name));
      if (s.isDirectory()) dirs.push(name);
      else if (s.isFile()) files.add(name);
    } catch {
      // a dangling symlink (an interrupted download) is not a file we can offer
    }
  }
  return { files, dirs };
}

function itemsInFolder(dir: string, files: ReadonlySet<string>, hint: string): DiscoveredItem[] {
  const items: DiscoveredItem[] = [];
  const model = modelInFolder(dir, files);
  if (model) items.push(model);
  items.push(...saesInFolder(dir, files, hint));
  if (files.has('tokenizer.json')) items.push({ kind: 'tokenizer', format: 'tokenizer-json', path: join(dir, 'tokenizer.json') });
  else if (files.has('vocab.json') && files.has('merges.txt')) items.push({ kind: 'tokenizer', format: 'gpt2-vocab', path: dir });
  return items;
}

/**
 * A Hugging Face folder (config.json with model_type + model.safetensors or pytorch_model.bin) or a
 * TransformerLens one (config.json with d_model and n_layers + a state dict file).
 */
function modelInFolder(dir: string, files: ReadonlySet<string>): DiscoveredItem | null {
  if (!files.has('config.json') || files.has('ae.pt')) return null;
  const read = readJsonConfig(join(dir, 'config.json'));
  const cfg = 'value' in read ? read.value : {};
  const isTl = int(cfg.d_model) !== undefined && int(cfg.n_layers) !== undefined;
  const weights = HF_WEIGHTS.find((f) => files.has(f)) ?? (isTl ? [...files].find((f) => /\.(pth?|safetensors)$/.test(f)) : undefined);
  if (weights === undefined) return null;
  const item: DiscoveredItem = { kind: 'model', format: 'hf-unknown', path: dir, weights };
  if ('problem' in read) item.problem = read.problem;
  if (isTl) {
    item.format = 'transformerlens';
    item.dModel = int(cfg.d_model);
    item.nLayers = int(cfg.n_layers);
    item.modelName = str(cfg.model_name);
  } else if (str(cfg.model_type)) {
    item.format = `hf-${String(cfg.model_type)}`;
    item.dModel = int(cfg.n_embd) ?? int(cfg.hidden_size) ?? int(cfg.d_model);
    item.nLayers = int(cfg.n_layer) ?? int(cfg.num_hidden_layers);
    item.architecture = Array.isArray(cfg.architectures) ? str(cfg.architectures[0]) : undefined;
  }
  return item;
}

/** The hub cache folder as huggingface_hub resolves it: HF_HUB_CACHE, HF_HOME/hub, XDG_CACHE_HOME, then ~/.cache. */
export function hfCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HF_HUB_CACHE) return env.HF_HUB_CACHE;
  if (env.HUGGINGFACE_HUB_CACHE) return env.HUGGINGFACE_HUB_CACHE;
  if (env.HF_HOME) return join(env.HF_HOME, 'hub');
  return join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'huggingface', 'hub');
}

/**
 * Models and SAEs in the Hugging Face cache: each `models--ORG--NAME` at the revision refs/main
 * names (every snapshot, when refs/main is missing). A missing cache is an empty list.
 */
export function discoverHfCache(env: NodeJS.ProcessEnv = process.env): DiscoveredItem[] {
  const cache = hfCacheDir(env);
  if (!existsSync(cache)) return [];
  const items: DiscoveredItem[] = [];
  for (const repo of listFolder(cache).dirs) {
    if (!repo.startsWith('models--')) continue;
    const repoId = repo.slice('models--'.length).split('--').join('/');
    for (const revision of revisions(join(cache, repo))) {
      const snapshot = join(cache, repo, 'snapshots', revision);
      for (const item of discover(snapshot, { hint: repoId })) items.push({ ...item, repoId, revision });
    }
  }
  return items;
}

function revisions(repoDir: string): string[] {
  const snapshots = listFolder(join(repoDir, 'snapshots')).dirs;
  const refMain = join(repoDir, 'refs', 'main');
  if (!existsSync(refMain)) return snapshots;
  const main = readFileSync(refMain, 'utf8').trim();
  return snapshots.includes(main) ? [main] : [];
}

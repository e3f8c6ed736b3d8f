#!/usr/bin/env bash
# Trains the demo workspace's two SAEs with Loupe's own engine (TopK, k 16, on the demo model's first
# MLP output, the analogue of the feature-splitting study's 1-layer MLP): 512 and 4096 latents, one
# pass over the Brown corpus each, seed 0. Their weights ship in resources/demo/saes so the first
# launch only has to index them. Takes about 10 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
model=resources/demo/model
out=resources/demo/saes
rm -rf "$out"
mkdir -p "$out"
for width in 512 4096; do
  node bin/loupe.js train --model "$model" --hook blocks.0.hook_mlp_out --corpus brown --d-sae "$width" --k 16 \
    --tokens 1700000 --batch 4096 --seed 0 --out "$out/brown-mlp0-topk$width"
  rm -rf "$out/brown-mlp0-topk$width/checkpoint"
done

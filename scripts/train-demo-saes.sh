#!/usr/bin/env bash
# Trains the demo workspace's two SAEs with Loupe's own engine (TopK, k 16, on the demo model's first
# MLP output, the analogue of the feature-splitting study's 1-layer MLP): 512 and 4096 latents, each
# on 8,388,608 tokens drawn uniformly from the whole Brown corpus (≈ 4.9 passes in fresh orders),
# seed 0 (the initialisation is keyed by seed and width, so the two start unrelated). Their weights
# ship in resources/demo/saes so the first launch only has to index them. Takes about 15 minutes on
# 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
model=resources/demo/model
out=resources/demo/saes
tokens=8388608
rm -rf "$out"
mkdir -p "$out"
for width in 512 4096; do
  node bin/loupe.js train --model "$model" --hook blocks.0.hook_mlp_out --corpus brown --d-sae "$width" --k 16 \
    --tokens "$tokens" --batch 4096 --seed 0 --out "$out/brown-mlp0-topk$width"
  rm -rf "$out/brown-mlp0-topk$width/checkpoint"
done

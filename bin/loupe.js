#!/usr/bin/env node
// The `loupe` command. `npm install` compiles native/ to dist/ (the `prepare` script).
import '../dist/native/cli/main.js';

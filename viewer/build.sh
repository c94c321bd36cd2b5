#!/usr/bin/env bash
# Builds results/viewer/viewer.js and viewer.css (committed) from src/ with the exact versions in package-lock.json:
# uPlot for the charts, esbuild to bundle. Run it after changing anything under src/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
npm ci --no-audit --no-fund --loglevel=error
npm run --silent build
ls -l ../results/viewer/viewer.js ../results/viewer/viewer.css

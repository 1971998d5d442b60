#!/usr/bin/env bash
# Packs NeuralOT, NeuralOT.Plotting and NeuralOT.Interactive into artifacts/feed with a fresh version
# (0.1.0-dev.<UTC time>), so notebooks that reference the feed load this build and never a stale cached copy.
# Older versions are removed from the feed (the newest three are kept).
set -euo pipefail
cd "$(dirname "$0")/.."
configuration="${1:-Release}"
stamp="$(date -u +%Y%m%d%H%M%S)"
dotnet pack src/NeuralOT.Interactive -c "$configuration" -p:NeuralOTPackStamp="$stamp" --nologo -v quiet -clp:ErrorsOnly
for id in NeuralOT NeuralOT.Plotting NeuralOT.Interactive; do
  find artifacts/feed -maxdepth 1 -name "$id.0.1.0-dev.*.nupkg" | sort | head -n -3 | xargs -r rm -f
done
echo "artifacts/feed: packages 0.1.0-dev.$stamp"

#!/usr/bin/env bash
# Installs the `neuralot` command from this clone as a .NET global tool (on PATH through ~/.dotnet/tools), or updates
# it to this clone's state. Re-run it after pulling or changing the code.
#
# It packs src/NeuralOT.Cli as a tool package for this machine's runtime only (-r <RID>: linux-x64 here, about 160 MB
# with that runtime's libtorch, see build/LibTorchCpu.targets) into artifacts/tool, under a fresh
# version 0.1.0-dev.<UTC time> (NuGet never re-reads a version it has cached, so a rebuilt package under an old number
# would be silently shadowed), and installs that version from that folder. Older packages in the folder are removed.
#
#   build/install-tool.sh                              # dotnet tool install/update --global
#   NEURALOT_TOOL_PATH=/some/dir build/install-tool.sh # into a folder of your choice instead (dotnet tool --tool-path)
#
# Uninstall: dotnet tool uninstall --global NeuralOT.Cli
set -euo pipefail
cd "$(dirname "$0")/.."
feed=artifacts/tool
rid="$(dotnet --info | awk '/^ *RID:/ { print $2; exit }')"
stamp="$(date -u +%Y%m%d%H%M%S)"
version="0.1.0-dev.$stamp"
echo "packing neuralot $version for $rid into $feed (the first time this restores and builds; a few minutes)"
dotnet pack src/NeuralOT.Cli -c Release -r "$rid" -o "$feed" -p:NeuralOTPackStamp="$stamp" --nologo -v quiet -clp:ErrorsOnly
find "$feed" -maxdepth 1 -name 'NeuralOT.Cli.*.nupkg' ! -name "NeuralOT.Cli.$version.nupkg" -delete
if [[ -n "${NEURALOT_TOOL_PATH:-}" ]]; then
  where=(--tool-path "$NEURALOT_TOOL_PATH")
  listed="$(dotnet tool list --tool-path "$NEURALOT_TOOL_PATH" 2>/dev/null || true)"
else
  where=(--global)
  listed="$(dotnet tool list --global)"
fi
if grep -qi '^neuralot\.cli ' <<<"$listed"; then
  dotnet tool update "${where[@]}" NeuralOT.Cli --add-source "$feed" --version "$version"
else
  dotnet tool install "${where[@]}" NeuralOT.Cli --add-source "$feed" --version "$version"
fi

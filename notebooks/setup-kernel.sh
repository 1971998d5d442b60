#!/usr/bin/env bash
# One command that makes the bundled notebooks, charts included, work in Jupyter and VS Code with the
# .NET Interactive kernel. Run it from anywhere; re-run it after changing the libraries.
#
# Why it is needed: the released .NET Interactive tool (1.0.712001, the last: the project was deprecated in 2026)
# ships FSharp.Core 10.0, while Plotly.NET 6 and Deedle 8, which draw the charts and frames, need FSharp.Core 10.1.
# A notebook cannot load a second FSharp.Core next to the host's, so every chart cell would fail with
# "Could not load file or assembly FSharp.Core, Version=10.1.0.0". This script installs the tool into its own folder
# (not the global tool location, so nothing else is touched), puts FSharp.Core 10.1 in place of the tool's copy
# (FSharp.Core is backward compatible, so the tool itself keeps working), and registers that tool as the Jupyter
# kernels ".NET (C#)" and ".NET (F#)". It also packs this repository's libraries into artifacts/feed and registers
# that folder as a NuGet source of this user ("neuralot-notebooks"), from which the notebooks load them with
# `#r "nuget: NeuralOT.Interactive, 0.1.0-dev.*"`. Before deleting this checkout, remove that source
# (`dotnet nuget remove source neuralot-notebooks`): NuGet refuses to restore anything while a source folder is missing.
#
# Environment: NEURALOT_KERNEL_DIR, where the tool goes (default ~/.dotnet/neuralot-interactive).
# Needs: the .NET 10 SDK and Jupyter (Debian: apt-get install jupyter-nbconvert python3-ipykernel jupyter-client).
set -euo pipefail
repository="$(cd "$(dirname "$0")/.." && pwd)"
tool_dir="${NEURALOT_KERNEL_DIR:-$HOME/.dotnet/neuralot-interactive}"
tool_version=1.0.712001

command -v jupyter > /dev/null || { echo "error: jupyter is not on PATH; install Jupyter first (Debian: apt-get install jupyter-nbconvert python3-ipykernel jupyter-client)" >&2; exit 1; }

# 1. The packages the notebooks load (this also restores the repository, which fixes TorchSharp's native library
#    on Debian 12 in the NuGet cache that notebooks load it from: build/TorchSharpGlibcxxFix.targets).
"$repository/notebooks/pack-feed.sh" Release

# 2. The feed as a NuGet source of this user, so that `#r "nuget: NeuralOT.Interactive, ..."` finds it from any
#    notebook, whatever its folder (a notebook's `#i` would need an absolute path: the kernel rejects relative ones).
user_config="$HOME/.nuget/NuGet/NuGet.Config"
if [[ ! -f "$user_config" ]]; then
  mkdir -p "$(dirname "$user_config")"
  printf '<?xml version="1.0" encoding="utf-8"?>\n<configuration>\n  <packageSources>\n    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />\n  </packageSources>\n</configuration>\n' > "$user_config"
fi
dotnet nuget remove source neuralot-notebooks --configfile "$user_config" > /dev/null 2>&1 || true
dotnet nuget add source "$repository/artifacts/feed" --name neuralot-notebooks --configfile "$user_config" > /dev/null

# 3. The kernel tool in its own folder.
if [[ ! -x "$tool_dir/dotnet-interactive" ]]; then
  dotnet tool install Microsoft.dotnet-interactive --version "$tool_version" --tool-path "$tool_dir" > /dev/null
fi

# 4. FSharp.Core 10.1 from the NuGet cache (the restore in step 1 put it there: Plotly.NET and Deedle need it).
packages="$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //')"
fsharp="$(find "$packages/fsharp.core" -maxdepth 1 -name '10.1.*' -printf '%f\n' 2>/dev/null | sort -V | tail -n 1)"
[[ -n "$fsharp" ]] || { echo "error: no FSharp.Core 10.1.x in $packages; step 1 should have restored it" >&2; exit 1; }
replacement="$packages/fsharp.core/$fsharp/lib/netstandard2.1/FSharp.Core.dll"
mapfile -t copies < <(find "$tool_dir/.store" -name FSharp.Core.dll -path '*/tools/*' -not -path '*/resources/*')
[[ ${#copies[@]} -gt 0 ]] || { echo "error: the tool in $tool_dir has no FSharp.Core.dll; delete the folder and run again" >&2; exit 1; }
for copy in "${copies[@]}"; do cp "$replacement" "$copy"; done

# 5. Register the patched tool as the Jupyter kernels. The tool writes kernel specs that start `dotnet interactive`,
#    which would find a globally installed tool (with the old FSharp.Core) or none: point them at this one.
#    The stop button: the spec must say interrupt_mode "signal" (Jupyter sends SIGINT, which NeuralOT.Interactive turns
#    into a cancellation of the running cell); with "message" the released kernel ignores the interrupt.
"$tool_dir/dotnet-interactive" jupyter install > /dev/null
python3 - "$tool_dir/dotnet-interactive" <<'PY'
import json, subprocess, sys
specs = json.loads(subprocess.check_output(["jupyter", "kernelspec", "list", "--json"]))["kernelspecs"]
for name, entry in specs.items():
    argv = entry["spec"]["argv"]
    if name.startswith(".net-") and argv[:2] == ["dotnet", "interactive"]:
        entry["spec"]["argv"] = [sys.argv[1]] + argv[2:]
        entry["spec"]["interrupt_mode"] = "signal"
        with open(entry["resource_dir"] + "/kernel.json", "w") as spec:
            json.dump(entry["spec"], spec, indent=2)
PY
echo "kernel: .NET (C#) runs $tool_dir/dotnet-interactive with FSharp.Core $fsharp"
echo "VS Code: open a notebook, choose the kernel \".NET (C#)\" (Jupyter extension)."

#!/usr/bin/env bash
# Measures POST /directory/matches of a Partners service built with a patch applied, without touching the
# checkout: copies the service's sources (as committed at HEAD) to a temporary folder, applies the patch there,
# builds it (Release) and runs bench/run.sh --matching-http against that build. The temporary folder is removed
# at the end. Example:
#   bench/experiments/matching-http-patched.sh bench/experiments/directory-version-checked-once-a-second.patch --workers 16
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 PATCH [bench --matching-http options]" >&2; exit 2; }
root="$(cd "$(dirname "$0")/../.." && pwd)"
patch="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
shift
work="$(mktemp -d /tmp/imsa-bench-patched.XXXXXX)"
trap 'rm -rf "$work"' EXIT
git -C "$root" archive HEAD Directory.Build.props Directory.Packages.props global.json .editorconfig \
  contracts services/Messaging services/Partners | tar -x -C "$work"
(cd "$work" && git apply "$patch")
echo "[bench] building the patched Partners service in $work" >&2
dotnet build "$work/services/Partners/Imsa.Network.Partners" -c Release --nologo -v q -o "$work/out" </dev/null
"$root/bench/run.sh" --matching-http --partners "$work/out" "$@"

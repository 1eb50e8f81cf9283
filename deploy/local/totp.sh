#!/usr/bin/env bash
# Prints a demo person's current authenticator code, as their authenticator app would show it (the seed wrote
# their keys to .local/demo-people.tsv). Each code works once: after a sign-in, wait for the next one.
#   deploy/local/totp.sh counsellor            the first person with that role (counsellor, organisation-admin, coordinator)
#   deploy/local/totp.sh lena.wagner@jmd-mainz.example.org
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
people="$root/.local/demo-people.tsv"
[ -f "$people" ] || { echo "no demo people yet: deploy/local/run.sh seeds them" >&2; exit 1; }
who="${1:-counsellor}"
key=$(awk -F'\t' -v who="$who" '$1 == who || $2 == who { print $4; exit }' "$people")
[ -n "$key" ] || { echo "no demo person '$who' in .local/demo-people.tsv" >&2; exit 1; }
left=$((30 - $(date +%s) % 30))
echo "$(oathtool --totp -b "$key")  (for ${left} more seconds)"

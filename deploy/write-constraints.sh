#!/usr/bin/env bash
# Write what a venv has installed as a pip constraints file: write-constraints.sh VENV WHAT FILE.
# The local label of the CPU build of torch is dropped: `torch==2.13.0` takes that file from this
# machine's disk, as pyproject.toml's pin does.
set -euo pipefail
venv=$1 what=$2 file=$3
{
  echo "# Every package $what installs, at the version CI passed with: written by 'make constraints'"
  echo "# from a fresh resolve of pyproject.toml. Pip installs with -c $file, so a new release of"
  echo "# a dependency we do not pin ourselves cannot reach a fresh install unseen."
  "$venv/bin/python" -m pip freeze --exclude-editable | sed 's/+cpu$//' | LC_ALL=C sort -f
} > "$file"

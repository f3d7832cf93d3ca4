#!/usr/bin/env bash
# Replaces one "## " section of a Markdown file (from its heading to the next "## " heading or
# the end) with the content of another file, which begins with that heading; appends it if the
# file has no such section. Each benchmark script owns its sections of BENCHMARKS.md this way.
#
#   scripts/replace-section.sh "## Title" section.md BENCHMARKS.md
set -euo pipefail
[ $# -eq 3 ] || { sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
title="$1" section="$2" target="$3"
touch "$target"
awk -v title="$title" -v section="$section" '
  function emit() { while ((getline line < section) > 0) print line; close(section); print ""; done = 1 }
  /^## / { skipping = ($0 == title); if (skipping) emit() }
  !skipping { print }
  END { if (!done) { print ""; emit() } }
' "$target" >"$target.tmp"
# Without the blank line the last section leaves at the end.
printf '%s\n' "$(cat "$target.tmp")" >"$target"
rm "$target.tmp"

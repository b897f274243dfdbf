#!/usr/bin/env bash
# Module directions (STYLE.md §2): a module may include only the modules listed for it.
# Upstream never includes downstream. Exits 1 and lists every offending include.
set -euo pipefail
cd "$(dirname "$0")/../src"

# core ← config ← hls ← measure ← http ← pool ← {ffmpeg (+ tap), player}; measure ← stats ← {metrics,
# report, tui} ← control. Only the FFmpeg engine itself (and the app) include ffmpeg/; stats,
# metrics, report and tui include no engine and no pool: they see plain values (measure/).
declare -A allowed=(
  [core]=""
  [config]="core"
  [hls]="core config"
  [measure]="core hls"
  [http]="core config hls measure"
  [pool]="core config measure"
  [tap]="core config hls measure http"
  [ffmpeg]="core config hls measure pool tap http"
  [player]="core config hls measure pool http"
  [stats]="core config hls measure"
  [metrics]="core config stats"
  [report]="core config stats"
  [tui]="core config stats"
  [control]="core config measure pool stats metrics report tui"
  [originmon]="core config"
  [preflight]="core config hls"
  [origin]="core config"
)

status=0
for mod in */; do
  mod=${mod%/}
  if [[ -z ${allowed[$mod]+x} ]]; then
    echo "layering: module src/$mod has no entry in scripts/check_layering.sh" >&2
    status=1
    continue
  fi
  while IFS=: read -r file _ inc; do
    dep=$(sed -E 's/.*#include "([a-z_]+)\/.*/\1/' <<<"$inc")
    [[ $dep == "$mod" ]] && continue
    if [[ " ${allowed[$mod]} " != *" $dep "* ]]; then
      echo "layering: src/$file includes $dep/, but $mod may include only: ${allowed[$mod]:-nothing}" >&2
      status=1
    fi
  done < <(grep -HnE '^#include "[a-z_]+/' "$mod"/*.h "$mod"/*.cc 2>/dev/null | sed -E 's/^([^:]+):([0-9]+):/\1:\2:/')
done
((status == 0)) && echo "layering: ok"
exit $status

#!/usr/bin/env bash
# The build's layering holds (CMakeLists.txt, "one static library per lib/ folder"): from each
# layer's include view (build/layers/<layer>/), every lib/ folder it may not use is out of reach,
# so `#include "<folder>/..."` of a layer above fails to compile; and a layer's own headers are in
# reach. Run by ctest (label unit): layers_test.sh CXX BUILD_DIR SOURCE_DIR
set -euo pipefail
cxx=$1 views=$2/layers lib=$3/lib
fail=0 checked=0
for view in "$views"/*/; do
  layer=$(basename "$view")
  for folder in "$lib"/*/; do
    f=$(basename "$folder")
    header=$(cd "$folder" && ls ./*.hpp 2>/dev/null | head -1) || true
    [[ -n $header ]] || continue
    header=${header#./}
    # in reach: whether it compiles also depends on outside headers; the build itself proves it
    [[ ! -e $view/$f ]] || continue
    out=$(printf '#include "%s/%s"\n' "$f" "$header" | "$cxx" -std=c++20 -E -I"$view" -x c++ - 2>&1) && ok=1 || ok=0
    checked=$((checked + 1))
    if ((ok)) || ! grep -q "No such file or directory" <<<"$out"; then
      echo "layer $layer can include $f/$header, which is not below it" >&2; fail=1
    fi
  done
  own=$(cd "$lib/$layer" && ls ./*.hpp | head -1); own=${own#./}
  [[ -e $view/$layer/$own ]] || { echo "layer $layer cannot see its own $own" >&2; fail=1; }
done
((checked > 20)) || { echo "only $checked forbidden includes checked: are the views there?" >&2; exit 1; }
((fail == 0)) && echo "$checked includes of layers above (or beside) were refused"
exit $fail

#!/usr/bin/env bash
# The action's run step: one hoist command with a JSON report, whose summary gives the step's
# outputs (tag, result, previous-tag, exit-code). Exits with hoist's exit code, so the step fails
# when hoist does. Inputs come as INPUT_COMMAND, INPUT_FILE, INPUT_STAGE, INPUT_TAG, INPUT_ARGS.
set -uo pipefail
report=$(mktemp "${RUNNER_TEMP:-/tmp}/hoist-summary-XXXXXX.json")
trap 'rm -f "$report"' EXIT

args=(-f "${INPUT_FILE:-hoist.yml}")
[[ -n ${INPUT_STAGE:-} ]] && args+=(-s "$INPUT_STAGE")
args+=(--report "json=$report" "${INPUT_COMMAND:-deploy}")
[[ -n ${INPUT_TAG:-} ]] && args+=(--tag "$INPUT_TAG")
if [[ -n ${INPUT_ARGS:-} ]]; then
  read -ra extra <<<"$INPUT_ARGS"  # split on whitespace, no globbing: flags, not shell code
  args+=("${extra[@]}")
fi

hoist "${args[@]}"
code=$?

field() { jq -r --arg k "$1" '.[$k] // "" | tostring' "$report" 2>/dev/null; }
out=${GITHUB_OUTPUT:-/dev/stdout}
if [[ -s $report ]]; then
  {
    echo "tag=$(field tag)"
    echo "result=$(field result)"
    echo "previous-tag=$(field previous_tag)"
    echo "exit-code=$code"
  } >> "$out"
else
  # no summary at all (hoist could not start): still say what happened
  { echo "result=failed"; echo "exit-code=$code"; } >> "$out"
fi
exit "$code"

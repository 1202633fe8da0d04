#!/usr/bin/env bash
# Validates every Sigma rule dumped by `cargo test -p kqlport-sigma --test translate dump_rules_for_validation`
# with the independent Sigma tooling: SigmaHQ's JSON schemas (check-jsonschema) and `sigma check`
# (sigma-cli, network validators excluded). Usage: validate.sh <dump-dir> <venv-with-sigma-cli>
set -euo pipefail
dump=${1:?dump dir (…/sigma-rules)}
venv=${2:?venv with sigma-cli and check-jsonschema}
here=$(cd "$(dirname "$0")" && pwd)
schemas=${SIGMA_SCHEMAS:-$here/../../../../../shared/sigma-schema}
[ -d "$schemas" ] || schemas=/work/shared/sigma-schema

det=("$dump"/detection/*.yml)
cor=("$dump"/correlation/*.yml)
echo "detection rules: ${#det[@]}, correlation rules: ${#cor[@]}"

echo "== check-jsonschema: detection schema"
"$venv/bin/check-jsonschema" --schemafile "$schemas/sigma-detection-rule-schema.json" "${det[@]}"
echo "== check-jsonschema: correlation schema"
"$venv/bin/check-jsonschema" --schemafile "$schemas/sigma-correlation-rules-schema.json" "${cor[@]}"

echo "== sigma check (detection + correlation streams)"
# Validators that download data at run time (ORACLES.md's sigmahq_* list, plus the ATT&CK and
# D3FEND tag validators of pySigma 1.x); only names this sigma-cli knows are passed.
network="sigmahq_category_event_id sigmahq_category_windows_provider_name sigmahq_fieldname_cast
         sigmahq_invalid_fieldname sigmahq_redundant_field sigmahq_filename_prefix
         sigmahq_logsource_unknown attacktag d3_fendtag"
known=$("$venv/bin/sigma" list validators | awk -F'|' 'NF>2 {gsub(/ /,"",$2); print $2}')
offline=()
for v in $network; do
  if grep -qx "$v" <<<"$known"; then offline+=(-x "$v"); fi
done
"$venv/bin/sigma" check --fail-on-error "${offline[@]}" "$dump/stream"

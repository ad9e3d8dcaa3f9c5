#!/usr/bin/env bash
# The generated files (printed schema, SDK types and documents, persisted operations) must be
# what `pnpm generate` makes from the sources: regenerate, then fail on any difference.
set -euo pipefail
cd "$(dirname "$0")/.."
pnpm generate
generated=(packages/schema/schema.graphql packages/sdk packages/server/persisted-operations.json)
if ! git diff --exit-code -- "${generated[@]}" || [ -n "$(git status --porcelain -- packages/schema packages/sdk packages/server/persisted-operations.json)" ]; then
  echo "pnpm generate changed committed files: run it and commit the result." >&2
  git status --porcelain -- packages/schema packages/sdk packages/server/persisted-operations.json >&2
  exit 1
fi

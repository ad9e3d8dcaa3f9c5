#!/usr/bin/env bash
# The generated files (printed schema, SDK types and documents, persisted operations) must be
# what `pnpm generate` makes from the sources: regenerate, then fail on any difference.
set -euo pipefail
cd "$(dirname "$0")/.."
pnpm generate
if ! git diff --exit-code -- packages/schema/schema.graphql packages/sdk || [ -n "$(git status --porcelain -- packages/schema packages/sdk)" ]; then
  echo "pnpm generate changed committed files: run it and commit the result." >&2
  git status --porcelain -- packages/schema packages/sdk >&2
  exit 1
fi

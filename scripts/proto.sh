#!/usr/bin/env bash
# `npm run proto` (npm runs it before build, typecheck and test): the TypeScript of proto/ into
# libs/contracts/src/generated/ (buf.gen.yaml: ts-proto as a local plugin, no network). Written beside
# it first and swapped in whole, so a test or type check already running never sees it half written,
# and nothing of a removed .proto file is left behind.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
target=libs/contracts/src/generated
scratch=$(mktemp -d "libs/contracts/src/.generated.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
buf generate --output "$scratch"
rm -rf "$target.old"
if [ -d "$target" ]; then mv "$target" "$target.old"; fi
mv "$scratch/$target" "$target"
rm -rf "$target.old"

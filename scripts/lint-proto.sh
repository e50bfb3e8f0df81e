#!/usr/bin/env bash
# `npm run lint:proto` (and .ci/run): proto/ is the contract between Observa's processes.
#   1. buf lint: buf's STANDARD rules (proto/buf.yaml).
#   2. buf breaking: the FILE rules against the base the change will land on —
#      - on a branch: where it left main (git merge-base with main, or origin/main in a clone that has
#        only the branch), so the branch is judged by all of
#        what it changes and not by what main did since;
#      - on main itself (CI's clean clone): the commit before (HEAD~1, the first parent: main before the
#        last merge), so every merge into main is checked once;
#      - PROTO_BASE=<commit> overrides both.
#   A break made on purpose (a package's first typed contract, a field nobody sends yet) is declared in
#   a commit message of the change with a trailer `Proto-Breaking: <why>`: buf breaking still runs and
#   prints what breaks, and the check passes. Without the trailer a break fails the check.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"

echo "buf lint"
(cd proto && buf lint)

git_dir=$(cd "$(git rev-parse --git-common-dir)" && pwd)
if [ -n "${PROTO_BASE:-}" ]; then
  base=$PROTO_BASE
else
  # main as this clone knows it: the local branch, else the remote's (a CI clone of a branch has only that).
  main=$(git rev-parse -q --verify refs/heads/main || git rev-parse -q --verify refs/remotes/origin/main || true)
  if [ -n "$main" ] && [ "$(git rev-parse HEAD)" != "$main" ]; then
    base=$(git merge-base HEAD "$main")
  else
    base=HEAD~1
  fi
fi
if ! base_commit=$(git rev-parse -q --verify "$base^{commit}"); then
  echo "buf breaking: skipped, $base is not in this clone (shallow?); clone with history to check" >&2
  exit 0
fi
if ! git cat-file -e "$base_commit:proto" 2>/dev/null; then
  echo "buf breaking: skipped, $base has no proto/"
  exit 0
fi

echo "buf breaking against $base ($(git log -1 --format='%h %s' "$base_commit" | cut -c1-80))"
declared=$(git log --format='%(trailers:key=Proto-Breaking,valueonly)' "$base_commit..HEAD" | sed '/^$/d' || true)
if (cd proto && buf breaking --against "$git_dir#ref=$base_commit,subdir=proto"); then
  exit 0
fi
if [ -n "$declared" ]; then
  echo "buf breaking: the breaks above are declared (Proto-Breaking trailer):"
  printf '  %s\n' "$declared"
  exit 0
fi
echo "buf breaking: proto/ breaks its clients; make a new package version, or declare why with a" >&2
echo "'Proto-Breaking: <why>' trailer in a commit message of the change" >&2
exit 1

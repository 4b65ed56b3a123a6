# Source this file: puts the Node and pnpm that scripts/setup installed into .tools/ first on PATH.
# Works from any directory, and sourcing it twice adds nothing twice.
# shellcheck shell=bash

_sp_repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
for _sp_bin in "$_sp_repo/.tools/pnpm/node_modules/.bin" "$_sp_repo/.tools/node/node_modules/.bin"; do
  if [ -d "$_sp_bin" ]; then
    case ":$PATH:" in
      *":$_sp_bin:"*) ;;
      *) PATH="$_sp_bin:$PATH" ;;
    esac
  fi
done
export PATH
unset _sp_repo _sp_bin

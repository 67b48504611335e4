#!/usr/bin/env bash
# The fake `az`: sends its arguments to fake_az.py's server (port in
# $FAKE_AZ_PORT) over bash's /dev/tcp and prints the answer. An argument
# written `@path` naming a readable file goes with the file's contents, as
# az would read it; only the server sees them.
exec 3<>"/dev/tcp/127.0.0.1/${FAKE_AZ_PORT:?}" || exit 99
{
  for a in "$@"; do
    if [[ $a == @* && -r ${a:1} ]]; then
      content=''
      IFS= read -r -d '' content < "${a:1}" || true
      printf 'F%s\0C%s\0' "$a" "$content"
    else
      printf 'A%s\0' "$a"
    fi
  done
  printf 'E\0'
} >&3
rc=99 out='' err=''
IFS= read -r -d '' rc <&3 || true
IFS= read -r -d '' out <&3 || true
IFS= read -r -d '' err <&3 || true
exec 3>&-
[ -z "$out" ] || printf '%s' "$out"
[ -z "$err" ] || printf '%s' "$err" >&2
exit "$rc"

#!/bin/sh
# SPDX-License-Identifier: MIT
# The shared library exports exactly the public API: every dynamic symbol it
# defines matches ^ham_[a-z], every function declared HAM_API in hamming.h is
# among them, and the soname number (libtool current - age) is the intended
# one (configure.ac, HAM_SONAME).
# Exit: 0 pass, 1 fail, 77 skip.
set -u
lib="$HAM_BUILDDIR/lib/.libs/libhamming.so"
hdr="$HAM_SRCDIR/include/hamming.h"
if [ ! -f "$lib" ]; then
    echo "exports: $lib not built (static-only build?): skip"
    exit 77
fi
command -v nm >/dev/null 2>&1 || { echo "exports: nm missing: skip"; exit 77; }
fail=0
defined=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[A-Z]$/ {print $3}' | sort)
bad=$(printf '%s\n' "$defined" | grep -v '^ham_[a-z]' | grep -v '^$' || true)
if [ -n "$bad" ]; then
    echo "exports: symbols outside ^ham_[a-z]:"; printf '  %s\n' $bad
    fail=1
fi
# every HAM_API function of the header is exported
want=$(sed -n 's/^HAM_API.*[ *]\(ham_[a-z0-9_]*\)(.*/\1/p' "$hdr" | sort -u)
[ -n "$want" ] || { echo "exports: no HAM_API functions parsed from $hdr"; exit 1; }
for f in $want; do
    printf '%s\n' "$defined" | grep -qx "$f" || { echo "exports: $f not exported"; fail=1; }
done
# nothing exported that the header does not declare
for f in $defined; do
    printf '%s\n' "$want" | grep -qx "$f" || { echo "exports: $f exported but not in hamming.h"; fail=1; }
done
soname=$(objdump -p "$lib" 2>/dev/null | awk '$1 == "SONAME" {print $2}')
if [ "$soname" != "libhamming.so.${HAM_SONAME}" ]; then
    echo "exports: SONAME is '$soname', expected libhamming.so.${HAM_SONAME}"
    fail=1
fi
n=$(printf '%s\n' "$want" | wc -l)
[ $fail -eq 0 ] && echo "exports: $n functions exported, nothing else; SONAME $soname"
exit $fail

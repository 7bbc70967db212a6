#!/bin/sh
# SPDX-License-Identifier: MIT
# hamming.h stands alone: it compiles by itself as strict C99 and as C++ (when
# a C++ compiler is installed), twice in one unit (include guard), and
# HAM_VERSION_STRING matches the package version.
# Exit: 0 pass, 1 fail.
set -u
hdr="$HAM_SRCDIR/include/hamming.h"
tmp=${TMPDIR:-/tmp}/ham_header.$$
mkdir -p "$tmp" || exit 99
trap 'rm -rf "$tmp"' EXIT
fail=0
printf '#include <hamming.h>\n#include <hamming.h>\nint main(void) { ham_params p; ham_params_init(&p); return p.engine; }\n' > "$tmp/t.c"
cc=${CC:-cc}
if ! $cc -std=c99 -pedantic -Wall -Wextra -Werror -fsyntax-only -I"$HAM_SRCDIR/include" "$tmp/t.c"; then
    echo "header: not clean C99"; fail=1
fi
cxx=${CXX:-c++}
if command -v "$cxx" >/dev/null 2>&1; then
    cp "$tmp/t.c" "$tmp/t.cpp"
    if ! "$cxx" -std=c++11 -pedantic -Wall -Wextra -Werror -fsyntax-only -I"$HAM_SRCDIR/include" "$tmp/t.cpp"; then
        echo "header: not valid C++"; fail=1
    fi
else
    echo "header: no C++ compiler ($cxx): C++ check skipped"
fi
v=$(sed -n 's/^#define HAM_VERSION_STRING *"\(.*\)"$/\1/p' "$hdr")
if [ "$v" != "$PACKAGE_VERSION" ]; then
    echo "header: HAM_VERSION_STRING $v != package version $PACKAGE_VERSION"; fail=1
fi
[ $fail -eq 0 ] && echo "header: C99 and C++ clean, version $v"
exit $fail

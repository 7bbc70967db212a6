dnl SPDX-License-Identifier: MIT
dnl HAM_CHECK_CFLAGS(VARIABLE, FLAGS): append to VARIABLE each flag the C
dnl compiler accepts without a warning.
AC_DEFUN([HAM_CHECK_CFLAGS],
[for ham_flag in m4_normalize([$2]); do
  AC_MSG_CHECKING([whether $CC accepts $ham_flag])
  ham_save_CFLAGS=$CFLAGS; CFLAGS="$CFLAGS -Werror $ham_flag"
  AC_COMPILE_IFELSE([AC_LANG_PROGRAM([], [])],
    [AC_MSG_RESULT([yes]); $1="$$1 $ham_flag"], [AC_MSG_RESULT([no])])
  CFLAGS=$ham_save_CFLAGS
done])

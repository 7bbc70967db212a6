/* SPDX-License-Identifier: MIT */
/*
 * error.c -- status codes to text: the HAM_ERRNO_MAP table of hamming.h
 * expanded into two switches (libuv's UV_ERRNO_MAP pattern).
 */
#include "internal.h"

const char *
ham_strerror(int code)
{
    switch (code) {
    case HAM_OK:
        return "success";
#define HAM_X_(name, value, text)                                                      \
    case HAM_##name:                                                                   \
        return text;
        HAM_ERRNO_MAP(HAM_X_)
#undef HAM_X_
    default:
        return "unknown error";
    }
}

const char *
ham_errname(int code)
{
    switch (code) {
    case HAM_OK:
        return "HAM_OK";
#define HAM_X_(name, value, text)                                                      \
    case HAM_##name:                                                                   \
        return "HAM_" #name;
        HAM_ERRNO_MAP(HAM_X_)
#undef HAM_X_
    default:
        return "HAM_UNKNOWN";
    }
}

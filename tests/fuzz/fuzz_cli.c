/* SPDX-License-Identifier: MIT */
/*
 * fuzz_cli.c -- libFuzzer target for hamgrep (built by `make fuzz`): its
 * argument parsing, its input detection and parsing (text lines, FASTA,
 * FASTQ, gzip, CRLF, binary) and everything behind them, on fuzzer bytes.
 *
 * hamgrep's sources are compiled in with -DHAMGREP_NO_MAIN (hamgrep_main
 * runs the program without closing stdout and never exits) and with
 * READ_BLOCK = 61 bytes, so that small inputs cross many block (batch)
 * boundaries, where the parser carries its state and overlaps.
 *
 * Input layout: byte 0 chooses the mode.
 *   even: "arguments": byte 1 = number of options (0..7), then per option
 *         one byte indexing opts[] below, followed for options taking a
 *         value by a length byte and that many bytes; then a length byte
 *         and the pattern; the rest is the file, named as an operand.
 *   odd:  "cross-check": byte 1 = m (1..32); the rest is the file.
 *         hamgrep -c -h -k m A..A FILE counts the records whose sequence
 *         has at least m symbols (every window is within m), which a
 *         simple parser written here independently counts too; they must
 *         agree (not checked for gzip, which this file does not inflate).
 * stdout goes to a memory file, hamgrep's stderr to /dev/null; a crash, a leak, a
 * sanitizer report, or a disagreement (abort) is a finding.
 */
#define _GNU_SOURCE /* memfd_create */
#include "hamgrep.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct {
    const char *opt;
    int val; /* takes a value */
} opts[] = {
    {"-c", 0},           {"-o", 0},
    {"-n", 0},           {"-b", 0},
    {"-i", 0},           {"--rc", 0},
    {"--iupac", 0},      {"--fasta", 0},
    {"--fastq", 0},      {"--text", 0},
    {"--whole", 0},      {"--format=tsv", 0},
    {"--format=bed", 0}, {"--format=json", 0},
    {"--distances", 0},  {"-l", 0},
    {"-L", 0},           {"-q", 0},
    {"-H", 0},           {"-a", 0},
    {"-I", 0},           {"--color=always", 0},
    {"-s", 0},           {"--case-sensitive", 0},
    {"-k", 1},           {"--approx", 1},
    {"--delta", 1},      {"--engine", 1},
    {"--seed", 1},       {"-e", 1},
    {"--format", 1},     {"--binary-files", 1},
    {"-j", 1},           {"--", 0},
    {"-x", 0},           {"--nope", 0},
};
#define NOPTS (sizeof opts / sizeof opts[0])

#define CHECK(c)                                                                       \
    do {                                                                               \
        if (!(c)) {                                                                    \
            fprintf(stderr, "fuzz_cli: check failed at line %d: %s\n", __LINE__, #c);  \
            abort();                                                                   \
        }                                                                              \
    } while (0)

static int out_fd = -1, in_fd = -1, null_fd = -1;
static FILE *null_fp;

/* The independent count: records (auto-detected format) whose sequence has
 * >= m symbols. Returns -1 when the input is not one this parser handles
 * (gzip, FASTQ). */
static long
count_long(const uint8_t *s, size_t n, size_t m)
{
    size_t i = 0, len = 0;
    long cnt = 0;
    int fasta, in_rec = 0;
    if (n >= 2 && s[0] == 0x1f && s[1] == 0x8b)
        return -1;
    /* blank lines ("" or a lone "\r") before the first other byte */
    for (;;) {
        if (i < n && s[i] == '\n')
            i++;
        else if (i + 1 < n && s[i] == '\r' && s[i + 1] == '\n')
            i += 2;
        else
            break;
    }
    if (i >= n || (i + 1 == n && s[i] == '\r'))
        return 0;
    if (s[i] == '@')
        return -1;
    fasta = s[i] == '>';
    while (i < n) {
        const uint8_t *nl = memchr(s + i, '\n', n - i);
        size_t end = nl ? (size_t)(nl - s) : n, j;
        if (fasta) {
            if (s[i] == '>') {
                if (in_rec && len >= m)
                    cnt++;
                in_rec = 1;
                len = 0;
            } else {
                for (j = i; j < end; j++)
                    len += s[j] != '\r';
            }
        } else {
            len = end - i;
            if (len > 0 && s[end - 1] == '\r')
                len--;
            cnt += len >= m;
        }
        i = nl ? end + 1 : n;
    }
    if (fasta && in_rec && len >= m)
        cnt++;
    return cnt;
}

static size_t
run(int argc, char **argv, char *out, size_t cap, int *status)
{
    ssize_t got;
    fflush(stdout);
    if (ftruncate(out_fd, 0) != 0 || lseek(out_fd, 0, SEEK_SET) != 0)
        abort();
    clearerr(stdout);
    /* hamgrep's messages go to a null stream; fd 2 stays the fuzzer's, for
     * the sanitizers' reports */
    {
        FILE *err = stderr;
        stderr = null_fp;
        *status = hamgrep_main(argc, argv);
        stderr = err;
    }
    fflush(stdout);
    clearerr(stdout);
    got = pread(out_fd, out, cap - 1, 0);
    if (got < 0)
        got = 0;
    out[got] = '\0';
    return (size_t)got;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char out[1 << 16];
    char fname[64], pat[300], vals[8][260], mbuf[16];
    char *argv[48];
    int argc = 0, status;
    size_t i = 2, fl;

    if (out_fd < 0) {
        out_fd = memfd_create("fuzz_cli_out", 0);
        in_fd = memfd_create("fuzz_cli_in", 0);
        null_fd = open("/dev/null", O_RDWR);
        null_fp = fopen("/dev/null", "w");
        /* stdin is empty: "-" as a FILE or -f - must not wait for input */
        if (out_fd < 0 || in_fd < 0 || !null_fp || null_fd < 0 ||
            dup2(out_fd, STDOUT_FILENO) < 0 || dup2(null_fd, STDIN_FILENO) < 0)
            abort();
    }
    if (size < 2)
        return 0;
    snprintf(fname, sizeof fname, "/proc/self/fd/%d", in_fd);
    argv[argc++] = (char *)"hamgrep";

    if (data[0] & 1) {
        const size_t m = (size_t)(data[1] % 32) + 1;
        long want;
        memset(pat, 'A', m);
        pat[m] = '\0';
        snprintf(mbuf, sizeof mbuf, "%zu", m);
        argv[argc++] = (char *)"-c";
        argv[argc++] = (char *)"-h";
        argv[argc++] = (char *)"-k";
        argv[argc++] = mbuf;
        argv[argc++] = pat;
        i = 2;
        want = count_long(data + i, size - i, m);
        argv[argc++] = fname;
        argv[argc] = NULL;
        if (ftruncate(in_fd, 0) != 0 ||
            pwrite(in_fd, data + i, size - i, 0) != (ssize_t)(size - i))
            abort();
        run(argc, argv, out, sizeof out, &status);
        if (want >= 0) {
            char exp[32];
            snprintf(exp, sizeof exp, "%ld\n", want);
            if (strcmp(out, exp) != 0 || status != (want > 0 ? 0 : 1)) {
                fprintf(stderr,
                        "fuzz_cli: m=%zu: hamgrep printed '%s' (status %d), the "
                        "independent parser counts %ld\n",
                        m, out, status, want);
                abort();
            }
        } else {
            CHECK(status >= 0 && status <= 2);
        }
        return 0;
    }

    {
        const size_t nopt = data[1] % 8;
        size_t o, nv = 0;
        int listed = 0;
        for (o = 0; o < nopt && i < size; o++) {
            const size_t which = data[i++] % NOPTS;
            argv[argc++] = (char *)opts[which].opt;
            listed |= strcmp(opts[which].opt, "-e") == 0;
            if (opts[which].val) {
                size_t len = i < size ? data[i++] : 0;
                if (len > size - i)
                    len = size - i;
                if (len > 255)
                    len = 255;
                memcpy(vals[nv], data + i, len);
                vals[nv][len] = '\0'; /* an embedded NUL just ends it, as in argv */
                i += len;
                argv[argc++] = vals[nv++];
                if (strcmp(opts[which].opt, "-j") == 0)
                    argv[argc - 1] =
                        (char *)"1"; /* no threads: keep runs deterministic */
            }
        }
        fl = i < size ? data[i++] : 0;
        if (fl > size - i)
            fl = size - i;
        if (fl > 255)
            fl = 255;
        memcpy(pat, data + i, fl);
        pat[fl] = '\0';
        i += fl;
        /* "--": a pattern such as "-f/dev/zero" is a pattern, not an option
         * naming a file to read; with -e the pattern operand would be a
         * FILE, so it is left out */
        argv[argc++] = (char *)"--";
        if (!listed)
            argv[argc++] = pat;
        argv[argc++] = fname;
        argv[argc] = NULL;
    }
    if (ftruncate(in_fd, 0) != 0 ||
        (size > i && pwrite(in_fd, data + i, size - i, 0) != (ssize_t)(size - i)))
        abort();
    run(argc, argv, out, sizeof out, &status);
    CHECK(status >= 0 && status <= 2);
    return 0;
}

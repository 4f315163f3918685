/*
 * pay.c — `dinhdanh pay`: VietQR payloads on the command line. `pay vietqr` builds a payload
 * (and, with --png or --svg, writes its QR code); `pay vietqr-parse PAYLOAD` prints the fields as
 * JSON and exits 0 only for a valid payload, 1 with the reason on stderr otherwise; `pay expire`
 * moves every intent past its payment window to expired (for cron: reads and callbacks expire
 * intents as they meet them, this catches the others).
 */
#include "cmd/cmd.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/clock.h"
#include "base/str.h"
#include "core/pay/pay.h"
#include "core/pay/qr_image.h"
#include "core/pay/vietqr.h"
#include "core/pay/vietqr_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    "Usage: dinhdanh pay vietqr --bin BIN --account ACC [--amount N] [--purpose TEXT]\n"
    "                           [--reference REF] [--bill NUMBER] [--card]\n"
    "                           [--png FILE] [--svg FILE]\n"
    "       dinhdanh pay vietqr-parse PAYLOAD\n"
    "       dinhdanh pay expire [--db URL]\n\n"
    "vietqr        print a VietQR payload (NAPAS/EMVCo) for a transfer to an account (or, with\n"
    "              --card, a card) at the bank with BIN; with --amount it is dynamic (12), else\n"
    "              static (11); --png and --svg also write its QR code\n"
    "vietqr-parse  check a payload (lengths, nesting, CRC, VietQR rules) and print its fields as\n"
    "              JSON; PAYLOAD '-' reads standard input\n"
    "expire        move every payment intent past its window to expired, with its event\n\n"
    "Exit status: 0 done or valid, 1 not valid, 2 bad usage.\n";

static int
usage_error(const char *why)
{
    fprintf(stderr, "dinhdanh pay: %s\n\n%s", why, usage_text);
    return DD_EXIT_USAGE;
}

static int
write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        fprintf(stderr, "dinhdanh pay vietqr: cannot write %s\n", path);
        return DD_EXIT_FAIL;
    }
    size_t w = fwrite(p, 1, n, f);
    int bad = fclose(f) != 0 || w != n;
    if (bad)
        fprintf(stderr, "dinhdanh pay vietqr: cannot write %s\n", path);
    return bad ? DD_EXIT_FAIL : DD_EXIT_OK;
}

static int
write_image(const char *path, const char *payload, bool png)
{
    if (path == NULL)
        return DD_EXIT_OK;
    struct dd_buf b;
    dd_buf_init(&b, NULL, 1024 * 1024);
    int rc = png ? dd_qr_png(payload, 8, &b) : dd_qr_svg(payload, &b);
    int out = rc == DD_OK ? write_file(path, b.data, b.len) : DD_EXIT_FAIL;
    if (rc != DD_OK)
        fprintf(stderr, "dinhdanh pay vietqr: the QR code could not be drawn: %s\n",
                dd_strerror(rc));
    dd_buf_release(&b);
    return out;
}

struct build_args {
    struct dd_vietqr_build b;
    const char *amount, *png, *svg;
};

/* Reads the options; DD_EXIT_OK or a usage error already printed. */
static int
build_options(int argc, char **argv, struct build_args *a)
{
    struct {
        const char *name;
        const char **value;
    } opts[] = {{"--bin", &a->b.bin},
                {"--account", &a->b.account},
                {"--amount", &a->amount},
                {"--purpose", &a->b.purpose},
                {"--reference", &a->b.reference},
                {"--bill", &a->b.bill_number},
                {"--png", &a->png},
                {"--svg", &a->svg}};
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--card") == 0) {
            a->b.card = true;
            continue;
        }
        size_t k = 0;
        while (k < sizeof opts / sizeof opts[0] && strcmp(argv[i], opts[k].name) != 0)
            k++;
        if (k == sizeof opts / sizeof opts[0])
            return usage_error("vietqr: unknown option");
        if (i + 1 >= argc)
            return usage_error("vietqr: an option has no value");
        *opts[k].value = argv[++i];
    }
    if (a->b.bin == NULL || a->b.account == NULL)
        return usage_error("vietqr needs --bin and --account");
    int64_t amount = 0;
    if (a->amount && dd_parse_int64(a->amount, 1, 9999999999999LL, &amount) != DD_OK)
        return usage_error("--amount takes a whole number of VND from 1");
    a->b.amount = amount;
    return DD_EXIT_OK;
}

static int
pay_vietqr(int argc, char **argv)
{
    struct build_args a;
    memset(&a, 0, sizeof a);
    int rc = build_options(argc, argv, &a);
    if (rc != DD_EXIT_OK)
        return rc;
    char payload[DD_VIETQR_MAX + 1], err[200];
    if (dd_vietqr_build(&a.b, payload, sizeof payload, err, sizeof err) != DD_OK) {
        fprintf(stderr, "dinhdanh pay vietqr: %s\n", err);
        return DD_EXIT_USAGE;
    }
    printf("%s\n", payload);
    rc = write_image(a.png, payload, true);
    if (rc == DD_EXIT_OK)
        rc = write_image(a.svg, payload, false);
    return rc;
}

static int
pay_vietqr_parse(const char *arg)
{
    char buf[DD_VIETQR_MAX + 8];
    const char *text = arg;
    size_t len = strlen(arg);
    if (strcmp(arg, "-") == 0) {
        len = fread(buf, 1, sizeof buf - 1, stdin);
        buf[len] = '\0';
        while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
            buf[--len] = '\0';
        text = buf;
    }
    struct dd_vietqr q;
    int rc = dd_vietqr_parse(text, len, &q);
    json_t *j = dd_vietqr_json(&q, rc == DD_OK);
    char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (s)
        printf("%s\n", s);
    free(s);
    json_decref(j);
    if (rc != DD_OK) {
        fprintf(stderr, "dinhdanh pay vietqr-parse: not valid: %s\n", q.error);
        return DD_EXIT_FAIL;
    }
    return DD_EXIT_OK;
}

static int
pay_expire(int argc, char **argv)
{
    struct dd_cmd_args args;
    int rc = dd_cmd_parse(argc, argv, NULL, 1, &args);
    if (rc != DD_EXIT_OK)
        return rc;
    struct dd_db *db;
    if (dd_cmd_open_migrated_db(&args.cfg, &db) != DD_EXIT_OK)
        return DD_EXIT_FAIL;
    int total = 0, n = 0;
    do {
        rc = dd_pay_expire_due(db, dd_clock_now_ms(), 500, &n);
        total += n;
    } while (rc == DD_OK && n == 500);
    if (rc == DD_OK)
        printf("%d payment intents expired\n", total);
    return dd_cmd_finish(db, rc, "dinhdanh pay expire: the database failed");
}

int
dd_cmd_pay(int argc, char **argv)
{
    if (argc < 2)
        return usage_error("which pay command?");
    const char *sub = argv[1];
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0) {
        fputs(usage_text, stdout);
        return DD_EXIT_OK;
    }
    if (strcmp(sub, "vietqr") == 0)
        return pay_vietqr(argc - 2, argv + 2);
    if (strcmp(sub, "vietqr-parse") == 0) {
        if (argc != 3)
            return usage_error("vietqr-parse takes one PAYLOAD argument (quote it)");
        return pay_vietqr_parse(argv[2]);
    }
    if (strcmp(sub, "expire") == 0)
        return pay_expire(argc, argv);
    return usage_error("unknown pay command");
}

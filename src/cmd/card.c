/*
 * card.c — `dinhdanh card`: the chip ID card without a reader. `card mrz TEXT` and `card qr TEXT`
 * parse and check the printed zones; `card verify DIR --csca PATH` runs passive authentication
 * over files saved from a chip (EF.SOD, DG1 … DG16). Each prints JSON on stdout and exits 0 only
 * when everything checked out, 1 with the reason on stderr otherwise, 2 for a wrong command line.
 */
#include "cmd/cmd.h"
#include "base/err.h"
#include "card/json.h"
#include "card/mrz.h"
#include "card/pa.h"
#include "card/qr.h"
#include "cmd/card_read.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_DG_FILE (1024 * 1024)

static const char usage_text[] =
    "Usage: dinhdanh card mrz TEXT\n"
    "       dinhdanh card qr TEXT\n"
    "       dinhdanh card verify DIR [--csca PATH] [--crl FILE]... [--at YYYY-MM-DD]\n"
    "       dinhdanh card readers\n"
    "       dinhdanh card read [--reader N] (--mrz TEXT | --can DIGITS) [--out DIR] [--csca "
    "PATH]\n\n"
    "mrz     parse a TD1 (3×30) or TD3 (2×44) machine-readable zone, lines separated by line\n"
    "        breaks or run together; check every check digit and the Vietnamese card's rules\n"
    "qr      parse the text of the chip ID card's QR code (7 fields separated by |)\n"
    "verify  passive authentication of files saved from a chip: DIR/EF.SOD and any of\n"
    "        DIR/DG1 … DIR/DG16; --csca is a folder of CSCA certificates, one certificate or\n"
    "        an ICAO master list; --crl adds a CRL; --at checks dates at noon UTC that day\n"
    "readers list the PC/SC readers (pcscd) and whether a card is on each\n"
    "read    read the chip on a reader (BAC, secure messaging), check it (passive and active\n"
    "        authentication) and print it; `card read --help` for the options\n\n"
    "TEXT '-' reads standard input. Prints JSON; exit 0 valid, 1 not valid, 2 bad usage.\n";

static int
usage_error(const char *why)
{
    fprintf(stderr, "dinhdanh card: %s\n\n%s", why, usage_text);
    return DD_EXIT_USAGE;
}

static void
print_json(json_t *j)
{
    char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (s)
        printf("%s\n", s);
    free(s);
    json_decref(j);
}

/* TEXT, or standard input for "-", into buf (at most cap - 1 bytes). DD_ETOOBIG when standard
 * input holds more. */
static int
text_arg(const char *arg, char *buf, size_t cap, const char **text, size_t *len)
{
    if (strcmp(arg, "-") != 0) {
        *text = arg;
        *len = strlen(arg);
        return DD_OK;
    }
    size_t n = fread(buf, 1, cap - 1, stdin);
    if (n == cap - 1 && fgetc(stdin) != EOF)
        return DD_ETOOBIG;
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return DD_OK;
}

static int
too_long(const char *what, size_t max)
{
    fprintf(stderr, "dinhdanh card %s: not valid: standard input holds over %zu bytes\n", what,
            max);
    return DD_EXIT_FAIL;
}

static int
card_mrz(const char *arg)
{
    char buf[2048];
    const char *text;
    size_t len;
    if (text_arg(arg, buf, sizeof buf, &text, &len) != DD_OK)
        return too_long("mrz", sizeof buf - 1);
    struct dd_mrz m;
    int rc = dd_mrz_parse(text, len, &m);
    json_t *j = dd_card_mrz_json(&m);
    char info[64];
    if (rc == DD_OK && dd_mrz_bac_info(&m, info, sizeof info) > 0)
        json_object_set_new(j, "bac_key_info", json_string(info));
    print_json(j);
    if (rc != DD_OK) {
        fprintf(stderr, "dinhdanh card mrz: not valid: %s\n", m.error);
        return DD_EXIT_FAIL;
    }
    return DD_EXIT_OK;
}

static int
card_qr(const char *arg)
{
    char buf[DD_CARD_QR_MAX + 64];
    const char *text;
    size_t len;
    if (text_arg(arg, buf, sizeof buf, &text, &len) != DD_OK)
        return too_long("qr", sizeof buf - 1);
    struct dd_card_qr q;
    int rc = dd_card_qr_parse(text, len, NULL, &q);
    print_json(dd_card_qr_json(&q));
    if (rc != DD_OK) {
        fprintf(stderr, "dinhdanh card qr: not valid: %s\n", q.error);
        return DD_EXIT_FAIL;
    }
    return DD_EXIT_OK;
}

/* Reads DIR/NAME into a new buffer; DD_ENOTFOUND when the file does not exist. */
static int
read_chip_file(const char *dir, const char *name, size_t max, unsigned char **data, size_t *len)
{
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path)
        return DD_EINVAL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return DD_ENOTFOUND;
    unsigned char *buf = malloc(max + 1);
    if (!buf)
        abort();
    size_t n = fread(buf, 1, max + 1, f);
    int bad = ferror(f);
    fclose(f);
    if (bad || n > max) {
        free(buf);
        fprintf(stderr, "dinhdanh card verify: %s: %s\n", path,
                bad ? "cannot be read" : "too large");
        return bad ? DD_EIO : DD_ETOOBIG;
    }
    *data = buf;
    *len = n;
    return DD_OK;
}

static int
parse_day(const char *s, time_t *out)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *end = strptime(s, "%Y-%m-%d", &tm);
    if (!end || *end)
        return DD_EINVAL;
    tm.tm_hour = 12;
    *out = timegm(&tm);
    return DD_OK;
}

static int
card_verify(int argc, char **argv)
{
    const char *dir = NULL, *csca = NULL, *crls[8];
    int ncrl = 0;
    time_t at = 0;
    for (int i = 0; i < argc; i++) {
        bool has_value = i + 1 < argc;
        if (strcmp(argv[i], "--csca") == 0 && has_value) {
            csca = argv[++i];
        } else if (strcmp(argv[i], "--crl") == 0 && has_value) {
            if (ncrl == 8)
                return usage_error("at most 8 --crl files");
            crls[ncrl++] = argv[++i];
        } else if (strcmp(argv[i], "--at") == 0 && has_value) {
            if (parse_day(argv[++i], &at) != DD_OK)
                return usage_error("--at takes a day written YYYY-MM-DD");
        } else if (argv[i][0] == '-' || dir) {
            return usage_error("verify takes DIR [--csca PATH] [--crl FILE]... [--at DAY]");
        } else {
            dir = argv[i];
        }
    }
    if (!dir)
        return usage_error("verify needs the folder of saved chip files");
    struct dd_pa_trust *trust = NULL;
    char err[512];
    if (csca && dd_pa_trust_load(csca, &trust, err, sizeof err) != DD_OK) {
        fprintf(stderr, "dinhdanh card verify: CSCA trust store: %s\n", err);
        return DD_EXIT_FAIL;
    }
    for (int i = 0; i < ncrl; i++)
        if (!trust || dd_pa_trust_add_crl(trust, crls[i], err, sizeof err) != DD_OK) {
            fprintf(stderr, "dinhdanh card verify: %s\n", trust ? err : "--crl needs --csca");
            dd_pa_trust_free(trust);
            return trust ? DD_EXIT_FAIL : DD_EXIT_USAGE;
        }
    unsigned char *sod = NULL;
    size_t sod_len = 0;
    int rc = read_chip_file(dir, "EF.SOD", DD_PA_MAX_SOD, &sod, &sod_len);
    if (rc != DD_OK) {
        if (rc == DD_ENOTFOUND)
            fprintf(stderr, "dinhdanh card verify: %s/EF.SOD is missing\n", dir);
        dd_pa_trust_free(trust);
        return DD_EXIT_FAIL;
    }
    struct dd_pa_dg dgs[DD_PA_MAX_DG];
    size_t ndg = 0;
    for (int k = 1; k <= DD_PA_MAX_DG && rc == DD_OK; k++) {
        char name[16];
        snprintf(name, sizeof name, "DG%d", k);
        unsigned char *data;
        size_t len;
        int r = read_chip_file(dir, name, MAX_DG_FILE, &data, &len);
        if (r == DD_OK)
            dgs[ndg++] = (struct dd_pa_dg){k, data, len};
        else if (r != DD_ENOTFOUND)
            rc = r;
    }
    struct dd_pa_report rep;
    int vrc = rc == DD_OK ? dd_pa_verify(sod, sod_len, dgs, ndg, trust, at, &rep) : rc;
    if (rc == DD_OK)
        print_json(dd_pa_report_json(&rep));
    for (size_t k = 0; k < ndg; k++)
        free((void *)dgs[k].data);
    free(sod);
    dd_pa_trust_free(trust);
    if (vrc == DD_OK)
        return DD_EXIT_OK;
    if (rc == DD_OK) {
        const struct dd_pa_check *c[] = {&rep.sod, &rep.hashes, &rep.signature, &rep.chain,
                                         &rep.dates};
        static const char *names[] = {"sod", "hashes", "signature", "chain", "dates"};
        for (int i = 0; i < 5; i++)
            if (c[i]->result != DD_PA_PASS)
                fprintf(stderr, "dinhdanh card verify: %s %s: %s\n", names[i],
                        dd_pa_result_name(c[i]->result), c[i]->detail);
    }
    return DD_EXIT_FAIL;
}

int
dd_cmd_card(int argc, char **argv)
{
    if (argc < 2)
        return usage_error("which card command?");
    const char *sub = argv[1];
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0) {
        fputs(usage_text, stdout);
        return DD_EXIT_OK;
    }
    if (strcmp(sub, "mrz") == 0 || strcmp(sub, "qr") == 0) {
        if (argc != 3)
            return usage_error("mrz and qr take one TEXT argument (quote it)");
        return sub[0] == 'm' ? card_mrz(argv[2]) : card_qr(argv[2]);
    }
    if (strcmp(sub, "verify") == 0)
        return card_verify(argc - 2, argv + 2);
    if (strcmp(sub, "read") == 0)
        return dd_cmd_card_read(argc - 2, argv + 2);
    if (strcmp(sub, "readers") == 0)
        return argc == 2 ? dd_cmd_card_readers() : usage_error("readers takes no argument");
    return usage_error("unknown card command");
}

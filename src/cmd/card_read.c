/*
 * card_read.c — `dinhdanh card read`: reads a chip ID card on a PC/SC reader (BAC with the keys
 * from the MRZ, secure messaging), then checks what it read: passive authentication (against
 * --csca when given) and active authentication when the chip has DG15. Prints one JSON object;
 * --out saves the files as read (EF.COM, EF.SOD, DG1 …) in the layout `card verify` reads, and
 * the face image; then active authentication (DG15) and chip authentication (DG14). The whole
 * command has a deadline (--timeout), so a reader that stops answering ends it with a message
 * instead of a hang.
 */
#include "cmd/card_read.h"
#include "base/dir.h"
#include "base/err.h"
#include "card/aa.h"
#include "card/access.h"
#include "card/ca.h"
#include "card/chip_json.h"
#include "card/emrtd.h"
#include "card/json.h"
#include "card/mrz.h"
#include "card/pa.h"
#include "card/pcsc.h"
#include "card/tlv.h"
#include "cmd/cmd.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct read_opts {
    int reader;
    const char *mrz, *can, *out, *csca;
    long timeout_s, wait_s;
    bool extended;
};

static const char read_usage[] =
    "Usage: dinhdanh card read [--reader N] (--mrz TEXT | --can DIGITS)... [--out DIR]\n"
    "                          [--csca PATH] [--timeout S] [--wait S] [--extended]\n\n"
    "Reads the chip on PC/SC reader N (0 is the first; `dinhdanh card readers` lists them)\n"
    "with PACE when the chip offers it (the CAN if given, else the MRZ), else or after a failed\n"
    "PACE with BAC (the MRZ), and prints the data groups, passive authentication (chain\n"
    "checked with --csca) and active authentication. --out saves EF.COM, EF.SOD, DG1 … and the\n"
    "face image. --timeout ends the command after S seconds (default 60), --wait waits S\n"
    "seconds for a card (default 10), --extended uses extended-length APDUs even when the\n"
    "reader does not say it takes them. Exit 0 when the chip was read and no check failed.\n";

static int
read_usage_error(const char *why)
{
    fprintf(stderr, "dinhdanh card read: %s\n\n%s", why, read_usage);
    return DD_EXIT_USAGE;
}

static void
on_deadline(int sig)
{
    (void)sig;
    static const char msg[] = "dinhdanh card read: no answer from the reader or card before the "
                              "deadline (--timeout); giving up\n";
    ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)w;
    _exit(DD_EXIT_FAIL);
}

static int
parse_opts(int argc, char **argv, struct read_opts *o)
{
    *o = (struct read_opts){.timeout_s = 60, .wait_s = 10};
    for (int i = 0; i < argc; i++) {
        bool v = i + 1 < argc;
        char *end = NULL;
        if (strcmp(argv[i], "--reader") == 0 && v) {
            o->reader = (int)strtol(argv[++i], &end, 10);
        } else if (strcmp(argv[i], "--mrz") == 0 && v) {
            o->mrz = argv[++i];
        } else if (strcmp(argv[i], "--can") == 0 && v) {
            o->can = argv[++i];
        } else if (strcmp(argv[i], "--out") == 0 && v) {
            o->out = argv[++i];
        } else if (strcmp(argv[i], "--csca") == 0 && v) {
            o->csca = argv[++i];
        } else if (strcmp(argv[i], "--timeout") == 0 && v) {
            o->timeout_s = strtol(argv[++i], &end, 10);
        } else if (strcmp(argv[i], "--wait") == 0 && v) {
            o->wait_s = strtol(argv[++i], &end, 10);
        } else if (strcmp(argv[i], "--extended") == 0) {
            o->extended = true;
        } else {
            return read_usage_error("unknown option or missing value");
        }
        if (end && (*end || end == argv[i]))
            return read_usage_error("--reader, --timeout and --wait take a number");
    }
    if (!o->mrz && !o->can)
        return read_usage_error("give --mrz or --can (or both)");
    if (o->reader < 0 || o->timeout_s < 1 || o->wait_s < 0 || o->timeout_s > 3600 ||
        o->wait_s > 3600)
        return read_usage_error("--reader is 0 or more, --timeout 1–3600, --wait 0–3600");
    return DD_OK;
}

static int
save(const char *dir, const char *name, const unsigned char *p, size_t n)
{
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path)
        return DD_EINVAL;
    FILE *f = fopen(path, "wb");
    bool ok = f && fwrite(p, 1, n, f) == n;
    if (f && fclose(f) != 0)
        ok = false;
    if (!ok) {
        fprintf(stderr, "dinhdanh card read: cannot write %s\n", path);
        return DD_EIO;
    }
    return DD_OK;
}

static int
save_all(const char *dir, const struct dd_emrtd_files *f, const struct dd_dg2_face *face)
{
    char err[256];
    if (dd_dir_make(dir, err, sizeof err) != DD_OK) {
        fprintf(stderr, "dinhdanh card read: --out %s: %s\n", dir, err);
        return DD_EIO;
    }
    int rc = DD_OK;
    if (f->com && rc == DD_OK)
        rc = save(dir, "EF.COM", f->com, f->com_len);
    if (f->sod && rc == DD_OK)
        rc = save(dir, "EF.SOD", f->sod, f->sod_len);
    for (int k = 1; k <= 16 && rc == DD_OK; k++)
        if (f->dg[k]) {
            char name[16];
            snprintf(name, sizeof name, "DG%d", k);
            rc = save(dir, name, f->dg[k], f->dg_len[k]);
        }
    if (face && face->image && rc == DD_OK)
        rc = save(dir, face->format[4] == '2' ? "face.jp2" : "face.jpg", face->image, face->len);
    return rc;
}

/* The chip's data groups as JSON, and passive/active authentication. *failed is set when a
 * check failed. */
static json_t *
report(struct dd_emrtd *e, const struct dd_emrtd_files *f, const struct dd_pa_trust *trust,
       struct dd_dg2_face *face, bool *failed)
{
    json_t *o = json_object();
    json_t *files = json_object(), *skipped = json_object();
    json_object_set_new(files, "EF.COM", json_integer((json_int_t)f->com_len));
    json_object_set_new(files, "EF.SOD", json_integer((json_int_t)f->sod_len));
    struct dd_pa_dg dgs[DD_PA_MAX_DG];
    size_t ndg = 0;
    for (int k = 1; k <= 16; k++) {
        char name[16];
        snprintf(name, sizeof name, "DG%d", k);
        if (f->dg[k]) {
            json_object_set_new(files, name, json_integer((json_int_t)f->dg_len[k]));
            dgs[ndg++] = (struct dd_pa_dg){k, f->dg[k], f->dg_len[k]};
        } else if (f->skipped[k][0]) {
            json_object_set_new(skipped, name, json_string(f->skipped[k]));
        }
    }
    json_object_set_new(o, "files", files);
    json_object_set_new(o, "not_read", skipped);

    struct dd_mrz m;
    json_t *dg1 = json_null();
    struct dd_tlv outer, mrz;
    if (f->dg[1] && dd_tlv_read(f->dg[1], f->dg_len[1], &outer) == DD_OK &&
        dd_tlv_find(outer.value, outer.len, 0x5F1F, &mrz) == DD_OK) {
        dd_mrz_parse((const char *)mrz.value, mrz.len, &m);
        dg1 = dd_card_mrz_json(&m);
    }
    json_object_set_new(o, "dg1", dg1);
    json_object_set_new(o, "dg2",
                        f->dg[2] && dd_dg2_face(f->dg[2], f->dg_len[2], face) == DD_OK
                            ? dd_dg2_face_json(face)
                            : json_null());
    struct dd_dg13 d13;
    json_object_set_new(o, "dg13",
                        f->dg[13] && dd_dg13_parse(f->dg[13], f->dg_len[13], &d13) == DD_OK
                            ? dd_dg13_json(&d13)
                            : json_null());

    struct dd_aa_result aa = {.result = DD_PA_NOT_CHECKED};
    snprintf(aa.detail, sizeof aa.detail, "the chip has no DG15");
    if (f->dg[15])
        dd_emrtd_active_auth(e, f->dg[15], f->dg_len[15], f->dg[14], f->dg_len[14], &aa);
    json_object_set_new(o, "active_authentication", dd_aa_json(&aa));
    /* Chip authentication last: it replaces the session keys, and a copied chip leaves the
     * session unusable. */
    struct dd_ca_result ca = {.result = DD_PA_NOT_CHECKED};
    snprintf(ca.detail, sizeof ca.detail, "the chip has no DG14");
    if (f->dg[14])
        dd_emrtd_chip_auth(e, f->dg[14], f->dg_len[14], f->com, f->com_len, &ca);
    json_t *caj =
        json_pack("{s:s, s:s}", "result", dd_pa_result_name(ca.result), "detail", ca.detail);
    if (ca.protocol[0])
        json_object_set_new(caj, "protocol", json_string(ca.protocol));
    json_object_set_new(o, "chip_authentication", caj);

    struct dd_pa_report rep;
    dd_pa_verify(f->sod, f->sod_len, dgs, ndg, trust, 0, &rep);
    json_object_set_new(o, "passive_authentication", dd_pa_report_json(&rep));
    const struct dd_pa_check *c[] = {&rep.sod, &rep.hashes, &rep.signature, &rep.chain, &rep.dates};
    static const char *names[] = {"sod", "hashes", "signature", "chain", "dates"};
    for (int i = 0; i < 5; i++)
        if (c[i]->result == DD_PA_FAIL) {
            fprintf(stderr, "dinhdanh card read: passive authentication: %s failed: %s\n", names[i],
                    c[i]->detail);
            *failed = true;
        }
    if (aa.result == DD_PA_FAIL) {
        fprintf(stderr, "dinhdanh card read: active authentication failed: %s\n", aa.detail);
        *failed = true;
    }
    if (ca.result == DD_PA_FAIL) {
        fprintf(stderr, "dinhdanh card read: chip authentication failed: %s\n", ca.detail);
        *failed = true;
    }
    json_object_set_new(o, "ok",
                        json_boolean(rep.ok && aa.result != DD_PA_FAIL && ca.result != DD_PA_FAIL));
    return o;
}

static void
print_and_free(json_t *j)
{
    char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (s)
        printf("%s\n", s);
    free(s);
    json_decref(j);
}

static int
read_failed(const char *stage, const char *why)
{
    json_t *j = json_pack("{s:b, s:s, s:s}", "ok", 0, "stage", stage, "error", why);
    print_and_free(j);
    fprintf(stderr, "dinhdanh card read: %s: %s\n", stage, why);
    return DD_EXIT_FAIL;
}

int
dd_cmd_card_read(int argc, char **argv)
{
    if (argc >= 1 && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0)) {
        fputs(read_usage, stdout);
        return DD_EXIT_OK;
    }
    struct read_opts o;
    if (parse_opts(argc, argv, &o) != DD_OK)
        return DD_EXIT_USAGE;
    struct dd_mrz m;
    char info[64] = "";
    if (o.can && (strlen(o.can) != 6 || strspn(o.can, "0123456789") != 6))
        return read_failed("can", "the CAN is 6 digits (on the Vietnamese card: the last 6 "
                                  "digits of the ID number)");
    if (o.mrz && dd_mrz_parse(o.mrz, strlen(o.mrz), &m) != DD_OK)
        return read_failed("mrz", m.error);
    if (o.mrz && dd_mrz_bac_info(&m, info, sizeof info) == 0)
        return read_failed("mrz", "no BAC key information in this MRZ");
    struct dd_pa_trust *trust = NULL;
    char err[512];
    if (o.csca && dd_pa_trust_load(o.csca, &trust, err, sizeof err) != DD_OK)
        return read_failed("csca", err);

    signal(SIGALRM, on_deadline);
    alarm((unsigned)o.timeout_s);

    struct dd_pcsc *pc = NULL;
    struct dd_apdu_transport t;
    struct dd_pcsc_options po = {
        .reader = o.reader, .card_wait_ms = (int)(o.wait_s * 1000), .extended = o.extended};
    int rc = dd_pcsc_open(&po, &pc, &t, err, sizeof err);
    if (rc != DD_OK) {
        dd_pa_trust_free(trust);
        return read_failed("reader", err);
    }
    struct dd_emrtd e;
    dd_emrtd_init(&e, &t, true);
    struct dd_emrtd_files files = {0};
    const char *stage = "access";
    struct dd_emrtd_access acc;
    rc = dd_emrtd_open(&e, o.mrz ? info : NULL, o.can, &acc);
    if (rc == DD_OK) {
        stage = "read";
        rc = dd_emrtd_read_all(&e, &files);
    }
    int exit_code;
    if (rc != DD_OK) {
        exit_code = read_failed(stage, rc == DD_EUNAVAIL ? dd_pcsc_error(pc) : e.error);
    } else {
        bool failed = false;
        struct dd_dg2_face face = {0};
        json_t *j = report(&e, &files, trust, &face, &failed);
        size_t atr_len;
        const unsigned char *atr = dd_pcsc_atr(pc, &atr_len);
        char atr_hex[2 * 33 + 1] = "";
        for (size_t i = 0; i < atr_len && i < 33; i++)
            snprintf(atr_hex + 2 * i, 3, "%02X", atr[i]);
        json_t *head = json_pack("{s:s, s:s, s:s, s:b, s:I}", "reader", dd_pcsc_reader_name(pc),
                                 "atr", atr_hex, "access_control", e.access, "extended_length",
                                 e.extended, "apdus", (json_int_t)e.apdus);
        json_object_set_new(
            head, "pace",
            json_pack("{s:s, s:s, s:b}", "result",
                      !acc.pace_tried        ? "not_checked"
                      : acc.pace_rc == DD_OK ? "pass"
                                             : "fail",
                      "detail", acc.pace_tried ? acc.pace_detail : "the chip does not offer PACE",
                      "fell_back_to_bac", acc.fell_back));
        json_object_update(head, j);
        json_decref(j);
        if (o.out && save_all(o.out, &files, &face) != DD_OK)
            failed = true;
        print_and_free(head);
        exit_code = failed ? DD_EXIT_FAIL : DD_EXIT_OK;
    }
    alarm(0);
    dd_emrtd_files_free(&files);
    dd_pcsc_close(pc);
    dd_pa_trust_free(trust);
    return exit_code;
}

int
dd_cmd_card_readers(void)
{
    struct dd_pcsc_readers r;
    char err[256];
    if (dd_pcsc_list(&r, err, sizeof err) != DD_OK) {
        fprintf(stderr, "dinhdanh card readers: %s\n", err);
        return DD_EXIT_FAIL;
    }
    json_t *a = json_array();
    for (int i = 0; i < r.count; i++)
        json_array_append_new(a, json_pack("{s:i, s:s, s:b}", "index", i, "name", r.name[i], "card",
                                           r.card_present[i]));
    print_and_free(json_pack("{s:o}", "readers", a));
    return DD_EXIT_OK;
}

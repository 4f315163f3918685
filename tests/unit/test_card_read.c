/*
 * test_card_read.c — reading a chip through the real PC/SC path. The test makes a card (EF.COM,
 * DG1 with a Vietnamese MRZ, DG2 with a JPEG face of ~40 KB so that reads go past offset 32767,
 * DG13, DG15 with an active-authentication key, EF.SOD signed by a document signer under a
 * generated CSCA), starts its own pcscd with the vsmartcard-vpcd virtual reader, and puts the
 * software chip tests/card/vicc_emrtd.c on that reader. Then: a good read (library and
 * `dinhdanh card read --out`, whose files `card verify` accepts) with passive and active
 * authentication passing, short and extended-length APDUs; a wrong MRZ (BAC refused); the card
 * taken away in the middle of the read (an error naming it, in bounded time); a tampered data
 * group (its hash mismatch reported); a copied chip without the DG15 private key (active
 * authentication fails).
 *
 * pcscd has a fixed socket path (/run/pcscd) and vpcd a TCP port, so the test first moves into
 * its own mount and network namespaces (as root; otherwise inside a user namespace, which
 * Debian allows unprivileged users): a tmpfs on /run and a private loopback keep it apart from
 * a system pcscd and from other test runs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/err.h"
#include "card/aa.h"
#include "card/access.h"
#include "card/ca.h"
#include "card/dg13.h"
#include "card/dg2.h"
#include "card/emrtd.h"
#include "card/pa.h"
#include "card/pcsc.h"

#include "card_fixture.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <net/if.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define VPCD_PORT 35963

static const char mrz_text[] = "IDVNM0990123459001099012345<<<\n"
                               "9901155M3901153VNM<<<<<<<<<<<6\n"
                               "NGUYEN<<VAN<AN<<<<<<<<<<<<<<<<";
static const char bac_info[] = "099012345999011553901153";
static const char wrong_info[] = "099012345999011563901153"; /* birth date one day off */

static char tmpdir[64], bindir[512];
static const char *chip_ca_key = "ca-key.pem"; /* the DG14 private key the software chip holds */
static pid_t pcscd_pid;

static struct {
    unsigned char *dg2;
    size_t dg2_len;
    unsigned char dg1[95], dg13[1024], dg14[600], dg15[600], com[32];
    size_t dg13_len, dg14_len, dg15_len, com_len;
    const unsigned char *jpeg;
    size_t jpeg_len;
} card;

/* --- namespaces, pcscd, the software chip ------------------------------------------------- */

static void
write_text(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY);
    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
        fprintf(stderr, "# %s: %s\n", path, strerror(errno));
    if (fd >= 0)
        close(fd);
}

/* Own mount and network namespaces, a tmpfs on /run, loopback up. */
static int
isolate(void)
{
    uid_t uid = geteuid();
    gid_t gid = getegid();
    int flags = CLONE_NEWNS | CLONE_NEWNET | (uid == 0 ? 0 : CLONE_NEWUSER);
    if (unshare(flags) != 0) {
        fprintf(stderr, "# unshare: %s (needs root or unprivileged user namespaces)\n",
                strerror(errno));
        return -1;
    }
    if (uid != 0) {
        char map[64];
        write_text("/proc/self/setgroups", "deny");
        snprintf(map, sizeof map, "0 %u 1", (unsigned)uid);
        write_text("/proc/self/uid_map", map);
        snprintf(map, sizeof map, "0 %u 1", (unsigned)gid);
        write_text("/proc/self/gid_map", map);
    }
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
        mount("tmpfs", "/run", "tmpfs", 0, "size=4m,mode=755") != 0) {
        fprintf(stderr, "# mount: %s\n", strerror(errno));
        return -1;
    }
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    memcpy(ifr.ifr_name, "lo", 3);
    if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) != 0 ||
        (ifr.ifr_flags |= IFF_UP, ioctl(s, SIOCSIFFLAGS, &ifr)) != 0) {
        fprintf(stderr, "# loopback: %s\n", strerror(errno));
        return -1;
    }
    close(s);
    return 0;
}

static pid_t
spawn(char *const argv[], const char *log)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* nothing outlives a test that crashed */
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    return pid;
}

static void
stop(pid_t pid)
{
    if (pid <= 0)
        return;
    kill(pid, SIGTERM);
    int st;
    waitpid(pid, &st, 0);
}

/* Waits up to 10 s until reader 0 shows a card (want true) or none (false). */
static bool
wait_card(bool want)
{
    for (int i = 0; i < 200; i++) {
        struct dd_pcsc_readers r;
        char err[256];
        if (dd_pcsc_list(&r, err, sizeof err) == DD_OK && r.count > 0 && r.card_present[0] == want)
            return true;
        usleep(50000);
    }
    return false;
}

static int
start_pcscd(void)
{
    char conf[128], log[128];
    snprintf(conf, sizeof conf, "%s/reader.conf", tmpdir);
    snprintf(log, sizeof log, "%s/pcscd.log", tmpdir);
    FILE *f = fopen(conf, "w");
    assert_non_null(f);
    fprintf(f,
            "FRIENDLYNAME \"dinhdanh test\"\nDEVICENAME /dev/null:0x%X\n"
            "LIBPATH /usr/lib/pcsc/drivers/serial/libifdvpcd.so\nCHANNELID 0x%X\n",
            VPCD_PORT, VPCD_PORT);
    fclose(f);
    const char *exe = access("/usr/sbin/pcscd", X_OK) == 0 ? "/usr/sbin/pcscd" : "pcscd";
    char *argv[] = {(char *)exe, "--foreground", "--auto-exit", "--config", conf, NULL};
    pcscd_pid = spawn(argv, log);
    for (int i = 0; i < 200; i++) {
        struct dd_pcsc_readers r;
        char err[256];
        if (dd_pcsc_list(&r, err, sizeof err) == DD_OK && r.count > 0)
            return 0;
        usleep(50000);
    }
    fprintf(stderr, "# pcscd did not come up with the vpcd reader (see %s)\n", log);
    return -1;
}

static pid_t insert_chip(const char *dir, const char *info, const char *can, const char *aa_key,
                         int remove_after);

/* Puts the chip from tmpdir/DIR on the reader; aa_key and remove_after may be NULL / 0. */
static pid_t
insert_card(const char *dir, const char *info, const char *aa_key, int remove_after)
{
    return insert_chip(dir, info, NULL, aa_key, remove_after);
}

static pid_t
insert_chip(const char *dir, const char *info, const char *can, const char *aa_key,
            int remove_after)
{
    char exe[600], path[128], aa[128], port[16], after[16], log[128];
    snprintf(exe, sizeof exe, "%s/vicc_emrtd", bindir);
    snprintf(path, sizeof path, "%s/%s", tmpdir, dir);
    snprintf(aa, sizeof aa, "%s/%s", tmpdir, aa_key ? aa_key : "");
    snprintf(port, sizeof port, "%d", VPCD_PORT);
    snprintf(after, sizeof after, "%d", remove_after ? remove_after : -1);
    snprintf(log, sizeof log, "%s/vicc.log", tmpdir);
    char *argv[16] = {exe,          "--port",         port, "--dir", path, "--mrz-info",
                      (char *)info, "--remove-after", after};
    int k = 9;
    if (can) {
        argv[k++] = "--can";
        argv[k++] = (char *)can;
    }
    if (aa_key) {
        argv[k++] = "--aa-key";
        argv[k++] = aa;
    }
    char ca[128];
    snprintf(ca, sizeof ca, "%s/%s", tmpdir, chip_ca_key);
    argv[k++] = "--ca-key";
    argv[k++] = ca;
    argv[k] = NULL;
    pid_t pid = spawn(argv, log);
    assert_true(wait_card(true));
    return pid;
}

static void
remove_card(pid_t pid)
{
    stop(pid);
    assert_true(wait_card(false));
}

/* --- the card's files ---------------------------------------------------------------------- */

static void
write_file(const char *dir, const char *name, const void *p, size_t n)
{
    char path[160];
    snprintf(path, sizeof path, "%s/%s/%s", tmpdir, dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    fclose(f);
}

static size_t
put_big(unsigned char *out, unsigned tag, const void *value, size_t len)
{
    size_t h = dd_tlv_put_header(tag, len, out, 8);
    memmove(out + h, value, len);
    return h + len;
}

/* DG2: 75 { 7F61 { 02 01 01, 7F60 { A1 {…}, 5F2E { ISO/IEC 19794-5 record with a JPEG } } } }. */
static void
make_dg2(void)
{
    size_t jl = 40000;
    unsigned char *jpeg = malloc(jl);
    assert_non_null(jpeg);
    jpeg[0] = 0xFF, jpeg[1] = 0xD8, jpeg[2] = 0xFF, jpeg[3] = 0xE0;
    for (size_t i = 4; i < jl - 2; i++)
        jpeg[i] = (unsigned char)(i * 31 + (i >> 8));
    jpeg[jl - 2] = 0xFF, jpeg[jl - 1] = 0xD9;
    size_t rec_len = 14 + 20 + 12 + jl, cap = jl + 256;
    unsigned char *rec = calloc(1, cap), *a = malloc(cap), *b = malloc(cap);
    assert_true(rec && a && b);
    memcpy(rec,
           "FAC\0"
           "010\0",
           8);
    rec[8] = (unsigned char)(rec_len >> 24), rec[9] = (unsigned char)(rec_len >> 16);
    rec[10] = (unsigned char)(rec_len >> 8), rec[11] = (unsigned char)rec_len;
    rec[13] = 1; /* one face */
    size_t block = 20 + 12 + jl;
    unsigned char *fi = rec + 14;
    fi[0] = (unsigned char)(block >> 24), fi[1] = (unsigned char)(block >> 16);
    fi[2] = (unsigned char)(block >> 8), fi[3] = (unsigned char)block;
    unsigned char *info = fi + 20;
    info[0] = 1;                    /* full frontal */
    info[1] = 0;                    /* JPEG */
    info[2] = 0x01, info[3] = 0xE0; /* 480 wide */
    info[4] = 0x02, info[5] = 0x80; /* 640 high */
    memcpy(info + 12, jpeg, jl);
    free(jpeg);
    static const unsigned char bht[] = {0xA1, 0x0B, 0x81, 0x01, 0x02, 0x87, 0x02,
                                        0x01, 0x01, 0x88, 0x02, 0x00, 0x08};
    size_t n = 0;
    memcpy(a, bht, sizeof bht);
    n = sizeof bht + put_big(a + sizeof bht, 0x5F2E, rec, rec_len);
    n = put_big(b + 3, 0x7F60, a, n) + 3;
    b[0] = 0x02, b[1] = 0x01, b[2] = 0x01;
    n = put_big(a, 0x7F61, b, n);
    card.dg2 = malloc(n + 8);
    card.dg2_len = put_big(card.dg2, 0x75, a, n);
    card.jpeg = NULL;
    free(rec);
    free(a);
    free(b);
    struct dd_dg2_face face;
    assert_int_equal(dd_dg2_face(card.dg2, card.dg2_len, &face), DD_OK);
    card.jpeg = face.image;
    card.jpeg_len = face.len;
}

static void
entry(struct buf *set, int number, const char *const *values, int count)
{
    struct buf e = {.n = 0};
    unsigned char num = (unsigned char)number;
    put(&e, 0x02, &num, 1);
    for (int i = 0; i < count; i++)
        put(&e, 0x0C, values[i], strlen(values[i]));
    put(set, 0x30, e.p, e.n);
}

/* DG13 as the Vietnamese card lays it out (see docs/CARD.md): numbered entries. */
static void
make_dg13(void)
{
    static const char *fields[][2] = {
        {"001099012345", NULL},
        {"Nguyễn Văn An", NULL},
        {"15/01/1999", NULL},
        {"Nam", NULL},
        {"Việt Nam", NULL},
        {"Kinh", NULL},
        {"Không", NULL},
        {"Xã Tịnh Khê, Quảng Ngãi", NULL},
        {"12 Trần Phú, Phường Lê Hồng Phong, Quảng Ngãi", NULL},
        {"Nốt ruồi C:2cm trên trước mép phải", NULL},
        {"20/06/2021", NULL},
        {"15/01/2039", NULL},
        {"Nguyễn Văn Bình", "Trần Thị Cúc"},
        {"", NULL},
        {"212345678", NULL},
    };
    struct buf set = {.n = 0}, outer = {.n = 0};
    for (int i = 0; i < 15; i++)
        entry(&set, i + 1, fields[i], fields[i][1] ? 2 : 1);
    static const char *const unknown[] = {"ABC123"};
    entry(&set, 16, unknown, 1);
    put(&outer, 0x31, set.p, set.n);
    struct buf dg = {.n = 0};
    put(&dg, 0x6D, outer.p, outer.n);
    memcpy(card.dg13, dg.p, dg.n);
    card.dg13_len = dg.n;
}

/* DG14: SecurityInfos { ChipAuthenticationPublicKeyInfo { id-PK-ECDH, the key's
 * SubjectPublicKeyInfo with id-PK-ECDH as its algorithm }, ChipAuthenticationInfo {
 * id-CA-ECDH-AES-CBC-CMAC-128, version 1 } }. */
static void
make_dg14(EVP_PKEY *key)
{
    static const unsigned char id_pk_ecdh[] = {0x04, 0x00, 0x7F, 0x00, 0x07,
                                               0x02, 0x02, 0x01, 0x02};
    static const unsigned char id_ca_aes128[] = {0x04, 0x00, 0x7F, 0x00, 0x07,
                                                 0x02, 0x02, 0x03, 0x02, 0x02};
    unsigned char *der = NULL;
    int dl = i2d_PUBKEY(key, &der);
    assert_true(dl > 0);
    struct dd_tlv spki, alg, alg_oid, params, bits;
    assert_int_equal(dd_tlv_read(der, (size_t)dl, &spki), DD_OK);
    assert_int_equal(dd_tlv_read(spki.value, spki.len, &alg), DD_OK);
    assert_int_equal(dd_tlv_read(alg.value, alg.len, &alg_oid), DD_OK);
    assert_int_equal(dd_tlv_read(alg.value + alg_oid.size, alg.len - alg_oid.size, &params), DD_OK);
    assert_int_equal(dd_tlv_read(spki.value + alg.size, spki.len - alg.size, &bits), DD_OK);
    struct buf a = {.n = 0}, k = {.n = 0}, pk = {.n = 0}, ca = {.n = 0}, set = {.n = 0},
               infos = {.n = 0}, dg = {.n = 0};
    put(&a, 0x06, id_pk_ecdh, sizeof id_pk_ecdh);
    put(&a, params.tag, params.value, params.len);
    put(&k, 0x30, a.p, a.n);
    put(&k, 0x03, bits.value, bits.len);
    put(&pk, 0x06, id_pk_ecdh, sizeof id_pk_ecdh);
    put(&pk, 0x30, k.p, k.n);
    unsigned char one = 1;
    put(&ca, 0x06, id_ca_aes128, sizeof id_ca_aes128);
    put(&ca, 0x02, &one, 1);
    put(&set, 0x30, pk.p, pk.n);
    put(&set, 0x30, ca.p, ca.n);
    put(&infos, 0x31, set.p, set.n);
    put(&dg, 0x6E, infos.p, infos.n);
    memcpy(card.dg14, dg.p, dg.n);
    card.dg14_len = dg.n;
    OPENSSL_free(der);
}

static EVP_PKEY *
write_key(EVP_PKEY *k, const char *name)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_true(PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL));
    fclose(f);
    return k;
}

static void
write_card(const char *dir, const unsigned char *dg1, const unsigned char *sod, size_t sod_len)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", tmpdir, dir);
    assert_int_equal(mkdir(path, 0700), 0);
    write_file(dir, "EF.COM", card.com, card.com_len);
    write_file(dir, "EF.SOD", sod, sod_len);
    write_file(dir, "DG1", dg1, sizeof card.dg1);
    write_file(dir, "DG2", card.dg2, card.dg2_len);
    write_file(dir, "DG13", card.dg13, card.dg13_len);
    write_file(dir, "DG14", card.dg14, card.dg14_len);
    write_file(dir, "DG15", card.dg15, card.dg15_len);
}

static int
setup(void **state)
{
    (void)state;
    char self[512];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    assert_true(n > 0);
    self[n] = '\0';
    snprintf(bindir, sizeof bindir, "%s", dirname(self));
    snprintf(tmpdir, sizeof tmpdir, "/tmp/dd-card-read-XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    chmod(tmpdir, 0755);

    /* DG1: 61 5D 5F1F 5A MRZ */
    memcpy(card.dg1, "\x61\x5D\x5F\x1F\x5A", 5);
    const char *p = mrz_text;
    for (size_t k = 5; *p; p++)
        if (*p != '\n')
            card.dg1[k++] = (unsigned char)*p;
    make_dg2();
    make_dg13();
    EVP_PKEY *aa = write_key(EVP_RSA_gen(1024), "aa.pem");
    EVP_PKEY_free(write_key(EVP_RSA_gen(1024), "clone.pem"));
    EVP_PKEY *ca_key = write_key(new_key(), "ca-key.pem");
    EVP_PKEY_free(write_key(new_key(), "clone-ca-key.pem"));
    make_dg14(ca_key);
    EVP_PKEY_free(ca_key);
    unsigned char *spki = NULL;
    int sl = i2d_PUBKEY(aa, &spki);
    assert_true(sl > 0);
    card.dg15_len = put_big(card.dg15, 0x6F, spki, (size_t)sl);
    OPENSSL_free(spki);
    EVP_PKEY_free(aa);
    static const unsigned char com[] = {0x60, 0x17, 0x5F, 0x01, 0x04, '0',  '1', '0', '7',
                                        0x5F, 0x36, 0x06, '0',  '4',  '0',  '0', '0', '0',
                                        0x5C, 0x05, 0x61, 0x75, 0x6D, 0x6E, 0x6F};
    memcpy(card.com, com, sizeof com);
    card.com_len = sizeof com;

    EVP_PKEY *csca_key = new_key(), *ds_key = new_key();
    X509 *csca = new_cert("CSCA Test VN", csca_key, NULL, NULL, true, -30, 3650, 1);
    X509 *ds = new_cert("DS Test VN", ds_key, csca, csca_key, false, -1, 365, 2);
    const unsigned char *dgs[] = {card.dg1, card.dg2, card.dg13, card.dg14, card.dg15};
    size_t lens[] = {sizeof card.dg1, card.dg2_len, card.dg13_len, card.dg14_len, card.dg15_len};
    int nums[] = {1, 2, 13, 14, 15};
    struct buf sod;
    make_sod(dgs, lens, nums, 5, ds, ds_key, false, &sod);
    write_card("good", card.dg1, sod.p, sod.n);
    unsigned char tampered[sizeof card.dg1];
    memcpy(tampered, card.dg1, sizeof tampered);
    tampered[5 + 30 + 7] = 'F'; /* the sex in the MRZ */
    write_card("tampered", tampered, sod.p, sod.n);
    /* The same chip with PACE: EF.CardAccess = SET { PACEInfo { id-PACE-ECDH-GM-AES-CBC-CMAC-128,
     * version 2, parameters 12 (NIST P-256) } }. */
    static const unsigned char card_access[] = {0x31, 0x14, 0x30, 0x12, 0x06, 0x0A, 0x04, 0x00,
                                                0x7F, 0x00, 0x07, 0x02, 0x02, 0x04, 0x02, 0x02,
                                                0x02, 0x01, 0x02, 0x02, 0x01, 0x0C};
    write_card("pace", card.dg1, sod.p, sod.n);
    write_file("pace", "EF.CardAccess", card_access, sizeof card_access);
    char path[128];
    snprintf(path, sizeof path, "%s/csca.pem", tmpdir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    PEM_write_X509(f, csca);
    fclose(f);
    X509_free(csca);
    X509_free(ds);
    EVP_PKEY_free(csca_key);
    EVP_PKEY_free(ds_key);
    return start_pcscd();
}

static int
teardown(void **state)
{
    (void)state;
    stop(pcscd_pid);
    free(card.dg2);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    assert_int_equal(system(cmd), 0);
    return 0;
}

/* --- reading through the library --------------------------------------------------------- */

struct session {
    struct dd_pcsc *pc;
    struct dd_apdu_transport t;
    struct dd_emrtd e;
};

static void
open_session(struct session *s, bool extended)
{
    char err[256];
    struct dd_pcsc_options o = {.reader = 0, .card_wait_ms = 5000, .extended = extended};
    int rc = dd_pcsc_open(&o, &s->pc, &s->t, err, sizeof err);
    if (rc != DD_OK)
        fail_msg("dd_pcsc_open: %s", err);
    dd_emrtd_init(&s->e, &s->t, extended);
    assert_int_equal(dd_emrtd_select_application(&s->e), DD_OK);
}

static struct dd_pa_trust *
trust(void)
{
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/csca.pem", tmpdir);
    struct dd_pa_trust *t = NULL;
    assert_int_equal(dd_pa_trust_load(path, &t, err, sizeof err), DD_OK);
    return t;
}

static void
pa_of(const struct dd_emrtd_files *f, struct dd_pa_report *rep, int want)
{
    struct dd_pa_dg dgs[DD_PA_MAX_DG];
    size_t n = 0;
    for (int k = 1; k <= 16; k++)
        if (f->dg[k])
            dgs[n++] = (struct dd_pa_dg){k, f->dg[k], f->dg_len[k]};
    struct dd_pa_trust *t = trust();
    assert_int_equal(dd_pa_verify(f->sod, f->sod_len, dgs, n, t, 0, rep), want);
    dd_pa_trust_free(t);
}

static void
good_read(bool extended)
{
    pid_t pid = insert_card("good", bac_info, "aa.pem", 0);
    struct session s;
    open_session(&s, extended);
    assert_int_equal(s.e.extended, extended);
    assert_int_equal(dd_emrtd_bac(&s.e, bac_info), DD_OK);
    assert_string_equal(s.e.access, "BAC");
    struct dd_emrtd_files f;
    int rc = dd_emrtd_read_all(&s.e, &f);
    if (rc != DD_OK)
        fail_msg("read: %s / %s", s.e.error, dd_pcsc_error(s.pc));
    assert_int_equal(f.dg_len[1], sizeof card.dg1);
    assert_memory_equal(f.dg[1], card.dg1, sizeof card.dg1);
    assert_int_equal(f.dg_len[2], card.dg2_len);
    assert_memory_equal(f.dg[2], card.dg2, card.dg2_len);
    assert_int_equal(f.dg_len[13], card.dg13_len);
    assert_non_null(f.dg[15]);
    assert_int_equal(f.dg_len[14], card.dg14_len);
    struct dd_dg2_face face;
    assert_int_equal(dd_dg2_face(f.dg[2], f.dg_len[2], &face), DD_OK);
    assert_string_equal(face.format, "jpeg");
    assert_int_equal(face.width, 480);
    assert_int_equal(face.height, 640);
    assert_int_equal(face.len, card.jpeg_len);
    assert_memory_equal(face.image, card.jpeg, card.jpeg_len);
    struct dd_dg13 d;
    assert_int_equal(dd_dg13_parse(f.dg[13], f.dg_len[13], &d), DD_OK);
    assert_string_equal(d.full_name, "Nguyễn Văn An");
    assert_string_equal(d.mother_name, "Trần Thị Cúc");
    struct dd_pa_report rep;
    pa_of(&f, &rep, DD_OK);
    assert_true(rep.ok);
    struct dd_aa_result aa;
    assert_int_equal(dd_emrtd_active_auth(&s.e, f.dg[15], f.dg_len[15], NULL, 0, &aa), DD_OK);
    assert_int_equal(aa.result, DD_PA_PASS);
    assert_string_equal(aa.algorithm, "rsa-iso9796-2-sha1");
    /* Short APDUs read 0xDF bytes at a time, extended ones far more. */
    if (extended)
        assert_true(s.e.apdus < 30);
    else
        assert_true(s.e.apdus > 180);
    dd_emrtd_files_free(&f);
    dd_pcsc_close(s.pc);
    remove_card(pid);
}

static void
a_good_card_reads_and_passes_passive_and_active_authentication(void **state)
{
    (void)state;
    good_read(false);
}

static void
extended_length_reads_give_the_same_files_in_fewer_commands(void **state)
{
    (void)state;
    good_read(true);
}

static void
a_wrong_mrz_is_refused_by_bac(void **state)
{
    (void)state;
    pid_t pid = insert_card("good", bac_info, NULL, 0);
    struct session s;
    open_session(&s, false);
    assert_int_equal(dd_emrtd_bac(&s.e, wrong_info), DD_EDENIED);
    assert_non_null(strstr(s.e.error, "BAC refused"));
    assert_non_null(strstr(s.e.error, "6300"));
    /* Without BAC the chip gives nothing. */
    unsigned char *data;
    size_t len;
    assert_int_equal(dd_emrtd_read_file(&s.e, DD_EMRTD_FID_COM, &data, &len), DD_EDENIED);
    dd_pcsc_close(s.pc);
    remove_card(pid);
}

static void
a_card_removed_mid_read_is_a_clear_error_without_a_hang(void **state)
{
    (void)state;
    pid_t pid = insert_card("good", bac_info, NULL, 40);
    struct session s;
    open_session(&s, false);
    assert_int_equal(dd_emrtd_bac(&s.e, bac_info), DD_OK);
    struct dd_emrtd_files f;
    time_t t0 = time(NULL);
    assert_int_equal(dd_emrtd_read_all(&s.e, &f), DD_EUNAVAIL);
    assert_true(time(NULL) - t0 < 10);
    assert_int_equal(s.e.apdus, 40);
    const char *why = dd_pcsc_error(s.pc);
    if (!strstr(why, "removed") && !strstr(why, "stopped answering") &&
        !strstr(why, "does not answer") && !strstr(why, "failed to exchange"))
        fail_msg("unexpected transport error: %s", why);
    assert_non_null(f.sod); /* read before the card went */
    assert_null(f.dg[2]);
    dd_emrtd_files_free(&f);
    dd_pcsc_close(s.pc);
    int st;
    waitpid(pid, &st, 0);
    assert_true(wait_card(false));
}

static void
a_tampered_data_group_fails_its_hash(void **state)
{
    (void)state;
    pid_t pid = insert_card("tampered", bac_info, NULL, 0);
    struct session s;
    open_session(&s, true);
    assert_int_equal(dd_emrtd_bac(&s.e, bac_info), DD_OK);
    struct dd_emrtd_files f;
    assert_int_equal(dd_emrtd_read_all(&s.e, &f), DD_OK);
    struct dd_pa_report rep;
    pa_of(&f, &rep, DD_EDENIED);
    assert_int_equal(rep.hashes.result, DD_PA_FAIL);
    assert_int_equal(rep.signature.result, DD_PA_PASS);
    assert_int_equal(rep.chain.result, DD_PA_PASS);
    for (int i = 0; i < rep.ndgs; i++)
        assert_int_equal(rep.dgs[i].status,
                         rep.dgs[i].number == 1 ? DD_PA_DG_MISMATCH : DD_PA_DG_MATCH);
    dd_emrtd_files_free(&f);
    dd_pcsc_close(s.pc);
    remove_card(pid);
}

static void
a_copied_chip_without_the_dg15_key_fails_active_authentication(void **state)
{
    (void)state;
    pid_t pid = insert_card("good", bac_info, "clone.pem", 0);
    struct session s;
    open_session(&s, true);
    assert_int_equal(dd_emrtd_bac(&s.e, bac_info), DD_OK);
    struct dd_emrtd_files f;
    assert_int_equal(dd_emrtd_read_all(&s.e, &f), DD_OK);
    struct dd_pa_report rep;
    pa_of(&f, &rep, DD_OK); /* the copied files pass passive authentication */
    struct dd_aa_result aa;
    assert_int_equal(dd_emrtd_active_auth(&s.e, f.dg[15], f.dg_len[15], NULL, 0, &aa), DD_EDENIED);
    assert_int_equal(aa.result, DD_PA_FAIL);
    dd_emrtd_files_free(&f);
    dd_pcsc_close(s.pc);
    remove_card(pid);
}

/* --- chip authentication ------------------------------------------------------------------ */

static void
chip_auth(bool pace_first, const char *chip_key, int want)
{
    chip_ca_key = chip_key;
    pid_t pid = insert_chip(pace_first ? "pace" : "good", bac_info, NULL, NULL, 0);
    chip_ca_key = "ca-key.pem";
    struct session s;
    char err[256];
    struct dd_pcsc_options o = {.reader = 0, .card_wait_ms = 5000, .extended = true};
    assert_int_equal(dd_pcsc_open(&o, &s.pc, &s.t, err, sizeof err), DD_OK);
    dd_emrtd_init(&s.e, &s.t, true);
    struct dd_emrtd_access acc;
    assert_int_equal(dd_emrtd_open(&s.e, bac_info, NULL, &acc), DD_OK);
    assert_string_equal(s.e.access, pace_first ? "PACE" : "BAC");
    struct dd_emrtd_files f;
    assert_int_equal(dd_emrtd_read_all(&s.e, &f), DD_OK);
    struct dd_ca_result r;
    assert_int_equal(dd_emrtd_chip_auth(&s.e, f.dg[14], f.dg_len[14], f.com, f.com_len, &r), want);
    assert_string_equal(r.protocol, "ecdh-aes-cbc-cmac-128");
    if (want == DD_OK) {
        assert_int_equal(r.result, DD_PA_PASS);
        assert_int_equal(s.e.sm.cipher, DD_SM_AES128);
        /* The session goes on under the new keys. */
        unsigned char *dg1;
        size_t n;
        assert_int_equal(dd_emrtd_read_file(&s.e, dd_emrtd_dg_fid(1), &dg1, &n), DD_OK);
        assert_memory_equal(dg1, card.dg1, sizeof card.dg1);
        free(dg1);
    } else {
        assert_int_equal(r.result, DD_PA_FAIL);
        assert_non_null(strstr(r.detail, "does not hold the private key of DG14"));
    }
    dd_emrtd_files_free(&f);
    dd_pcsc_close(s.pc);
    remove_card(pid);
}

static void
chip_authentication_after_bac_proves_the_dg14_key(void **state)
{
    (void)state;
    chip_auth(false, "ca-key.pem", DD_OK);
}

static void
chip_authentication_after_pace_proves_the_dg14_key(void **state)
{
    (void)state;
    chip_auth(true, "ca-key.pem", DD_OK);
}

static void
a_copied_chip_without_the_dg14_key_fails_chip_authentication(void **state)
{
    (void)state;
    chip_auth(false, "clone-ca-key.pem", DD_EDENIED);
}

/* --- PACE --------------------------------------------------------------------------------- */

static void
read_over(struct session *s, struct dd_emrtd_files *f)
{
    int rc = dd_emrtd_read_all(&s->e, f);
    if (rc != DD_OK)
        fail_msg("read: %s / %s", s->e.error, dd_pcsc_error(s->pc));
    assert_memory_equal(f->dg[2], card.dg2, card.dg2_len);
    struct dd_pa_report rep;
    pa_of(f, &rep, DD_OK);
}

static void
pace(const char *mrz, const char *can, const char *chip_can, int want, const char *access,
     bool fell_back)
{
    pid_t pid = insert_chip("pace", bac_info, chip_can, NULL, 0);
    struct session s;
    char err[256];
    struct dd_pcsc_options o = {.reader = 0, .card_wait_ms = 5000, .extended = true};
    assert_int_equal(dd_pcsc_open(&o, &s.pc, &s.t, err, sizeof err), DD_OK);
    dd_emrtd_init(&s.e, &s.t, true);
    struct dd_emrtd_access acc;
    int rc = dd_emrtd_open(&s.e, mrz, can, &acc);
    if (rc != want)
        fail_msg("dd_emrtd_open: %d, wanted %d: %s", rc, want, s.e.error);
    assert_true(acc.pace_offered && acc.pace_tried);
    assert_int_equal(acc.fell_back, fell_back);
    if (rc == DD_OK) {
        assert_string_equal(s.e.access, access);
        if (strcmp(access, "PACE") == 0)
            assert_int_equal(s.e.sm.cipher, DD_SM_AES128);
        else
            assert_int_equal(acc.pace_rc, DD_EDENIED);
        struct dd_emrtd_files f;
        read_over(&s, &f);
        dd_emrtd_files_free(&f);
    } else {
        assert_non_null(strstr(s.e.error, "wrong MRZ or CAN"));
    }
    dd_pcsc_close(s.pc);
    remove_card(pid);
}

static void
pace_with_the_mrz_gives_aes_secure_messaging(void **state)
{
    (void)state;
    pace(bac_info, NULL, NULL, DD_OK, "PACE", false);
}

static void
pace_with_the_can_gives_aes_secure_messaging(void **state)
{
    (void)state;
    pace(NULL, "012345", "012345", DD_OK, "PACE", false);
}

static void
a_wrong_can_is_refused_and_without_an_mrz_there_is_no_fallback(void **state)
{
    (void)state;
    pace(NULL, "012346", "012345", DD_EDENIED, NULL, false);
}

static void
a_failed_pace_falls_back_to_bac_with_the_mrz(void **state)
{
    (void)state;
    pace(bac_info, "999999", "012345", DD_OK, "BAC", true);
}

/* --- the command line ---------------------------------------------------------------------- */

/* Runs build/asan/dinhdanh with args; stdout into tmpdir/out.json. Returns the exit status. */
static int
run_cli(char **args, int nargs)
{
    char exe[600], out[128];
    snprintf(exe, sizeof exe, "%s/../dinhdanh", bindir);
    snprintf(out, sizeof out, "%s/out.json", tmpdir);
    unlink(out);
    char *argv[16] = {exe};
    for (int i = 0; i < nargs; i++)
        argv[i + 1] = args[i];
    argv[nargs + 1] = NULL;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(fd, 1);
        char err[128];
        snprintf(err, sizeof err, "%s/cli.err", tmpdir);
        int fe = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(fe, 2);
        execv(exe, argv);
        _exit(127);
    }
    int st;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Runs the command and fails the test, showing its standard error, unless it exits `want`. */
static void
expect_cli(char **args, int nargs, int want)
{
    int got = run_cli(args, nargs);
    if (got == want)
        return;
    char path[128], err[2048] = "";
    snprintf(path, sizeof path, "%s/cli.err", tmpdir);
    FILE *f = fopen(path, "r");
    if (f) {
        size_t n = fread(err, 1, sizeof err - 1, f);
        err[n] = '\0';
        fclose(f);
    }
    fail_msg("dinhdanh %s %s exited %d, expected %d: %s", args[0], args[1], got, want, err);
}

static json_t *
cli_json(void)
{
    char path[128];
    snprintf(path, sizeof path, "%s/out.json", tmpdir);
    json_error_t e;
    json_t *j = json_load_file(path, 0, &e);
    if (!j)
        fail_msg("card read printed no JSON: %s", e.text);
    return j;
}

static void
card_read_prints_the_card_and_saves_files_card_verify_accepts(void **state)
{
    (void)state;
    pid_t pid = insert_card("good", bac_info, "aa.pem", 0);
    char outdir[128], csca[128];
    snprintf(outdir, sizeof outdir, "%s/saved", tmpdir);
    snprintf(csca, sizeof csca, "%s/csca.pem", tmpdir);
    char *args[] = {"card", "read",   "--reader", "0",         "--mrz", (char *)mrz_text, "--out",
                    outdir, "--csca", csca,       "--timeout", "60",    "--extended"};
    expect_cli(args, 13, 0);
    json_t *j = cli_json();
    assert_true(json_is_true(json_object_get(j, "ok")));
    assert_string_equal(json_string_value(json_object_get(j, "access_control")), "BAC");
    json_t *dg1 = json_object_get(j, "dg1"), *dg13 = json_object_get(j, "dg13");
    assert_string_equal(json_string_value(json_object_get(dg1, "id_number")), "001099012345");
    assert_string_equal(json_string_value(json_object_get(dg13, "full_name")), "Nguyễn Văn An");
    assert_string_equal(json_string_value(json_object_get(dg13, "birth_date")), "1999-01-15");
    assert_string_equal(json_string_value(json_object_get(dg13, "father_name")), "Nguyễn Văn Bình");
    assert_true(json_is_null(json_object_get(dg13, "spouse_name")));
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "dg2"), "format")),
                        "jpeg");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(j, "active_authentication"), "result")),
        "pass");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(j, "chip_authentication"), "result")),
        "pass");
    assert_true(json_is_true(json_object_get(json_object_get(j, "passive_authentication"), "ok")));
    json_decref(j);
    remove_card(pid);

    /* The saved files are what `card verify` reads. */
    char *vargs[] = {"card", "verify", outdir, "--csca", csca};
    expect_cli(vargs, 5, 0);
    char face[160];
    snprintf(face, sizeof face, "%s/face.jpg", outdir);
    struct stat st;
    assert_int_equal(stat(face, &st), 0);
    assert_int_equal((size_t)st.st_size, card.jpeg_len);
}

static void
card_read_with_the_can_uses_pace(void **state)
{
    (void)state;
    pid_t pid = insert_chip("pace", bac_info, "012345", "aa.pem", 0);
    char csca[128];
    snprintf(csca, sizeof csca, "%s/csca.pem", tmpdir);
    char *args[] = {"card", "read", "--can", "012345", "--csca", csca, "--extended"};
    expect_cli(args, 7, 0);
    json_t *j = cli_json();
    assert_string_equal(json_string_value(json_object_get(j, "access_control")), "PACE");
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "pace"), "result")),
                        "pass");
    assert_true(json_is_true(json_object_get(j, "ok")));
    json_decref(j);
    /* A CAN that is not 6 digits is refused before the reader is touched. */
    char *bad[] = {"card", "read", "--can", "01234"};
    expect_cli(bad, 4, 1);
    j = cli_json();
    assert_string_equal(json_string_value(json_object_get(j, "stage")), "can");
    json_decref(j);
    remove_card(pid);
}

static void
card_read_with_a_wrong_mrz_exits_1_naming_bac(void **state)
{
    (void)state;
    pid_t pid = insert_card("good", wrong_info, NULL, 0);
    char *args[] = {"card", "read", "--mrz", (char *)mrz_text, "--timeout", "30"};
    expect_cli(args, 6, 1);
    json_t *j = cli_json();
    assert_string_equal(json_string_value(json_object_get(j, "stage")), "access");
    assert_non_null(strstr(json_string_value(json_object_get(j, "error")), "BAC refused"));
    json_decref(j);
    remove_card(pid);
    /* No reader 3, and no card within --wait: clear errors. */
    char *args3[] = {"card", "read", "--reader", "3", "--mrz", (char *)mrz_text};
    expect_cli(args3, 6, 1);
    j = cli_json();
    assert_non_null(strstr(json_string_value(json_object_get(j, "error")), "no reader 3"));
    json_decref(j);
    char *args4[] = {"card", "read", "--mrz", (char *)mrz_text, "--wait", "1"};
    expect_cli(args4, 6, 1);
    j = cli_json();
    assert_non_null(strstr(json_string_value(json_object_get(j, "error")), "no card on reader 0"));
    json_decref(j);
}

int
main(void)
{
    if (isolate() != 0) {
        fprintf(stderr, "# test_card_read cannot make its own namespaces\n");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_good_card_reads_and_passes_passive_and_active_authentication),
        cmocka_unit_test(extended_length_reads_give_the_same_files_in_fewer_commands),
        cmocka_unit_test(a_wrong_mrz_is_refused_by_bac),
        cmocka_unit_test(a_card_removed_mid_read_is_a_clear_error_without_a_hang),
        cmocka_unit_test(a_tampered_data_group_fails_its_hash),
        cmocka_unit_test(a_copied_chip_without_the_dg15_key_fails_active_authentication),
        cmocka_unit_test(chip_authentication_after_bac_proves_the_dg14_key),
        cmocka_unit_test(chip_authentication_after_pace_proves_the_dg14_key),
        cmocka_unit_test(a_copied_chip_without_the_dg14_key_fails_chip_authentication),
        cmocka_unit_test(pace_with_the_mrz_gives_aes_secure_messaging),
        cmocka_unit_test(pace_with_the_can_gives_aes_secure_messaging),
        cmocka_unit_test(a_wrong_can_is_refused_and_without_an_mrz_there_is_no_fallback),
        cmocka_unit_test(a_failed_pace_falls_back_to_bac_with_the_mrz),
        cmocka_unit_test(card_read_prints_the_card_and_saves_files_card_verify_accepts),
        cmocka_unit_test(card_read_with_the_can_uses_pace),
        cmocka_unit_test(card_read_with_a_wrong_mrz_exits_1_naming_bac),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

/*
 * keys.c — the provider's signing keys: EC P-256 private keys in DATA_DIR/sso-keys/<kid>.pem
 * (mode 0600), the newest being the current one. A kid starts with its creation time
 * (`1764406800-3fa2c1d0`), so names sort by age and a key's retirement is the creation of the
 * next one. A retired key stays in the JWKS for SSO_KEY_PUBLISH_MORE seconds, longer than any
 * token it signed lives, and `keys rotate` deletes files retired more than a day ago.
 *
 * The server reads the folder at start and looks at its modification time at most every five
 * seconds (a stat, never a file read per request), so that `dinhdanh keys rotate` on the host
 * takes effect in a running server. Keys are swapped under a read-write lock; a signer holds a
 * reference to the EVP_PKEY it uses.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/dir.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/str.h"
#include "crypto/hash.h"
#include "sso/internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/pem.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_KEYS       32
#define RECHECK_MS     5000
#define DELETE_AFTER_S 86400
#define PAIRWISE_FILE  "pairwise.secret"

struct key {
    char kid[64];
    int64_t created; /* seconds */
    int64_t retired; /* seconds; 0 for the current key */
    EVP_PKEY *pkey;
};

struct keyset {
    struct key keys[MAX_KEYS]; /* oldest first */
    int n;
};

static pthread_rwlock_t lock = PTHREAD_RWLOCK_INITIALIZER;
static struct keyset loaded;
static char keys_dir[600];
static struct timespec dir_mtime;
static atomic_llong next_check_ms;

static void
keyset_free(struct keyset *ks)
{
    for (int i = 0; i < ks->n; i++)
        EVP_PKEY_free(ks->keys[i].pkey);
    ks->n = 0;
}

static int
kid_compare(const void *a, const void *b)
{
    return strcmp(((const struct key *)a)->kid, ((const struct key *)b)->kid);
}

static bool
kid_file(const char *name, char kid[64])
{
    size_t n = strlen(name);
    if (n < 16 || n >= 60 || strcmp(name + n - 4, ".pem") != 0 || name[10] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (name[i] < '0' || name[i] > '9')
            return false;
    memcpy(kid, name, n - 4);
    kid[n - 4] = '\0';
    return true;
}

static EVP_PKEY *
read_pem(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return NULL;
    EVP_PKEY *k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    return k;
}

/* Reads every <kid>.pem of dir into ks, oldest first, with retirement times. */
static int
keyset_read(const char *dir, struct keyset *ks, char *err, size_t errlen)
{
    ks->n = 0;
    DIR *d = opendir(dir);
    if (d == NULL) {
        snprintf(err, errlen, "cannot read %s: %s", dir, strerror(errno));
        return DD_EIO;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL && ks->n < MAX_KEYS) {
        struct key k = {0};
        if (!kid_file(e->d_name, k.kid))
            continue;
        char path[800];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        k.pkey = read_pem(path);
        if (k.pkey == NULL) {
            dd_log(DD_LOG_WARN, "sso.key_unreadable", "signing key %s cannot be read", path);
            continue;
        }
        int64_t created = 0;
        char secs[11];
        memcpy(secs, k.kid, 10);
        secs[10] = '\0';
        dd_parse_int64(secs, 0, INT64_MAX, &created);
        k.created = created;
        ks->keys[ks->n++] = k;
    }
    closedir(d);
    qsort(ks->keys, (size_t)ks->n, sizeof ks->keys[0], kid_compare);
    for (int i = 0; i + 1 < ks->n; i++)
        ks->keys[i].retired = ks->keys[i + 1].created;
    return DD_OK;
}

/* Makes a new P-256 key file; writes its kid. */
static int
key_create(const char *dir, char kid[64], char *err, size_t errlen)
{
    if (dd_dir_make(dir, err, errlen) != DD_OK)
        return DD_EIO;
    unsigned char rnd[4];
    dd_random_bytes(rnd, sizeof rnd);
    char hex[9];
    dd_hex_encode(rnd, sizeof rnd, hex);
    snprintf(kid, 64, "%010lld-%s", (long long)(dd_clock_now_ms() / 1000), hex);
    EVP_PKEY *k = EVP_EC_gen("P-256");
    if (k == NULL) {
        snprintf(err, errlen, "cannot make an EC P-256 key");
        return DD_EINTERNAL;
    }
    char path[800];
    snprintf(path, sizeof path, "%s/%s.pem", dir, kid);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    int ok = f && PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL) == 1;
    if (f)
        ok = fclose(f) == 0 && ok;
    else if (fd >= 0)
        close(fd);
    EVP_PKEY_free(k);
    if (!ok) {
        snprintf(err, errlen, "cannot write %s", path);
        unlink(path);
        return DD_EIO;
    }
    return DD_OK;
}

static void
dir_of(const char *data_dir, char *out, size_t outlen)
{
    snprintf(out, outlen, "%s/sso-keys", data_dir);
}

/* Reads (or makes) the pairwise-subject secret. */
static int
pairwise_load(const char *dir, unsigned char key[32], char *err, size_t errlen)
{
    char path[800];
    snprintf(path, sizeof path, "%s/%s", dir, PAIRWISE_FILE);
    FILE *f = fopen(path, "rb");
    if (f) {
        size_t n = fread(key, 1, 32, f);
        fclose(f);
        if (n == 32)
            return DD_OK;
        snprintf(err, errlen, "%s is not 32 bytes long", path);
        return DD_EIO;
    }
    dd_random_bytes(key, 32);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    bool ok = fd >= 0 && write(fd, key, 32) == 32;
    if (fd >= 0)
        ok = close(fd) == 0 && ok;
    if (!ok) {
        snprintf(err, errlen, "cannot write %s", path);
        return DD_EIO;
    }
    return DD_OK;
}

static void
remember_mtime(void)
{
    struct stat st;
    if (stat(keys_dir, &st) == 0)
        dir_mtime = st.st_mtim;
}

int
sso_keys_load(const char *data_dir, char *err, size_t errlen)
{
    dir_of(data_dir, keys_dir, sizeof keys_dir);
    if (dd_dir_make(keys_dir, err, errlen) != DD_OK)
        return DD_EIO;
    struct keyset ks;
    if (keyset_read(keys_dir, &ks, err, errlen) != DD_OK)
        return DD_EIO;
    if (ks.n == 0) {
        char kid[64];
        if (key_create(keys_dir, kid, err, errlen) != DD_OK)
            return DD_EIO;
        dd_log(DD_LOG_INFO, "sso.key_created", "first signing key %s", kid);
        if (keyset_read(keys_dir, &ks, err, errlen) != DD_OK || ks.n == 0)
            return DD_EIO;
    }
    if (pairwise_load(keys_dir, sso_settings.pairwise_key, err, errlen) != DD_OK) {
        keyset_free(&ks);
        return DD_EIO;
    }
    pthread_rwlock_wrlock(&lock);
    keyset_free(&loaded);
    loaded = ks;
    remember_mtime();
    pthread_rwlock_unlock(&lock);
    atomic_store(&next_check_ms, dd_clock_now_ms() + RECHECK_MS);
    return DD_OK;
}

void
sso_keys_unload(void)
{
    pthread_rwlock_wrlock(&lock);
    keyset_free(&loaded);
    pthread_rwlock_unlock(&lock);
}

/* Re-reads the folder when it changed, at most every RECHECK_MS. */
static void
maybe_reload(void)
{
    int64_t now = dd_clock_now_ms();
    long long due = atomic_load(&next_check_ms);
    if (now < due || !atomic_compare_exchange_strong(&next_check_ms, &due, now + RECHECK_MS))
        return;
    struct stat st;
    if (stat(keys_dir, &st) != 0 ||
        (st.st_mtim.tv_sec == dir_mtime.tv_sec && st.st_mtim.tv_nsec == dir_mtime.tv_nsec))
        return;
    struct keyset ks;
    char err[300];
    if (keyset_read(keys_dir, &ks, err, sizeof err) != DD_OK || ks.n == 0) {
        dd_log(DD_LOG_WARN, "sso.keys_reload_failed", "keeping the loaded keys: %s", err);
        return;
    }
    pthread_rwlock_wrlock(&lock);
    keyset_free(&loaded);
    loaded = ks;
    dir_mtime = st.st_mtim;
    pthread_rwlock_unlock(&lock);
    dd_log(DD_LOG_INFO, "sso.keys_reloaded", "signing keys reloaded: current %s",
           ks.keys[ks.n - 1].kid);
}

int
sso_key_current(EVP_PKEY **key, char kid[64])
{
    maybe_reload();
    pthread_rwlock_rdlock(&lock);
    int rc = DD_EUNAVAIL;
    if (loaded.n > 0) {
        struct key *k = &loaded.keys[loaded.n - 1];
        EVP_PKEY_up_ref(k->pkey);
        *key = k->pkey;
        memcpy(kid, k->kid, 64);
        rc = DD_OK;
    }
    pthread_rwlock_unlock(&lock);
    return rc;
}

static bool
published(const struct key *k, int64_t now_s)
{
    return k->retired == 0 || now_s < k->retired + SSO_KEY_PUBLISH_MORE;
}

EVP_PKEY *
sso_key_find(const char *kid)
{
    if (kid == NULL)
        return NULL;
    maybe_reload();
    int64_t now = dd_clock_now_ms() / 1000;
    EVP_PKEY *found = NULL;
    pthread_rwlock_rdlock(&lock);
    for (int i = 0; i < loaded.n; i++) {
        if (strcmp(loaded.keys[i].kid, kid) == 0 && published(&loaded.keys[i], now)) {
            found = loaded.keys[i].pkey;
            EVP_PKEY_up_ref(found);
        }
    }
    pthread_rwlock_unlock(&lock);
    return found;
}

static json_t *
jwks_of(const struct keyset *ks, int64_t now)
{
    json_t *keys = json_array();
    for (int i = ks->n - 1; i >= 0; i--) {
        if (!published(&ks->keys[i], now))
            continue;
        json_t *jwk = dd_jwk_public_ec(ks->keys[i].pkey, ks->keys[i].kid);
        if (jwk)
            json_array_append_new(keys, jwk);
    }
    return json_pack("{s:o}", "keys", keys);
}

const char *
sso_jwks_text(struct dd_arena *a)
{
    maybe_reload();
    pthread_rwlock_rdlock(&lock);
    json_t *doc = jwks_of(&loaded, dd_clock_now_ms() / 1000);
    pthread_rwlock_unlock(&lock);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    const char *copy = dd_arena_strdup(a, text ? text : "{\"keys\":[]}");
    free(text);
    return copy;
}

/* ---- the command line ---- */

int
dd_sso_keys_rotate(const char *data_dir, FILE *out, char *err, size_t errlen)
{
    char dir[600];
    dir_of(data_dir, dir, sizeof dir);
    if (dd_dir_make(dir, err, errlen) != DD_OK)
        return DD_EIO;
    struct keyset ks;
    if (keyset_read(dir, &ks, err, errlen) != DD_OK)
        return DD_EIO;
    char previous[64] = "";
    if (ks.n > 0)
        dd_strlcpy(previous, ks.keys[ks.n - 1].kid, sizeof previous);
    char kid[64];
    /* Two rotations within one second would give kids that do not sort by age. */
    while (ks.n > 0 && dd_clock_now_ms() / 1000 <= ks.keys[ks.n - 1].created)
        usleep(100 * 1000);
    int rc = key_create(dir, kid, err, errlen);
    if (rc == DD_OK) {
        int64_t now = dd_clock_now_ms() / 1000;
        for (int i = 0; i < ks.n; i++) {
            int64_t retired = ks.keys[i].retired ? ks.keys[i].retired : now;
            if (now - retired > DELETE_AFTER_S) {
                char path[800];
                snprintf(path, sizeof path, "%s/%s.pem", dir, ks.keys[i].kid);
                unlink(path);
            }
        }
        json_t *o = json_pack("{s:s, s:s?}", "kid", kid, "previous", previous[0] ? previous : NULL);
        if (!previous[0])
            json_object_set_new(o, "previous", json_null());
        char *text = json_dumps(o, JSON_COMPACT);
        fprintf(out, "%s\n", text);
        free(text);
        json_decref(o);
    }
    keyset_free(&ks);
    return rc;
}

int
dd_sso_keys_list(const char *data_dir, FILE *out, char *err, size_t errlen)
{
    char dir[600];
    dir_of(data_dir, dir, sizeof dir);
    struct keyset ks = {0};
    struct stat st;
    if (stat(dir, &st) == 0 && keyset_read(dir, &ks, err, errlen) != DD_OK)
        return DD_EIO;
    int64_t now = dd_clock_now_ms() / 1000;
    json_t *keys = json_array();
    for (int i = ks.n - 1; i >= 0; i--) {
        char created[32];
        dd_clock_iso8601(ks.keys[i].created * 1000, created);
        json_array_append_new(keys,
                              json_pack("{s:s, s:s, s:b, s:b}", "kid", ks.keys[i].kid, "created_at",
                                        created, "current", ks.keys[i].retired == 0, "published",
                                        published(&ks.keys[i], now)));
    }
    json_t *o = json_pack("{s:o}", "keys", keys);
    char *text = json_dumps(o, JSON_COMPACT);
    fprintf(out, "%s\n", text);
    free(text);
    json_decref(o);
    keyset_free(&ks);
    return DD_OK;
}

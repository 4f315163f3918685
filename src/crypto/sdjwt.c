/*
 * sdjwt.c — SD-JWT disclosures: making them, splitting a presented SD-JWT, and checking each
 * disclosure against the issuer-signed "_sd" digests (see sdjwt.h).
 */
#include "crypto/sdjwt.h"
#include "base/arena.h"
#include "base/err.h"
#include "base/json.h"
#include "crypto/hash.h"
#include "crypto/jws.h"

#include <string.h>

void
dd_sdjwt_digest(const char *text, size_t n, char out[44])
{
    unsigned char h[DD_SHA256_LEN];
    dd_sha256(text, n, h);
    dd_b64url_encode(h, sizeof h, out, 44);
}

void
dd_sdjwt_disclose(struct dd_arena *a, const char *name, const json_t *value,
                  struct dd_sd_disclosure *out)
{
    unsigned char salt[16];
    char salt_text[32];
    dd_random_bytes(salt, sizeof salt);
    dd_b64url_encode(salt, sizeof salt, salt_text, sizeof salt_text);
    json_t *arr = json_pack("[s, s, O]", salt_text, name, value);
    const char *json = dd_json_dump(a, arr);
    json_decref(arr);
    size_t n = strlen(json), cap = DD_B64URL_LEN(n) + 1;
    char *text = dd_arena_alloc(a, cap);
    dd_b64url_encode(json, n, text, cap);
    out->text = text;
    out->name = dd_arena_strdup(a, name);
    out->value = dd_json_keep(a, json_deep_copy(value));
    dd_sdjwt_digest(text, strlen(text), out->digest);
}

/* Decodes one disclosure's text into d. */
static int
decode_disclosure(struct dd_arena *a, const char *text, size_t n, struct dd_sd_disclosure *d)
{
    size_t cap = n / 4 * 3 + 3, len;
    unsigned char *bytes = dd_arena_alloc(a, cap + 1);
    if (n == 0 || dd_b64url_decode(text, n, bytes, cap, &len) != DD_OK)
        return DD_EINVAL;
    struct dd_json_error err;
    json_t *arr = dd_json_parse(a, (const char *)bytes, len, NULL, &err);
    if (!json_is_array(arr) || json_array_size(arr) != 3 ||
        !json_is_string(json_array_get(arr, 0)) || !json_is_string(json_array_get(arr, 1)))
        return DD_EINVAL;
    d->text = dd_arena_strndup(a, text, n);
    d->name = json_string_value(json_array_get(arr, 1));
    d->value = json_array_get(arr, 2);
    dd_sdjwt_digest(text, n, d->digest);
    return DD_OK;
}

int
dd_sdjwt_split(struct dd_arena *a, const char *text, struct dd_sdjwt *out)
{
    memset(out, 0, sizeof *out);
    size_t len = text ? strnlen(text, DD_SDJWT_MAX + 1) : 0;
    const char *tilde = text ? memchr(text, '~', len) : NULL;
    if (len == 0 || len > DD_SDJWT_MAX || tilde == NULL)
        return DD_EINVAL;
    out->jwt = dd_arena_strndup(a, text, (size_t)(tilde - text));
    out->d = dd_arena_alloc(a, DD_SDJWT_MAX_DISCLOSURE * sizeof *out->d);
    const char *p = tilde + 1, *end = text + len;
    while (p < end) {
        const char *next = memchr(p, '~', (size_t)(end - p));
        if (next == NULL) { /* the last part, without a tilde after it: a key-binding JWT */
            out->kb = dd_arena_strndup(a, p, (size_t)(end - p));
            break;
        }
        if (out->n == DD_SDJWT_MAX_DISCLOSURE ||
            decode_disclosure(a, p, (size_t)(next - p), &out->d[out->n]) != DD_OK)
            return DD_EINVAL;
        out->n++;
        p = next + 1;
    }
    return DD_OK;
}

static int
digest_listed(const json_t *sd, const char *digest)
{
    size_t i;
    json_t *v;
    json_array_foreach(sd, i, v)
    {
        if (json_is_string(v) && strcmp(json_string_value(v), digest) == 0)
            return 1;
    }
    return 0;
}

int
dd_sdjwt_resolve(struct dd_arena *a, const json_t *payload, const struct dd_sdjwt *s,
                 json_t **claims)
{
    const json_t *sd = json_object_get(payload, "_sd");
    const char *alg = json_string_value(json_object_get(payload, "_sd_alg"));
    if ((sd != NULL && !json_is_array(sd)) || (alg != NULL && strcmp(alg, "sha-256") != 0) ||
        (s->n > 0 && (sd == NULL || alg == NULL)))
        return DD_EINVAL;
    json_t *out = dd_json_keep(a, json_deep_copy(payload));
    json_object_del(out, "_sd");
    json_object_del(out, "_sd_alg");
    for (int i = 0; i < s->n; i++) {
        const struct dd_sd_disclosure *d = &s->d[i];
        if (!digest_listed(sd, d->digest) || d->name[0] == '\0' || strcmp(d->name, "_sd") == 0 ||
            strcmp(d->name, "...") == 0 || json_object_get(out, d->name) != NULL)
            return DD_EINVAL;
        for (int j = 0; j < i; j++)
            if (strcmp(s->d[j].digest, d->digest) == 0)
                return DD_EINVAL;
        json_object_set(out, d->name, d->value);
    }
    *claims = out;
    return DD_OK;
}

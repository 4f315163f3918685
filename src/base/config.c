/* config.c — one table of settings, read from file, environment and flags. */
#include "base/config.h"
#include "base/err.h"
#include "base/log.h"
#include "base/str.h"

#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum setting_type { SET_STRING, SET_LONG, SET_BOOL, SET_LISTEN, SET_DB, SET_LEVEL };

struct setting {
    const char *key;
    enum setting_type type;
    size_t offset;
    size_t size; /* strings: capacity */
    long min, max;
    const char *help;
};

#define STR(k, f, t, h)                                                                            \
    {                                                                                              \
        k, t, offsetof(struct dd_config, f), sizeof(((struct dd_config *)0)->f), 0, 0, h           \
    }
#define NUM(k, f, lo, hi, h)                                                                       \
    {                                                                                              \
        k, SET_LONG, offsetof(struct dd_config, f), 0, lo, hi, h                                   \
    }
#define BOOL(k, f, h)                                                                              \
    {                                                                                              \
        k, SET_BOOL, offsetof(struct dd_config, f), 0, 0, 0, h                                     \
    }

static const struct setting settings[] = {
    STR("listen", listen, SET_LISTEN, "address and port to serve on (127.0.0.1:8080)"),
    STR("db", db, SET_DB, "database: sqlite:PATH or postgres://USER@HOST:PORT/NAME"),
    STR("data-dir", data_dir, SET_STRING, "folder for the database and TLS files (var)"),
    STR("web-dir", web_dir, SET_STRING, "folder of the web UI (web)"),
    STR("log-level", log_level, SET_LEVEL, "debug, info, warn or error (info)"),
    NUM("threads", threads, 0, 256, "worker threads, 0 for one per core (0)"),
    NUM("max-body", max_body, 1024, 64L * 1024 * 1024, "largest request body in bytes (1048576)"),
    NUM("upload-max-bytes", upload_max_bytes, 1024, 64L * 1024 * 1024,
        "largest uploaded scan in bytes, streamed to a file while received (10485760)"),
    NUM("max-connections", max_connections, 1, 100000, "open connections at once (1024)"),
    NUM("timeout", timeout, 1, 3600, "seconds before an idle or slow connection is closed (30)"),
    NUM("shutdown-grace", shutdown_grace, 0, 600, "seconds to finish requests on SIGTERM (10)"),
    NUM("db-timeout-ms", db_timeout_ms, 0, 600000,
        "milliseconds to wait for a locked database (5000)"),
    BOOL("tls", tls, "serve HTTPS with DATA_DIR/tls/cert.pem and key.pem (off)"),
    BOOL("access-log", access_log, "write one JSON line per request (on)"),
    NUM("read-log-flush-ms", read_log_flush_ms, 1, 10000,
        "commit reads' rows of the personal-data access log at least this often, in ms (500)"),
    NUM("password-opslimit", password_opslimit, 1, 16,
        "Argon2id passes for new password hashes (2)"),
    NUM("password-memlimit-kib", password_memlimit_kib, 1024, 4L * 1024 * 1024,
        "Argon2id memory for new password hashes in KiB (19456; lower only for tests)"),
    STR("soc-rules", soc_rules, SET_STRING,
        "the security operations centre's detection rules, reloaded on SIGHUP "
        "(data/soc-rules.json)"),
    STR("totp-issuer", totp_issuer, SET_STRING,
        "issuer name shown by authenticator apps (dinhdanh)"),
    STR("notify-adapter", notify_adapter, SET_STRING,
        "where notices go: console, file (DATA_DIR/notify/outbox.jsonl) or smtp (console)"),
    STR("notify-from", notify_from, SET_STRING, "sender address of e-mail notices"),
    STR("notify-smtp-host", notify_smtp_host, SET_STRING, "SMTP server for notices (localhost)"),
    NUM("notify-smtp-port", notify_smtp_port, 1, 65535, "SMTP server port (587)"),
    STR("notify-smtp-user", notify_smtp_user, SET_STRING, "SMTP user name; none: no AUTH"),
    STR("notify-smtp-password", notify_smtp_password, SET_STRING, "SMTP password"),
    BOOL("notify-smtp-tls", notify_smtp_tls, "require STARTTLS with the SMTP server (on)"),
    NUM("notify-smtp-timeout", notify_smtp_timeout, 1, 300,
        "seconds to connect and to wait for each SMTP reply (10)"),
    NUM("login-delay-ms", login_delay_ms, 1, 60000,
        "unit of the growing delays after failed logins, in ms (1000; lower only for tests)"),
    NUM("login-network-failures", login_network_failures, 1, 100000,
        "failed logins from one network (/24) in an hour before its delays start (50)"),
    STR("issuer", issuer, SET_STRING,
        "OpenID Connect issuer URL, as clients reach the server (http://LISTEN)"),
    STR("card-csca", card_csca, SET_STRING,
        "CSCA certificates for chip ID cards: a folder or an ICAO master list (none)"),
    BOOL("pay-sandbox", pay_sandbox, "serve the local sandbox payment gateway (off)"),
    STR("pay-vnpay-url", pay_vnpay_url, SET_STRING,
        "the payment gateway's pay page (the sandbox's when pay-sandbox is on)"),
    STR("pay-vnpay-tmn-code", pay_vnpay_tmn_code, SET_STRING,
        "merchant code at the payment gateway (DINHDANH)"),
    STR("pay-vnpay-secret", pay_vnpay_secret, SET_STRING,
        "HMAC-SHA512 key shared with the payment gateway; none: gateway payments off"),
    STR("pay-webhook-secret", pay_webhook_secret, SET_STRING,
        "HMAC-SHA256 key of the bank's transfer webhook; none: webhook off"),
    STR("pay-bank-bin", pay_bank_bin, SET_STRING,
        "bank BIN (6 digits) of the collection account, for VietQR; none: VietQR off"),
    STR("pay-bank-account", pay_bank_account, SET_STRING, "the collection account, for VietQR"),
    NUM("insight-suppress-below", insight_suppress_below, 1, 1000,
        "dashboards' exports outside the police hide counts below this (5)"),
};

#define NSETTINGS (sizeof settings / sizeof settings[0])

void
dd_config_defaults(struct dd_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    dd_strlcpy(cfg->listen, "127.0.0.1:8080", sizeof cfg->listen);
    dd_strlcpy(cfg->data_dir, "var", sizeof cfg->data_dir);
    dd_strlcpy(cfg->web_dir, "web", sizeof cfg->web_dir);
    dd_strlcpy(cfg->log_level, "info", sizeof cfg->log_level);
    cfg->threads = 0;
    cfg->max_body = 1024 * 1024;
    cfg->upload_max_bytes = 10L * 1024 * 1024;
    cfg->max_connections = 1024;
    cfg->timeout = 30;
    cfg->shutdown_grace = 10;
    cfg->db_timeout_ms = 5000;
    cfg->tls = false;
    cfg->access_log = true;
    cfg->read_log_flush_ms = 500;
    cfg->password_opslimit = 2;
    cfg->password_memlimit_kib = 19456;
    dd_strlcpy(cfg->totp_issuer, "dinhdanh", sizeof cfg->totp_issuer);
    dd_strlcpy(cfg->soc_rules, "data/soc-rules.json", sizeof cfg->soc_rules);
    dd_strlcpy(cfg->notify_adapter, "console", sizeof cfg->notify_adapter);
    dd_strlcpy(cfg->notify_from, "dinhdanh@localhost", sizeof cfg->notify_from);
    dd_strlcpy(cfg->notify_smtp_host, "localhost", sizeof cfg->notify_smtp_host);
    cfg->notify_smtp_port = 587;
    cfg->notify_smtp_tls = true;
    cfg->notify_smtp_timeout = 10;
    cfg->login_delay_ms = 1000;
    cfg->login_network_failures = 50;
    cfg->insight_suppress_below = 5;
    dd_strlcpy(cfg->pay_vnpay_tmn_code, "DINHDANH", sizeof cfg->pay_vnpay_tmn_code);
}

static const struct setting *
find_setting(const char *key)
{
    for (size_t i = 0; i < NSETTINGS; i++)
        if (strcmp(settings[i].key, key) == 0)
            return &settings[i];
    return NULL;
}

static bool
valid_listen(const char *v)
{
    const char *colon = strrchr(v, ':');
    if (colon == NULL || colon == v)
        return false;
    int64_t port;
    return dd_parse_int64(colon + 1, 0, 65535, &port) == DD_OK;
}

static bool
valid_db(const char *v)
{
    if (dd_str_has_prefix(v, "sqlite:"))
        return v[7] != '\0';
    return dd_str_has_prefix(v, "postgres://") || dd_str_has_prefix(v, "postgresql://");
}

static int
parse_bool(const char *v, bool *out)
{
    static const char *const yes[] = {"1", "true", "yes", "on"};
    static const char *const no[] = {"0", "false", "no", "off"};
    for (int i = 0; i < 4; i++) {
        if (dd_str_eq_nocase(v, yes[i])) {
            *out = true;
            return DD_OK;
        }
        if (dd_str_eq_nocase(v, no[i])) {
            *out = false;
            return DD_OK;
        }
    }
    return DD_EINVAL;
}

int
dd_config_set(struct dd_config *cfg, const char *key, const char *value, char *err, size_t errlen)
{
    const struct setting *s = find_setting(key);
    if (s == NULL) {
        snprintf(err, errlen, "unknown setting '%s'", key);
        return DD_ENOTFOUND;
    }
    char *field = (char *)cfg + s->offset;
    int64_t n;
    bool ok = true;
    switch (s->type) {
    case SET_LISTEN:
        ok = valid_listen(value);
        break;
    case SET_DB:
        ok = valid_db(value);
        break;
    case SET_LEVEL:
        ok = dd_log_level_parse(value) >= 0;
        break;
    case SET_LONG:
        ok = dd_parse_int64(value, s->min, s->max, &n) == DD_OK;
        if (ok)
            *(long *)(void *)field = (long)n;
        break;
    case SET_BOOL:
        ok = parse_bool(value, (bool *)(void *)field) == DD_OK;
        break;
    case SET_STRING:
        ok = value[0] != '\0';
        break;
    }
    if (ok && s->type != SET_LONG && s->type != SET_BOOL &&
        dd_strlcpy(field, value, s->size) != DD_OK)
        ok = false;
    if (!ok && s->type == SET_LONG) {
        snprintf(err, errlen, "bad value '%s' for %s: expected a whole number from %ld to %ld",
                 value, key, s->min, s->max);
        return DD_EINVAL;
    }
    if (!ok) {
        snprintf(err, errlen, "bad value '%s' for %s: expected %s", value, key, s->help);
        return DD_EINVAL;
    }
    return DD_OK;
}

static char *
trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

int
dd_config_load_file(struct dd_config *cfg, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        snprintf(err, errlen, "cannot read config file %s", path);
        return DD_EIO;
    }
    char line[1024];
    int lineno = 0, rc = DD_OK;
    while (rc == DD_OK && fgets(line, sizeof line, f)) {
        lineno++;
        char *s = trim(line);
        if (*s == '\0' || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        if (eq == NULL) {
            snprintf(err, errlen, "%s:%d: expected 'key = value'", path, lineno);
            rc = DD_EINVAL;
            break;
        }
        *eq = '\0';
        char inner[512];
        rc = dd_config_set(cfg, trim(s), trim(eq + 1), inner, sizeof inner);
        if (rc != DD_OK)
            snprintf(err, errlen, "%s:%d: %s", path, lineno, inner);
    }
    fclose(f);
    if (rc == DD_OK)
        dd_strlcpy(cfg->config, path, sizeof cfg->config);
    return rc;
}

int
dd_config_load_env(struct dd_config *cfg, char *const *envp, char *err, size_t errlen)
{
    static const char prefix[] = "DINHDANH_";
    for (; envp && *envp; envp++) {
        if (!dd_str_has_prefix(*envp, prefix))
            continue;
        const char *name = *envp + sizeof prefix - 1;
        const char *eq = strchr(name, '=');
        if (eq == NULL)
            continue;
        char key[64];
        size_t n = (size_t)(eq - name);
        if (n >= sizeof key)
            n = sizeof key - 1;
        for (size_t i = 0; i < n; i++)
            key[i] = name[i] == '_' ? '-' : (char)tolower((unsigned char)name[i]);
        key[n] = '\0';
        if (strcmp(key, "config") == 0)
            continue; /* read before the others by the caller */
        char inner[512];
        int rc = dd_config_set(cfg, key, eq + 1, inner, sizeof inner);
        if (rc != DD_OK) {
            snprintf(err, errlen, "environment %.*s: %s", (int)(eq - *envp), *envp, inner);
            return rc;
        }
    }
    return DD_OK;
}

const char *
dd_config_key(size_t i, const char **help)
{
    if (i >= NSETTINGS)
        return NULL;
    if (help)
        *help = settings[i].help;
    return settings[i].key;
}

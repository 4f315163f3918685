/*
 * config.h — the server's settings and where they come from.
 *
 * Defaults, then a config file (`key = value` lines, `#` comments), then environment variables
 * DINHDANH_<KEY> (upper case, '-' as '_'), then command-line flags --<key>; the later wins. One
 * table of settings serves all three sources, so a setting is named the same way everywhere.
 */
#ifndef DD_BASE_CONFIG_H
#define DD_BASE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

struct dd_config {
    char listen[64];        /* ADDR:PORT */
    char db[512];           /* sqlite:PATH or postgres://… */
    char data_dir[512];     /* var/ by default: database, TLS files */
    char web_dir[512];      /* static UI */
    char config[512];       /* the file these came from, if any */
    char log_level[16];     /* debug, info, warn, error */
    long threads;           /* worker threads; 0 = number of cores */
    long max_body;          /* bytes in a request body */
    long max_connections;   /* open connections at once */
    long timeout;           /* seconds a connection may stay idle or slow */
    long shutdown_grace;    /* seconds to finish requests in flight on SIGTERM */
    long db_timeout_ms;     /* how long a locked database is waited for */
    bool tls;               /* serve HTTPS with data_dir/tls/cert.pem and key.pem */
    bool access_log;        /* one JSON line per request */
    long read_log_flush_ms; /* how often reads' access-log rows are committed */
    long upload_max_bytes;  /* largest scan a citizen uploads (services) */

    /* Identity: passwords, second factor and notices (crypto/password.h, crypto/totp.h,
     * core/notify/notify.h). */
    long password_opslimit;         /* Argon2id passes for new password hashes */
    long password_memlimit_kib;     /* Argon2id memory for new password hashes, in KiB */
    char totp_issuer[64];           /* the issuer authenticator apps show */
    char notify_adapter[16];        /* console, file or smtp */
    char notify_from[256];          /* sender address of e-mail notices */
    char notify_smtp_host[256];     /* SMTP server */
    long notify_smtp_port;          /* its port */
    char notify_smtp_user[256];     /* empty: no AUTH */
    char notify_smtp_password[256]; /* with notify_smtp_user */
    bool notify_smtp_tls;           /* STARTTLS, required unless off */
    long notify_smtp_timeout;       /* seconds for connecting and for each reply */
    long login_delay_ms;            /* unit of the growing delays after failed logins */
    long login_network_failures;    /* failed logins from one network before its delays */

    char issuer[256];    /* OpenID Connect issuer URL; "" : http(s)://<listen> (src/sso/) */
    char card_csca[512]; /* CSCA folder or master list for chip checks; "" : none */
    char soc_rules[512]; /* the SOC's detection rules (src/core/soc/, docs/SOC.md) */

    /* Payments (src/core/pay/, docs/PAYMENTS.md). */
    bool pay_sandbox;             /* serve the local sandbox gateway under /sandbox/ */
    char pay_vnpay_url[256];      /* the gateway's payment page; "" : the sandbox's */
    char pay_vnpay_tmn_code[32];  /* our merchant code at the gateway */
    char pay_vnpay_secret[128];   /* HMAC-SHA512 key shared with the gateway; "" : off */
    char pay_webhook_secret[128]; /* HMAC-SHA256 key of the bank's transfer webhook; "" : off */
    char pay_bank_bin[8];         /* the collection account's bank BIN, for VietQR */
    char pay_bank_account[32];    /* the collection account */
    long insight_suppress_below;  /* exports outside the police: counts below this hidden */
};

/* Fills every setting with its default. */
void dd_config_defaults(struct dd_config *cfg);

/* Sets one setting by name from text. DD_ENOTFOUND for an unknown name, DD_EINVAL for a bad
 * value; `err` then holds a sentence for the operator. */
int dd_config_set(struct dd_config *cfg, const char *key, const char *value, char *err,
                  size_t errlen);

/* Reads a config file. DD_EIO if it cannot be read; otherwise as dd_config_set, with the line
 * number in `err`. */
int dd_config_load_file(struct dd_config *cfg, const char *path, char *err, size_t errlen);

/* Applies every DINHDANH_<KEY> found in `envp` (NULL-terminated, like environ). Unknown
 * DINHDANH_ variables are errors too, so a typo does not pass silently. */
int dd_config_load_env(struct dd_config *cfg, char *const *envp, char *err, size_t errlen);

/* Name of the i-th setting, or NULL past the end (for help texts). */
const char *dd_config_key(size_t i, const char **help);

#endif

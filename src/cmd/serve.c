/*
 * serve.c — `dinhdanh serve`: migrate, start the HTTP server and the event dispatcher, and on
 * SIGTERM or SIGINT stop in order: stop accepting, let requests in flight finish (bounded by
 * shutdown-grace), stop the dispatcher, checkpoint the SQLite log (cmd/checkpoint.h), close the
 * database.
 */
#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "cmd/cmd.h"
#include "core/soc/soc.h"
#include "core/wallet/wallet.h"
#include "cmd/checkpoint.h"
#include "crypto/ecdsa_ahead.h"
#include "cmd/dispatch.h"
#include "core/pay/pay_module.h"
#include "core/card_api/card_api.h"
#include "core/services/services.h"
#include "core/group_commit.h"
#include "core/identity/identity.h"
#include "core/insight/insight.h"
#include "core/notify/notify.h"
#include "core/register/register.h"
#include "core/units/units.h"
#include "crypto/password.h"
#include "http/router.h"
#include "http/server.h"
#include "lgsp/lgsp.h"
#include "sso/sso.h"
#include "store/migrate.h"
#include "store/store.h"

#include <pthread.h>

/* No request should hold the database longer than this (PostgreSQL statement_timeout). */
#define STATEMENT_TIMEOUT_MS 30000
#include <signal.h>
#include <stdio.h>
#include <string.h>

static void
help(void)
{
    printf("Usage: dinhdanh serve [OPTIONS]\n"
           "Serves the API and the web UI. Pending database migrations are applied first.\n\n");
    dd_cmd_print_settings();
}

static void
log_migration(const struct dd_migration *m, int64_t elapsed_ms, void *arg)
{
    (void)arg;
    dd_log(DD_LOG_INFO, "db.migrated", "applied %s (%lld ms)", m->name, (long long)elapsed_ms);
}

/* Opens the pool and brings the schema up to date. */
static int
prepare_database(const struct dd_config *cfg)
{
    char err[700];
    struct dd_db_options opt = {.timeout_ms = cfg->db_timeout_ms,
                                .statement_timeout_ms = STATEMENT_TIMEOUT_MS,
                                .manual_checkpoints = true}; /* cmd/checkpoint.h */
    if (dd_db_pool_init(cfg->db, &opt, err, sizeof err) != DD_OK) {
        dd_log(DD_LOG_ERROR, "db.unavailable", "%s", err);
        return DD_EUNAVAIL;
    }
    struct dd_db *db = dd_db_pool_get();
    if (db == NULL)
        return DD_EUNAVAIL;
    if (dd_migrate_embedded(db, log_migration, NULL, err, sizeof err) != DD_OK) {
        dd_log(DD_LOG_ERROR, "db.migration_failed", "%s", err);
        return DD_EDB;
    }
    /* Reference data every module relies on: the administrative units, on a fresh database. */
    struct dd_units_report units;
    if (dd_units_ensure_loaded(db, &units, err, sizeof err) != DD_OK) {
        dd_log(DD_LOG_ERROR, "units.load_failed", "%s", err);
        return DD_EDB;
    }
    if (units.added > 0)
        dd_log(DD_LOG_INFO, "units.loaded", "administrative units loaded: %lld rows (%lld ms)",
               (long long)units.added, (long long)units.elapsed_ms);
    return DD_OK;
}

static int
wait_for_signal(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    int sig = 0;
    /* SIGHUP reloads the security operations centre's rules and keeps serving. */
    while (sigwait(&set, &sig) == 0 && sig == SIGHUP) {
        char err[400];
        int rc = dd_soc_reload(err, sizeof err);
        if (rc != DD_OK)
            dd_log(DD_LOG_WARN, "soc.rules_not_reloaded", "rules kept: %s", err);
        dd_soc_reload_event(dd_db_pool_get(), "operator:sighup", rc, err);
    }
    return sig;
}

static int
run(const struct dd_config *cfg)
{
    /* Threads started from here on inherit the mask; only the main thread takes signals. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (prepare_database(cfg) != DD_OK) {
        dd_db_pool_shutdown();
        return DD_EXIT_FAIL;
    }
    char err[700];
    struct dd_router *router = dd_router_new(dd_modules, dd_modules_count(), err, sizeof err);
    if (router == NULL) {
        dd_log(DD_LOG_ERROR, "server.bad_routes", "%s", err);
        dd_db_pool_shutdown();
        return DD_EXIT_FAIL;
    }
    err[0] = '\0';
    if (dd_password_configure(cfg->password_opslimit, cfg->password_memlimit_kib) != DD_OK ||
        dd_notify_configure(cfg, err, sizeof err) != DD_OK) {
        dd_log(DD_LOG_ERROR, "server.bad_settings", "%s",
               err[0] ? err : "password-opslimit or password-memlimit-kib is out of range");
        dd_router_free(router);
        dd_db_pool_shutdown();
        return DD_EXIT_FAIL;
    }
    dd_identity_configure(cfg);
    dd_pay_configure(cfg);
    dd_wallet_configure(cfg);
    dd_insight_configure(cfg->insight_suppress_below);
    dd_soc_configure(cfg);
    dd_services_configure(cfg);
    if (dd_card_api_configure(cfg, err, sizeof err) != DD_OK ||
        dd_sso_configure(cfg, err, sizeof err) != DD_OK ||
        dd_lgsp_start(cfg, err, sizeof err) != DD_OK) {
        dd_log(DD_LOG_ERROR, "server.bad_settings", "%s", err);
        dd_router_free(router);
        dd_db_pool_shutdown();
        return DD_EXIT_FAIL;
    }
    dd_server_set_authenticator(dd_sso_authenticate);
    dd_services_calendar_check(dd_clock_now_ms());
    struct dd_server *srv;
    if (dd_server_start(cfg, router, &srv, err, sizeof err) != DD_OK) {
        dd_log(DD_LOG_ERROR, "server.start_failed", "%s", err);
        dd_router_free(router);
        dd_db_pool_shutdown();
        return DD_EXIT_FAIL;
    }
    dd_group_commit_start();
    dd_ecdsa_ahead_start();
    struct dd_db *main_db = dd_db_pool_get();
    struct dd_checkpointer *checkpointer =
        main_db && dd_db_kind(main_db) == DD_DB_SQLITE ? dd_checkpointer_start() : NULL;
    struct dd_dispatcher *dispatcher = dd_dispatcher_start(dd_modules, dd_modules_count());
    dd_reg_access_writer_start(cfg->read_log_flush_ms);
    dd_identity_start();
    const char *host = cfg->listen;
    size_t hostlen = (size_t)(strrchr(host, ':') - host);
    dd_log(DD_LOG_INFO, "server.listening", "serving on %s://%.*s:%u", cfg->tls ? "https" : "http",
           (int)hostlen, host, dd_server_port(srv));
    dd_log_buffer_start();

    int sig = wait_for_signal();
    dd_log(DD_LOG_INFO, "server.stopping", "signal %d: finishing requests in flight", sig);
    dd_server_quiesce(srv);
    long left = dd_server_wait_idle(srv, cfg->shutdown_grace);
    if (left > 0)
        dd_log(DD_LOG_WARN, "server.grace_expired", "%ld requests still running are cut", left);
    dd_server_stop(srv);
    dd_group_commit_stop();
    dd_ecdsa_ahead_stop();
    dd_identity_stop();
    dd_sso_stop();
    dd_lgsp_stop();
    dd_card_api_shutdown();
    dd_reg_access_writer_stop();
    dd_dispatcher_stop(dispatcher);
    dd_soc_stop();
    dd_checkpointer_stop(checkpointer);
    dd_router_free(router);
    dd_db_pool_shutdown();
    dd_log(DD_LOG_INFO, "server.stopped", "stopped cleanly");
    dd_log_buffer_stop();
    return DD_EXIT_OK;
}

int
dd_cmd_serve(int argc, char **argv)
{
    struct dd_cmd_args args;
    int rc = dd_cmd_parse(argc, argv, NULL, 0, &args);
    if (rc != DD_EXIT_OK)
        return rc;
    if (args.help) {
        help();
        return DD_EXIT_OK;
    }
    dd_log_set_level((enum dd_log_level)dd_log_level_parse(args.cfg.log_level));
    return run(&args.cfg);
}

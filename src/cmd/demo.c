/*
 * demo.c — `dinhdanh demo [--people N] [--province PP] [--seed S] [--as-of DATE] [--if-empty]`:
 * fills an empty register with a synthetic, realistic province (src/core/demo/) and creates
 * officer accounts to log in with, then prints how. It refuses a register that already holds
 * people; with --if-empty it leaves such a register alone and only prints how to log in (what
 * `make run` does on every start).
 */
#include "base/clock.h"
#include "base/err.h"
#include "base/str.h"
#include "cmd/cmd.h"
#include "core/demo/demo.h"
#include "core/units/units.h"
#include "store/migrate.h"
#include "store/store.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct demo_opts {
    long people;
    const char *province;
    uint64_t seed;
    const char *as_of;
    bool if_empty;
};

static void
help(void)
{
    printf(
        "Usage: dinhdanh demo [--people N] [--province PP] [--seed S] [--as-of YYYY-MM-DD]\n"
        "                     [--if-empty] [--db URL]\n"
        "Fills an empty register with a synthetic province: N people (100000 by default,\n"
        "the dead included) with Vietnamese names, the country's age and sex structure,\n"
        "households in the province's real communes (PP, 56 Khánh Hòa by default), people\n"
        "living here temporarily, absences, moves and deaths with their history; and the\n"
        "officer accounts admin, canbo.tinh and cand.<commune>. The same seed (1 by default)\n"
        "and date (--as-of, today by default) give the same people. Refuses a register that\n"
        "already holds people; with --if-empty, leaves it as it is and prints how to log in.\n\n");
    dd_cmd_print_settings();
}

static int
number_option(const char *flag, const char *v, int64_t lo, int64_t hi, int64_t *out)
{
    if (dd_parse_int64(v, lo, hi, out) == DD_OK)
        return DD_EXIT_OK;
    fprintf(stderr, "dinhdanh: %s must be a whole number from %" PRId64 " to %" PRId64 "\n", flag,
            lo, hi);
    return DD_EXIT_USAGE;
}

/* The demo's own options, taken out before the settings are read. */
static int
take_options(int *argc, char **argv, struct demo_opts *o)
{
    static const char *const names[] = {"--people", "--province", "--seed", "--as-of"};
    int out = 1;
    for (int i = 1; i < *argc; i++) {
        int which = -1;
        for (int k = 0; k < 4; k++)
            if (strcmp(argv[i], names[k]) == 0)
                which = k;
        if (which < 0) {
            argv[out++] = argv[i];
            continue;
        }
        if (i + 1 >= *argc) {
            fprintf(stderr, "dinhdanh: %s needs a value\n", argv[i]);
            return DD_EXIT_USAGE;
        }
        const char *v = argv[++i];
        int64_t n;
        int rc = DD_EXIT_OK;
        if (which == 0 && (rc = number_option("--people", v, 1, DD_DEMO_MAX_PEOPLE, &n)) == 0)
            o->people = (long)n;
        else if (which == 1 && (strlen(v) != 2 || dd_parse_int64(v, 1, 99, &n) != DD_OK)) {
            fprintf(stderr, "dinhdanh: --province must be a 2-digit province code such as 56\n");
            return DD_EXIT_USAGE;
        } else if (which == 1)
            o->province = v;
        else if (which == 2 && (rc = number_option("--seed", v, 0, INT64_MAX, &n)) == 0)
            o->seed = (uint64_t)n;
        else if (which == 3 && !dd_units_date_valid(v)) {
            fprintf(stderr, "dinhdanh: --as-of must be a date YYYY-MM-DD\n");
            return DD_EXIT_USAGE;
        } else if (which == 3)
            o->as_of = v;
        if (rc != DD_EXIT_OK)
            return rc;
    }
    *argc = out;
    return DD_EXIT_OK;
}

static void
progress(void *ctx, long done, long total)
{
    (void)ctx;
    fprintf(stderr, "\rdinhdanh: %ld / %ld people (%ld%%)", done, total,
            total ? done * 100 / total : 100);
    if (done >= total)
        fputc('\n', stderr);
    fflush(stderr);
}

/* The passwords made this time (shown once), or how to set one. */
static void
print_passwords(const struct dd_demo_accounts *acc, const char *db_flag)
{
    const char *names[] = {acc->admin, acc->province_police, acc->commune_police};
    if (acc->passwords[0][0]) {
        printf("Their passwords, shown this once:\n");
        for (int i = 0; i < 3; i++)
            printf("  %-22s %s\n", names[i], acc->passwords[i]);
    }
    printf("A new password: echo 'NEW PASSWORD' | build/dinhdanh user password NAME%s\n"
           "Log in on the web at http://127.0.0.1:8080/login.html (English: /en/login.html):\n"
           "an officer enrols an authenticator app (TOTP) at the first login; scripts use a\n"
           "token instead.\n\n",
           db_flag);
}

static void
print_login(const struct dd_cmd_args *args, const struct dd_demo_accounts *acc,
            const struct dd_demo_summary *sum)
{
    char db_flag[sizeof args->cfg.db + 8] = "";
    if (strcmp(args->cfg.db, "sqlite:var/dinhdanh.db") != 0)
        snprintf(db_flag, sizeof db_flag, " --db %s", args->cfg.db);
    printf("\nOfficer accounts:\n"
           "  %-22s administrator, the whole province\n"
           "  %-22s province police\n"
           "  %-22s police of %s (%s)\n\n",
           acc->admin, acc->province_police, acc->commune_police, acc->commune_name,
           acc->commune_code);
    print_passwords(acc, db_flag);
    printf("A token for one of them (valid 8 hours):\n"
           "  build/dinhdanh token --user %s%s\n\n"
           "With the server running (make run), for example:\n"
           "  TOKEN=$(build/dinhdanh token --user %s%s)\n",
           acc->admin, db_flag, acc->admin, db_flag);
    const char *curl = "  curl -H \"Authorization: Bearer $TOKEN\" -H \"X-Purpose: Tra cứu thử "
                       "nghiệm\" \\\n       ";
    printf("%s'http://127.0.0.1:8080/api/v1/people?name=nguyen%%20van&limit=5'\n", curl);
    if (sum->sample_id[0]) {
        printf("%shttp://127.0.0.1:8080/api/v1/people/%s\n", curl, sum->sample_id);
        printf("%shttp://127.0.0.1:8080/api/v1/people/%s/history\n", curl, sum->sample_id);
    }
}

/* --if-empty on a register with people: makes sure the accounts exist and says how to log in. */
static int
keep_and_print(struct dd_db *db, const struct dd_cmd_args *args, const struct demo_opts *o,
               long have)
{
    char err[700] = "";
    struct dd_demo_world w;
    struct dd_demo_accounts acc;
    struct dd_demo_summary sum = {0};
    int rc = dd_demo_world_load(db, o->province, &w, err, sizeof err);
    if (rc == DD_OK) {
        rc = dd_demo_accounts_create(db, &w, &acc, err, sizeof err);
        dd_demo_world_free(&w);
    }
    if (rc != DD_OK) {
        fprintf(stderr, "dinhdanh: %s\n", err);
        return DD_EXIT_FAIL;
    }
    dd_demo_sample_id(db, sum.sample_id);
    printf("The register at %s already holds %ld people: kept as it is.\n", args->cfg.db, have);
    print_login(args, &acc, &sum);
    return DD_EXIT_OK;
}

/* Does the work once the database is open; prints why on failure. */
static int
run(struct dd_db *db, const struct dd_cmd_args *args, const struct demo_opts *o)
{
    char err[700] = "";
    int rc = dd_migrate_embedded(db, NULL, NULL, err, sizeof err);
    if (rc != DD_OK) {
        fprintf(stderr, "dinhdanh: %s\n", err);
        return DD_EXIT_FAIL;
    }
    long have = dd_demo_count_people(db);
    if (have > 0 && o->if_empty)
        return keep_and_print(db, args, o, have);
    if (have != 0) {
        if (have > 0)
            fprintf(stderr,
                    "dinhdanh: the register at %s already holds %ld people; the demo only fills "
                    "an empty one.\nTo start fresh, stop the server and remove the database "
                    "(rm var/dinhdanh.db* for the default), or give another with --db.\n",
                    args->cfg.db, have);
        else
            fprintf(stderr, "dinhdanh: cannot read the register: %s\n", dd_db_errmsg(db));
        return DD_EXIT_FAIL;
    }
    int64_t t0 = dd_clock_mono_ns();
    struct dd_demo_world w;
    rc = dd_demo_world_load(db, o->province, &w, err, sizeof err);
    if (rc != DD_OK) {
        fprintf(stderr, "dinhdanh: %s\n", err);
        return DD_EXIT_FAIL;
    }
    struct dd_demo_options opt = {
        .people = o->people, .seed = o->seed, .audit_actor = dd_cmd_operator()};
    if (o->as_of)
        snprintf(opt.today, sizeof opt.today, "%s", o->as_of);
    else
        dd_units_today(opt.today);
    if (isatty(fileno(stderr)))
        opt.progress = progress;
    struct dd_demo_summary sum;
    struct dd_demo_accounts acc;
    rc = dd_demo_write(db, &w, &opt, &sum, err, sizeof err);
    if (rc == DD_OK)
        rc = dd_demo_accounts_create(db, &w, &acc, err, sizeof err);
    if (rc != DD_OK) {
        fprintf(stderr, "dinhdanh: %s\n", err);
        dd_demo_world_free(&w);
        return DD_EXIT_FAIL;
    }
    double secs = (double)(dd_clock_mono_ns() - t0) / 1e9;
    printf("Demo province: %s (%s), %zu communes, as of %s, seed %" PRIu64 "\n"
           "  %ld people in %ld households; %ld dead, %ld living here temporarily, %ld away "
           "for now, %ld moved in recently\n"
           "  %ld history entries, %ld residence periods; written in %.1f s\n",
           w.province_name, w.province, w.ncommunes, opt.today, opt.seed, sum.people,
           sum.households, sum.dead, sum.temporary, sum.absent, sum.moved, sum.history,
           sum.residences, secs);
    print_login(args, &acc, &sum);
    dd_demo_world_free(&w);
    return DD_EXIT_OK;
}

int
dd_cmd_demo(int argc, char **argv)
{
    struct demo_opts o = {.people = 100000, .province = "56", .seed = 1};
    int rc = take_options(&argc, argv, &o);
    if (rc != DD_EXIT_OK)
        return rc;
    struct dd_cmd_args args;
    const struct dd_cmd_switch switches[] = {{"if-empty", &o.if_empty}, {NULL, NULL}};
    rc = dd_cmd_parse(argc, argv, switches, 0, &args);
    if (rc != DD_EXIT_OK)
        return rc;
    if (args.help) {
        help();
        return DD_EXIT_OK;
    }
    struct dd_db *db;
    if (dd_cmd_open_db(&args.cfg, &db) != DD_EXIT_OK)
        return DD_EXIT_FAIL;
    rc = run(db, &args, &o);
    dd_db_close(db);
    return rc;
}

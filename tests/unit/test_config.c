/*
 * test_config.c — settings from file, environment and direct sets, with clear errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/config.h"
#include "base/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
defaults_are_sensible(void **state)
{
    (void)state;
    struct dd_config c;
    dd_config_defaults(&c);
    assert_string_equal(c.listen, "127.0.0.1:8080");
    assert_string_equal(c.data_dir, "var");
    assert_int_equal(c.max_body, 1048576);
    assert_true(c.access_log);
    assert_false(c.tls);
}

static void
set_validates_each_kind(void **state)
{
    (void)state;
    struct dd_config c;
    char err[600];
    dd_config_defaults(&c);
    assert_int_equal(dd_config_set(&c, "listen", "0.0.0.0:9000", err, sizeof err), DD_OK);
    assert_string_equal(c.listen, "0.0.0.0:9000");
    assert_int_equal(dd_config_set(&c, "listen", "nowhere", err, sizeof err), DD_EINVAL);
    assert_non_null(strstr(err, "listen"));
    assert_string_equal(c.listen, "0.0.0.0:9000");
    assert_int_equal(dd_config_set(&c, "listen", "1.2.3.4:70000", err, sizeof err), DD_EINVAL);
    assert_int_equal(dd_config_set(&c, "threads", "4", err, sizeof err), DD_OK);
    assert_int_equal(c.threads, 4);
    assert_int_equal(dd_config_set(&c, "threads", "four", err, sizeof err), DD_EINVAL);
    assert_int_equal(dd_config_set(&c, "threads", "-1", err, sizeof err), DD_EINVAL);
    assert_non_null(strstr(err, "expected a whole number from "));
    assert_int_equal(dd_config_set(&c, "tls", "on", err, sizeof err), DD_OK);
    assert_true(c.tls);
    assert_int_equal(dd_config_set(&c, "tls", "maybe", err, sizeof err), DD_EINVAL);
    assert_int_equal(dd_config_set(&c, "db", "mysql://x", err, sizeof err), DD_EINVAL);
    assert_int_equal(dd_config_set(&c, "db", "postgres://u@h/d", err, sizeof err), DD_OK);
    assert_int_equal(dd_config_set(&c, "log-level", "loud", err, sizeof err), DD_EINVAL);
    assert_int_equal(dd_config_set(&c, "colour", "red", err, sizeof err), DD_ENOTFOUND);
    assert_non_null(strstr(err, "colour"));
}

static void
file_is_read_with_comments_and_line_numbers_in_errors(void **state)
{
    (void)state;
    char path[] = "/tmp/dd-config-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("# a comment\n\nlisten = 127.0.0.1:9001\n  threads=3  \n", f);
    fclose(f);
    struct dd_config c;
    char err[600];
    dd_config_defaults(&c);
    assert_int_equal(dd_config_load_file(&c, path, err, sizeof err), DD_OK);
    assert_string_equal(c.listen, "127.0.0.1:9001");
    assert_int_equal(c.threads, 3);

    f = fopen(path, "w");
    fputs("listen = 127.0.0.1:9001\nthreads = lots\n", f);
    fclose(f);
    assert_int_equal(dd_config_load_file(&c, path, err, sizeof err), DD_EINVAL);
    assert_non_null(strstr(err, ":2:"));
    unlink(path);
    assert_int_equal(dd_config_load_file(&c, "/nonexistent/dd.conf", err, sizeof err), DD_EIO);
}

static void
environment_applies_and_refuses_unknown_names(void **state)
{
    (void)state;
    struct dd_config c;
    char err[600];
    dd_config_defaults(&c);
    char *env[] = {"PATH=/bin", "DINHDANH_LISTEN=127.0.0.1:7000", "DINHDANH_MAX_BODY=2048",
                   "DINHDANH_CONFIG=/ignored/here", NULL};
    assert_int_equal(dd_config_load_env(&c, env, err, sizeof err), DD_OK);
    assert_string_equal(c.listen, "127.0.0.1:7000");
    assert_int_equal(c.max_body, 2048);
    char *bad[] = {"DINHDANH_LISTN=127.0.0.1:7000", NULL};
    assert_int_equal(dd_config_load_env(&c, bad, err, sizeof err), DD_ENOTFOUND);
    assert_non_null(strstr(err, "DINHDANH_LISTN"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_are_sensible),
        cmocka_unit_test(set_validates_each_kind),
        cmocka_unit_test(file_is_read_with_comments_and_line_numbers_in_errors),
        cmocka_unit_test(environment_applies_and_refuses_unknown_names),
    };
    return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}

/* version.c — `dinhdanh version`: the build and the libraries it runs with. */
#include "cmd/cmd.h"

#include <jansson.h>
#include <microhttpd.h>
#include <openssl/opensslv.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

/* Written by the build (build/gen/version.c) from `git describe`. */
extern const char dd_version[];

int
dd_cmd_version(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("Usage: dinhdanh version\nPrints the version of dinhdanh and its libraries.\n");
        return DD_EXIT_OK;
    }
    if (argc > 1) {
        fprintf(stderr, "dinhdanh: version takes no arguments\n");
        return DD_EXIT_USAGE;
    }
    printf("dinhdanh %s\n", dd_version);
    printf("libmicrohttpd %s, SQLite %s, jansson %s, %s\n", MHD_get_version(), sqlite3_libversion(),
           JANSSON_VERSION, OPENSSL_VERSION_TEXT);
    return DD_EXIT_OK;
}

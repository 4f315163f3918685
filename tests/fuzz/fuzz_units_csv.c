/*
 * fuzz_units_csv.c — libFuzzer target for the administrative units' file reader: the CSV records
 * of arbitrary bytes (every field within the record's bounds, line numbers never going back),
 * the clean-up of each field (valid UTF-8 in, NFC out, and cleaning again changes nothing), and
 * the whole input read as a conversion table, which must load or be refused with a message.
 */
#include "base/arena.h"
#include "base/err.h"
#include "base/utf8.h"
#include "core/units/csv.h"
#include "core/units/source.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char old_units[] =
    "h,h,h,h,h,h,h,h\n"
    "Tỉnh Khánh Hòa,56,Thành phố Nha Trang,568,Phường Tân Tiến,22366,Phường,\n";

static void
check_field(struct dd_arena *a, const char *f)
{
    const char *clean = dd_units_clean(a, f);
    if (clean == NULL) {
        if (dd_utf8_valid(f, strlen(f), NULL))
            abort();
        return;
    }
    if (strcmp(dd_utf8_nfc(a, clean), clean) != 0 || strcmp(dd_units_clean(a, clean), clean) != 0)
        abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dd_arena *a = dd_arena_new(0);
    struct dd_units_csv r;
    dd_units_csv_init(&r, (const char *)data, size);
    size_t last_line = 0;
    int rc;
    while ((rc = dd_units_csv_next(&r)) == 1) {
        if (r.nfields < 1 || r.nfields > DD_UNITS_CSV_MAX_FIELDS || r.record_line <= last_line)
            abort();
        last_line = r.record_line;
        for (int i = 0; i < r.nfields; i++)
            check_field(a, dd_units_csv_field(&r, i));
    }
    if (rc != 0 && (rc != DD_EINVAL && rc != DD_ETOOBIG))
        abort();
    if (rc != 0 && r.err[0] == '\0')
        abort();
    dd_units_csv_free(&r);

    struct dd_units_source src;
    char err[300] = "";
    rc = dd_units_source_read(&src, old_units, strlen(old_units), "old.csv", (const char *)data,
                              size, "conv.csv", err, sizeof err);
    if (rc != DD_OK && err[0] == '\0')
        abort();
    if (rc == DD_OK && src.counts.conversions != (int64_t)src.nconversions)
        abort();
    dd_units_source_free(&src);
    dd_arena_free(a);
    return 0;
}

/* err.c — names for the DD_E… codes, for logs and command-line messages. */
#include "base/err.h"

static const struct {
    int rc;
    const char *name;
} err_names[] = {
    {DD_OK, "ok"},
    {DD_EINVAL, "invalid input"},
    {DD_ENOTFOUND, "not found"},
    {DD_EEXIST, "already exists"},
    {DD_ETOOBIG, "too big"},
    {DD_EIO, "input/output error"},
    {DD_EDB, "database error"},
    {DD_EBUSY, "database busy"},
    {DD_ECONFLICT, "conflict"},
    {DD_ECHECKSUM, "checksum mismatch"},
    {DD_EDENIED, "not allowed"},
    {DD_EUNAVAIL, "dependency unavailable"},
    {DD_EINTERNAL, "internal error"},
    {DD_ELATER, "deferred"},
};

const char *
dd_strerror(int rc)
{
    for (unsigned i = 0; i < sizeof err_names / sizeof err_names[0]; i++)
        if (err_names[i].rc == rc)
            return err_names[i].name;
    return "unknown error";
}

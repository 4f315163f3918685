/*
 * officer.c — `dinhdanh officer add NAME --role ROLE --province PP [--commune CCCCC]
 * [--display-name TEXT] [--agency TEXT] [--password-stdin]`: the older name of `dinhdanh user
 * add` (user.c), kept for the scripts that use it.
 */
#include "cmd/cmd.h"

int
dd_cmd_officer(int argc, char **argv)
{
    return dd_cmd_user(argc, argv);
}

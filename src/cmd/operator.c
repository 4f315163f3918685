/*
 * operator.c — who runs a command on the host, for the audit rows of commands that change or
 * read the register in bulk.
 */
#include "cmd/cmd.h"

#include <pwd.h>
#include <stdio.h>
#include <unistd.h>

const char *
dd_cmd_operator(void)
{
    static char actor[96];
    struct passwd pw, *found = NULL;
    char buf[1024];
    if (getpwuid_r(geteuid(), &pw, buf, sizeof buf, &found) == 0 && found != NULL &&
        pw.pw_name[0] != '\0')
        snprintf(actor, sizeof actor, "operator:%.80s", pw.pw_name);
    else
        snprintf(actor, sizeof actor, "operator:uid-%ld", (long)geteuid());
    return actor;
}

/*
 * roles.c — `dinhdanh roles [--json]`: the officers' roles and the roles in an organisation,
 * with the route scopes each grants, as the server applies them (core/officers.c,
 * core/identity/org_rules.c). The authorisation test reads the JSON form, so that the table it
 * declares and the code's cannot drift apart unnoticed.
 */
#include "cmd/cmd.h"
#include "core/identity/orgs.h"
#include "core/officers.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

static json_t *
scope_list(const char *const *scopes)
{
    json_t *a = json_array();
    for (; scopes && *scopes; scopes++)
        json_array_append_new(a, json_string(*scopes));
    return a;
}

static json_t *
roles_json(void)
{
    json_t *officer = json_object(), *establishment = json_object();
    for (const char *const *r = dd_officer_roles(); *r; r++) {
        bool commune = false;
        const char *const *scopes = dd_officer_role_scopes(*r, &commune);
        json_object_set_new(officer, *r,
                            json_pack("{s:s, s:o}", "area", commune ? "commune" : "province",
                                      "scopes", scope_list(scopes)));
    }
    for (const char *const *r = dd_org_roles(); *r; r++)
        json_object_set_new(establishment, *r,
                            json_pack("{s:o}", "scopes", scope_list(dd_org_role_scopes(*r))));
    return json_pack("{s:o, s:o}", "officer", officer, "establishment", establishment);
}

static void
print_row(const char *kind, const char *role, const char *area, const char *const *scopes)
{
    printf("%-14s %-16s %-9s", kind, role, area);
    if (scopes == NULL || *scopes == NULL)
        printf(" -");
    for (; scopes && *scopes; scopes++)
        printf(" %s", *scopes);
    printf("\n");
}

int
dd_cmd_roles(int argc, char **argv)
{
    bool as_json = false;
    const struct dd_cmd_switch switches[] = {{"json", &as_json}, {NULL, NULL}};
    struct dd_cmd_args args;
    int rc = dd_cmd_parse(argc, argv, switches, 0, &args);
    if (rc != DD_EXIT_OK)
        return rc;
    if (args.help) {
        printf(
            "Usage: dinhdanh roles [--json]\n"
            "Lists the officers' roles (with their area: a province, or one commune) and the\n"
            "roles in an organisation, with the route scopes each grants (\"*\": every scope).\n");
        return DD_EXIT_OK;
    }
    if (as_json) {
        json_t *j = roles_json();
        char *text = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
        json_decref(j);
        if (text == NULL)
            return DD_EXIT_FAIL;
        printf("%s\n", text);
        free(text);
        return DD_EXIT_OK;
    }
    printf("%-14s %-16s %-9s %s\n", "KIND", "ROLE", "AREA", "SCOPES");
    for (const char *const *r = dd_officer_roles(); *r; r++) {
        bool commune = false;
        const char *const *scopes = dd_officer_role_scopes(*r, &commune);
        print_row("officer", *r, commune ? "commune" : "province", scopes);
    }
    for (const char *const *r = dd_org_roles(); *r; r++)
        print_row("establishment", *r, "its own", dd_org_role_scopes(*r));
    return DD_EXIT_OK;
}

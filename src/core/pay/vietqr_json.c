/*
 * vietqr_json.c — a parsed VietQR payload as JSON, for the command line and the API: the fields
 * present, by name, the amount as a number, and whether the payload is valid.
 */
#include "core/pay/vietqr.h"
#include "core/pay/vietqr_json.h"

#include <stdlib.h>
#include <string.h>

static void
set_text(json_t *o, const char *name, const char *v)
{
    if (v[0])
        json_object_set_new(o, name, json_string(v));
}

json_t *
dd_vietqr_json(const struct dd_vietqr *q, bool valid)
{
    json_t *o = json_object();
    json_object_set_new(o, "valid", json_boolean(valid));
    if (!valid)
        json_object_set_new(o, "error", json_string(q->error));
    set_text(o, "format", q->version);
    set_text(o, "initiation", q->initiation);
    if (strcmp(q->initiation, "11") == 0 || strcmp(q->initiation, "12") == 0)
        json_object_set_new(o, "type", json_string(q->initiation[1] == '1' ? "static" : "dynamic"));
    set_text(o, "guid", q->guid);
    set_text(o, "bin", q->bin);
    set_text(o, "account", q->account);
    set_text(o, "service", q->service);
    if (q->service[0])
        json_object_set_new(o, "card", json_boolean(strcmp(q->service, "QRIBFTTC") == 0));
    set_text(o, "mcc", q->mcc);
    set_text(o, "currency", q->currency);
    if (q->amount[0] && valid)
        json_object_set_new(o, "amount", json_integer(strtoll(q->amount, NULL, 10)));
    else
        set_text(o, "amount", q->amount);
    set_text(o, "country", q->country);
    set_text(o, "merchant_name", q->merchant_name);
    set_text(o, "merchant_city", q->merchant_city);
    set_text(o, "bill_number", q->bill_number);
    set_text(o, "mobile", q->mobile);
    set_text(o, "store", q->store);
    set_text(o, "loyalty", q->loyalty);
    set_text(o, "reference", q->reference);
    set_text(o, "customer", q->customer);
    set_text(o, "terminal", q->terminal);
    set_text(o, "purpose", q->purpose);
    set_text(o, "crc", q->crc);
    return o;
}

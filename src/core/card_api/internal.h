/*
 * internal.h — what the files of the card API share: reading the request body, the match
 * against the register with its access-log row, and the module's problem types.
 */
#ifndef DD_CORE_CARD_API_INTERNAL_H
#define DD_CORE_CARD_API_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct dd_db;
struct dd_req;
struct dd_pa_trust;

/* The largest file accepted, EF.SOD or a data group: 48 KiB, what base64 fits in the longest
 * string the server's JSON parser takes (64 KiB). A card's EF.SOD is a few KiB and the face in
 * its DG2 some 15–20 KiB. */
#define CARD_MAX_FILE (48 * 1024)
/* The largest request body of the chip route: EF.SOD and the data groups, in base64. */
#define CARD_MAX_BODY (1024 * 1024)

/* What a card says about its holder, compared with the register. Strings are "" when the card
 * does not carry the field (DG1 has no old ID number nor address). */
struct card_claim {
    const char *id_number;
    const char *full_name;
    const char *birth_date; /* YYYY-MM-DD */
    const char *sex;        /* "male", "female" or "" */
    const char *old_id_number;
    const char *address;
};

/* The register's record for the claim's ID number, as a new JSON object: {"found": false} when
 * there is no such person in the caller's area (the answer does not say which), else {"found":
 * true, "person": {…}, "fields": {name: {"result", "card", "register"}}, "all_match"}. A person
 * found gets an access-log row (action "read", data "card", the purpose given). Returns DD_OK
 * and *out, or the database's error (no reply sent). */
int card_register_match(struct dd_req *req, struct dd_db *db, const struct card_claim *c,
                        const char *purpose, json_t **out);

/* Decodes standard base64 (RFC 4648 §4, padding required, no spaces) of s[0..n) into a new
 * arena buffer; *len gets its length. DD_EINVAL for anything else, DD_ETOOBIG past max bytes. */
int card_base64_decode(struct dd_req *req, const char *s, size_t n, size_t max, unsigned char **out,
                       size_t *len);

/* The CSCA trust store the server was configured with, or NULL. */
const struct dd_pa_trust *card_trust(void);

enum card_problem {
    CARD_PROBLEM_QR_INVALID,  /* 422 card-qr-invalid */
    CARD_PROBLEM_SOD_INVALID, /* 422 card-sod-invalid */
};

/* Replies 422 with one of the module's types; `field` and `reason` (English, from the card
 * library) are added as members. Returns DD_DONE. */
int card_problem_reply(struct dd_req *req, enum card_problem p, const char *field,
                       const char *reason);

/* The handlers. */
int card_qr_post(struct dd_req *req);
int card_chip_post(struct dd_req *req);

#endif

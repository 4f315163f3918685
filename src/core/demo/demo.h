/*
 * demo.h — a synthetic but realistic province for demonstrations and tests: people with
 * Vietnamese names and the country's age and sex structure, households with their relations,
 * permanent and temporary residence in the province's real communes, temporary absences, moves
 * and deaths with their history, and officer accounts to log in with.
 *
 * The generator is pure: it reads a description of the province (its communes, and communes of
 * other provinces people come from) and hands every record to a sink of callbacks, in an order a
 * loader can follow (a household before its members; each person followed by its history and
 * residence rows). The same world, options and seed give the same records, byte for byte.
 * `dd_demo_db_sink` writes them straight into the register tables; another loader (the CSV
 * importer) can take the people instead by replacing the `person` callback.
 */
#ifndef DD_CORE_DEMO_DEMO_H
#define DD_CORE_DEMO_DEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dd_db;
struct dd_person;

#define DD_DEMO_MAX_PEOPLE 2000000L

/* A commune, as the unit tables give it. */
struct dd_demo_commune {
    char province[3];   /* 2 digits (the province since 1 July 2025) */
    char code[6];       /* 5 digits */
    char name[192];     /* "Phường Nha Trang", "Xã Cam Lâm", "Đặc khu Trường Sa" */
    char birth_code[4]; /* the place code of births registered here before 1 July 2025:
                           the former province, "056" or "058" for today's Khánh Hòa */
};

/* What the generator needs to know about the province. */
struct dd_demo_world {
    char province[3];                       /* "56" */
    char province_name[192];                /* "Tỉnh Khánh Hòa" */
    const struct dd_demo_commune *communes; /* the province's communes, at least one */
    size_t ncommunes;
    /* Communes of other provinces (any number, any provinces; may be empty): the permanent
     * residence of people who live here temporarily, and where people of the province are
     * temporarily absent to. Without them nobody is registered elsewhere. */
    const struct dd_demo_commune *others;
    size_t nothers;
};

struct dd_demo_options {
    long people;    /* rows of people, the dead included; 1 .. DD_DEMO_MAX_PEOPLE */
    uint64_t seed;  /* same seed, same world, same date: same records */
    char today[11]; /* "YYYY-MM-DD": the day the data is as of (ages, deadlines) */
    /* Called now and then with the people written so far; may be NULL. */
    void (*progress)(void *ctx, long done, long total);
    void *progress_ctx;
    /* Who runs it, for the audit row dd_demo_write appends ("operator:ana"); NULL: "demo". */
    const char *audit_actor;
};

struct dd_demo_household {
    long index;          /* 0, 1, 2 … in the order households are given */
    const char *number;  /* unique: province, commune and a sequence, 13 digits */
    const char *head_id; /* the head's ID number */
    const char *province;
    const char *commune;
    const char *address; /* "Số 12, đường Trần Phú", "Thôn Phước Lộc" */
    const char *created; /* "YYYY-MM-DDTHH:MM:SS.sssZ" */
};

/* What a person row needs beyond struct dd_person. */
struct dd_demo_person_meta {
    long household_index;   /* index of the person's household, -1 for none */
    int version;            /* the number of history rows that follow (1 or more) */
    const char *created;    /* "YYYY-MM-DDTHH:MM:SS.sssZ": when the first history row was made */
    const char *updated;    /* … and the last */
    const char *residences; /* people.residences: the periods running today, as JSON */
};

/* One row of a person's history (table person_history). Version 1 is the record's creation
 * ("born" or "imported"); a loader that writes its own creation row skips it. */
struct dd_demo_history {
    const char *id_number;
    int version;
    const char *kind;    /* born, imported, moved, absent, died */
    const char *changes; /* JSON object {field: {"from": …, "to": …}} */
    const char *actor;
    const char *reason;
    const char *legal_basis;
    const char *at; /* "YYYY-MM-DDT03:00:00.000Z": 10:00 in Việt Nam on the day */
};

/* One period of residence (table residences). */
struct dd_demo_residence {
    const char *id_number;
    const char *kind; /* permanent, temporary, absence */
    const char *province;
    const char *commune;
    const char *address;
    const char *from_date;
    const char *to_date; /* "" while it lasts */
    const char *reason;
};

/* Where the records go. Each callback returns 0 or a negative DD_E… code, which stops the
 * generation and is returned by dd_demo_generate. */
struct dd_demo_sink {
    void *ctx;
    int (*household)(void *ctx, const struct dd_demo_household *h);
    int (*person)(void *ctx, const struct dd_person *p, const struct dd_demo_person_meta *m);
    int (*history)(void *ctx, const struct dd_demo_history *h);
    int (*residence)(void *ctx, const struct dd_demo_residence *r);
};

struct dd_demo_summary {
    long people, dead, households, temporary, absent, moved, history, residences;
    char sample_id[13]; /* the head of the first household, for examples */
};

/* Generates the province into `sink`. DD_EINVAL with a sentence in err for bad options or a
 * world without communes; a sink's error is returned as it came. */
int dd_demo_generate(const struct dd_demo_world *w, const struct dd_demo_options *o,
                     const struct dd_demo_sink *sink, struct dd_demo_summary *sum, char *err,
                     size_t errlen);

/* --- writing into the register tables (db_sink.c) --- */

struct dd_demo_db_sink; /* opaque */

/* A sink that inserts households, people, history and residences on `db`, inside the caller's
 * transaction, many rows to a statement: rows wait in the sink until their batch is full, so
 * call dd_demo_db_sink_flush once the generation is done. Households are given ids after the
 * largest stored. Its callbacks can also be called one by one by a wrapping sink. */
struct dd_demo_db_sink *dd_demo_db_sink_new(struct dd_db *db);
struct dd_demo_sink dd_demo_db_sink_callbacks(struct dd_demo_db_sink *s);
/* Writes the rows still waiting (and on PostgreSQL moves the households' id sequence past the
 * ids given). Returns DD_OK or the first database error of the sink. */
int dd_demo_db_sink_flush(struct dd_demo_db_sink *s);
void dd_demo_db_sink_free(struct dd_demo_db_sink *s);

/* The number of people in the register, or a negative DD_E… code. */
long dd_demo_count_people(struct dd_db *db);

/* The ID number of the head of the first household (a living person), for examples; "" and
 * DD_ENOTFOUND when there is none. */
int dd_demo_sample_id(struct dd_db *db, char out[13]);

/* Generates the province into the register in one transaction, rolled back on any failure.
 * The register must be empty (DD_EEXIST otherwise): the secondary indexes of people,
 * residences and households are dropped and built again once at the end, in the same
 * transaction, which also holds one `register.demo_created` event and one audit row
 * (`register.demo`) saying what was made and by whom. DD_EINVAL for bad options; a database
 * error otherwise; err says which. */
int dd_demo_write(struct dd_db *db, const struct dd_demo_world *w, const struct dd_demo_options *o,
                  struct dd_demo_summary *sum, char *err, size_t errlen);

/* --- the province from the unit tables (world.c) --- */

/* Fills *w with the province's communes and those of other provinces, loading the unit tables
 * first if they are empty. DD_ENOTFOUND with a sentence if the province has no communes.
 * Release with dd_demo_world_free. */
int dd_demo_world_load(struct dd_db *db, const char *province, struct dd_demo_world *w, char *err,
                       size_t errlen);
void dd_demo_world_free(struct dd_demo_world *w);

/* --- officer accounts (accounts.c) --- */

struct dd_demo_accounts {
    char admin[33]; /* "admin": role admin, the whole province */
    char province_police[33];
    char commune_police[33]; /* "cand.<commune>": role commune-police in commune_code */
    char commune_code[6];
    char commune_name[192];
    /* The password each was given, in the order above; "" for an account that existed already
     * (its password was shown when it was made). */
    char passwords[3][16];
};

/* Creates the demo's officers (or leaves those that exist): an administrator for the province,
 * a province police officer, and a commune police officer of the province's first ward (or first
 * commune), each with a login account and a random password (core/identity). DD_EINVAL with a
 * sentence if an account cannot be made. */
int dd_demo_accounts_create(struct dd_db *db, const struct dd_demo_world *w,
                            struct dd_demo_accounts *out, char *err, size_t errlen);

#endif

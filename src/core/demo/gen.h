/*
 * gen.h — the state of one run of the demo generator, shared by its steps: build.c (people,
 * couples, parents and children, family units, the dead), house.c (households, places, moves,
 * stays and absences), ident.c (ID numbers and names) and emit.c (handing records to the sink).
 * Every step draws from the one random stream in a fixed order, so a seed fixes everything.
 */
#ifndef DD_CORE_DEMO_GEN_H
#define DD_CORE_DEMO_GEN_H

#include "core/demo/internal.h"

#define NO_ONE        (-1)
#define NO_DAY        INT32_MIN
#define MAX_KIDS      6
#define MAX_HOUSEHOLD 16

enum person_kind { K_RESIDENT, K_TEMPORARY, K_DEAD };

/* Relations to the head of household that cannot be read from the family links. */
enum explicit_relation { X_NONE, X_GRANDCHILD, X_SIBLING };

/* How a household came to its commune. */
enum move_kind { MOVE_NONE, MOVE_LONG_AGO, MOVE_FROM_PROVINCE, MOVE_WITHIN };

struct gperson {
    int32_t birth; /* day */
    int32_t death; /* day, or NO_DAY */
    int32_t father, mother, spouse;
    int32_t unit;                  /* family unit, or NO_ONE */
    int32_t household;             /* or NO_ONE */
    int32_t relative;              /* the dead: the living person whose record links to them */
    int32_t stay_from, stay_until; /* temporary residence here, or an absence from here */
    int32_t moved_in;              /* day the person arrived with the household's move, or NO_DAY */
    int16_t commune;      /* index in world->communes: permanent (temporary, for the temporary) */
    int16_t other;        /* index in world->others: permanent residence of the temporary, or
                             where an absent person went; -1 */
    int16_t hometown;     /* index in the origins table */
    int16_t birth_origin; /* index in the origins table, -1: the commune's own code */
    struct dd_demo_name name;
    uint8_t female, kind, precision, ethnic, religion, explicit_rel;
    uint8_t coreside; /* lives with the parents it was matched to */
    uint8_t absent;   /* has a temporary absence */
    uint8_t nkids;    /* a mother: children matched to her */
    int32_t kid_birth[MAX_KIDS];
    char id[13];
    char old_id[10];
};

struct unit {
    int32_t up;    /* the unit this one lives with, or NO_ONE */
    int32_t size;  /* members, with those of the units living with it (a top unit) */
    int32_t ndown; /* units living with it */
    int32_t head;  /* its first adult: husband, single parent or single person */
};

struct ghouse {
    int32_t head;
    int32_t created;
    int32_t moved_in; /* the day of a move, or NO_DAY */
    int32_t imported; /* the day its members' records were collected */
    int16_t commune;
    int16_t from_other;   /* MOVE_FROM_PROVINCE / MOVE_LONG_AGO: index in world->others, -1 */
    int16_t from_commune; /* MOVE_WITHIN: index in world->communes */
    int16_t origin;       /* MOVE_LONG_AGO / MOVE_FROM_PROVINCE: origins index */
    uint8_t move, ethnic, religion;
    int32_t first, count; /* its members in gen->members[first .. first+count) */
    char number[14];
    char address[96];
};

struct gen {
    const struct dd_demo_world *w;
    const struct dd_demo_options *o;
    struct dd_demo_rng rng;
    int32_t today;
    int32_t collected_from, collected_to; /* the national collection of records, 2020–2021 */

    struct gperson *p;
    long np, cap;
    long living; /* people[0 .. living) were drawn from the pyramid */
    long dead_budget;

    struct unit *u;
    long nu;

    struct ghouse *h;
    long nh;
    int32_t *members; /* people by household, the head first */

    int32_t *order;                       /* people by day of birth, oldest first */
    int32_t *by_parent_start, *by_parent; /* children by parent (CSR over people) */

    unsigned *commune_w; /* households by commune */
    unsigned *ward_w;    /* the temporary by commune (towns draw more) */
    unsigned *other_w;   /* others by the weight of their province of origin */
    uint32_t *seq;       /* the last sequence number per ID prefix */
};

/* build.c: the living drawn, married, matched to parents, in family units; the dead added. */
void dd_demo_build_people(struct gen *g);
/* house.c: households with their commune, address, group, religion and moves; the temporary
 * and the absent placed. */
void dd_demo_build_households(struct gen *g);
/* ident.c: ID numbers, names and home towns. DD_ETOOBIG if a prefix runs out of numbers. */
int dd_demo_assign_ids_and_names(struct gen *g, char *err, size_t errlen);
/* emit.c helpers shared with house.c */
int32_t dd_demo_new_person(struct gen *g);
int dd_demo_age(const struct gen *g, int32_t person);
int dd_demo_year(const struct gen *g, int32_t person);

#endif

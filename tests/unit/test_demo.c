/*
 * test_demo.c — the demo province generator: the same seed gives the same records and another
 * seed others; the shares it promises (Nguyễn among Kinh names, the sex ratio overall and at
 * birth, the mean household size, the dead) come out within tolerance on 20 000 people; every
 * person passes the register's checks; family links agree with ages, sexes and the relations to
 * the head; each person's history folds back to their record. On SQLite and PostgreSQL: the
 * province read from the unit tables, the records written into the register (and read back by
 * the register's own rebuild), a second run refused with nothing changed, the officer accounts.
 */
#include "db_fixture.h"

#include "base/arena.h"
#include "base/clock.h"
#include "core/demo/demo.h"
#include "core/demo/internal.h"
#include "core/officers.h"
#include "core/register/register.h"
#include "core/units/units.h"

#include <math.h>

#define TODAY "2025-11-01"

/* --- a small world with real codes of Khánh Hòa and of provinces people come from --- */

static const struct dd_demo_commune test_communes[] = {
    {"56", "22333", "Phường Bắc Nha Trang", "056"}, {"56", "22366", "Phường Nha Trang", "056"},
    {"56", "22609", "Xã Khánh Vĩnh", "056"},        {"56", "22759", "Phường Phan Rang", "058"},
    {"56", "22870", "Xã Ninh Phước", "058"},        {"56", "22736", "Đặc khu Trường Sa", "056"},
    {"56", "22453", "Xã Cam Lâm", "056"},
};

static const struct dd_demo_commune test_others[] = {
    {"66", "22015", "Phường Tuy Hòa", "054"},     {"66", "24133", "Phường Buôn Ma Thuột", "066"},
    {"79", "26740", "Phường Sài Gòn", "079"},     {"51", "21025", "Phường Cẩm Thành", "051"},
    {"40", "16690", "Phường Trường Vinh", "040"},
};

static struct dd_demo_world
test_world(void)
{
    struct dd_demo_world w = {
        .province = "56",
        .province_name = "Tỉnh Khánh Hòa",
        .communes = test_communes,
        .ncommunes = sizeof test_communes / sizeof test_communes[0],
        .others = test_others,
        .nothers = sizeof test_others / sizeof test_others[0],
    };
    return w;
}

static struct dd_demo_options
test_options(long people, uint64_t seed)
{
    struct dd_demo_options o = {.people = people, .seed = seed};
    snprintf(o.today, sizeof o.today, "%s", TODAY);
    return o;
}

/* --- a sink that keeps everything, and a running hash of it --- */

struct kept_person {
    struct dd_person p;
    long household_index;
    int version;
    int first_history; /* index in kept.history */
};

struct kept {
    struct dd_arena *a;
    struct kept_person *people;
    size_t npeople, cap;
    struct dd_demo_household *houses;
    size_t nhouses, hcap;
    struct dd_demo_history *history;
    size_t nhistory, xcap;
    size_t residences;
    uint64_t hash;
};

static void
mix(struct kept *k, const char *s)
{
    for (; s && *s; s++)
        k->hash = (k->hash ^ (unsigned char)*s) * 1099511628211ULL;
    k->hash = (k->hash ^ 0xff) * 1099511628211ULL; /* a separator */
}

static const char *
keep(struct kept *k, const char *s)
{
    mix(k, s);
    return dd_arena_strdup(k->a, s ? s : "");
}

static int
keep_household(void *ctx, const struct dd_demo_household *h)
{
    struct kept *k = ctx;
    if (k->nhouses == k->hcap) {
        k->hcap = k->hcap ? k->hcap * 2 : 1024;
        k->houses = realloc(k->houses, k->hcap * sizeof *k->houses);
    }
    struct dd_demo_household *c = &k->houses[k->nhouses++];
    assert_int_equal(h->index, (long)k->nhouses - 1);
    c->index = h->index;
    c->number = keep(k, h->number);
    c->head_id = keep(k, h->head_id);
    c->province = keep(k, h->province);
    c->commune = keep(k, h->commune);
    c->address = keep(k, h->address);
    c->created = keep(k, h->created);
    return 0;
}

static int
keep_person(void *ctx, const struct dd_person *p, const struct dd_demo_person_meta *m)
{
    struct kept *k = ctx;
    if (k->npeople == k->cap) {
        k->cap = k->cap ? k->cap * 2 : 4096;
        k->people = realloc(k->people, k->cap * sizeof *k->people);
    }
    struct kept_person *c = &k->people[k->npeople++];
    for (int i = 0; i < DD_PERSON_NFIELDS; i++)
        dd_person_set(&c->p, i, keep(k, dd_person_get(p, i)));
    c->household_index = m->household_index;
    c->version = m->version;
    c->first_history = (int)k->nhistory;
    mix(k, m->created);
    mix(k, m->updated);
    return 0;
}

static int
keep_history(void *ctx, const struct dd_demo_history *h)
{
    struct kept *k = ctx;
    if (k->nhistory == k->xcap) {
        k->xcap = k->xcap ? k->xcap * 2 : 4096;
        k->history = realloc(k->history, k->xcap * sizeof *k->history);
    }
    struct dd_demo_history *c = &k->history[k->nhistory++];
    c->id_number = keep(k, h->id_number);
    c->version = h->version;
    c->kind = keep(k, h->kind);
    c->changes = keep(k, h->changes);
    c->actor = keep(k, h->actor);
    c->reason = keep(k, h->reason);
    c->legal_basis = keep(k, h->legal_basis);
    c->at = keep(k, h->at);
    return 0;
}

static int
keep_residence(void *ctx, const struct dd_demo_residence *r)
{
    struct kept *k = ctx;
    k->residences++;
    mix(k, r->id_number);
    mix(k, r->kind);
    mix(k, r->province);
    mix(k, r->commune);
    mix(k, r->address);
    mix(k, r->from_date);
    mix(k, r->to_date);
    return 0;
}

static void
generate_kept(long people, uint64_t seed, struct kept *k, struct dd_demo_summary *sum)
{
    memset(k, 0, sizeof *k);
    k->a = dd_arena_new(1 << 20);
    k->hash = 14695981039346656037ULL;
    struct dd_demo_sink sink = {k, keep_household, keep_person, keep_history, keep_residence};
    struct dd_demo_world w = test_world();
    struct dd_demo_options o = test_options(people, seed);
    char err[300] = "";
    int rc = dd_demo_generate(&w, &o, &sink, sum, err, sizeof err);
    if (rc != DD_OK)
        fail_msg("generate: %d %s", rc, err);
}

static void
kept_free(struct kept *k)
{
    dd_arena_free(k->a);
    free(k->people);
    free(k->houses);
    free(k->history);
}

/* Shared by the tests that look at 20 000 people, generated once. */
static struct kept big;
static struct dd_demo_summary big_sum;

static int
big_setup(void **state)
{
    (void)state;
    generate_kept(20000, 42, &big, &big_sum);
    return 0;
}

static int
big_teardown(void **state)
{
    (void)state;
    kept_free(&big);
    return 0;
}

/* --- lookups --- */

static int
by_id_cmp(const void *a, const void *b)
{
    const struct kept_person *x = *(const struct kept_person *const *)a;
    const struct kept_person *y = *(const struct kept_person *const *)b;
    return strcmp(x->p.id_number, y->p.id_number);
}

static struct kept_person **
index_by_id(const struct kept *k)
{
    struct kept_person **v = malloc(k->npeople * sizeof *v);
    for (size_t i = 0; i < k->npeople; i++)
        v[i] = &k->people[i];
    qsort(v, k->npeople, sizeof *v, by_id_cmp);
    return v;
}

static const struct kept_person *
find(struct kept_person **index, size_t n, const char *id)
{
    struct dd_person key_p = {.id_number = id};
    struct kept_person key = {.p = key_p};
    const struct kept_person *kp = &key;
    struct kept_person **hit = bsearch(&kp, index, n, sizeof *index, by_id_cmp);
    return hit ? *hit : NULL;
}

/* Age in whole years on `on` of someone born on `birth` (partial dates count from their start). */
static int
years(const char *birth, const char *on)
{
    int by = dd_partial_date_year(birth), oy = dd_partial_date_year(on);
    int bm = strlen(birth) >= 7 ? (birth[5] - '0') * 10 + (birth[6] - '0') : 1;
    int bd = strlen(birth) >= 10 ? (birth[8] - '0') * 10 + (birth[9] - '0') : 1;
    int om = (on[5] - '0') * 10 + (on[6] - '0'), od = (on[8] - '0') * 10 + (on[9] - '0');
    int y = oy - by;
    if (om < bm || (om == bm && od < bd))
        y--;
    return y;
}

/* --- pure tests --- */

static void
test_same_seed_same_records(void **state)
{
    (void)state;
    struct kept a, b, c;
    struct dd_demo_summary sa, sb, sc;
    generate_kept(3000, 7, &a, &sa);
    generate_kept(3000, 7, &b, &sb);
    generate_kept(3000, 8, &c, &sc);
    assert_int_equal(a.npeople, 3000);
    assert_int_equal(b.npeople, 3000);
    assert_true(a.hash == b.hash);
    assert_int_equal(a.nhistory, b.nhistory);
    assert_int_equal(a.residences, b.residences);
    assert_string_equal(a.people[17].p.full_name, b.people[17].p.full_name);
    assert_true(a.hash != c.hash);
    assert_string_not_equal(a.people[0].p.id_number, c.people[0].p.id_number);
    kept_free(&a);
    kept_free(&b);
    kept_free(&c);
}

static void
test_bad_options_are_refused(void **state)
{
    (void)state;
    struct kept k = {.a = dd_arena_new(0)};
    struct dd_demo_sink sink = {&k, keep_household, keep_person, keep_history, keep_residence};
    struct dd_demo_world w = test_world();
    struct dd_demo_summary sum;
    char err[300];
    struct dd_demo_options o = test_options(0, 1);
    assert_int_equal(dd_demo_generate(&w, &o, &sink, &sum, err, sizeof err), DD_EINVAL);
    assert_non_null(strstr(err, "number of people"));
    o = test_options(10, 1);
    snprintf(o.today, sizeof o.today, "2025-02-30");
    assert_int_equal(dd_demo_generate(&w, &o, &sink, &sum, err, sizeof err), DD_EINVAL);
    o = test_options(10, 1);
    snprintf(o.today, sizeof o.today, "2399-01-01");
    assert_int_equal(dd_demo_generate(&w, &o, &sink, &sum, err, sizeof err), DD_EINVAL);
    assert_non_null(strstr(err, "future"));
    o = test_options(10, 1);
    w.ncommunes = 0;
    assert_int_equal(dd_demo_generate(&w, &o, &sink, &sum, err, sizeof err), DD_EINVAL);
    assert_int_equal(k.npeople, 0);
    assert_int_equal(k.nhouses, 0);
    assert_int_equal(sum.people, 0);
    kept_free(&k);
}

static void
test_tiny_province(void **state)
{
    (void)state;
    for (long n = 1; n <= 60; n += 7) {
        struct kept k;
        struct dd_demo_summary sum;
        generate_kept(n, (uint64_t)n, &k, &sum);
        assert_int_equal(k.npeople, (size_t)n);
        assert_int_equal(sum.people, n);
        kept_free(&k);
    }
}

static void
test_shares_are_realistic(void **state)
{
    (void)state;
    size_t kinh = 0, nguyen = 0, tran = 0, men = 0, living = 0, under5 = 0, boys5 = 0;
    size_t dead = 0, children = 0, old_women = 0, old = 0, partial = 0;
    for (size_t i = 0; i < big.npeople; i++) {
        const struct dd_person *p = &big.people[i].p;
        if (strcmp(p->status, "dead") == 0) {
            dead++;
            continue;
        }
        living++;
        bool male = strcmp(p->sex, "male") == 0;
        men += male;
        int age = years(p->birth_date, TODAY);
        if (age < 5) {
            under5++;
            boys5 += male;
        }
        children += age < 15;
        if (age >= 75) {
            old++;
            old_women += !male;
        }
        partial += strlen(p->birth_date) < 10;
        if (strcmp(p->ethnicity, "Kinh") == 0) {
            kinh++;
            nguyen += strncmp(p->full_name, "Nguyễn ", strlen("Nguyễn ")) == 0;
            tran += strncmp(p->full_name, "Trần ", strlen("Trần ")) == 0;
        }
    }
    double nguyen_share = (double)nguyen / (double)kinh;
    assert_true(nguyen_share > 0.34 && nguyen_share < 0.42);
    double tran_share = (double)tran / (double)kinh;
    assert_true(tran_share > 0.09 && tran_share < 0.13);
    double male_share = (double)men / (double)living;
    double expected = (double)dd_demo_expected_male_share() / 100000.0;
    assert_true(fabs(male_share - expected) < 0.015);
    double ratio_at_birth = (double)boys5 / (double)(under5 - boys5);
    assert_true(ratio_at_birth > 1.00 && ratio_at_birth < 1.23);
    assert_true((double)old_women / (double)old > 0.56);    /* more women at old ages */
    double child_share = (double)children / (double)living; /* 2019: about 24% under 15 */
    assert_true(child_share > 0.21 && child_share < 0.27);
    assert_int_equal(dead, 20000 * 25 / 1000);
    assert_true(partial > 50 && partial < living / 20); /* some old people's dates are partial */

    size_t members = 0;
    for (size_t i = 0; i < big.npeople; i++)
        members += big.people[i].household_index >= 0;
    double mean = (double)members / (double)big.nhouses;
    assert_true(mean > 3.2 && mean < 3.8);
    assert_int_equal(big_sum.households, (long)big.nhouses);
    assert_true(big_sum.temporary > 100);
    assert_true(big_sum.absent > 50);
    assert_true(big_sum.moved > 300);
}

static void
test_every_person_passes_the_checks(void **state)
{
    (void)state;
    struct kept_person **index = index_by_id(&big);
    for (size_t i = 0; i < big.npeople; i++) {
        struct dd_person_check check;
        int errors = dd_person_check(&big.people[i].p, &check);
        if (errors != 0 || check.count != 0)
            fail_msg("%s: %s %s", big.people[i].p.id_number, check.issues[0].field,
                     check.issues[0].code);
        if (i > 0)
            assert_string_not_equal(index[i - 1]->p.id_number, index[i]->p.id_number);
    }
    free(index);
}

static void
check_parent(struct kept_person **index, const struct dd_person *c, const char *id, bool female)
{
    if (id[0] == '\0')
        return;
    const struct kept_person *p = find(index, big.npeople, id);
    if (p == NULL)
        fail_msg("%s: parent %s is not in the register", c->id_number, id);
    assert_string_equal(p->p.sex, female ? "female" : "male");
    int age = years(p->p.birth_date, c->birth_date[4] ? c->birth_date : "2000-01-01");
    if (strlen(c->birth_date) == 10 && strlen(p->p.birth_date) == 10 &&
        (age < (female ? 16 : 17) || age > (female ? 46 : 61)))
        fail_msg("%s: %s was %d at the birth", c->id_number, id, age);
    if (strcmp(p->p.status, "dead") == 0)
        assert_true(strncmp(p->p.death_date, c->birth_date, 4) >= 0);
}

static void
test_links_agree(void **state)
{
    (void)state;
    struct kept_person **index = index_by_id(&big);
    for (size_t i = 0; i < big.npeople; i++) {
        const struct dd_person *p = &big.people[i].p;
        check_parent(index, p, p->father_id, false);
        check_parent(index, p, p->mother_id, true);
        if (p->spouse_id[0]) {
            const struct kept_person *s = find(index, big.npeople, p->spouse_id);
            assert_non_null(s);
            assert_string_equal(s->p.spouse_id, p->id_number);
            assert_string_not_equal(s->p.sex, p->sex);
            int gap =
                abs(dd_partial_date_year(s->p.birth_date) - dd_partial_date_year(p->birth_date));
            assert_true(gap <= 16);
        }
    }
    /* Households: one head, the one the household names; relations read from the links. */
    for (size_t h = 0; h < big.nhouses; h++) {
        const struct kept_person *head = find(index, big.npeople, big.houses[h].head_id);
        assert_non_null(head);
        assert_int_equal(head->household_index, (long)h);
        assert_string_equal(head->p.relation_to_head, "Chủ hộ");
        assert_string_equal(head->p.permanent_commune, big.houses[h].commune);
        assert_string_equal(head->p.household_number, big.houses[h].number);
    }
    size_t spouses = 0, children = 0;
    for (size_t i = 0; i < big.npeople; i++) {
        const struct kept_person *kp = &big.people[i];
        const struct dd_person *p = &kp->p;
        if (kp->household_index < 0) {
            assert_string_equal(p->relation_to_head, "");
            continue;
        }
        const struct kept_person *head =
            find(index, big.npeople, big.houses[kp->household_index].head_id);
        const char *rel = p->relation_to_head;
        if (strcmp(rel, "Chủ hộ") == 0)
            assert_ptr_equal(head, kp);
        if (strcmp(rel, "Vợ") == 0 || strcmp(rel, "Chồng") == 0) {
            assert_string_equal(head->p.spouse_id, p->id_number);
            assert_string_equal(p->sex, strcmp(rel, "Vợ") == 0 ? "female" : "male");
            spouses++;
        }
        if (strcmp(rel, "Con") == 0) {
            bool of_head = strcmp(p->father_id, head->p.id_number) == 0 ||
                           strcmp(p->mother_id, head->p.id_number) == 0;
            bool of_spouse =
                head->p.spouse_id[0] && (strcmp(p->father_id, head->p.spouse_id) == 0 ||
                                         strcmp(p->mother_id, head->p.spouse_id) == 0);
            assert_true(of_head || of_spouse);
            children++;
        }
        if (strcmp(rel, "Mẹ") == 0)
            assert_string_equal(head->p.mother_id, p->id_number);
        if (strcmp(rel, "Bố") == 0)
            assert_string_equal(head->p.father_id, p->id_number);
        assert_string_not_equal(rel, "Khác");
        assert_string_equal(p->status, "alive");
    }
    assert_true(spouses > big.nhouses / 3);
    assert_true(children > big.npeople / 4);
    free(index);
}

static void
test_history_folds_to_the_record(void **state)
{
    (void)state;
    struct dd_arena *a = dd_arena_new(0);
    size_t kinds_moved = 0, kinds_died = 0, kinds_absent = 0, kinds_born = 0;
    for (size_t i = 0; i < big.npeople; i++) {
        const struct kept_person *kp = &big.people[i];
        struct dd_person folded;
        memset(&folded, 0, sizeof folded);
        dd_person_fill_empty(&folded);
        assert_true(kp->version >= 1);
        const char *last_at = "";
        for (int v = 0; v < kp->version; v++) {
            const struct dd_demo_history *h = &big.history[kp->first_history + v];
            assert_string_equal(h->id_number, kp->p.id_number);
            assert_int_equal(h->version, v + 1);
            assert_true(strcmp(h->at, last_at) >= 0);
            last_at = h->at;
            if (v == 0)
                assert_true(strcmp(h->kind, "imported") == 0 || strcmp(h->kind, "born") == 0);
            kinds_moved += strcmp(h->kind, "moved") == 0;
            kinds_died += strcmp(h->kind, "died") == 0;
            kinds_absent += strcmp(h->kind, "absent") == 0;
            kinds_born += strcmp(h->kind, "born") == 0;
            assert_int_equal(dd_person_fold(a, &folded, h->changes), DD_OK);
        }
        for (int f = 0; f < DD_PERSON_NFIELDS; f++)
            if (strcmp(dd_person_get(&folded, f), dd_person_get(&kp->p, f)) != 0)
                fail_msg("%s: %s folds to '%s', the record has '%s'", kp->p.id_number,
                         dd_person_fields[f].name, dd_person_get(&folded, f),
                         dd_person_get(&kp->p, f));
        dd_arena_reset(a);
    }
    assert_true(kinds_moved > 300);
    assert_true(kinds_died > 100);
    assert_true(kinds_absent > 50);
    assert_true(kinds_born > 100);
    dd_arena_free(a);
}

/* --- on the database --- */

static void
migrate_and_load_units(struct dbfx *fx)
{
    dbfx_migrate_core(fx->db);
    char err[512] = "";
    if (dd_units_ensure_loaded(fx->db, NULL, err, sizeof err) != DD_OK)
        fail_msg("units: %s", err);
}

static void
test_world_from_the_unit_tables(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    migrate_and_load_units(fx);
    struct dd_demo_world w;
    char err[512] = "";
    assert_int_equal(dd_demo_world_load(fx->db, "56", &w, err, sizeof err), DD_OK);
    assert_string_equal(w.province_name, "Tỉnh Khánh Hòa");
    assert_int_equal(w.ncommunes, 65);
    size_t from_ninh_thuan = 0, nha_trang = 0;
    for (size_t i = 0; i < w.ncommunes; i++) {
        assert_string_equal(w.communes[i].province, "56");
        from_ninh_thuan += strcmp(w.communes[i].birth_code, "058") == 0;
        if (strcmp(w.communes[i].code, "22366") == 0) {
            assert_string_equal(w.communes[i].name, "Phường Nha Trang");
            assert_string_equal(w.communes[i].birth_code, "056");
            nha_trang++;
        }
    }
    assert_int_equal(nha_trang, 1);
    assert_int_equal(from_ninh_thuan, 24); /* the communes formed from former Ninh Thuận */
    assert_true(w.nothers > 200);
    bool phu_yen = false;
    for (size_t i = 0; i < w.nothers; i++) {
        assert_string_not_equal(w.others[i].province, "56");
        phu_yen |=
            strcmp(w.others[i].province, "66") == 0 && strcmp(w.others[i].birth_code, "054") == 0;
    }
    assert_true(phu_yen); /* former Phú Yên is in Đắk Lắk now */
    dd_demo_world_free(&w);
    assert_int_equal(dd_demo_world_load(fx->db, "57", &w, err, sizeof err), DD_ENOTFOUND);
    assert_non_null(strstr(err, "57"));
}

static uint64_t
db_people_hash(struct dd_db *db)
{
    struct dd_stmt *st;
    assert_int_equal(dd_db_prepare(db,
                                   "SELECT id_number, full_name, birth_date, sex, father_id, "
                                   "mother_id, spouse_id, permanent_commune, relation_to_head "
                                   "FROM people ORDER BY id_number",
                                   &st),
                     DD_OK);
    uint64_t h = 14695981039346656037ULL;
    while (dd_stmt_step(st) == DD_DB_ROW)
        for (int c = 0; c < 9; c++) {
            for (const char *s = dd_stmt_text(st, c); s && *s; s++)
                h = (h ^ (unsigned char)*s) * 1099511628211ULL;
            h = (h ^ 0xff) * 1099511628211ULL;
        }
    dd_stmt_reset(st);
    return h;
}

static int
by_id_only(const void *a, const void *b)
{
    return strcmp((*(const struct dd_person *const *)a)->id_number,
                  (*(const struct dd_person *const *)b)->id_number);
}

static uint64_t
kept_people_hash(const struct kept *k)
{
    const struct dd_person **v = malloc(k->npeople * sizeof *v);
    for (size_t i = 0; i < k->npeople; i++)
        v[i] = &k->people[i].p;
    qsort(v, k->npeople, sizeof *v, by_id_only);
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < k->npeople; i++) {
        const char *cols[] = {v[i]->id_number, v[i]->full_name,         v[i]->birth_date,
                              v[i]->sex,       v[i]->father_id,         v[i]->mother_id,
                              v[i]->spouse_id, v[i]->permanent_commune, v[i]->relation_to_head};
        for (int c = 0; c < 9; c++) {
            for (const char *s = cols[c]; *s; s++)
                h = (h ^ (unsigned char)*s) * 1099511628211ULL;
            h = (h ^ 0xff) * 1099511628211ULL;
        }
    }
    free(v);
    return h;
}

/* The register's secondary indexes, which the write sets aside and builds again. */
static void
assert_indexes_present(struct dbfx *fx)
{
    static const char *const names[] = {
        "people_name",      "people_given",      "people_permanent",  "people_temporary",
        "people_household", "residences_person", "households_commune"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char sql[200];
        snprintf(sql, sizeof sql,
                 fx->kind == DD_DB_SQLITE
                     ? "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = '%s'"
                     : "SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema() AND "
                       "indexname = '%s'",
                 names[i]);
        if (dbfx_int(fx->db, sql) != 1)
            fail_msg("index %s is missing", names[i]);
    }
}

static void
test_write_into_the_register(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    migrate_and_load_units(fx);
    struct dd_demo_world w = test_world();
    struct dd_demo_options o = test_options(2000, 5);
    struct dd_demo_summary sum;
    char err[512] = "";
    int rc = dd_demo_write(fx->db, &w, &o, &sum, err, sizeof err);
    if (rc != DD_OK)
        fail_msg("write: %s", err);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM people"), 2000);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM households"), sum.households);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM person_history"), sum.history);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM residences"), sum.residences);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM people WHERE status = 'dead'"), 50);
    assert_indexes_present(fx);
    /* Every member points at a household of its commune, and every household has its head. */
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM people p JOIN households h ON "
                                      "h.id = p.household_id WHERE h.commune_code <> "
                                      "p.permanent_commune"),
                     0);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM households h WHERE NOT EXISTS "
                                      "(SELECT 1 FROM people p WHERE p.id_number = h.head_id AND "
                                      "p.household_id = h.id AND p.relation_to_head = 'Chủ hộ')"),
                     0);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM people WHERE version <> (SELECT "
                                      "COUNT(*) FROM person_history h WHERE h.id_number = "
                                      "people.id_number)"),
                     0);
    /* The same seed again, kept in memory: the same people. */
    struct kept k;
    struct dd_demo_summary ksum;
    memset(&k, 0, sizeof k);
    k.a = dd_arena_new(1 << 20);
    struct dd_demo_sink sink = {&k, keep_household, keep_person, keep_history, keep_residence};
    assert_int_equal(dd_demo_generate(&w, &o, &sink, &ksum, err, sizeof err), DD_OK);
    assert_true(db_people_hash(fx->db) == kept_people_hash(&k));

    /* The register reads the records back, and its rebuild from history agrees with them. */
    struct dd_arena *a = dd_arena_new(0);
    for (size_t i = 0; i < k.npeople; i += 97) {
        struct dd_reg_person stored;
        assert_int_equal(dd_reg_person_load(fx->db, a, k.people[i].p.id_number, &stored), DD_OK);
        struct dd_person rebuilt;
        int64_t version;
        assert_int_equal(
            dd_reg_person_rebuild(fx->db, a, k.people[i].p.id_number, &rebuilt, &version), DD_OK);
        assert_int_equal(version, stored.version);
        for (int f = 0; f < DD_PERSON_NFIELDS; f++)
            assert_string_equal(dd_person_get(&rebuilt, f), dd_person_get(&stored.p, f));
        assert_string_equal(stored.p.full_name, k.people[i].p.full_name);
        dd_arena_reset(a);
    }
    dd_arena_free(a);
    kept_free(&k);

    /* A second run is refused and changes nothing. */
    uint64_t before = db_people_hash(fx->db);
    int64_t history = dbfx_int(fx->db, "SELECT COUNT(*) FROM person_history");
    o.seed = 6;
    assert_int_equal(dd_demo_write(fx->db, &w, &o, &sum, err, sizeof err), DD_EEXIST);
    assert_non_null(strstr(err, "2000 people"));
    assert_true(db_people_hash(fx->db) == before);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM person_history"), history);
}

static void
test_bad_write_stores_nothing(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    migrate_and_load_units(fx);
    struct dd_demo_world w = test_world();
    struct dd_demo_options o = test_options(0, 5);
    struct dd_demo_summary sum;
    char err[512] = "";
    assert_int_equal(dd_demo_write(fx->db, &w, &o, &sum, err, sizeof err), DD_EINVAL);
    w.ncommunes = 0;
    o.people = 100;
    assert_int_equal(dd_demo_write(fx->db, &w, &o, &sum, err, sizeof err), DD_EINVAL);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM people"), 0);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM households"), 0);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM person_history"), 0);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM residences"), 0);
    assert_false(dd_db_in_transaction(fx->db));
    assert_indexes_present(fx);
    /* After a refusal the next run works, and its households take fresh ids. */
    w = test_world();
    o.people = 300;
    assert_int_equal(dd_demo_write(fx->db, &w, &o, &sum, err, sizeof err), DD_OK);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM people"), 300);
    assert_int_equal(dbfx_int(fx->db, "SELECT MIN(id) FROM households"), 1);
    int64_t id;
    assert_int_equal(dd_reg_household_create(fx->db, "56223339999999", "", "56", "22333", "", &id),
                     DD_OK);
    assert_int_equal(id, sum.households + 1);
}

static void
test_failed_write_stores_nothing(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    migrate_and_load_units(fx);
    /* A household number the demo will want, taken already: the write fails half-way. */
    int64_t id;
    assert_int_equal(dd_reg_household_create(fx->db, "5622333000001", "", "56", "22333",
                                             "Số 1, đường Trần Phú", &id),
                     DD_OK);
    struct dd_demo_world w = test_world();
    struct dd_demo_options o = test_options(2000, 5);
    struct dd_demo_summary sum;
    char err[512] = "";
    assert_int_equal(dd_demo_write(fx->db, &w, &o, &sum, err, sizeof err), DD_ECONFLICT);
    assert_non_null(strstr(err, "writing the demo failed"));
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM people"), 0);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM households"), 1);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM person_history"), 0);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM residences"), 0);
    assert_false(dd_db_in_transaction(fx->db));
    assert_indexes_present(fx);
}

static void
test_officer_accounts(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    migrate_and_load_units(fx);
    struct dd_demo_world w;
    char err[512] = "";
    assert_int_equal(dd_demo_world_load(fx->db, "56", &w, err, sizeof err), DD_OK);
    struct dd_demo_accounts acc;
    assert_int_equal(dd_demo_accounts_create(fx->db, &w, &acc, err, sizeof err), DD_OK);
    assert_string_equal(acc.admin, "admin");
    assert_string_equal(acc.commune_police, "cand.bacnhatrang");
    assert_string_equal(acc.commune_code, "22333");
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM officers WHERE username = 'admin' "
                                      "AND role = 'admin' AND province_code = '56' AND "
                                      "commune_code = ''"),
                     1);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM officers WHERE username = "
                                      "'cand.bacnhatrang' AND role = 'commune-police' AND "
                                      "province_code = '56' AND commune_code = '22333'"),
                     1);
    /* Again: nothing new, no error. */
    assert_int_equal(dd_demo_accounts_create(fx->db, &w, &acc, err, sizeof err), DD_OK);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM officers"), 3);
    char token[DD_TOKEN_LEN + 1];
    assert_int_equal(dd_officer_token_issue(fx->db, "admin", 60, token, err, sizeof err), DD_OK);
    assert_int_equal(strlen(token), DD_TOKEN_LEN);
    dd_demo_world_free(&w);
}

int
main(void)
{
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(test_same_seed_same_records),
        cmocka_unit_test(test_bad_options_are_refused),
        cmocka_unit_test(test_tiny_province),
        cmocka_unit_test(test_shares_are_realistic),
        cmocka_unit_test(test_every_person_passes_the_checks),
        cmocka_unit_test(test_links_agree),
        cmocka_unit_test(test_history_folds_to_the_record),
    };
    const struct CMUnitTest db[] = {
        DB_TEST(test_world_from_the_unit_tables), DB_TEST(test_write_into_the_register),
        DB_TEST(test_bad_write_stores_nothing),   DB_TEST(test_failed_write_stores_nothing),
        DB_TEST(test_officer_accounts),
    };
    int failed = cmocka_run_group_tests_name("demo generator", pure, big_setup, big_teardown);
    failed += cmocka_run_group_tests_name("demo in the register", db, NULL, NULL);
    return failed;
}

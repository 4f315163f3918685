/*
 * gen_people.c — writes N valid people as CSV in the format of `dinhdanh import people`
 * (docs/people-csv.md), the same bytes for the same arguments, for bench/register.sh.
 *
 *     gen_people ROWS COMMUNES_FILE [SEED] > people.csv
 *
 * COMMUNES_FILE holds the communes people live in, one per line as `dinhdanh units list`
 * prints them (PROVINCE<TAB>CODE<TAB>NAME<TAB>LEVEL). People come in households of one to six
 * (a head, often a spouse, children, sometimes a parent of the head), with links between
 * parents, children and spouses, ID numbers that agree with their sex and year of birth, partial
 * and full dates of birth, addresses holding commas (so quoted), some temporary residences, some
 * old 9-digit ID numbers and a few deaths.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_COMMUNES 4096
#define TODAY_YEAR   2025

struct commune {
    char province[3];
    char code[6];
    char name[128];
};

static struct commune communes[MAX_COMMUNES];
static int ncommunes;
static uint64_t rng_state;
static char out[1 << 20];
static size_t out_len;

static uint64_t
next(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static int
below(int n)
{
    return (int)(next() % (uint64_t)n);
}

static const char *
pick(const char *const *list, int n)
{
    return list[below(n)];
}

static const char *const family[] = {"Nguyễn", "Trần", "Lê",    "Phạm", "Hoàng",  "Huỳnh",
                                     "Phan",   "Vũ",   "Võ",    "Đặng", "Bùi",    "Đỗ",
                                     "Hồ",     "Ngô",  "Dương", "Lý",   "Trương", "Đinh"};
static const char *const middle_m[] = {"Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Công"};
static const char *const middle_f[] = {"Thị", "Ngọc", "Thu", "Thanh", "Kim", "Mỹ", "Phương"};
static const char *const given_m[] = {"An",   "Bình", "Cường", "Dũng",  "Đạt",   "Hải",
                                      "Hùng", "Khoa", "Long",  "Minh",  "Nam",   "Phúc",
                                      "Quân", "Sơn",  "Tâm",   "Thắng", "Trung", "Vinh"};
static const char *const given_f[] = {"Anh",   "Chi",   "Dung",   "Giang", "Hà",    "Hạnh",
                                      "Hoa",   "Hương", "Lan",    "Linh",  "Mai",   "Nga",
                                      "Nhung", "Oanh",  "Phượng", "Thảo",  "Trang", "Yến"};
static const char *const streets[] = {"Trần Phú",    "Lê Lợi",     "Nguyễn Huệ", "Hùng Vương",
                                      "Quang Trung", "Thống Nhất", "Yersin",     "Pasteur"};
static const char *const places[] = {"Khánh Hòa", "Ninh Thuận", "Phú Yên",   "Bình Định",
                                     "Đắk Lắk",   "Lâm Đồng",   "Quảng Nam", "Hà Nội"};
static const char *const place_codes[] = {"056", "058", "054", "052", "066", "068", "049", "001"};

static void
emit(const char *s)
{
    size_t n = strlen(s);
    if (out_len + n > sizeof out) {
        fwrite(out, 1, out_len, stdout);
        out_len = 0;
    }
    memcpy(out + out_len, s, n);
    out_len += n;
}

/* A CSV field: quoted when it holds a comma or a quote. */
static void
field(const char *s, int last)
{
    if (strpbrk(s, ",\"")) {
        emit("\"");
        for (const char *p = s; *p; p++) {
            char c[3] = {*p, *p == '"' ? '"' : 0, 0};
            emit(c);
        }
        emit("\"");
    } else {
        emit(s);
    }
    emit(last ? "\r\n" : ",");
}

struct person {
    char id[16];
    char name[96];
    char birth[11];
    int male;
    int year;
    char father[16], mother[16], spouse[16];
    const char *relation;
};

static int seq[10][100]; /* per century/sex digit and year: the last sequence number used */

static void
make_person(struct person *p, int male, int year, const char *family_name)
{
    memset(p, 0, sizeof *p);
    p->male = male;
    p->year = year;
    int digit = (year - 1900) / 100 * 2 + (male ? 0 : 1);
    int place = below(8);
    snprintf(p->id, sizeof p->id, "%s%d%02d%06d", place_codes[place], digit % 10, year % 100,
             ++seq[digit % 10][year % 100] % 1000000);
    snprintf(p->name, sizeof p->name, "%s %s %s", family_name,
             male ? pick(middle_m, 7) : pick(middle_f, 7),
             male ? pick(given_m, 18) : pick(given_f, 18));
    int kind = below(20);
    if (kind == 0)
        snprintf(p->birth, sizeof p->birth, "%d", year);
    else if (kind == 1)
        snprintf(p->birth, sizeof p->birth, "%d-%02d", year, 1 + below(12));
    else
        snprintf(p->birth, sizeof p->birth, "%d-%02d-%02d", year, 1 + below(12), 1 + below(28));
}

static void
write_person(const struct person *p, const char *household, const struct commune *home,
             const char *address)
{
    char old_id[10] = "", until[11] = "", temp_addr[160] = "";
    const struct commune *temp = NULL;
    if (p->year < 1995 && below(3) == 0)
        snprintf(old_id, sizeof old_id, "%09d", below(1000000000));
    if (below(10) == 0) {
        temp = &communes[below(ncommunes)];
        snprintf(until, sizeof until, "%d-%02d-01", TODAY_YEAR + 1 + below(3), 1 + below(12));
        snprintf(temp_addr, sizeof temp_addr, "Phòng %d, nhà trọ số %d, %s", 1 + below(30),
                 1 + below(200), temp->name);
    }
    int dead = p->year < 1960 && below(20) == 0;
    char death[11] = "";
    if (dead)
        snprintf(death, sizeof death, "%d-%02d-%02d", 2000 + below(25), 1 + below(12),
                 1 + below(28));
    const char *place = pick(places, 8);
    field(p->id, 0);
    field(p->name, 0);
    field("", 0); /* other_names */
    field(p->birth, 0);
    field(p->male ? "male" : "female", 0);
    field(below(12) ? "Kinh" : "Chăm", 0);
    field(below(5) ? "Không" : "Phật giáo", 0);
    field("VN", 0);
    field(place, 0);
    field(place, 0);
    field(old_id, 0);
    field("", 0); /* photo_ref */
    field(dead ? "dead" : "alive", 0);
    field(death, 0);
    field(p->father, 0);
    field(p->mother, 0);
    field(p->spouse, 0);
    field(household, 0);
    field(p->relation, 0);
    field(home->province, 0);
    field(home->code, 0);
    field(address, 0);
    field(temp ? temp->province : "", 0);
    field(temp ? temp->code : "", 0);
    field(temp_addr, 0);
    field(until, 1);
}

int
main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: gen_people ROWS COMMUNES_FILE [SEED]\n");
        return 2;
    }
    long rows = strtol(argv[1], NULL, 10);
    rng_state = argc > 3 ? strtoull(argv[3], NULL, 10) : 6;
    FILE *f = fopen(argv[2], "r");
    if (f == NULL) {
        perror(argv[2]);
        return 1;
    }
    char line[512];
    while (fgets(line, sizeof line, f) && ncommunes < MAX_COMMUNES) {
        struct commune *c = &communes[ncommunes];
        if (sscanf(line, "%2s\t%5s\t%127[^\t\n]", c->province, c->code, c->name) == 3)
            ncommunes++;
    }
    fclose(f);
    if (ncommunes == 0) {
        fprintf(stderr, "gen_people: no communes in %s\n", argv[2]);
        return 1;
    }
    emit("id_number,full_name,other_names,birth_date,sex,ethnicity,religion,nationality,"
         "birth_place,hometown,old_id_number,photo_ref,status,death_date,father_id,mother_id,"
         "spouse_id,household_number,relation_to_head,permanent_province,permanent_commune,"
         "permanent_address,temporary_province,temporary_commune,temporary_address,"
         "temporary_until\r\n");
    long written = 0, household_seq = 0;
    while (written < rows) {
        const struct commune *home = &communes[below(ncommunes)];
        char household[16], address[160];
        snprintf(household, sizeof household, "%s%s%06ld", home->province, home->code,
                 ++household_seq % 1000000);
        snprintf(address, sizeof address, "Số %d, đường %s, %s", 1 + below(300), pick(streets, 8),
                 home->name);
        const char *fam = pick(family, 18);
        struct person head, spouse, kid, parent;
        int head_year = 1945 + below(60);
        make_person(&head, below(3) != 0, head_year, fam);
        head.relation = "Chủ hộ";
        int members = 1 + below(6);
        int has_spouse = members >= 2 && head_year < 2000;
        const char *spouse_family = pick(family, 18);
        if (has_spouse) {
            make_person(&spouse, !head.male, head_year - 3 + below(7), spouse_family);
            spouse.relation = head.male ? "Vợ" : "Chồng";
            memcpy(spouse.spouse, head.id, 13);
            memcpy(head.spouse, spouse.id, 13);
        }
        write_person(&head, household, home, address);
        written++;
        if (has_spouse && written < rows) {
            write_person(&spouse, household, home, address);
            written++;
        }
        for (int k = 1 + has_spouse; k < members && written < rows; k++) {
            if (k == members - 1 && head_year > 1975 && below(4) == 0) {
                make_person(&parent, below(2), head_year - 22 - below(10), fam);
                parent.relation = parent.male ? "Bố" : "Mẹ";
                write_person(&parent, household, home, address);
            } else {
                int year = head_year + 20 + below(20);
                if (year > TODAY_YEAR)
                    year = TODAY_YEAR - below(3);
                make_person(&kid, below(2), year, head.male || !has_spouse ? fam : spouse_family);
                kid.relation = "Con";
                const struct person *father = head.male ? &head : has_spouse ? &spouse : NULL;
                const struct person *mother = !head.male ? &head : has_spouse ? &spouse : NULL;
                if (father)
                    memcpy(kid.father, father->id, 13);
                if (mother)
                    memcpy(kid.mother, mother->id, 13);
                write_person(&kid, household, home, address);
            }
            written++;
        }
    }
    fwrite(out, 1, out_len, stdout);
    return fflush(stdout) == 0 ? 0 : 1;
}

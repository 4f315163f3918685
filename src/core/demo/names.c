/*
 * names.c — Vietnamese names for the demo: family names in their published frequencies, middle
 * and given names by sex and by generation, and the naming customs of the province's ethnic
 * minorities.
 *
 * Kinh family names follow the shares usually cited from Lê Trung Hoa's "Họ và tên người Việt
 * Nam" and later surveys of the population register: Nguyễn about 38%, Trần 11%, Lê 9.5%,
 * Phạm 7%, Hoàng/Huỳnh 5% (Huỳnh in the centre and south), Phan 4.5%, Vũ/Võ 3.9% (Võ in the
 * centre and south), Đặng 2.1%, Bùi 2%, Đỗ 1.4%, Hồ 1.3%, Ngô 1.3%, Dương 1%, Lý 0.5%, and a
 * tail. Middle names carry the sex (Văn, Hữu, Đức… for men; Thị, Ngọc, Thu… for women) and
 * fade with the generations (Văn and Thị are far rarer among children born since 1995); given
 * names are weighted for people born before 1965, in 1965–1994 and since 1995. All weights are
 * published approximations rounded for a demonstration.
 *
 * Minorities: Raglai and Chăm families carry family names such as Pi Năng, Katơr, Chamaléa, Mấu
 * (Raglai) and Đàng, Thuận, Quảng, Trượng (Chăm) written first like Kinh names; Ê Đê names put Y
 * (men) or H' (women) before the given name and the clan (Niê, Êban, Ayun…) after it, the clan
 * passing from the mother; Cơ Ho names are K' (men) or Ka (women) and a given name.
 */
#include "core/demo/internal.h"

#include <stdio.h>
#include <string.h>

struct weighted {
    const char *text;
    unsigned weight;
};

/* Weights per thousand people. */
static const struct weighted kinh_family[] = {
    {"Nguyễn", 380}, {"Trần", 110}, {"Lê", 95},    {"Phạm", 70}, {"Huỳnh", 28},  {"Hoàng", 22},
    {"Phan", 45},    {"Võ", 27},    {"Vũ", 12},    {"Đặng", 21}, {"Bùi", 20},    {"Đỗ", 14},
    {"Hồ", 13},      {"Ngô", 13},   {"Dương", 10}, {"Lý", 5},    {"Trương", 10}, {"Đoàn", 9},
    {"Đinh", 9},     {"Mai", 7},    {"Đào", 7},    {"Lâm", 6},   {"Cao", 6},     {"Hà", 6},
    {"Lương", 5},    {"Châu", 5},   {"Thái", 4},   {"Lưu", 4},   {"Phùng", 3},   {"Tạ", 3},
    {"Tô", 3},       {"La", 3},     {"Kiều", 2},   {"Quách", 2}, {"Tôn", 2},     {"Thân", 2},
    {"Chu", 2},      {"Từ", 2},     {"Triệu", 2},  {"Giang", 2}, {"Vương", 2},   {"Ông", 2},
    {"Nghiêm", 1},   {"Mạc", 1},    {"Lục", 1},    {"Khúc", 1},  {"Văn", 2},     {"Tăng", 2},
    {"Âu", 1},       {"Hứa", 1},    {"Lạc", 1},    {"Doãn", 2},
};

static const struct weighted raglai_family[] = {
    {"Pi Năng", 20}, {"Katơr", 15}, {"Chamaléa", 18}, {"Mấu", 15},   {"Bo Bo", 10},
    {"Cao", 8},      {"Mang", 6},   {"Ma", 5},        {"Pinăng", 3},
};

static const struct weighted cham_family[] = {
    {"Đàng", 20}, {"Thuận", 15}, {"Quảng", 12}, {"Trượng", 10}, {"Lưu", 8},   {"Châu", 6},
    {"Thiên", 6}, {"Phú", 5},    {"Bá", 5},     {"Hán", 5},     {"Thông", 4}, {"Tài", 4},
};

static const struct weighted ede_clan[] = {
    {"Niê", 30},   {"Êban", 15}, {"Ayun", 10}, {"Mlô", 10},  {"Byă", 8},
    {"Adrơng", 8}, {"Ktla", 7},  {"Hwing", 6}, {"Kbuôr", 6},
};

static const struct weighted hoa_family[] = {
    {"Lâm", 15}, {"Trương", 12}, {"Lý", 12}, {"Châu", 10}, {"Quách", 8}, {"Hứa", 8},
    {"Mã", 6},   {"Diệp", 6},    {"Lưu", 8}, {"Tăng", 6},  {"Hồng", 4},  {"Tạ", 5},
};

static const struct weighted tay_family[] = {
    {"Nông", 20}, {"Hoàng", 20}, {"Lương", 12}, {"Ma", 8}, {"La", 6}, {"Lường", 5}, {"Hà", 8},
};

static const struct weighted nung_family[] = {
    {"Nông", 15}, {"Hoàng", 15}, {"Lý", 10}, {"Chu", 8}, {"Vi", 8}, {"Lương", 6},
};

static const struct weighted muong_family[] = {
    {"Bùi", 25}, {"Đinh", 20}, {"Quách", 12}, {"Hà", 10}, {"Cao", 5}, {"Xa", 3},
};

struct table {
    const struct weighted *rows;
    size_t n;
};

#define TABLE(t)                                                                                   \
    {                                                                                              \
        t, sizeof t / sizeof t[0]                                                                  \
    }

/* Indexed by ETH_*; Cơ Ho has no family name. */
static const struct table family_tables[ETH_COUNT] = {
    [ETH_KINH] = TABLE(kinh_family),
    [ETH_RAGLAI] = TABLE(raglai_family),
    [ETH_CHAM] = TABLE(cham_family),
    [ETH_EDE] = TABLE(ede_clan),
    [ETH_COHO] = {NULL, 0},
    [ETH_HOA] = TABLE(hoa_family),
    [ETH_TAY] = TABLE(tay_family),
    [ETH_NUNG] = TABLE(nung_family),
    [ETH_MUONG] = TABLE(muong_family),
};

/* A name with weights for people born before 1965, in 1965–1994 and since 1995. */
struct by_era {
    const char *text;
    unsigned w[3];
};

static const struct by_era male_middle[] = {
    {"Văn", {600, 380, 120}}, {"Hữu", {60, 70, 50}},   {"Đức", {50, 70, 80}},
    {"Minh", {30, 80, 140}},  {"Quang", {40, 60, 70}}, {"Công", {40, 50, 40}},
    {"Thanh", {40, 60, 50}},  {"Ngọc", {30, 40, 30}},  {"Xuân", {30, 40, 30}},
    {"Quốc", {20, 50, 70}},   {"Tấn", {40, 60, 40}},   {"Gia", {0, 10, 100}},
    {"Hoàng", {10, 30, 60}},  {"Anh", {0, 20, 50}},    {"Duy", {0, 20, 40}},
    {"Trung", {10, 30, 30}},  {"Thành", {20, 30, 30}}, {"Nhật", {0, 10, 50}},
    {"Bảo", {0, 10, 60}},     {"Đình", {30, 40, 30}},
};

static const struct by_era female_middle[] = {
    {"Thị", {850, 580, 180}}, {"Ngọc", {30, 70, 120}}, {"Thu", {20, 50, 40}},
    {"Thanh", {20, 50, 40}},  {"Kim", {20, 40, 30}},   {"Mỹ", {10, 40, 40}},
    {"Bích", {10, 30, 20}},   {"Hồng", {10, 30, 20}},  {"Minh", {0, 10, 70}},
    {"Bảo", {0, 10, 80}},     {"Khánh", {0, 10, 70}},  {"Phương", {0, 20, 50}},
    {"Thùy", {0, 30, 50}},    {"Hoài", {0, 20, 30}},   {"Diệu", {0, 10, 30}},
    {"Gia", {0, 0, 40}},      {"Tuyết", {10, 20, 10}}, {"Cẩm", {10, 20, 20}},
};

static const struct by_era male_given[] = {
    {"An", {2, 3, 4}},    {"Anh", {2, 5, 6}},   {"Bảo", {0, 1, 8}},   {"Bình", {5, 4, 2}},
    {"Cường", {3, 5, 2}}, {"Chiến", {3, 3, 1}}, {"Công", {3, 3, 1}},  {"Danh", {2, 3, 2}},
    {"Dũng", {4, 6, 3}},  {"Duy", {0, 3, 5}},   {"Đạt", {1, 4, 6}},   {"Đức", {4, 5, 4}},
    {"Đông", {3, 3, 1}},  {"Giang", {1, 2, 2}}, {"Hải", {4, 6, 4}},   {"Hào", {2, 2, 2}},
    {"Hiếu", {1, 4, 5}},  {"Hiệp", {2, 3, 2}},  {"Hòa", {5, 3, 1}},   {"Hoàng", {1, 4, 5}},
    {"Hùng", {5, 6, 3}},  {"Hưng", {3, 4, 3}},  {"Huy", {1, 4, 7}},   {"Khang", {0, 0, 6}},
    {"Khánh", {1, 3, 5}}, {"Khoa", {0, 2, 6}},  {"Khôi", {0, 1, 6}},  {"Kiên", {1, 3, 3}},
    {"Lâm", {2, 2, 3}},   {"Lộc", {3, 4, 3}},   {"Long", {3, 5, 4}},  {"Lực", {3, 2, 1}},
    {"Minh", {3, 5, 6}},  {"Nam", {3, 5, 4}},   {"Nghĩa", {3, 4, 2}}, {"Nhân", {2, 3, 3}},
    {"Phát", {1, 2, 4}},  {"Phong", {2, 4, 4}}, {"Phúc", {2, 3, 6}},  {"Phước", {4, 4, 2}},
    {"Phụng", {3, 1, 0}}, {"Quang", {3, 4, 3}}, {"Quân", {1, 3, 6}},  {"Sang", {2, 3, 2}},
    {"Sơn", {4, 6, 3}},   {"Tài", {3, 4, 3}},   {"Tâm", {3, 4, 2}},   {"Tân", {4, 3, 1}},
    {"Thắng", {3, 5, 2}}, {"Thành", {4, 6, 3}}, {"Thiện", {2, 3, 3}}, {"Thịnh", {2, 4, 4}},
    {"Thọ", {5, 2, 0}},   {"Tiến", {3, 5, 3}},  {"Tín", {2, 3, 3}},   {"Toàn", {3, 4, 3}},
    {"Trí", {2, 3, 4}},   {"Trọng", {3, 3, 2}}, {"Trung", {4, 5, 3}}, {"Tuấn", {2, 7, 4}},
    {"Tùng", {2, 4, 4}},  {"Việt", {2, 3, 3}},  {"Vinh", {4, 4, 3}},  {"Vũ", {1, 3, 4}},
    {"Lành", {3, 1, 0}},  {"Ba", {3, 0, 0}},    {"Châu", {2, 2, 1}},  {"Nhật", {0, 1, 5}},
    {"Thuận", {3, 3, 2}}, {"Hậu", {2, 3, 2}},   {"Phú", {3, 3, 2}},   {"Định", {3, 2, 1}},
    {"Tú", {1, 3, 3}},    {"Vĩnh", {3, 2, 1}},  {"Quý", {3, 3, 1}},   {"Kha", {0, 0, 3}},
};

static const struct by_era female_given[] = {
    {"An", {1, 2, 5}},     {"Anh", {1, 5, 8}},    {"Ánh", {2, 4, 3}},    {"Bích", {3, 3, 1}},
    {"Cúc", {5, 1, 0}},    {"Châu", {1, 2, 4}},   {"Chi", {0, 2, 6}},    {"Diễm", {1, 3, 3}},
    {"Diệp", {1, 2, 3}},   {"Dung", {4, 5, 2}},   {"Duyên", {1, 4, 4}},  {"Đào", {4, 2, 0}},
    {"Gấm", {4, 1, 0}},    {"Giang", {1, 3, 4}},  {"Hà", {3, 5, 4}},     {"Hạnh", {3, 5, 2}},
    {"Hằng", {2, 6, 3}},   {"Hân", {0, 1, 6}},    {"Hiền", {3, 5, 3}},   {"Hoa", {6, 5, 2}},
    {"Hồng", {5, 4, 1}},   {"Huệ", {5, 3, 1}},    {"Hương", {4, 7, 3}},  {"Huyền", {2, 5, 4}},
    {"Lài", {4, 1, 0}},    {"Lan", {6, 5, 2}},    {"Liên", {5, 4, 1}},   {"Linh", {1, 5, 7}},
    {"Loan", {3, 4, 1}},   {"Lệ", {4, 3, 1}},     {"Mai", {4, 5, 3}},    {"My", {0, 2, 6}},
    {"Mỹ", {3, 3, 2}},     {"Nga", {4, 5, 2}},    {"Ngân", {1, 4, 5}},   {"Ngọc", {2, 4, 5}},
    {"Nhi", {0, 2, 7}},    {"Nhung", {3, 5, 2}},  {"Nương", {4, 1, 0}},  {"Oanh", {3, 4, 1}},
    {"Phương", {3, 6, 4}}, {"Phượng", {4, 3, 1}}, {"Quỳnh", {1, 3, 5}},  {"Sen", {4, 1, 0}},
    {"Sương", {4, 3, 1}},  {"Tâm", {3, 4, 3}},    {"Thảo", {2, 6, 6}},   {"Thanh", {4, 4, 2}},
    {"Thơm", {4, 1, 0}},   {"Thu", {4, 4, 2}},    {"Thủy", {4, 6, 2}},   {"Thư", {0, 2, 6}},
    {"Tiên", {1, 3, 5}},   {"Trang", {1, 6, 6}},  {"Trâm", {0, 3, 5}},   {"Trinh", {2, 4, 3}},
    {"Tuyết", {4, 4, 1}},  {"Uyên", {0, 2, 6}},   {"Vân", {4, 5, 3}},    {"Vy", {0, 1, 7}},
    {"Xuân", {4, 3, 1}},   {"Yến", {3, 5, 3}},    {"Nguyệt", {3, 3, 1}}, {"Thắm", {3, 3, 0}},
    {"Kim", {3, 2, 1}},    {"Lựu", {4, 1, 0}},    {"Ly", {0, 2, 5}},     {"Hậu", {2, 3, 1}},
};

/* Ê Đê given names, after Y (men) or H' (women). */
static const char *const ede_male[] = {"Bhin",  "Ngông", "Khoa", "Blô", "Thuột", "Jut",
                                       "Krông", "Wem",   "Dhăm", "Sơn", "Yơn",   "Tlang"};
static const char *const ede_female[] = {"Linh", "Nga", "Hen", "Ni",  "Bia", "Zin",
                                         "Loan", "Yơn", "Mai", "Lim", "Duê", "Juen"};
/* Cơ Ho given names, after K' (men) or Ka (women). */
static const char *const coho_male[] = {"Brơi", "Dũng", "Tiếu", "Hoan", "Sớ",  "Bình",
                                        "Điệp", "Brel", "Ha",   "Lộc",  "Srê", "Jơn"};
static const char *const coho_female[] = {"Thuyên", "Huệ",   "Liên", "Dung", "Brơi", "Rin",
                                          "Nhoan",  "Sương", "Hoa",  "Bình", "Điểu", "Phương"};

#define COUNT(a) (sizeof a / sizeof a[0])

static int
era(int birth_year)
{
    return birth_year < 1965 ? 0 : birth_year < 1995 ? 1 : 2;
}

static int16_t
pick_weighted(struct dd_demo_rng *r, const struct weighted *rows, size_t n)
{
    unsigned w[64];
    for (size_t i = 0; i < n && i < COUNT(w); i++)
        w[i] = rows[i].weight;
    return (int16_t)dd_demo_rng_weighted(r, w, n < COUNT(w) ? n : COUNT(w));
}

static int16_t
pick_by_era(struct dd_demo_rng *r, const struct by_era *rows, size_t n, int e)
{
    unsigned w[96];
    size_t m = n < COUNT(w) ? n : COUNT(w);
    for (size_t i = 0; i < m; i++)
        w[i] = rows[i].w[e];
    return (int16_t)dd_demo_rng_weighted(r, w, m);
}

int16_t
dd_demo_pick_family(struct dd_demo_rng *r, int ethnic)
{
    const struct table *t = &family_tables[ethnic];
    if (t->n == 0)
        return -1;
    return pick_weighted(r, t->rows, t->n);
}

bool
dd_demo_family_from_mother(int ethnic)
{
    return ethnic == ETH_EDE;
}

const char *
dd_demo_kinh_surname(int16_t family)
{
    if (family < 0 || (size_t)family >= COUNT(kinh_family))
        return "";
    return kinh_family[family].text;
}

static bool
short_list_names(int ethnic)
{
    return ethnic == ETH_EDE || ethnic == ETH_COHO;
}

void
dd_demo_pick_names(struct dd_demo_rng *r, int ethnic, bool female, int birth_year,
                   struct dd_demo_name *n)
{
    n->middle = n->middle2 = -1;
    if (short_list_names(ethnic)) {
        n->given =
            (int16_t)dd_demo_rng_below(r, ethnic == ETH_EDE ? COUNT(ede_male) : COUNT(coho_male));
        return;
    }
    int e = era(birth_year);
    const struct by_era *mid = female ? female_middle : male_middle;
    size_t nmid = female ? COUNT(female_middle) : COUNT(male_middle);
    const struct by_era *giv = female ? female_given : male_given;
    size_t ngiv = female ? COUNT(female_given) : COUNT(male_given);
    n->middle = pick_by_era(r, mid, nmid, e);
    /* Two middle names: "Thị Thu", "Ngọc Bảo"; mostly women. */
    unsigned second = female ? (e == 0 ? 50 : 150) : 30;
    if (dd_demo_rng_chance(r, second)) {
        int16_t m2 = pick_by_era(r, mid, nmid, e);
        if (m2 != n->middle && strcmp(mid[m2].text, "Thị") != 0 && strcmp(mid[m2].text, "Văn") != 0)
            n->middle2 = m2;
    }
    for (int tries = 0; tries < 4; tries++) {
        n->given = pick_by_era(r, giv, ngiv, e);
        const char *g = giv[n->given].text;
        if (strcmp(g, mid[n->middle].text) != 0 &&
            (n->middle2 < 0 || strcmp(g, mid[n->middle2].text) != 0))
            break;
    }
}

static const char *
family_text(int ethnic, int16_t family)
{
    const struct table *t = &family_tables[ethnic];
    if (family < 0 || (size_t)family >= t->n)
        return "";
    return t->rows[family].text;
}

void
dd_demo_format_name(const struct dd_demo_name *n, int ethnic, bool female, char *out, size_t outlen)
{
    if (ethnic == ETH_EDE) {
        const char *g = female ? ede_female[n->given % COUNT(ede_female)]
                               : ede_male[n->given % COUNT(ede_male)];
        snprintf(out, outlen, "%s%s %s", female ? "H'" : "Y ", g, family_text(ethnic, n->family));
        return;
    }
    if (ethnic == ETH_COHO) {
        const char *g = female ? coho_female[n->given % COUNT(coho_female)]
                               : coho_male[n->given % COUNT(coho_male)];
        snprintf(out, outlen, "%s%s", female ? "Ka " : "K'", g);
        return;
    }
    const struct by_era *mid = female ? female_middle : male_middle;
    const struct by_era *giv = female ? female_given : male_given;
    snprintf(out, outlen, "%s %s%s%s %s", family_text(ethnic, n->family), mid[n->middle].text,
             n->middle2 >= 0 ? " " : "", n->middle2 >= 0 ? mid[n->middle2].text : "",
             giv[n->given].text);
}

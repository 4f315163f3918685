/*
 * places.c — where the demo's people live and come from: how populous a commune is by its kind,
 * street and village addresses, the ethnic make-up of the province's communes, religions, and
 * the provinces people move in from.
 *
 * The ethnic shares are rounded from the 2019 census (General Statistics Office, tables of
 * population by ethnic group and district) for the districts each of today's communes of Khánh
 * Hòa (56) was formed from on 1 July 2025: the coast mostly Kinh with Hoa families in the towns;
 * the mountains of Khánh Sơn, Khánh Vĩnh and Bác Ái mostly Raglai, with Ê Đê and Cơ Ho in
 * Khánh Vĩnh; the Chăm villages of former Ninh Thuận around Ninh Phước and Thuận Nam. Other
 * provinces get the national mix. The religions follow the same census's shares of believers
 * by group (Chăm Bà La Môn and Hồi giáo; Protestants and Catholics among the highland peoples;
 * most Kinh declaring none). Street names are names found in Nha Trang and most Vietnamese
 * towns; village names are common ones of the region. Approximations, for a demonstration.
 */
#include "core/demo/internal.h"

#include <stdio.h>
#include <string.h>

#define COUNT(a) (sizeof a / sizeof a[0])

static const char *const ethnic_names[ETH_COUNT] = {
    [ETH_KINH] = "Kinh", [ETH_RAGLAI] = "Raglai", [ETH_CHAM] = "Chăm",
    [ETH_EDE] = "Ê Đê",  [ETH_COHO] = "Cơ Ho",    [ETH_HOA] = "Hoa",
    [ETH_TAY] = "Tày",   [ETH_NUNG] = "Nùng",     [ETH_MUONG] = "Mường",
};

const char *
dd_demo_ethnic_name(int ethnic)
{
    return ethnic >= 0 && ethnic < ETH_COUNT ? ethnic_names[ethnic] : "Kinh";
}

/* Shares per thousand, indexed by ETH_*. */
enum profile { P_NATIONAL, P_COAST, P_HIGHLAND, P_HIGHLAND_NT, P_CHAM, P_NT_TOWN, P_NT_MIXED };

static const unsigned profiles[][ETH_COUNT] = {
    /*            Kinh Raglai Chăm Ê Đê Cơ Ho Hoa Tày Nùng Mường */
    [P_NATIONAL] = {955, 2, 2, 3, 2, 12, 10, 7, 7},
    [P_COAST] = {972, 9, 2, 3, 2, 7, 2, 1, 2},
    [P_HIGHLAND] = {300, 560, 2, 50, 60, 3, 10, 10, 5},
    [P_HIGHLAND_NT] = {270, 700, 15, 2, 10, 1, 1, 0, 1},
    [P_CHAM] = {560, 40, 390, 0, 0, 10, 0, 0, 0},
    [P_NT_TOWN] = {905, 15, 55, 1, 1, 22, 1, 0, 0},
    [P_NT_MIXED] = {860, 65, 65, 1, 2, 5, 1, 0, 1},
};

/* Communes of Khánh Hòa (56) by the make-up of the districts they were formed from. */
static const struct {
    const char *code;
    enum profile p;
} khanh_hoa[] = {
    {"22714", P_HIGHLAND},    {"22720", P_HIGHLAND},    {"22732", P_HIGHLAND},
    {"22609", P_HIGHLAND},    {"22612", P_HIGHLAND},    {"22615", P_HIGHLAND},
    {"22624", P_HIGHLAND},    {"22648", P_HIGHLAND},    {"22786", P_HIGHLAND_NT},
    {"22795", P_HIGHLAND_NT}, {"22801", P_HIGHLAND_NT}, {"22900", P_HIGHLAND_NT},
    {"22813", P_HIGHLAND_NT}, {"22828", P_HIGHLAND_NT}, {"22870", P_CHAM},
    {"22873", P_CHAM},        {"22888", P_CHAM},        {"22891", P_CHAM},
    {"22897", P_CHAM},        {"22759", P_NT_TOWN},     {"22738", P_NT_TOWN},
    {"22741", P_NT_TOWN},     {"22780", P_NT_TOWN},     {"22834", P_NT_TOWN},
    {"22810", P_NT_MIXED},    {"22822", P_NT_MIXED},    {"22840", P_NT_MIXED},
    {"22846", P_NT_MIXED},    {"22849", P_NT_MIXED},    {"22852", P_NT_MIXED},
    {"22861", P_NT_MIXED},    {"22909", P_NT_MIXED},
};

static enum profile
commune_profile(const char *province, const char *code)
{
    if (strcmp(province, "56") != 0)
        return P_NATIONAL;
    for (size_t i = 0; i < COUNT(khanh_hoa); i++)
        if (strcmp(khanh_hoa[i].code, code) == 0)
            return khanh_hoa[i].p;
    return P_COAST;
}

int
dd_demo_pick_ethnic(struct dd_demo_rng *r, const char *province, const char *code)
{
    return (int)dd_demo_rng_weighted(r, profiles[commune_profile(province, code)], ETH_COUNT);
}

static const char *const religion_names[] = {
    "Không",   "Phật giáo",         "Công giáo", "Tin lành",
    "Cao Đài", "Phật giáo Hòa Hảo", "Hồi giáo",  "Bà La Môn",
};

/* Per thousand, by ETH_* then by religion_names. */
static const unsigned religions[ETH_COUNT][COUNT(religion_names)] = {
    [ETH_KINH] = {800, 120, 65, 5, 8, 2, 0, 0},  [ETH_RAGLAI] = {700, 10, 140, 150, 0, 0, 0, 0},
    [ETH_CHAM] = {40, 5, 5, 0, 0, 0, 400, 550},  [ETH_EDE] = {350, 0, 150, 500, 0, 0, 0, 0},
    [ETH_COHO] = {250, 0, 350, 400, 0, 0, 0, 0}, [ETH_HOA] = {450, 500, 50, 0, 0, 0, 0, 0},
    [ETH_TAY] = {900, 50, 30, 20, 0, 0, 0, 0},   [ETH_NUNG] = {900, 50, 30, 20, 0, 0, 0, 0},
    [ETH_MUONG] = {920, 40, 30, 10, 0, 0, 0, 0},
};

int
dd_demo_pick_religion(struct dd_demo_rng *r, int ethnic)
{
    return (int)dd_demo_rng_weighted(r, religions[ethnic], COUNT(religion_names));
}

const char *
dd_demo_religion_name(int religion)
{
    return religion >= 0 && (size_t)religion < COUNT(religion_names) ? religion_names[religion]
                                                                     : "Không";
}

bool
dd_demo_commune_is_ward(const struct dd_demo_commune *c)
{
    return strncmp(c->name, "Phường ", strlen("Phường ")) == 0;
}

static bool
is_special_zone(const struct dd_demo_commune *c)
{
    return strncmp(c->name, "Đặc khu ", strlen("Đặc khu ")) == 0;
}

unsigned
dd_demo_commune_weight(const struct dd_demo_commune *c)
{
    if (is_special_zone(c))
        return strcmp(c->code, "22736") == 0 ? 1 : 40; /* Trường Sa: a few hundred people */
    enum profile p = commune_profile(c->province, c->code);
    bool former_ninh_thuan = p == P_HIGHLAND_NT || p == P_CHAM || p == P_NT_TOWN || p == P_NT_MIXED;
    if (dd_demo_commune_is_ward(c))
        return former_ninh_thuan ? 80 : 100;
    if (p == P_HIGHLAND || p == P_HIGHLAND_NT)
        return 20;
    return former_ninh_thuan ? 35 : 45;
}

static const char *const streets[] = {
    "Trần Phú",
    "Lê Thánh Tôn",
    "Yersin",
    "Pasteur",
    "Thống Nhất",
    "23 Tháng 10",
    "2 Tháng 4",
    "Nguyễn Thị Minh Khai",
    "Hùng Vương",
    "Lê Lợi",
    "Quang Trung",
    "Nguyễn Trãi",
    "Lý Tự Trọng",
    "Hoàng Văn Thụ",
    "Trần Hưng Đạo",
    "Phạm Văn Đồng",
    "Nguyễn Thiện Thuật",
    "Võ Thị Sáu",
    "Lê Hồng Phong",
    "Ngô Gia Tự",
    "Bạch Đằng",
    "Điện Biên Phủ",
    "Nguyễn Văn Cừ",
    "Tô Hiến Thành",
    "Hai Bà Trưng",
    "Phan Bội Châu",
    "Lạc Long Quân",
    "Âu Cơ",
    "Nguyễn Tất Thành",
    "Lê Duẩn",
    "Hàn Thuyên",
    "Ngô Quyền",
    "Phan Chu Trinh",
    "Chi Lăng",
    "Thái Nguyên",
    "Tháp Bà",
    "Đồng Khởi",
    "Nguyễn Trung Trực",
    "Trường Chinh",
    "Cô Giang",
    "Lê Quý Đôn",
    "Nguyễn Du",
    "Bà Triệu",
    "Hoàng Diệu",
    "Lương Thế Vinh",
    "Nguyễn Chánh",
    "Phan Đình Phùng",
    "Hồ Xuân Hương",
};

static const char *const villages[] = {
    "Phước Lộc",   "Tân Phú",   "Xuân Lạc", "Đông Hải",   "Vĩnh Thái",  "Hòa Bình",  "Phú Thạnh",
    "Phước Thành", "Tân Hiệp",  "Mỹ Thanh", "Suối Cát",   "Bình Lộc",   "Phú Hòa",   "Tân Lập",
    "Hòa Thuận",   "Phước Hải", "Lạc An",   "Xuân Phong", "Đắc Lộc",    "Phú Ân",    "Vĩnh Phú",
    "Ninh Đức",    "Tà Giang",  "Hữu Đức",  "Văn Lâm",    "Thạnh Mỹ",   "Long Bình", "Tân Thành",
    "Cầu Đôi",     "Hòn Khói",  "Mỹ Hiệp",  "An Nhơn",    "Hiệp Thạnh", "Bình Tây",  "Phước Đồng",
    "Sông Cạn",    "Hà Dừa",    "Xuân Sơn", "Tà Lương",   "Ma Nới",     "Chà Panh",  "Phước Nhơn",
};

static const char *const islands[] = {"Đảo Trường Sa Lớn", "Đảo Song Tử Tây", "Đảo Sinh Tồn"};

/* A number fixed by the commune code, so that its streets and villages stay the same. */
static unsigned
code_hash(const char *code)
{
    unsigned h = 2166136261u;
    for (; *code; code++)
        h = (h ^ (unsigned char)*code) * 16777619u;
    return h;
}

void
dd_demo_address(struct dd_demo_rng *r, const struct dd_demo_commune *c, char *out, size_t outlen)
{
    unsigned h = code_hash(c->code);
    if (is_special_zone(c) && strcmp(c->code, "22736") == 0) {
        snprintf(out, outlen, "%s", islands[dd_demo_rng_below(r, COUNT(islands))]);
        return;
    }
    if (dd_demo_commune_is_ward(c)) {
        /* Each ward has 14 of the streets, the same ones every time. */
        const char *street = streets[(h + 7 * dd_demo_rng_below(r, 14)) % COUNT(streets)];
        unsigned kind = dd_demo_rng_below(r, 10);
        int number = 1 + (int)dd_demo_rng_below(r, 240);
        if (kind < 7)
            snprintf(out, outlen, "Số %d, đường %s", number, street);
        else if (kind < 9)
            snprintf(out, outlen, "Số %d/%d, đường %s", number, 1 + (int)dd_demo_rng_below(r, 30),
                     street);
        else
            snprintf(out, outlen, "Tổ dân phố %d", 1 + (int)dd_demo_rng_below(r, 25));
        return;
    }
    /* Each commune has 6 to 12 villages. */
    unsigned nvillages = 6 + h % 7;
    const char *village = villages[(h / 7 + 5 * dd_demo_rng_below(r, nvillages)) % COUNT(villages)];
    snprintf(out, outlen, "Thôn %s", village);
}

static const struct dd_demo_origin origins[] = {
    {"056", "Tỉnh Khánh Hòa", "56", 0},        {"058", "Tỉnh Ninh Thuận", "56", 0},
    {"054", "Tỉnh Phú Yên", "66", 14},         {"052", "Tỉnh Bình Định", "52", 10},
    {"051", "Tỉnh Quảng Ngãi", "51", 9},       {"066", "Tỉnh Đắk Lắk", "66", 8},
    {"068", "Tỉnh Lâm Đồng", "68", 7},         {"060", "Tỉnh Bình Thuận", "68", 6},
    {"079", "Thành phố Hồ Chí Minh", "79", 7}, {"040", "Tỉnh Nghệ An", "40", 6},
    {"038", "Tỉnh Thanh Hóa", "38", 5},        {"042", "Tỉnh Hà Tĩnh", "42", 4},
    {"049", "Tỉnh Quảng Nam", "48", 5},        {"048", "Thành phố Đà Nẵng", "48", 3},
    {"046", "Tỉnh Thừa Thiên Huế", "46", 3},   {"044", "Tỉnh Quảng Bình", "44", 2},
    {"045", "Tỉnh Quảng Trị", "44", 2},        {"001", "Thành phố Hà Nội", "01", 4},
    {"064", "Tỉnh Gia Lai", "52", 3},          {"062", "Tỉnh Kon Tum", "51", 1},
    {"067", "Tỉnh Đắk Nông", "68", 1},         {"074", "Tỉnh Bình Dương", "79", 1},
    {"075", "Tỉnh Đồng Nai", "75", 1},         {"036", "Tỉnh Nam Định", "37", 1},
    {"034", "Tỉnh Thái Bình", "33", 1},
};

size_t
dd_demo_origin_count(void)
{
    return COUNT(origins);
}

const struct dd_demo_origin *
dd_demo_origin(size_t i)
{
    return i < COUNT(origins) ? &origins[i] : NULL;
}

const char *
dd_demo_birth_place_name(const char *birth_code)
{
    for (size_t i = 0; i < COUNT(origins); i++)
        if (strcmp(origins[i].birth_code, birth_code) == 0)
            return origins[i].name;
    return NULL;
}

/*
 * population.c — the age and sex structure the demo draws people from, and how many of them
 * live as married couples.
 *
 * The pyramid is shaped on Vietnam's 2019 Population and Housing Census (General Statistics
 * Office, "Kết quả Tổng điều tra dân số và nhà ở năm 2019"): people by 5-year band in
 * thousands, rounded, and the number of men per 100 women in each band — about 111 boys per
 * 100 girls in the youngest cohorts, about even at working ages, and far more women at old ages.
 * The married shares are rounded from the same census's marital status tables (women living
 * with a husband, by age). They are published approximations, good for a demonstration, not
 * statistics.
 */
#include "core/demo/internal.h"

struct band {
    unsigned thousands;   /* people in the band */
    unsigned men_per_100; /* men per 100 women */
};

static const struct band pyramid[] = {
    {7849, 111}, /* 0–4 */
    {8149, 110}, /* 5–9 */
    {7057, 109}, /* 10–14 */
    {6357, 107}, /* 15–19 */
    {6610, 104}, /* 20–24 */
    {7712, 102}, /* 25–29 */
    {7774, 101}, /* 30–34 */
    {7479, 100}, /* 35–39 */
    {6952, 99},  /* 40–44 */
    {6348, 97},  /* 45–49 */
    {5628, 95},  /* 50–54 */
    {4914, 91},  /* 55–59 */
    {3788, 87},  /* 60–64 */
    {2656, 82},  /* 65–69 */
    {1566, 75},  /* 70–74 */
    {1130, 67},  /* 75–79 */
    {860, 58},   /* 80–84 */
    {560, 48},   /* 85–89 */
    {280, 40},   /* 90–94 */
    {100, 33},   /* 95–99 */
};

#define NBANDS (sizeof pyramid / sizeof pyramid[0])

void
dd_demo_pick_age_sex(struct dd_demo_rng *r, int *age, bool *female)
{
    unsigned weights[NBANDS];
    for (size_t i = 0; i < NBANDS; i++)
        weights[i] = pyramid[i].thousands;
    size_t b = dd_demo_rng_weighted(r, weights, NBANDS);
    *age = (int)b * 5 + (int)dd_demo_rng_below(r, 5);
    unsigned men = pyramid[b].men_per_100;
    *female = dd_demo_rng_below(r, 100 + men) >= men;
}

long
dd_demo_expected_male_share(void)
{
    double men = 0, all = 0;
    for (size_t i = 0; i < NBANDS; i++) {
        double m = pyramid[i].men_per_100;
        all += pyramid[i].thousands;
        men += pyramid[i].thousands * m / (100.0 + m);
    }
    return (long)(men / all * 100000.0 + 0.5);
}

unsigned
dd_demo_married_share(int age)
{
    static const struct {
        int from;
        unsigned per_mille;
    } shares[] = {
        {0, 0},    {18, 80},  {20, 400}, {25, 720}, {30, 850}, {35, 880}, {45, 860},
        {55, 820}, {60, 750}, {65, 650}, {70, 520}, {75, 400}, {80, 220},
    };
    unsigned v = 0;
    for (size_t i = 0; i < sizeof shares / sizeof shares[0]; i++)
        if (age >= shares[i].from)
            v = shares[i].per_mille;
    return v;
}

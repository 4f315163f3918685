/*
 * items.c — the data items a consent may name (docs/CONSENT.md lists the same table). A service
 * asks for an item by name; the person sees its label. Names are stable: a new kind of data gets
 * a new name, never an old name with a new meaning.
 */
#include "core/consent/consent.h"

#include <stddef.h>
#include <string.h>

const struct dd_consent_item dd_consent_items[] = {
    {"identity",
     "Thông tin định danh: họ tên, ngày sinh, giới tính, số định danh, quốc tịch, "
     "dân tộc, tôn giáo, quê quán",
     "Identity: name, date of birth, sex, ID number, nationality, ethnicity, religion, hometown"},
    {"photo", "Ảnh chân dung", "Portrait photo"},
    {"residence", "Nơi thường trú, nơi tạm trú", "Permanent and temporary residence"},
    {"household", "Hộ gia đình và quan hệ với chủ hộ", "Household and relation to its head"},
    {"relatives", "Cha, mẹ, vợ hoặc chồng", "Father, mother, spouse"},
    {"contact", "Số điện thoại, thư điện tử", "Phone number and e-mail"},
    {"health-insurance", "Thẻ bảo hiểm y tế", "Health insurance card"},
    {"social-insurance", "Sổ bảo hiểm xã hội", "Social insurance record"},
    {"health-record", "Sổ sức khỏe điện tử", "Electronic health record"},
    {"driving-licence", "Giấy phép lái xe", "Driving licence"},
    {"vehicle", "Đăng ký xe", "Vehicle registration"},
    {"education", "Văn bằng, quá trình học tập", "Diplomas and schooling"},
    {"tax", "Mã số thuế", "Tax number"},
    {NULL, NULL, NULL},
};

const struct dd_consent_item *
dd_consent_item_find(const char *name)
{
    for (const struct dd_consent_item *i = dd_consent_items; name && i->name; i++)
        if (strcmp(i->name, name) == 0)
            return i;
    return NULL;
}

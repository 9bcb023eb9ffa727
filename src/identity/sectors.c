/* The sector table (see sectors.h). Keys are short ASCII words so that
 * they can stand in data files and query strings; the names are what
 * officials read. */
#include "identity/sectors.h"

#include <string.h>

static const struct {
	const char *key, *name;
} sectors[] = {
    {"centre", "政务服务中心"}, {"market", "市场监管"},        {"civil", "民政"},
    {"police", "公安"},         {"health", "卫生健康"},        {"hrss", "人力资源和社会保障"},
    {"land", "自然资源"},       {"housing", "住房和城乡建设"}, {"tax", "税务"},
    {"education", "教育"},      {"transport", "交通运输"},     {"other", "其他"},
};

const char *tb_sector_name(const char *key)
{
	for (size_t i = 0; key && i < sizeof(sectors) / sizeof(sectors[0]); i++)
		if (strcmp(key, sectors[i].key) == 0)
			return sectors[i].name;
	return "";
}

bool tb_sector_known(const char *key)
{
	return *tb_sector_name(key) != '\0';
}

bool tb_sector_in(const char *list, const char *key)
{
	size_t n = key ? strlen(key) : 0;
	if (!list || n == 0)
		return false;
	for (const char *s = list; *s;) {
		const char *comma = strchr(s, ',');
		size_t l = comma ? (size_t)(comma - s) : strlen(s);
		if (l == n && strncmp(s, key, n) == 0)
			return true;
		if (!comma)
			break;
		s = comma + 1;
	}
	return false;
}

/* GB/T 2260 administrative divisions: an immutable in-memory snapshot
 * loaded from the store (lookups never touch the database: the table is
 * reference data read on every request that names a region), and the
 * importer that upserts the published tables into the store. Codes are 6
 * digits (330000 province, 330100 city, 330106 county) or 9 (township).
 * Placeholder second levels (the municipalities' 市辖区, 省直辖县级行政区划)
 * are kept but skipped in parents and paths, so 北京市 -> 东城区 reads as
 * people say it. */
#ifndef TB_REGIONS_REGIONS_H
#define TB_REGIONS_REGIONS_H

#include "base/err.h"
#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>

enum tb_region_level { TB_REGION_PROVINCE, TB_REGION_CITY, TB_REGION_COUNTY, TB_REGION_TOWNSHIP };

struct tb_region {
	char code[10];
	const char *name;
	enum tb_region_level level;
	char parent[10]; /* effective parent; "" for a province */
	bool placeholder;
	bool retired; /* gone from the latest table, kept for old numbers */
};

struct tb_regions;

/* "province", "city", "county" or "township". */
const char *tb_region_level_name(enum tb_region_level lv);

/* Canonical form of a region code: 2 digits -> XX0000, 4 -> XXXX00, 6 and 9
 * digits as they are. False (and out = "") for anything else. */
bool tb_region_code_normalize(const char *in, char out[10]);

/* The significant prefix of a region code (330000 -> "33", 330100 ->
 * "3301", 330106 -> "330106", 000000 -> ""), written to out (10 bytes).
 * Every region within code starts with it. */
void tb_region_prefix(const char *code, char out[10]);

/* Reads the regions table into a new snapshot owned by the caller. */
enum tb_err tb_regions_load(struct tb_store *s, struct tb_regions **out);
/* NULL is a no-op. */
void tb_regions_free(struct tb_regions *r);
size_t tb_regions_count(const struct tb_regions *r);

/* The region with this code (any form tb_region_code_normalize takes), or
 * NULL. Retired regions are found too. Points into the snapshot. */
const struct tb_region *tb_regions_find(const struct tb_regions *r, const char *code);
/* Fills path[0..n) from the province down to reg itself (placeholders
 * skipped) and returns n (1..4). */
int tb_regions_path(const struct tb_regions *r, const struct tb_region *reg,
                    const struct tb_region *path[4]);
/* The current (not retired) children of parent, or the provinces when
 * parent is NULL, in code order: *out points into the snapshot. */
size_t tb_regions_children(const struct tb_regions *r, const struct tb_region *parent,
                           const struct tb_region *const **out);
/* True when code (canonical) lies under ancestor (canonical) or equals it. */
bool tb_region_within(const struct tb_regions *r, const char *code, const char *ancestor);

/* The four published tables as CSV text (columns as in data/regions). */
struct tb_regions_source {
	const char *provinces, *cities, *areas, *streets;
	size_t provinces_len, cities_len, areas_len, streets_len;
};

struct tb_regions_import_stats {
	long upserted; /* rows in the source */
	long retired;  /* codes in the store that the source no longer has */
};

/* Upserts every row of src in one transaction and marks the codes missing
 * from src as retired (they are never deleted). All or nothing: a bad row
 * imports nothing and f names "FILE line N" and the reason. */
enum tb_err tb_regions_import(struct tb_store *s, const struct tb_regions_source *src,
                              struct tb_regions_import_stats *stats, struct tb_fail *f);
/* Reads provinces.csv, cities.csv, areas.csv and streets.csv from dir and
 * imports them. The reason strings in f are static or leak-free. */
enum tb_err tb_regions_import_dir(struct tb_store *s, const char *dir,
                                  struct tb_regions_import_stats *stats, struct tb_fail *f);
/* Imports the tables built into the binary when the store has no regions
 * yet (first start); *seeded tells whether it did. */
enum tb_err tb_regions_seed(struct tb_store *s, bool *seeded);

#endif

/* The demo provinces' data (demo.c: 浙江, demo_gd.c: 广东): departments,
 * staff, citizens and businesses, and the catalog asset the demo imports.
 * Internal to src/demo. */
#ifndef TB_DEMO_SETS_H
#define TB_DEMO_SETS_H

#include <stdbool.h>
#include <stddef.h>

struct tb_demo_dept {
	const char *name, *region, *level, *sector;
};

/* A person and one role, in a department (index into the set's
 * departments) or over a region. */
struct tb_demo_staff {
	const char *name, *id_number, *phone, *role;
	int department; /* -1: none */
	const char *region;
};

struct tb_demo_person {
	const char *name, *id_number, *phone;
};

/* A business of the business registry and its legal representative;
 * on_platform: registered on the platform with that person as agent. */
struct tb_demo_business {
	const char *name, *credit_code;
	int agent; /* index into citizens */
	bool on_platform;
};

struct tb_demo_set {
	const char *province;
	const struct tb_demo_dept *departments;
	size_t ndepartments;
	const struct tb_demo_staff *staff;
	size_t nstaff;
	const struct tb_demo_person *citizens;
	size_t ncitizens;
	const struct tb_demo_business *businesses;
	size_t nbusinesses;
	const char *catalog; /* the catalog asset (exchange format) */
	bool cases;          /* also the demo cases and data sharing (浙江's) */
};

extern const struct tb_demo_set tb_demo_zhejiang, tb_demo_guangdong;

#endif

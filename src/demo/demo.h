/* Demonstration data for `serve --demo`: real departments of 浙江省 (the
 * province, 杭州市 and several of its districts), one staff account of
 * each role, citizens and businesses with valid codes, all created through
 * the normal domain functions (so every one has its audit record). Seeded
 * once: a store that already has departments is left alone. Every demo
 * password is "tongban-demo". */
#ifndef TB_DEMO_DEMO_H
#define TB_DEMO_DEMO_H

#include "base/err.h"

struct tb_app;

#define TB_DEMO_PASSWORD "tongban-demo"

/* Seeds the demo data of province (NULL or "330000": 浙江; "440000": 广东,
 * a second province for cross-province handling) when the store has no
 * departments yet. TB_EINVAL for a province without demo data. */
enum tb_err tb_demo_seed(struct tb_app *app, const char *province);

/* The demo cases (demo_cases.c), called by tb_demo_seed. */
enum tb_err tb_demo_cases(struct tb_app *app);

/* The demo's sharing resources, records and grants (demo_sharing.c),
 * called by tb_demo_seed once the registries are filled. */
struct tb_ctx;
enum tb_err tb_demo_sharing(struct tb_app *app, const struct tb_ctx *ctx);
/* Uses of 张三's data by the demo's officials (demo_sharing.c), once the
 * demo cases exist. */
enum tb_err tb_demo_sharing_uses(struct tb_app *app);

#endif

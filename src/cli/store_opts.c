/* See store_opts.h. */
#include "cli/store_opts.h"

int tb_store_opt(struct tb_app_options *o, int ch, const char *arg)
{
	switch (ch) {
	case 'd': o->data_dir = arg; return 1;
	case 'b': o->db_url = arg; return 1;
	default: return 0;
	}
}

/* `tongban backup` and `tongban restore`: a consistent copy of a running
 * deployment and bringing it back into an empty one. The database is
 * copied first, in one snapshot (store layer: SQLite's online backup API,
 * or pg_dump), then the files beside it: every blob and key file the
 * snapshot names was in place before the row naming it was committed, and
 * neither is ever changed once in place, so copying the folders after the
 * snapshot catches them all (and perhaps a few newer ones, harmless). The
 * manifest backup.json is written last: a folder without it is not a
 * finished backup. Exports tb_cmd_backup and tb_cmd_restore. */
#include "base/files.h"
#include "cli/cli.h"
#include "store/store.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define FORMAT "tongban-backup-v1"

/* The folders beside the database that a backup carries. */
static const char *const FOLDERS[] = {"blobs", "keys", "checkpoints"};
#define NFOLDERS 3

static const char BACKUP_USAGE[] =
    "usage: tongban backup [--data DIR] [--db URL] --out PATH\n"
    "  Copies the database (SQLite: online backup; PostgreSQL: pg_dump, custom\n"
    "  format), then DATA/blobs, DATA/keys and DATA/checkpoints, into the new\n"
    "  folder PATH, while the server runs. --data: the data folder (default\n"
    "  tongban-data); --db: sqlite:PATH (default DATA/tongban.db) or postgres://...\n";

static const char RESTORE_USAGE[] =
    "usage: tongban restore --from PATH [--data DIR] [--db URL] [--force]\n"
    "  Brings a backup made by `tongban backup` back into an empty target: the\n"
    "  database (same kind of store as the backup) and DATA's blobs, keys and\n"
    "  checkpoints. Refuses a target that holds data unless --force (then the\n"
    "  database is replaced and files are written over). Stop the server first.\n";

struct target {
	const char *data; /* data folder */
	char url[4096];   /* store URL */
	char path[4096];  /* SQLite: the database file */
	bool sqlite;
};

static bool resolve(const char *data, const char *db, struct target *t, const char *cmd)
{
	t->data = data ? data : "tongban-data";
	if (db)
		snprintf(t->url, sizeof(t->url), "%s", db);
	else
		snprintf(t->url, sizeof(t->url), "sqlite:%s/tongban.db", t->data);
	t->sqlite = strncmp(t->url, "sqlite:", 7) == 0;
	if (t->sqlite)
		snprintf(t->path, sizeof(t->path), "%s", t->url + 7);
	if (!t->sqlite && strncmp(t->url, "postgres://", 11) != 0 &&
	    strncmp(t->url, "postgresql://", 13) != 0) {
		fprintf(stderr, "tongban %s: --db: expected sqlite:PATH or postgres://...\n", cmd);
		return false;
	}
	if (t->sqlite && !t->path[0]) {
		fprintf(stderr, "tongban %s: --db: sqlite: needs a path\n", cmd);
		return false;
	}
	return true;
}

/* Whether dir is missing or an empty folder. */
static bool absent_or_empty(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return errno == ENOENT;
	struct dirent *ent;
	bool empty = true;
	while (empty && (ent = readdir(d)))
		empty = strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0;
	closedir(d);
	return empty;
}

static int store_failed(const char *cmd, const struct tb_fail *f, enum tb_err e)
{
	fprintf(stderr, "tongban %s: %s: %s\n", cmd, f->field ? f->field : "db",
	        f->reason ? f->reason : tb_err_message(e));
	return 1;
}

int tb_cmd_backup(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"data", required_argument, NULL, 'd'},
	    {"db", required_argument, NULL, 'b'},
	    {"out", required_argument, NULL, 'o'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *data = NULL, *db = NULL, *out = NULL;
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd': data = optarg; break;
		case 'b': db = optarg; break;
		case 'o': out = optarg; break;
		case 'h': printf("%s", BACKUP_USAGE); return 0;
		default: fprintf(stderr, "%s", BACKUP_USAGE); return 2;
		}
	}
	if (optind < argc || !out || !*out) {
		if (optind < argc)
			fprintf(stderr, "tongban backup: unexpected argument '%s'\n", argv[optind]);
		else
			fprintf(stderr, "tongban backup: --out PATH is required\n");
		fprintf(stderr, "%s", BACKUP_USAGE);
		return 2;
	}
	struct target t;
	if (!resolve(data, db, &t, "backup"))
		return 2;
	struct stat st;
	if (t.sqlite && stat(t.path, &st) != 0) {
		fprintf(stderr, "tongban backup: no database at %s (give --data DIR or --db URL)\n",
		        t.path);
		return 1;
	}
	if (!absent_or_empty(out)) {
		fprintf(stderr,
		        "tongban backup: --out %s exists and is not empty: a backup goes into a new"
		        " folder\n",
		        out);
		return 1;
	}
	if (tb_dir_make(out, 0700) != TB_OK) {
		fprintf(stderr, "tongban backup: cannot make the folder %s\n", out);
		return 1;
	}

	struct tb_store *s;
	struct tb_fail f = {0};
	enum tb_err e = tb_store_open(t.url, 1, &s, &f);
	if (e != TB_OK)
		return store_failed("backup", &f, e);
	const char *dbfile = t.sqlite ? "tongban.db" : "tongban.pgdump";
	char path[4200];
	snprintf(path, sizeof(path), "%s/%s", out, dbfile);
	time_t started = time(NULL);
	e = tb_store_backup(s, path, &f);
	tb_store_close(s);
	if (e != TB_OK)
		return store_failed("backup", &f, e);

	json_t *m = json_pack("{s:s, s:s, s:I, s:s}", "format", FORMAT, "store",
	                      t.sqlite ? "sqlite" : "postgresql", "started_at", (json_int_t)started,
	                      "database", dbfile);
	json_t *files = json_object();
	int64_t counts[NFOLDERS] = {0};
	for (int i = 0; i < NFOLDERS; i++) {
		char from[4200], to[4200];
		snprintf(from, sizeof(from), "%s/%s", t.data, FOLDERS[i]);
		snprintf(to, sizeof(to), "%s/%s", out, FOLDERS[i]);
		long n = 0;
		e = tb_tree_copy(from, to, &n);
		if (e == TB_ENOTFOUND) {
			fprintf(stderr, "tongban backup: note: no folder %s (nothing to copy)\n",
			        from);
		} else if (e != TB_OK) {
			fprintf(stderr, "tongban backup: copying %s failed (see the log)\n", from);
			json_decref(m);
			json_decref(files);
			return 1;
		}
		counts[i] = n;
		json_object_set_new(files, FOLDERS[i], json_integer(n));
	}
	json_object_set_new(m, "files", files);
	json_object_set_new(m, "finished_at", json_integer((json_int_t)time(NULL)));
	char *text = json_dumps(m, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(m);
	snprintf(path, sizeof(path), "%s/backup.json", out);
	e = text ? tb_file_write_atomic(path, text, strlen(text), 0600) : TB_EINTERNAL;
	if (e != TB_OK) {
		fprintf(stderr, "tongban backup: cannot write %s\n", path);
		free(text);
		return 1;
	}
	free(text);
	printf("backup: %s written: the %s database (%s), %" PRId64 " blobs, %" PRId64
	       " keys, %" PRId64 " checkpoints\n",
	       out, t.sqlite ? "SQLite" : "PostgreSQL", dbfile, counts[0], counts[1], counts[2]);
	return 0;
}

int tb_cmd_restore(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"data", required_argument, NULL, 'd'}, {"db", required_argument, NULL, 'b'},
	    {"from", required_argument, NULL, 'f'}, {"force", no_argument, NULL, 'F'},
	    {"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0},
	};
	const char *data = NULL, *db = NULL, *from = NULL;
	bool force = false;
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd': data = optarg; break;
		case 'b': db = optarg; break;
		case 'f': from = optarg; break;
		case 'F': force = true; break;
		case 'h': printf("%s", RESTORE_USAGE); return 0;
		default: fprintf(stderr, "%s", RESTORE_USAGE); return 2;
		}
	}
	if (optind < argc || !from || !*from) {
		if (optind < argc)
			fprintf(stderr, "tongban restore: unexpected argument '%s'\n",
			        argv[optind]);
		else
			fprintf(stderr, "tongban restore: --from PATH is required\n");
		fprintf(stderr, "%s", RESTORE_USAGE);
		return 2;
	}
	struct target t;
	if (!resolve(data, db, &t, "restore"))
		return 2;

	/* The backup: a finished one (its manifest), of the same kind of store. */
	char path[4200];
	snprintf(path, sizeof(path), "%s/backup.json", from);
	char *text;
	size_t n;
	if (tb_file_read(path, 64 * 1024, &text, &n) != TB_OK) {
		fprintf(
		    stderr,
		    "tongban restore: --from %s: no backup.json: not a finished tongban backup\n",
		    from);
		return 1;
	}
	json_t *m = json_loads(text, 0, NULL);
	free(text);
	const char *format = json_string_value(json_object_get(m, "format"));
	const char *kind = json_string_value(json_object_get(m, "store"));
	const char *dbfile = json_string_value(json_object_get(m, "database"));
	if (!format || strcmp(format, FORMAT) != 0 || !kind || !dbfile || strchr(dbfile, '/')) {
		fprintf(stderr,
		        "tongban restore: --from %s: backup.json is not a " FORMAT " manifest\n",
		        from);
		json_decref(m);
		return 1;
	}
	bool from_sqlite = strcmp(kind, "sqlite") == 0;
	snprintf(path, sizeof(path), "%s/%s", from, dbfile);
	json_decref(m);
	if (from_sqlite != t.sqlite) {
		fprintf(stderr,
		        "tongban restore: the backup is of a %s store and the target is %s: restore"
		        " into the same kind (--db %s)\n",
		        from_sqlite ? "SQLite" : "PostgreSQL", t.sqlite ? "SQLite" : "PostgreSQL",
		        from_sqlite ? "sqlite:PATH" : "postgres://...");
		return 1;
	}
	struct stat st;
	if (stat(path, &st) != 0) {
		fprintf(stderr, "tongban restore: --from %s: the database copy %s is missing\n",
		        from, path);
		return 1;
	}

	/* The target: empty, unless --force. */
	char why[4400] = "";
	for (int i = 0; i < NFOLDERS && !why[0]; i++) {
		char dir[4200];
		snprintf(dir, sizeof(dir), "%s/%s", t.data, FOLDERS[i]);
		if (tb_tree_count(dir) != 0)
			snprintf(why, sizeof(why), "%s holds files", dir);
	}
	if (!why[0] && t.sqlite && stat(t.path, &st) == 0 && st.st_size > 0)
		snprintf(why, sizeof(why), "the database %s exists", t.path);
	if (!why[0] && !t.sqlite) {
		struct tb_store *s;
		struct tb_fail f = {0};
		enum tb_err e = tb_store_open(t.url, 1, &s, &f);
		if (e != TB_OK)
			return store_failed("restore", &f, e);
		bool empty;
		e = tb_store_is_empty(s, &empty);
		tb_store_close(s);
		if (e != TB_OK) {
			fprintf(stderr, "tongban restore: db: cannot read the target: %s\n",
			        tb_err_message(e));
			return 1;
		}
		if (!empty)
			snprintf(why, sizeof(why), "the database already holds tables");
	}
	if (why[0] && !force) {
		fprintf(stderr,
		        "tongban restore: the target is not empty (%s): restore into an empty one,"
		        " or give --force to replace it\n",
		        why);
		return 1;
	}

	if (tb_dir_make(t.data, 0700) != TB_OK) {
		fprintf(stderr, "tongban restore: cannot make the data folder %s\n", t.data);
		return 1;
	}
	struct tb_store *s;
	struct tb_fail f = {0};
	enum tb_err e = tb_store_open(t.url, 1, &s, &f);
	if (e != TB_OK)
		return store_failed("restore", &f, e);
	e = tb_store_restore(s, path, force, &f);
	tb_store_close(s);
	if (e != TB_OK)
		return store_failed("restore", &f, e);
	long counts[NFOLDERS] = {0};
	for (int i = 0; i < NFOLDERS; i++) {
		char src[4200], dst[4200];
		snprintf(src, sizeof(src), "%s/%s", from, FOLDERS[i]);
		snprintf(dst, sizeof(dst), "%s/%s", t.data, FOLDERS[i]);
		e = tb_tree_copy(src, dst, &counts[i]);
		if (e != TB_OK && e != TB_ENOTFOUND) {
			fprintf(stderr, "tongban restore: copying %s failed (see the log)\n", src);
			return 1;
		}
	}
	printf("restore: %s restored into %s (%s); %ld blobs, %ld keys, %ld checkpoints\n", from,
	       t.sqlite ? t.path : "the PostgreSQL database", t.data, counts[0], counts[1],
	       counts[2]);
	return 0;
}

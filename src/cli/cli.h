/* The subcommands of the `tongban` program, one function each, called by
 * main with argv[0] set to the subcommand name. Each returns the process
 * exit status. */
#ifndef TB_CLI_CLI_H
#define TB_CLI_CLI_H

/* `tongban check-id CODE...`: checks each code as a citizen identity number
 * or a unified social credit code (whichever it looks like) and prints one
 * tab-separated line per code on stdout (see tb_code_check_line). Returns 0
 * when every code is valid, 1 when any is invalid, 2 on a usage error (no
 * codes, unknown option: usage on stderr) or when stdout cannot be
 * written; -h/--help prints the usage on stdout and returns 0. "--" ends
 * the options. argv is borrowed. */
int tb_cmd_check_id(int argc, char **argv);

/* `tongban serve [--listen ADDR:PORT] [--data DIR] [--db URL] [--demo]
 * [--threads N] [--max-body BYTES] [--bench] [--quiet]`: runs the platform
 * until SIGINT or SIGTERM, then drains requests and closes the store. */
int tb_cmd_serve(int argc, char **argv);

/* `tongban import regions DIR | import calendar FILE [--data DIR] [--db URL]`. */
int tb_cmd_import(int argc, char **argv);

/* `tongban migrate [--data DIR] [--db URL]`: applies the schema migrations
 * and prints the schema version. */
int tb_cmd_migrate(int argc, char **argv);

/* `tongban audit verify [--data DIR] [--db URL] [--checkpoint FILE [--key
 * PEM]]`: recomputes the audit hash chain; prints "audit: N records
 * intact, head HASH" and returns 0, or "audit: record SEQ PROBLEM: DETAIL"
 * and returns 1 (also 1 when the store fails, message on stderr). With a
 * checkpoint, 1 too when its signature is not the platform key's ("audit:
 * checkpoint ... not signed") or the chain is shorter than it or differs
 * at its count ("audit: checkpoint not held: ..."). 2 on a usage error or
 * an unreadable checkpoint, 0 for --help. `tongban audit checkpoint
 * [--dir DIR] [--out FILE]` signs the head now (audit/checkpoint.h). */
int tb_cmd_audit(int argc, char **argv);

/* `tongban backup [--data DIR] [--db URL] --out PATH`: a consistent copy
 * of the database and of DATA's blobs, keys and checkpoints into the new
 * folder PATH while the server runs. 0, 1 on failure, 2 on a usage error. */
int tb_cmd_backup(int argc, char **argv);

/* `tongban restore --from PATH [--data DIR] [--db URL] [--force]`: a
 * backup back into an empty target (a non-empty one is refused without
 * --force). 0, 1 on failure or refusal, 2 on a usage error. */
int tb_cmd_restore(int argc, char **argv);

/* `tongban indicators rebuild [--data DIR] [--db URL]`: counts the
 * indicators again from the cases (tb_indicators_rebuild) and prints how
 * many counter rows it made; 0, 1 when the store failed, 2 on a usage
 * error. */
int tb_cmd_indicators(int argc, char **argv);

/* `tongban admin create --name NAME --id-number N`: an administrator, with
 * the password read from standard input. */
int tb_cmd_admin(int argc, char **argv);

/* `tongban export catalog [--region CODE]`: the catalog as JSON on stdout. */
int tb_cmd_export(int argc, char **argv);

struct tb_app_options;
/* `tongban import catalog FILE` (called by tb_cmd_import). */
int tb_import_catalog(struct tb_app_options *ao, const char *file);

/* `tongban bench-catalog`: a large synthetic catalog for make bench. */
int tb_cmd_bench_catalog(int argc, char **argv);

/* `tongban bench-cases`: drafts to submit and a million cases, for make bench. */
int tb_cmd_bench_cases(int argc, char **argv);
/* `tongban bench-sharing`: a million records in one sharing resource. */
int tb_cmd_bench_sharing(int argc, char **argv);

/* `tongban bench-sm2 [--seconds N]`: prints SM2 (with SM3) signs and
 * verifies per second on one thread. */
int tb_cmd_bench_sm2(int argc, char **argv);

/* `tongban cert verify FILE.json --key KEY [--issuer CREDIT_CODE]`:
 * verifies an exported e-certificate offline with the issuer's public key
 * (the JSON of GET /api/v1/keys/{key_id}, which names the key's
 * department, or a PEM with --issuer naming it, required then); the record
 * must name that key and that department as issuer. Prints "cert:
 * STATUS[ (REASON)]: ID, issuer NAME (CODE)". Returns 0 when valid, 1 when
 * expired or forged, 2 on a usage error, a key that says no department,
 * or an unreadable file (message on stderr). */
/* `tongban keys import|reseal`: private keys sealed into the store with
 * the master key, and the master key rotated (cli/keys.c). */
int tb_cmd_keys(int argc, char **argv);
int tb_cmd_cert(int argc, char **argv);

#endif

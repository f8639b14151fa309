/*
 * store_mysql_backup.c: backups through mariadb-dump, restores through the
 * mariadb client.
 * SKELETON on branch mysql-base: every function fails until the backup
 * helper's branch fills it in.
 */
#include "error.h"
#include "store_mysql.h"
#include "banned.h"

static int
not_yet(struct buf *err)
{
	return buf_seterr(err, RUNNER_EFAIL, "the MySQL driver's backups are not written yet");
}

int my_snapshot(struct store *s, const char *path, struct buf *err)
{ (void)s; (void)path; return not_yet(err); }
int my_check_image(const char *path, const char *name, struct buf *err)
{ (void)path; (void)name; return not_yet(err); }
int my_replace(struct store *s, const char *target, const char *path,
    struct buf *notes, struct buf *err)
{ (void)s; (void)target; (void)path; (void)notes; return not_yet(err); }
int my_identity(const char *target, struct buf *out, struct buf *err)
{ (void)target; (void)out; return not_yet(err); }

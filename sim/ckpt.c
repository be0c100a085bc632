/* ckpt.c — the resume side file (see ckpt.h). Plain POSIX I/O on one descriptor: reads while
 * resuming, then appends. */
#include "ckpt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ser.h"

#define MAGIC "WLSIMCK1"

struct head {
    char magic[8];
    uint64_t fingerprint;
    int64_t pid;                /* the process that last appended */
};

struct rec_head {
    uint64_t item;
    uint64_t len;
};

struct ckpt {
    int fd;
    char *path;
    size_t count;
    off_t end;                  /* offset after the last good record */
    double last_sync;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

struct fp_ctx {
    uint64_t h;
};

static void fp_param(void *vctx, const char *full, const struct pdef *d, const void *value)
{
    struct fp_ctx *c = vctx;
    char buf[64];
    scen_format(d, value, buf, sizeof buf);
    c->h = ser_hash(c->h, full, strlen(full) + 1);
    c->h = ser_hash(c->h, buf, strlen(buf) + 1);
}

uint64_t ckpt_fingerprint(const struct scenario *const *variants, int n_variants, const struct sim_opts *o,
                          int replications)
{
    struct fp_ctx c = {SER_HASH_INIT};
    const char *ver = WLSIM_VERSION " " WLSIM_GIT_COMMIT;
    c.h = ser_hash(c.h, ver, strlen(ver));
    const uint64_t nums[] = {sizeof(struct rec_summary), sizeof(struct rec_group), sizeof(struct rec_cand),
                             sizeof(struct rec_donor), sizeof(struct rec_tx), sizeof(struct rec_episode),
                             sizeof(struct rec_series), o->seed, (uint64_t)o->entity_tables,
                             (uint64_t)replications, (uint64_t)n_variants, (uint64_t)o->warmup_rows,
                             (uint64_t)o->branch};
    c.h = ser_hash(c.h, nums, sizeof nums);
    for (int v = 0; v < n_variants; v++) {
        c.h = ser_hash(c.h, variants[v]->name, strlen(variants[v]->name) + 1);
        c.h = ser_hash(c.h, variants[v]->text, strlen(variants[v]->text) + 1);
        scen_each_param(variants[v], fp_param, &c);
    }
    return c.h;
}

static int write_all(int fd, const void *p, size_t n)
{
    const char *b = p;
    while (n) {
        ssize_t w = write(fd, b, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        b += w, n -= (size_t)w;
    }
    return 0;
}

/* Reads exactly n bytes; returns 1 on success, 0 at a short read (end of file), -1 on error. */
static int read_all(int fd, void *p, size_t n)
{
    char *b = p;
    while (n) {
        ssize_t r = read(fd, b, n);
        if (r < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (r == 0) return 0;
        b += r, n -= (size_t)r;
    }
    return 1;
}

static void destroy(struct ckpt *c)
{
    if (c->fd >= 0) close(c->fd);
    free(c->path);
    free(c);
}

int ckpt_open(const char *out_path, uint64_t fingerprint, int resume, struct ckpt **out, long *stale_pid,
              struct err *e)
{
    int rc = 0, created = 0;
    *out = NULL;
    *stale_pid = 0;
    struct ckpt *c = calloc(1, sizeof *c);
    if (!c) return err_set(e, ERR_INTERNAL, "out of memory");
    c->fd = -1;
    size_t n = strlen(out_path) + 8;
    if (!(c->path = malloc(n))) { rc = err_set(e, ERR_INTERNAL, "out of memory"); goto cleanup; }
    snprintf(c->path, n, "%s.resume", out_path);

    c->fd = open(c->path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (c->fd >= 0) created = 1;
    else if (errno != EEXIST || (c->fd = open(c->path, O_RDWR | O_NOFOLLOW | O_CLOEXEC)) < 0) {
        rc = err_set(e, ERR_INPUT, "%s: cannot %s the resume side file: %s", c->path, errno == EEXIST ? "open" : "create",
                     strerror(errno));
        goto cleanup;
    }
    /* The lock first: a side file another process holds is that run's, whatever it contains. */
    struct flock lk = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    if (fcntl(c->fd, F_SETLK, &lk) < 0 && errno != ENOLCK && errno != EINVAL) {
        rc = err_set(e, ERR_INPUT, "%s: expected no other run on this output, found the side file locked by a running "
                     "run (wait for it to finish, or stop it and continue with --resume)", c->path);
        if (created) unlink(c->path);
        created = 0;
        goto cleanup;
    }
    struct stat st;
    if (!created && fstat(c->fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0) {
        created = 1; /* empty (the run died before its header reached the disk): as if there were none */
    } else if (!created && !resume) {
        rc = err_set(e, ERR_INPUT,
                     "%s: expected no unfinished run for this output, found its resume file: add --resume to "
                     "continue that run, or delete the file to start over", c->path);
        goto cleanup;
    }
    struct head h;
    if (created) {
        memset(&h, 0, sizeof h);
        memcpy(h.magic, MAGIC, 8);
        h.fingerprint = fingerprint;
        h.pid = (int64_t)getpid();
        if (write_all(c->fd, &h, sizeof h)) {
            rc = err_set(e, ERR_INTERNAL, "%s: cannot write: %s", c->path, strerror(errno));
            goto cleanup;
        }
    } else {
        int got = read_all(c->fd, &h, sizeof h);
        if (got < 0) { rc = err_set(e, ERR_INTERNAL, "%s: cannot read: %s", c->path, strerror(errno)); goto cleanup; }
        if (got == 0 || memcmp(h.magic, MAGIC, 8) != 0) {
            rc = err_set(e, ERR_INPUT, "%s: expected a wlsim resume file, found something else (delete it to start over)",
                         c->path);
            goto cleanup;
        }
        if (h.fingerprint != fingerprint) {
            rc = err_set(e, ERR_INPUT,
                         "%s: expected the side file of this run, found one written by a different run (scenario, "
                         "parameters, seed, replications, --summary-only or program version differ); delete it to "
                         "start over", c->path);
            goto cleanup;
        }
        *stale_pid = (long)h.pid;
        h.pid = (int64_t)getpid();
        if (pwrite(c->fd, &h, sizeof h, 0) != (ssize_t)sizeof h) {
            rc = err_set(e, ERR_INTERNAL, "%s: cannot write: %s", c->path, strerror(errno));
            goto cleanup;
        }
    }
    c->end = (off_t)sizeof h;
    c->last_sync = now_s();
cleanup:
    if (rc) {
        if (created) unlink(c->path);
        destroy(c);
    } else {
        *out = c;
    }
    return rc;
}

int ckpt_next(struct ckpt *c, struct rep_result **r, int *dropped, struct err *e)
{
    struct rec_head rh;
    void *buf = NULL;
    *r = NULL;
    int got = read_all(c->fd, &rh, sizeof rh);
    if (got < 0) goto ioerr;
    if (got == 1 && rh.item == c->count && rh.len > 0 && rh.len < ((uint64_t)1 << 40) && (buf = malloc(rh.len))) {
        got = read_all(c->fd, buf, rh.len);
        if (got < 0) goto ioerr;
        struct err le;
        err_clear(&le);
        if (got == 1 && ser_unpack(buf, rh.len, r, &le) == 0) {
            free(buf);
            c->count++;
            c->end += (off_t)(sizeof rh + rh.len);
            return 1;
        }
    }
    free(buf);
    /* End of the good records: drop whatever follows (a record torn by a kill), so appends
     * continue right after the last good one. */
    off_t size = lseek(c->fd, 0, SEEK_END);
    if (size < 0) goto ioerr;
    if (size > c->end) {
        *dropped = 1;
        if (ftruncate(c->fd, c->end) < 0) goto ioerr;
    }
    if (lseek(c->fd, c->end, SEEK_SET) < 0) goto ioerr;
    return 0;
ioerr:
    free(buf);
    err_set(e, ERR_INTERNAL, "%s: cannot read: %s", c->path, strerror(errno));
    return -1;
}

int ckpt_append(struct ckpt *c, const struct rep_result *r, struct err *e)
{
    void *buf = NULL;
    size_t len = 0;
    if (ser_pack(r, &buf, &len, e)) return ERR_INTERNAL;
    struct rec_head rh = {.item = c->count, .len = len};
    int bad = write_all(c->fd, &rh, sizeof rh) || write_all(c->fd, buf, len);
    free(buf);
    if (bad) return err_set(e, ERR_INTERNAL, "%s: cannot append: %s", c->path, strerror(errno));
    c->count++;
    c->end += (off_t)(sizeof rh + len);
    double t = now_s();
    if (t - c->last_sync >= 1.0) {
        if (fdatasync(c->fd) < 0 && errno != EINVAL)
            return err_set(e, ERR_INTERNAL, "%s: cannot sync: %s", c->path, strerror(errno));
        c->last_sync = t;
    }
    return 0;
}

size_t ckpt_count(const struct ckpt *c)
{
    return c->count;
}

const char *ckpt_path(const struct ckpt *c)
{
    return c->path;
}

void ckpt_close(struct ckpt *c)
{
    if (!c) return;
    if (c->fd >= 0) fdatasync(c->fd);
    destroy(c);
}

void ckpt_remove(struct ckpt *c)
{
    if (!c) return;
    /* Only the file this handle opened: if the path now names another file (replaced while the
     * run went on), that file belongs to someone else. */
    struct stat mine, now;
    if (fstat(c->fd, &mine) == 0 && stat(c->path, &now) == 0 && mine.st_dev == now.st_dev && mine.st_ino == now.st_ino)
        unlink(c->path);
    destroy(c);
}

/*
 * powercutfs: a FUSE file system that loses, on command, exactly what a power cut may lose.
 *
 *   powercutfs BACKING MOUNTPOINT [-f] [FUSE options]
 *
 * Everything lives in the directory BACKING, which only ever holds what was made durable:
 *  - file data written since the file's last fsync/fdatasync stays in this process's memory (4 KiB pages and the
 *    file's logical size, truncations included) and reaches BACKING only at that fsync;
 *  - directory changes (create, mkdir, unlink, rmdir, rename, link, symlink) happen in BACKING at once, but each is
 *    logged with what undoes it (a removed or replaced name is kept in BACKING/.powercut-trash); fsync of a directory
 *    makes the changes whose name lies in it durable. POSIX asks no more of a file system, and some give no more, so
 *    a program that survives here does not depend on ext4's ordering.
 *
 * The control file MOUNTPOINT/.powercut (not listed) takes one command per write:
 *   off   the power fails: every unsynced write and directory change is dropped (the directory changes undone, newest
 *         first), and from now on every change fails with EIO, as the device's storage would be gone
 *   on    the power returns
 *   drop  off and on at once
 * and reading it gives: "off=0|1 cuts=N dirty_bytes=N pending_directory_changes=N\n".
 *
 * After "off", the test kills the file system's users and runs sync(1) before "on", so that pages the kernel still
 * held dirty for them are refused too; files opened afterwards are read afresh (no keep_cache, attribute timeouts 0).
 * Not modelled: modes, owners and times (applied at once), extended attributes, fallocate. One lock serialises all
 * operations. Tested by PowerCutFileSystemTest.
 */
#define FUSE_USE_VERSION 31
#define _GNU_SOURCE
#include <fuse.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <unistd.h>

#define PAGE 4096
#define BUCKETS 1024
#define CONTROL "/.powercut"
#define TRASH ".powercut-trash"

struct page {
    uint64_t index;
    struct page *next;
    char data[PAGE];
};

/* What is not yet durable of one file (keyed by the backing inode). */
struct inode_state {
    dev_t dev;
    ino_t ino;
    off_t size;          /* the logical size */
    off_t durable_limit; /* bytes below it may be read from BACKING; above it, zeros unless a page is dirty */
    int dirty;           /* anything unsynced: pages, or a size that differs from BACKING's */
    long pages;
    struct page *buckets[BUCKETS];
    struct inode_state *next;
};

struct handle {
    int fd;
    int control;
    DIR *dir;
    char *path; /* a directory's path at opendir (operations on open handles get no path: nullpath_ok) */
};

enum op { OP_CREATE, OP_MKDIR, OP_REMOVE, OP_RENAME };

/* One directory change not yet known durable; undone at "off". */
struct change {
    enum op op;
    char *path;    /* the name created or removed; for OP_RENAME the destination */
    char *from;    /* OP_RENAME: the source name */
    char *trash;   /* OP_REMOVE: where the removed name went; OP_RENAME: where a replaced destination went */
    char *dir;     /* the directory whose fsync makes it durable */
    struct change *next;
};

static const char *backing;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int powered_off;
static long cuts;
static long trash_counter;
static struct inode_state *states;
static struct change *changes; /* newest first */
static long pending_changes;

static void full_path(char out[PATH_MAX], const char *path) {
    snprintf(out, PATH_MAX, "%s%s", backing, path);
}

static char *parent_of(const char *path) {
    char *copy = strdup(path);
    char *slash = strrchr(copy, '/');
    if (slash == copy) {
        slash[1] = '\0';
    } else {
        *slash = '\0';
    }
    return copy;
}

static int is_hidden(const char *path) {
    return strcmp(path, "/" TRASH) == 0 || strncmp(path, "/" TRASH "/", strlen(TRASH) + 2) == 0;
}

/* libfuse's stand-in name for a file unlinked while open: not listed, as a real file system lists no such name. */
static int is_fuse_hidden(const char *name) {
    return strncmp(name, ".fuse_hidden", 12) == 0;
}

/* At mount (a boot): files that were unlinked while open and never closed are gone, as a real file system's orphans
 * are after a reboot. */
static void remove_orphans(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) {
        return;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 || strcmp(e->d_name, TRASH) == 0) {
            continue;
        }
        char child[PATH_MAX];
        snprintf(child, sizeof child, "%s/%s", dir, e->d_name);
        if (is_fuse_hidden(e->d_name)) {
            unlink(child);
        } else if (e->d_type == DT_DIR) {
            remove_orphans(child);
        }
    }
    closedir(d);
}

/* ---------- unsynced file data ---------- */

static struct inode_state *find_state(dev_t dev, ino_t ino) {
    for (struct inode_state *s = states; s; s = s->next) {
        if (s->dev == dev && s->ino == ino) {
            return s;
        }
    }
    return NULL;
}

static struct inode_state *state_of_fd(int fd, int create) {
    struct stat st;
    if (fstat(fd, &st) != 0) {
        return NULL;
    }
    struct inode_state *s = find_state(st.st_dev, st.st_ino);
    if (s || !create) {
        return s;
    }
    s = calloc(1, sizeof *s);
    s->dev = st.st_dev;
    s->ino = st.st_ino;
    s->size = st.st_size;
    s->durable_limit = st.st_size;
    s->next = states;
    states = s;
    return s;
}

static void free_pages(struct inode_state *s) {
    for (int b = 0; b < BUCKETS; b++) {
        struct page *p = s->buckets[b];
        while (p) {
            struct page *next = p->next;
            free(p);
            p = next;
        }
        s->buckets[b] = NULL;
    }
    s->pages = 0;
}

static void forget_state(dev_t dev, ino_t ino) {
    for (struct inode_state **at = &states; *at; at = &(*at)->next) {
        if ((*at)->dev == dev && (*at)->ino == ino) {
            struct inode_state *s = *at;
            *at = s->next;
            free_pages(s);
            free(s);
            return;
        }
    }
}

static struct page *find_page(struct inode_state *s, uint64_t index) {
    for (struct page *p = s->buckets[index % BUCKETS]; p; p = p->next) {
        if (p->index == index) {
            return p;
        }
    }
    return NULL;
}

/* The bytes [offset, offset+length) of one page as the file holds them now, durable part from BACKING. */
static void read_durable(int fd, struct inode_state *s, char *out, off_t offset, size_t length) {
    memset(out, 0, length);
    if (offset < s->durable_limit) {
        size_t from_disk = (size_t) (s->durable_limit - offset) < length ? (size_t) (s->durable_limit - offset) : length;
        ssize_t got = pread(fd, out, from_disk, offset);
        (void) got; /* short: the rest stays zero */
    }
}

static struct page *page_for_write(int fd, struct inode_state *s, uint64_t index) {
    struct page *p = find_page(s, index);
    if (p) {
        return p;
    }
    p = malloc(sizeof *p);
    p->index = index;
    read_durable(fd, s, p->data, (off_t) (index * PAGE), PAGE);
    p->next = s->buckets[index % BUCKETS];
    s->buckets[index % BUCKETS] = p;
    s->pages++;
    return p;
}

static void truncate_state(struct inode_state *s, off_t size) {
    if (size < s->durable_limit) {
        s->durable_limit = size;
    }
    for (int b = 0; b < BUCKETS; b++) {
        for (struct page **at = &s->buckets[b]; *at;) {
            struct page *p = *at;
            off_t start = (off_t) (p->index * PAGE);
            if (start >= size) {
                *at = p->next;
                free(p);
                s->pages--;
                continue;
            }
            if (start + PAGE > size) {
                memset(p->data + (size - start), 0, (size_t) (start + PAGE - size));
            }
            at = &p->next;
        }
    }
    s->size = size;
    s->dirty = 1;
}

/* Makes the file's unsynced data durable: BACKING gets the logical size and every dirty page. */
static int sync_state(int fd, struct inode_state *s) {
    if (!s || !s->dirty) {
        return 0;
    }
    if (ftruncate(fd, s->durable_limit) != 0 || ftruncate(fd, s->size) != 0) {
        return -errno;
    }
    for (int b = 0; b < BUCKETS; b++) {
        for (struct page *p = s->buckets[b]; p; p = p->next) {
            off_t start = (off_t) (p->index * PAGE);
            if (start >= s->size) {
                continue;
            }
            size_t length = start + PAGE > s->size ? (size_t) (s->size - start) : PAGE;
            if (pwrite(fd, p->data, length, start) != (ssize_t) length) {
                return errno ? -errno : -EIO;
            }
        }
    }
    free_pages(s);
    s->durable_limit = s->size;
    s->dirty = 0;
    return 0;
}

static long dirty_bytes(void) {
    long total = 0;
    for (struct inode_state *s = states; s; s = s->next) {
        total += s->pages * PAGE;
    }
    return total;
}

/* ---------- directory changes ---------- */

static void log_change(enum op op, const char *path, const char *from, const char *trash) {
    struct change *c = calloc(1, sizeof *c);
    c->op = op;
    c->path = strdup(path);
    c->from = from ? strdup(from) : NULL;
    c->trash = trash ? strdup(trash) : NULL;
    c->dir = parent_of(path);
    c->next = changes;
    changes = c;
    pending_changes++;
}

static void free_change(struct change *c) {
    free(c->path);
    free(c->from);
    free(c->trash);
    free(c->dir);
    free(c);
}

static int remove_tree(const char *full) {
    struct stat st;
    if (lstat(full, &st) != 0) {
        return 0;
    }
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(full);
        if (d) {
            struct dirent *e;
            while ((e = readdir(d))) {
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
                    continue;
                }
                char child[PATH_MAX];
                snprintf(child, sizeof child, "%s/%s", full, e->d_name);
                remove_tree(child);
            }
            closedir(d);
        }
        return rmdir(full);
    }
    if (S_ISREG(st.st_mode) && st.st_nlink <= 1) {
        forget_state(st.st_dev, st.st_ino); /* its inode number may be reused */
    }
    return unlink(full);
}

/* Moves a name out of the way into the trash, so that undoing its removal can bring it back. */
static int move_to_trash(const char *full, char trash[PATH_MAX]) {
    snprintf(trash, PATH_MAX, "%s/" TRASH "/%ld", backing, ++trash_counter);
    return rename(full, trash) == 0 ? 0 : -errno;
}

/* fsync of directory DIR: its changes are durable; the names they removed are gone for good. */
static void commit_directory(const char *dir) {
    for (struct change **at = &changes; *at;) {
        struct change *c = *at;
        if (strcmp(c->dir, dir) == 0) {
            if (c->trash) {
                remove_tree(c->trash);
            }
            *at = c->next;
            free_change(c);
            pending_changes--;
        } else {
            at = &c->next;
        }
    }
}

static void undo(struct change *c) {
    char path[PATH_MAX], from[PATH_MAX];
    full_path(path, c->path);
    switch (c->op) {
    case OP_CREATE:
    case OP_MKDIR:
        remove_tree(path);
        break;
    case OP_REMOVE:
        rename(c->trash, path);
        break;
    case OP_RENAME:
        full_path(from, c->from);
        rename(path, from);
        if (c->trash) {
            rename(c->trash, path);
        }
        break;
    }
}

/* The power fails: unsynced data and directory changes are gone. */
static void cut_power(void) {
    while (changes) { /* newest first */
        struct change *c = changes;
        changes = c->next;
        undo(c);
        free_change(c);
    }
    pending_changes = 0;
    while (states) {
        struct inode_state *s = states;
        states = s->next;
        free_pages(s);
        free(s);
    }
    powered_off = 1;
    cuts++;
}

/* ---------- FUSE operations ---------- */

static struct handle *handle_of(struct fuse_file_info *fi) {
    return (struct handle *) (uintptr_t) fi->fh;
}

static void *pc_init(struct fuse_conn_info *conn, struct fuse_config *cfg) {
    (void) conn;
    cfg->use_ino = 1;
    /* No hard_remove: a file unlinked while open is renamed to .fuse_hidden* (a change logged like any other) and
     * removed at its last close, so that fstat and the rest keep working on it, as on a real file system. */
    cfg->hard_remove = 0;
    cfg->nullpath_ok = 1;
    cfg->attr_timeout = 0;
    cfg->entry_timeout = 0;
    cfg->negative_timeout = 0;
    cfg->kernel_cache = 0;
    cfg->auto_cache = 0;
    return NULL;
}

/* An open file's descriptor, or -1 (with hard_remove, operations on an open file that was unlinked get no path). */
static int fd_of(struct fuse_file_info *fi) {
    return fi && handle_of(fi) && !handle_of(fi)->dir && !handle_of(fi)->control ? handle_of(fi)->fd : -1;
}

static int pc_getattr(const char *path, struct stat *st, struct fuse_file_info *fi) {
    if (!path && fd_of(fi) < 0) {
        return -ENOENT;
    }
    if (path && strcmp(path, CONTROL) == 0) {
        memset(st, 0, sizeof *st);
        st->st_mode = S_IFREG | 0600;
        st->st_nlink = 1;
        st->st_size = 0;
        return 0;
    }
    if (path && is_hidden(path)) {
        return -ENOENT;
    }
    pthread_mutex_lock(&lock);
    int rc;
    if (fd_of(fi) >= 0) {
        rc = fstat(fd_of(fi), st) == 0 ? 0 : -errno;
    } else {
        char full[PATH_MAX];
        full_path(full, path);
        rc = lstat(full, st) == 0 ? 0 : -errno;
    }
    if (rc == 0 && S_ISREG(st->st_mode)) {
        struct inode_state *s = find_state(st->st_dev, st->st_ino);
        if (s && s->dirty) {
            st->st_size = s->size;
            st->st_blocks = (s->size + 511) / 512;
        }
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

static int pc_readlink(const char *path, char *buf, size_t size) {
    char full[PATH_MAX];
    full_path(full, path);
    ssize_t n = readlink(full, buf, size - 1);
    if (n < 0) {
        return -errno;
    }
    buf[n] = '\0';
    return 0;
}

static int refuse_when_off(void) {
    return powered_off ? -EIO : 0;
}

static int pc_mkdir(const char *path, mode_t mode) {
    char full[PATH_MAX];
    full_path(full, path);
    pthread_mutex_lock(&lock);
    int rc = refuse_when_off();
    if (rc == 0) {
        rc = mkdir(full, mode) == 0 ? 0 : -errno;
        if (rc == 0) {
            log_change(OP_MKDIR, path, NULL, NULL);
        }
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

static int remove_name(const char *path) {
    char full[PATH_MAX], trash[PATH_MAX];
    full_path(full, path);
    pthread_mutex_lock(&lock);
    int rc = refuse_when_off();
    if (rc == 0) {
        rc = move_to_trash(full, trash);
        if (rc == 0) {
            log_change(OP_REMOVE, path, NULL, trash);
        }
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

static int pc_unlink(const char *path) {
    return remove_name(path);
}

static int pc_rmdir(const char *path) {
    char full[PATH_MAX];
    full_path(full, path);
    DIR *d = opendir(full);
    if (!d) {
        return -errno;
    }
    struct dirent *e;
    int empty = 1;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            empty = 0;
        }
    }
    closedir(d);
    return empty ? remove_name(path) : -ENOTEMPTY;
}

static int pc_symlink(const char *target, const char *path) {
    char full[PATH_MAX];
    full_path(full, path);
    pthread_mutex_lock(&lock);
    int rc = refuse_when_off();
    if (rc == 0) {
        rc = symlink(target, full) == 0 ? 0 : -errno;
        if (rc == 0) {
            log_change(OP_CREATE, path, NULL, NULL);
        }
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

static int pc_link(const char *from, const char *to) {
    char full_from[PATH_MAX], full_to[PATH_MAX];
    full_path(full_from, from);
    full_path(full_to, to);
    pthread_mutex_lock(&lock);
    int rc = refuse_when_off();
    if (rc == 0) {
        rc = link(full_from, full_to) == 0 ? 0 : -errno;
        if (rc == 0) {
            log_change(OP_CREATE, to, NULL, NULL);
        }
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

static int pc_rename(const char *from, const char *to, unsigned int flags) {
    if (flags & ~RENAME_NOREPLACE) {
        return -EINVAL;
    }
    char full_from[PATH_MAX], full_to[PATH_MAX], trash[PATH_MAX];
    full_path(full_from, from);
    full_path(full_to, to);
    pthread_mutex_lock(&lock);
    int rc = refuse_when_off();
    struct stat st;
    int replaces = rc == 0 && lstat(full_to, &st) == 0;
    if (replaces && (flags & RENAME_NOREPLACE)) {
        rc = -EEXIST;
    }
    if (rc == 0 && replaces) {
        rc = move_to_trash(full_to, trash);
    }
    if (rc == 0) {
        if (rename(full_from, full_to) != 0) {
            rc = -errno;
            if (replaces) {
                rename(trash, full_to);
            }
        } else {
            log_change(OP_RENAME, to, from, replaces ? trash : NULL);
        }
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

static int pc_chmod(const char *path, mode_t mode, struct fuse_file_info *fi) {
    if (!path) {
        return fchmod(fd_of(fi), mode) == 0 ? 0 : -errno;
    }
    char full[PATH_MAX];
    full_path(full, path);
    return chmod(full, mode) == 0 ? 0 : -errno;
}

static int pc_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi) {
    if (!path) {
        return fchown(fd_of(fi), uid, gid) == 0 ? 0 : -errno;
    }
    char full[PATH_MAX];
    full_path(full, path);
    return lchown(full, uid, gid) == 0 ? 0 : -errno;
}

static int pc_truncate(const char *path, off_t size, struct fuse_file_info *fi) {
    pthread_mutex_lock(&lock);
    int rc = refuse_when_off();
    if (rc == 0) {
        int fd;
        int own = 0;
        if (fd_of(fi) >= 0) {
            fd = fd_of(fi);
        } else {
            char full[PATH_MAX];
            full_path(full, path);
            fd = open(full, O_RDONLY);
            own = 1;
        }
        if (fd < 0) {
            rc = -errno;
        } else {
            truncate_state(state_of_fd(fd, 1), size);
            if (own) {
                close(fd);
            }
        }
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

/* Opens the backing file; a file just created (fresh) drops any state left under a reused inode number. */
static int open_backing(const char *path, struct fuse_file_info *fi, int create_flags, mode_t mode, int fresh) {
    char full[PATH_MAX];
    full_path(full, path);
    int flags = (fi->flags & ~(O_TRUNC | O_APPEND | O_ACCMODE | O_CREAT | O_EXCL)) | O_RDWR | create_flags;
    int fd = open(full, flags, mode);
    if (fd < 0 && errno == EACCES) {
        fd = open(full, (flags & ~O_ACCMODE) | O_RDONLY, mode);
    }
    if (fd < 0) {
        return -errno;
    }
    struct handle *h = calloc(1, sizeof *h);
    h->fd = fd;
    fi->fh = (uint64_t) (uintptr_t) h;
    struct stat st;
    if (fresh && fstat(fd, &st) == 0) {
        forget_state(st.st_dev, st.st_ino);
    }
    if (fi->flags & O_TRUNC) {
        truncate_state(state_of_fd(fd, 1), 0);
    }
    return 0;
}

static int pc_open(const char *path, struct fuse_file_info *fi) {
    if (strcmp(path, CONTROL) == 0) {
        struct handle *h = calloc(1, sizeof *h);
        h->fd = -1;
        h->control = 1;
        fi->fh = (uint64_t) (uintptr_t) h;
        fi->direct_io = 1;
        return 0;
    }
    pthread_mutex_lock(&lock);
    int rc = (fi->flags & (O_TRUNC)) ? refuse_when_off() : 0;
    if (rc == 0) {
        rc = open_backing(path, fi, 0, 0, 0);
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

static int pc_create(const char *path, mode_t mode, struct fuse_file_info *fi) {
    char full[PATH_MAX];
    full_path(full, path);
    pthread_mutex_lock(&lock);
    int rc = refuse_when_off();
    if (rc == 0) {
        struct stat st;
        int existed = lstat(full, &st) == 0;
        rc = open_backing(path, fi, O_CREAT | (fi->flags & O_EXCL), mode, !existed);
        if (rc == 0 && !existed) {
            log_change(OP_CREATE, path, NULL, NULL);
        }
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

static int control_read(char *buf, size_t size, off_t offset) {
    char text[256];
    int n = snprintf(text, sizeof text, "off=%d cuts=%ld dirty_bytes=%ld pending_directory_changes=%ld\n",
                     powered_off, cuts, dirty_bytes(), pending_changes);
    if (offset >= n) {
        return 0;
    }
    size_t length = (size_t) (n - offset) < size ? (size_t) (n - offset) : size;
    memcpy(buf, text + offset, length);
    return (int) length;
}

static int pc_read(const char *path, char *buf, size_t size, off_t offset, struct fuse_file_info *fi) {
    (void) path;
    struct handle *h = handle_of(fi);
    pthread_mutex_lock(&lock);
    int rc;
    if (h->control) {
        rc = control_read(buf, size, offset);
        pthread_mutex_unlock(&lock);
        return rc;
    }
    struct inode_state *s = state_of_fd(h->fd, 0);
    if (!s || !s->dirty) {
        ssize_t n = pread(h->fd, buf, size, offset);
        pthread_mutex_unlock(&lock);
        return n < 0 ? -errno : (int) n;
    }
    if (offset >= s->size) {
        pthread_mutex_unlock(&lock);
        return 0;
    }
    size_t total = (size_t) (s->size - offset) < size ? (size_t) (s->size - offset) : size;
    size_t done = 0;
    while (done < total) {
        off_t at = offset + (off_t) done;
        uint64_t index = (uint64_t) at / PAGE;
        size_t in_page = (size_t) (at - (off_t) (index * PAGE));
        size_t length = PAGE - in_page < total - done ? PAGE - in_page : total - done;
        struct page *p = find_page(s, index);
        if (p) {
            memcpy(buf + done, p->data + in_page, length);
        } else {
            read_durable(h->fd, s, buf + done, at, length);
        }
        done += length;
    }
    pthread_mutex_unlock(&lock);
    return (int) total;
}

static int control_write(const char *buf, size_t size) {
    char command[16] = {0};
    size_t n = size < sizeof command - 1 ? size : sizeof command - 1;
    memcpy(command, buf, n);
    for (size_t i = 0; i < n; i++) {
        if (command[i] == '\n' || command[i] == ' ') {
            command[i] = '\0';
        }
    }
    if (strcmp(command, "off") == 0) {
        cut_power();
    } else if (strcmp(command, "on") == 0) {
        powered_off = 0;
    } else if (strcmp(command, "drop") == 0) {
        cut_power();
        powered_off = 0;
    } else {
        return -EINVAL;
    }
    return (int) size;
}

static int pc_write(const char *path, const char *buf, size_t size, off_t offset, struct fuse_file_info *fi) {
    (void) path;
    struct handle *h = handle_of(fi);
    pthread_mutex_lock(&lock);
    int rc;
    if (h->control) {
        rc = control_write(buf, size);
    } else if ((rc = refuse_when_off()) == 0) {
        struct inode_state *s = state_of_fd(h->fd, 1);
        size_t done = 0;
        while (done < size) {
            off_t at = offset + (off_t) done;
            uint64_t index = (uint64_t) at / PAGE;
            size_t in_page = (size_t) (at - (off_t) (index * PAGE));
            size_t length = PAGE - in_page < size - done ? PAGE - in_page : size - done;
            memcpy(page_for_write(h->fd, s, index)->data + in_page, buf + done, length);
            done += length;
        }
        if (offset + (off_t) size > s->size) {
            s->size = offset + (off_t) size;
        }
        s->dirty = 1;
        rc = (int) size;
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

static int pc_statfs(const char *path, struct statvfs *st) {
    (void) path;
    return statvfs(backing, st) == 0 ? 0 : -errno;
}

static int pc_release(const char *path, struct fuse_file_info *fi) {
    (void) path;
    struct handle *h = handle_of(fi);
    if (h->fd >= 0) {
        close(h->fd);
    }
    free(h);
    return 0;
}

static int pc_fsync(const char *path, int datasync, struct fuse_file_info *fi) {
    (void) path;
    (void) datasync;
    struct handle *h = handle_of(fi);
    pthread_mutex_lock(&lock);
    int rc = refuse_when_off();
    if (rc == 0 && !h->control) {
        rc = sync_state(h->fd, state_of_fd(h->fd, 0));
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

static int pc_opendir(const char *path, struct fuse_file_info *fi) {
    char full[PATH_MAX];
    full_path(full, path);
    DIR *d = opendir(full);
    if (!d) {
        return -errno;
    }
    struct handle *h = calloc(1, sizeof *h);
    h->fd = -1;
    h->dir = d;
    h->path = strdup(path);
    fi->fh = (uint64_t) (uintptr_t) h;
    return 0;
}

static int pc_readdir(const char *path, void *buf, fuse_fill_dir_t filler, off_t offset, struct fuse_file_info *fi,
                      enum fuse_readdir_flags flags) {
    (void) offset;
    (void) flags;
    (void) path;
    DIR *d = handle_of(fi)->dir;
    rewinddir(d);
    struct dirent *e;
    while ((e = readdir(d))) {
        if ((strcmp(handle_of(fi)->path, "/") == 0 && strcmp(e->d_name, TRASH) == 0) || is_fuse_hidden(e->d_name)) {
            continue;
        }
        struct stat st;
        memset(&st, 0, sizeof st);
        st.st_ino = e->d_ino;
        st.st_mode = (mode_t) DTTOIF(e->d_type);
        if (filler(buf, e->d_name, &st, 0, 0)) {
            break;
        }
    }
    return 0;
}

static int pc_releasedir(const char *path, struct fuse_file_info *fi) {
    (void) path;
    closedir(handle_of(fi)->dir);
    free(handle_of(fi)->path);
    free(handle_of(fi));
    return 0;
}

static int pc_fsyncdir(const char *path, int datasync, struct fuse_file_info *fi) {
    (void) datasync;
    const char *dir = path ? path : (fi && handle_of(fi) ? handle_of(fi)->path : NULL);
    pthread_mutex_lock(&lock);
    int rc = refuse_when_off();
    if (rc == 0 && dir) {
        commit_directory(dir);
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

static int pc_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi) {
    if (!path) {
        return futimens(fd_of(fi), tv) == 0 ? 0 : -errno;
    }
    char full[PATH_MAX];
    full_path(full, path);
    return utimensat(AT_FDCWD, full, tv, AT_SYMLINK_NOFOLLOW) == 0 ? 0 : -errno;
}

static int pc_access(const char *path, int mask) {
    if (strcmp(path, CONTROL) == 0) {
        return 0;
    }
    char full[PATH_MAX];
    full_path(full, path);
    return access(full, mask) == 0 ? 0 : -errno;
}

static const struct fuse_operations operations = {
    .init = pc_init,
    .getattr = pc_getattr,
    .readlink = pc_readlink,
    .mkdir = pc_mkdir,
    .unlink = pc_unlink,
    .rmdir = pc_rmdir,
    .symlink = pc_symlink,
    .rename = pc_rename,
    .link = pc_link,
    .chmod = pc_chmod,
    .chown = pc_chown,
    .truncate = pc_truncate,
    .open = pc_open,
    .read = pc_read,
    .write = pc_write,
    .statfs = pc_statfs,
    .release = pc_release,
    .fsync = pc_fsync,
    .opendir = pc_opendir,
    .readdir = pc_readdir,
    .releasedir = pc_releasedir,
    .fsyncdir = pc_fsyncdir,
    .create = pc_create,
    .utimens = pc_utimens,
    .access = pc_access,
};

int main(int argc, char *argv[]) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s BACKING MOUNTPOINT [FUSE options]\n", argv[0]);
        return 2;
    }
    static char resolved[PATH_MAX - 64];
    if (!realpath(argv[1], resolved)) {
        perror(argv[1]);
        return 2;
    }
    backing = resolved;
    char trash[PATH_MAX];
    snprintf(trash, sizeof trash, "%s/" TRASH, backing);
    remove_tree(trash);
    remove_orphans(backing);
    if (mkdir(trash, 0700) != 0) {
        perror(trash);
        return 2;
    }
    argv[1] = argv[0];
    return fuse_main(argc - 1, argv + 1, &operations, NULL);
}

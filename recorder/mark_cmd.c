/*
 * mark_cmd.c - "muse mark": name a point of the workload in the trace.
 */
#define _GNU_SOURCE
#include "mark_cmd.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "hash.h"
#include "markproto.h"

static const char usage[] =
	"usage: muse mark NAME [--expect PATH]... [--in-place PATH]... [--absent PATH]...\n"
	"\n"
	"Puts a mark named NAME into the trace being recorded, exactly between the\n"
	"operations before and after this command.  Files named with it become the\n"
	"durability oracle of later sweeps:\n"
	"\n"
	"  -e, --expect PATH     PATH is durable now with its current content: the\n"
	"                        workload fsync()ed it and its directory, or ran sync\n"
	"  -i, --in-place PATH   PATH is being updated in place: any state an\n"
	"                        interrupted update can leave is acceptable\n"
	"  -a, --absent PATH     PATH was deleted durably (and the directory synced)\n"
	"  -s, --socket PATH     the recorder's mark socket (default $MUSE_MARK_SOCKET)\n"
	"  -h, --help            show this help\n"
	"\n"
	"Paths under $MUSE_MNT are stored relative to it.\n"
	"\n"
	"example:\n"
	"  cp config.bin \"$MUSE_MNT/config\" && sync && muse mark config-saved --expect \"$MUSE_MNT/config\"\n";

struct mark_args {
	const char *name;
	const char *socket;
	uint32_t nfiles;
	struct trace_mark_file files[MARK_MAX_FILES];
	char *paths[MARK_MAX_FILES];
	uint8_t *contents[MARK_MAX_FILES];
};

/*
 * @path made absolute without the filesystem's help past its longest
 * existing prefix: a path declared absent may sit under directories that
 * are gone or were moved away too.  Symbolic links in the existing part
 * are followed, "." and ".." after it taken by their names.
 */
static int resolve_missing(const char *path, char *real, char *err,
			   size_t errlen)
{
	char prefix[PATH_MAX], rest[PATH_MAX] = "";
	char *slash, *part, *save;
	size_t n;

	if (snprintf(prefix, sizeof(prefix), "%s", path) >= (int)sizeof(prefix))
		goto too_long;
	while (!realpath(prefix[0] ? prefix : ".", real)) {
		if (errno != ENOENT && errno != ENOTDIR) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			return -1;
		}
		slash = strrchr(prefix, '/');
		n = strlen(rest);
		if (snprintf(rest + n, sizeof(rest) - n, "%s%s", n ? "/" : "",
			     slash ? slash + 1 : prefix) >= (int)(sizeof(rest) - n))
			goto too_long;
		if (!slash) {
			prefix[0] = '\0';
		} else {
			*slash = '\0';
			if (slash == prefix)
				snprintf(prefix, sizeof(prefix), "/");
		}
	}
	/* @rest holds the missing components last one first */
	for (part = strrchr(rest, '/'); ; part = strrchr(rest, '/')) {
		const char *name = part ? part + 1 : rest;

		n = strlen(real);
		if (!strcmp(name, "..")) {
			save = strrchr(real, '/');
			if (save)
				save[save == real] = '\0';
		} else if (*name && strcmp(name, ".") &&
			   snprintf(real + n, PATH_MAX - n, "%s%s", n > 1 ? "/" : "",
				    name) >= (int)(PATH_MAX - n)) {
			goto too_long;
		}
		if (!part)
			break;
		*part = '\0';
	}
	return 0;
too_long:
	snprintf(err, errlen, "%s: the name is too long", path);
	return -1;
}

/* The path as stored: relative to $MUSE_MNT when under it */
static char *stored_path(const char *path, bool must_exist, char *err,
			 size_t errlen)
{
	const char *mnt = getenv("MUSE_MNT");
	char real[PATH_MAX];
	size_t n;

	if (must_exist && !realpath(path, real)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (!must_exist && resolve_missing(path, real, err, errlen))
		return NULL;
	if (!mnt || !*mnt)
		return strdup(real);
	n = strlen(mnt);
	while (n > 1 && mnt[n - 1] == '/')
		n--;
	if (strncmp(real, mnt, n) || (real[n] != '/' && real[n])) {
		snprintf(err, errlen, "%s is not on the recorded filesystem (%s)",
			 path, mnt);
		return NULL;
	}
	return strdup(real[n] ? real + n + 1 : ".");
}

static int describe(struct mark_args *a, enum trace_file_kind kind,
		    const char *path)
{
	struct trace_mark_file *mf = &a->files[a->nfiles];
	char err[PATH_MAX + 128];
	struct stat st;
	FILE *f;

	if (a->nfiles == MARK_MAX_FILES) {
		fprintf(stderr, "muse mark: at most %d files per mark\n", MARK_MAX_FILES);
		return -1;
	}
	if (kind == TRACE_FILE_ABSENT && !lstat(path, &st)) {
		fprintf(stderr, "muse mark: %s exists; --absent declares it deleted\n", path);
		return -1;
	}
	a->paths[a->nfiles] = stored_path(path, kind != TRACE_FILE_ABSENT, err,
					  sizeof(err));
	if (!a->paths[a->nfiles]) {
		fprintf(stderr, "muse mark: %s\n", err);
		return -1;
	}
	*mf = (struct trace_mark_file){ .path = a->paths[a->nfiles], .kind = kind };
	if (kind != TRACE_FILE_ABSENT) {
		if (stat(path, &st) || !S_ISREG(st.st_mode) ||
		    sha256_file(path, mf->sha256, &mf->size)) {
			fprintf(stderr, "muse mark: %s is not a readable regular file\n", path);
			return -1;
		}
		if (mf->size <= MARK_CONTENT_MAX) {
			a->contents[a->nfiles] = malloc(mf->size ? mf->size : 1);
			f = fopen(path, "rb");
			if (!f || !a->contents[a->nfiles] ||
			    fread(a->contents[a->nfiles], 1, mf->size, f) != mf->size) {
				fprintf(stderr, "muse mark: cannot read %s\n", path);
				if (f)
					fclose(f);
				return -1;
			}
			fclose(f);
			mf->content = a->contents[a->nfiles];
			mf->content_len = (uint32_t)mf->size;
		}
	}
	a->nfiles++;
	return 0;
}

static int parse(int argc, char **argv, struct mark_args *a)
{
	static const struct option opts[] = {
		{ "expect", required_argument, NULL, 'e' },
		{ "in-place", required_argument, NULL, 'i' },
		{ "absent", required_argument, NULL, 'a' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, ret = 0;

	a->socket = getenv("MUSE_MARK_SOCKET");
	while (!ret && (c = getopt_long(argc, argv, "e:i:a:s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'e': ret = describe(a, TRACE_FILE_EXPECT, optarg); break;
		case 'i': ret = describe(a, TRACE_FILE_IN_PLACE, optarg); break;
		case 'a': ret = describe(a, TRACE_FILE_ABSENT, optarg); break;
		case 's': a->socket = optarg; break;
		case 'h': fputs(usage, stdout); return 1;
		default: fputs(usage, stderr); return -1;
		}
	}
	if (ret)
		return ret;
	if (optind != argc - 1 || !*argv[optind] || strlen(argv[optind]) > 200) {
		fprintf(stderr, "muse mark: give one NAME (1 to 200 characters)\n\n%s", usage);
		return -1;
	}
	a->name = argv[optind];
	if (!a->socket || !*a->socket) {
		fprintf(stderr, "muse mark: no recorder to mark: MUSE_MARK_SOCKET is not set "
			"(run the workload under \"muse record\", or pass --socket)\n");
		return -1;
	}
	return 0;
}

static int send_request(const char *socket_path, const char *buf, size_t len,
			char *reply, size_t size)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	size_t done = 0;
	ssize_t n;

	if (fd < 0 || strlen(socket_path) >= sizeof(addr.sun_path))
		return -1;
	memcpy(addr.sun_path, socket_path, strlen(socket_path) + 1);
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		fprintf(stderr, "muse mark: cannot reach the recorder at %s: %s\n",
			socket_path, strerror(errno));
		close(fd);
		return -1;
	}
	while (done < len && (n = write(fd, buf + done, len - done)) > 0)
		done += (size_t)n;
	shutdown(fd, SHUT_WR);
	done = 0;
	while (done < size - 1 && (n = read(fd, reply + done, size - 1 - done)) > 0)
		done += (size_t)n;
	reply[done] = '\0';
	close(fd);
	return 0;
}

int cmd_mark(int argc, char **argv)
{
	struct mark_args a = { 0 };
	char reply[1024], *buf = NULL;
	size_t len;
	int ret;

	ret = parse(argc, argv, &a);
	if (!ret && mark_encode(a.name, a.files, a.nfiles, &buf, &len)) {
		fprintf(stderr, "muse mark: the request is too large\n");
		ret = -1;
	}
	if (!ret)
		ret = send_request(a.socket, buf, len, reply, sizeof(reply));
	if (!ret && strncmp(reply, "ok ", 3)) {
		fprintf(stderr, "muse mark: the recorder says: %s",
			*reply ? (strncmp(reply, "error ", 6) ? reply : reply + 6) :
			"nothing (did it stop?)\n");
		ret = -1;
	}
	free(buf);
	for (uint32_t i = 0; i < a.nfiles; i++) {
		free(a.paths[i]);
		free(a.contents[i]);
	}
	return ret > 0 ? 0 : ret ? 1 : 0;
}

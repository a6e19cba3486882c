/*
 * server.c - the MUSE request loop.
 */
#define _GNU_SOURCE
#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "proto.h"
#include "util.h"

struct muse_server {
	int fd;
	int null_fd;		/* replaces fd when interrupted */
	volatile sig_atomic_t interrupted;
	int kmsg;		/* /dev/kmsg positioned at our start, or -1 */
	struct muse_backend be;
	const struct geometry *g;
	FILE *log;
	uint32_t max_io;
	uint8_t *req;		/* one request */
	size_t req_size;
	uint8_t *reply;		/* one read reply */
	struct muse_server_stats stats;
};

static int open_device(const char *path, struct muse_error *e)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	if (errno == ENOENT || errno == ENODEV || errno == ENXIO)
		return muse_fail(e, -errno,
				 "%s: %s: this kernel has no MUSE driver (run inside \"muse uml\", or build kernel/patches/VERSION into your kernel)",
				 path, strerror(errno));
	return muse_fail(e, -errno, "%s: %s%s", path, strerror(errno),
			 errno == EACCES || errno == EPERM ?
			 " (MUSE needs CAP_SYS_ADMIN)" : "");
}

/* Kernel messages from now on, to explain a refusal; best effort. */
static int open_kmsg_tail(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

/* Appends the "muse:" kernel messages logged since the start to @e */
static void explain_from_kmsg(struct muse_server *s, struct muse_error *e)
{
	char rec[1024], before[sizeof(e->msg)];
	ssize_t n;

	if (s->kmsg < 0)
		return;
	for (;;) {
		char *text;

		n = read(s->kmsg, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* records overwritten before we read */
		if (n <= 0)
			break;
		rec[n] = '\0';
		text = strchr(rec, ';');
		if (!text || strncmp(text + 1, "muse:", 5))
			continue;
		text[strcspn(text, "\n")] = '\0';
		memcpy(before, e->msg, sizeof(before));
		muse_fail(e, e->code, "%.200s; kernel log: %.280s", before,
			  text + 1);
	}
}

static int read_request(struct muse_server *s, size_t *len)
{
	ssize_t n = read(s->fd, s->req, s->req_size);

	if (n < 0)
		return -errno;
	*len = (size_t)n;
	return 0;
}

static int send_reply(struct muse_server *s, uint64_t unique, int error,
		      const void *payload, size_t len)
{
	struct muse_out_header h;
	struct iovec iov[2] = {
		{ .iov_base = &h, .iov_len = sizeof(h) },
		{ .iov_base = (void *)payload, .iov_len = len },
	};

	muse_reply_header(&h, unique, error, error ? 0 : len);
	if (error)
		iov[1].iov_len = 0;
	if (writev(s->fd, iov, 2) >= 0)
		return 0;
	/* ENOENT: the kernel gave up on the request (connection aborted) */
	return errno == ENOENT ? 0 : -errno;
}

static int reply_init(struct muse_server *s,
		      const struct muse_server_config *cfg,
		      struct muse_error *e)
{
	uint8_t buf[sizeof(struct muse_init_out) + MUSE_INIT_INFO_MAX];
	struct muse_init_out out = {
		.major = MUSE_KERNEL_VERSION,
		.minor = MUSE_KERNEL_MINOR_VERSION,
		.max_io = s->max_io,
	};
	struct muse_init_extras x = cfg->extras;
	struct muse_request req;
	size_t len = 0;
	int n, ret;

	ret = read_request(s, &len);
	if (ret)
		return muse_fail(e, ret, "reading MUSE_INIT: %s", strerror(-ret));
	ret = muse_decode_request(s->req, len, &req, e);
	if (!ret && req.opcode != MUSE_INIT)
		ret = muse_fail(e, -EPROTO, "first request is %s, not INIT",
				muse_opcode_name(req.opcode));
	if (!ret && req.in.init.major != MUSE_KERNEL_VERSION)
		ret = muse_fail(e, -EPROTO,
				"the kernel speaks MUSE %" PRIu32 ".%" PRIu32
				", this program %d.%d", req.in.init.major,
				req.in.init.minor, MUSE_KERNEL_VERSION,
				MUSE_KERNEL_MINOR_VERSION);
	if (ret)
		return ret;
	if (cfg->write_behind && req.in.init.minor >= 1)
		out.flags |= MUSE_INIT_WRITE_BEHIND;
	/* a kernel before 1.2 rejects the key */
	if (req.in.init.minor < 2)
		x.readahead = 0;
	n = muse_init_params(cfg->geometry, &x, (char *)buf + sizeof(out),
			     MUSE_INIT_INFO_MAX, e);
	if (n < 0)
		return n;
	memcpy(buf, &out, sizeof(out));
	ret = send_reply(s, req.unique, 0, buf, sizeof(out) + (size_t)n);
	if (ret)
		return muse_fail(e, ret, "replying to MUSE_INIT: %s",
				 strerror(-ret));
	return 0;
}

int muse_server_start(const struct muse_server_config *cfg,
		      const struct muse_backend *be, struct muse_server **out,
		      struct muse_error *e)
{
	struct muse_server *s = calloc(1, sizeof(*s));
	uint32_t page = cfg->geometry->page_size + cfg->geometry->oob_size;
	int ret;

	if (!s)
		return muse_fail(e, -ENOMEM, "out of memory");
	s->be = *be;
	s->g = cfg->geometry;
	s->log = cfg->log ? cfg->log : stderr;
	s->max_io = cfg->max_io ? cfg->max_io : MUSE_DEFAULT_MAX_IO;
	if (s->max_io < page)
		s->max_io = page;
	/* FUSE wants room for a header, a write header and max_io */
	s->req_size = s->max_io + 4096;
	s->req = malloc(s->req_size);
	s->reply = malloc(sizeof(struct muse_read_out) + s->max_io);
	s->kmsg = open_kmsg_tail();
	s->null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	s->fd = -1;
	if (!s->req || !s->reply || s->null_fd < 0) {
		muse_server_close(s);
		return muse_fail(e, -ENOMEM, "out of memory");
	}
	s->fd = open_device(cfg->device ? cfg->device : "/dev/muse", e);
	ret = s->fd < 0 ? s->fd : reply_init(s, cfg, e);
	if (ret) {
		muse_server_close(s);
		return ret;
	}
	*out = s;
	return 0;
}

static void log_rejected(struct muse_server *s, const char *what,
			 const struct muse_error *e)
{
	s->stats.rejected++;
	fprintf(s->log, "muse: rejected %s request: %s\n", what, e->msg);
}

static int handle_read(struct muse_server *s, const struct muse_request *r)
{
	const struct muse_io_in *in = &r->in.io;
	struct flash_io io = {
		.addr = in->addr, .len = in->len, .ooblen = in->ooblen,
		.ooboffs = in->ooboffs, .mode = (enum oob_mode)in->mode,
	};
	struct muse_read_out out = { 0 };
	struct flash_ecc ecc;
	struct muse_error e;
	uint8_t *data = s->reply + sizeof(out);

	int bad = (uint64_t)in->len + in->ooblen > s->max_io ?
		  muse_fail(&e, -EINVAL, "%" PRIu32 " + %" PRIu32
			    " bytes exceed max_io", in->len, in->ooblen) :
		  flash_io_check(s->g, &io, false, &e);

	if (bad) {
		log_rejected(s, "READ", &e);
		return send_reply(s, r->unique, -EINVAL, NULL, 0);
	}
	s->stats.reads++;
	s->be.read(s->be.ctx, &io, data, data + in->len, &ecc);
	out.corrected = ecc.corrected;
	out.failed = ecc.failed;
	out.max_bitflips = ecc.max_bitflips;
	memcpy(s->reply, &out, sizeof(out));
	return send_reply(s, r->unique, 0, s->reply,
			  sizeof(out) + in->len + in->ooblen);
}

static int handle_write(struct muse_server *s, const struct muse_request *r)
{
	const struct muse_io_in *in = &r->in.io;
	struct flash_io io = {
		.addr = in->addr, .len = in->len, .ooblen = in->ooblen,
		.ooboffs = in->ooboffs, .mode = (enum oob_mode)in->mode,
	};
	struct muse_error e;

	if (flash_io_check(s->g, &io, true, &e)) {
		log_rejected(s, "WRITE", &e);
		return send_reply(s, r->unique, -EINVAL, NULL, 0);
	}
	s->stats.writes++;
	return send_reply(s, r->unique,
			  s->be.write(s->be.ctx, &io, r->data, r->oob), NULL, 0);
}

static int block_of(struct muse_server *s, uint64_t addr, uint64_t *block)
{
	if (addr >= s->g->size || addr % s->g->block_size)
		return -EINVAL;
	*block = addr / s->g->block_size;
	return 0;
}

static int handle_erase(struct muse_server *s, const struct muse_request *r)
{
	struct muse_error e;
	uint64_t block;

	if (block_of(s, r->in.erase.addr, &block) ||
	    r->in.erase.len != s->g->block_size) {
		muse_fail(&e, -EINVAL, "%" PRIu64 " bytes at 0x%" PRIx64
			  " are not one eraseblock", r->in.erase.len,
			  r->in.erase.addr);
		log_rejected(s, "ERASE", &e);
		return send_reply(s, r->unique, -EINVAL, NULL, 0);
	}
	s->stats.erases++;
	return send_reply(s, r->unique, s->be.erase(s->be.ctx, block), NULL, 0);
}

static int handle_block(struct muse_server *s, const struct muse_request *r)
{
	struct muse_isbad_out out = { 0 };
	struct muse_error e;
	uint64_t block;
	int ret;

	if (block_of(s, r->in.block.addr, &block) || !geometry_is_nand(s->g)) {
		muse_fail(&e, -EINVAL, "no NAND block at 0x%" PRIx64,
			  r->in.block.addr);
		log_rejected(s, muse_opcode_name(r->opcode), &e);
		return send_reply(s, r->unique, -EINVAL, NULL, 0);
	}
	if (r->opcode == MUSE_MARKBAD)
		return send_reply(s, r->unique, s->be.mark_bad(s->be.ctx, block),
				  NULL, 0);
	ret = s->be.is_bad(s->be.ctx, block);
	if (ret < 0)
		return send_reply(s, r->unique, ret, NULL, 0);
	out.bad = (uint32_t)ret;
	return send_reply(s, r->unique, 0, &out, sizeof(out));
}

static int dispatch(struct muse_server *s, const struct muse_request *r)
{
	s->stats.requests++;
	switch (r->opcode) {
	case MUSE_READ:
		return handle_read(s, r);
	case MUSE_WRITE:
		return handle_write(s, r);
	case MUSE_ERASE:
		return handle_erase(s, r);
	case MUSE_ISBAD:
	case MUSE_MARKBAD:
		return handle_block(s, r);
	case MUSE_SYNC:
		return send_reply(s, r->unique, s->be.sync(s->be.ctx), NULL, 0);
	case FUSE_INTERRUPT_OPCODE:
		/* MUSE disables interrupts; an interrupt needs no reply */
		return 0;
	default:
		return send_reply(s, r->unique, -EINVAL, NULL, 0);
	}
}

/* Reads and answers one request; -ENODEV once the connection is gone. */
static int serve_one(struct muse_server *s, struct muse_error *e)
{
	struct muse_request r;
	struct muse_error de;
	size_t len = 0;
	int ret;

	ret = read_request(s, &len);
	if (ret == -EAGAIN || ret == -EINTR || (!ret && !len && s->interrupted))
		return 0;
	if (!ret && !len)
		ret = -ENODEV;
	if (ret)
		return muse_fail(e, ret, "reading from the MUSE device: %s",
				 strerror(-ret));
	ret = muse_decode_request(s->req, len, &r, &de);
	if (ret == -EPROTO) {
		log_rejected(s, "malformed", &de);
		return 0;
	}
	if (ret) {
		log_rejected(s, muse_opcode_name(r.opcode), &de);
		ret = send_reply(s, r.unique, ret, NULL, 0);
	} else {
		ret = dispatch(s, &r);
	}
	if (ret)
		fprintf(s->log, "muse: cannot reply to %s: %s\n",
			muse_opcode_name(r.opcode), strerror(-ret));
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int muse_server_wait_mtd(struct muse_server *s, int timeout_ms,
			 struct muse_mtd_list *list, struct muse_error *e)
{
	int64_t deadline = now_ms() + timeout_ms;

	for (;;) {
		struct pollfd p = { .fd = s->fd, .events = POLLIN };
		int ret;

		if (s->interrupted)
			return muse_fail(e, -EINTR,
					 "stopped before the MTD device appeared");
		if (!ioctl(s->fd, MUSE_DEV_IOC_MTD_LIST, list))
			return 0;
		if (errno != EAGAIN) {
			muse_fail(e, -errno,
				  "the kernel did not create the MTD device: %s",
				  strerror(errno));
			explain_from_kmsg(s, e);
			return e->code;
		}
		if (now_ms() > deadline)
			return muse_fail(e, -ETIMEDOUT,
					 "the MTD device did not appear within %d ms",
					 timeout_ms);
		ret = poll(&p, 1, 10);
		if (ret > 0 && (p.revents & POLLIN)) {
			ret = serve_one(s, e);
			if (ret) {
				explain_from_kmsg(s, e);
				return ret;
			}
		}
	}
}

/*
 * One blocking read and one write per request: in a UML guest every
 * system call costs a round trip through the host, so no poll().
 */
int muse_server_run(struct muse_server *s, struct muse_error *e)
{
	while (!s->interrupted) {
		int ret = serve_one(s, e);

		/* the kernel ended the connection: its log says why */
		if (ret == -ENODEV)
			explain_from_kmsg(s, e);
		if (ret)
			return ret;
	}
	return 0;
}

void muse_server_interrupt(struct muse_server *s)
{
	s->interrupted = 1;
	/* a read about to start now reads EOF; one blocked returns EINTR */
	dup2(s->null_fd, s->fd);
}

void muse_server_get_stats(const struct muse_server *s,
			   struct muse_server_stats *st)
{
	*st = s->stats;
}

void muse_server_close(struct muse_server *s)
{
	if (!s)
		return;
	close_fd(&s->fd);
	close_fd(&s->kmsg);
	close_fd(&s->null_fd);
	free(s->req);
	free(s->reply);
	free(s);
}

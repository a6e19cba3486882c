/*
 * hostiled.c - a MUSE server that misbehaves on purpose, to show that no
 * server can crash or hang the kernel.
 *
 *   muse-hostiled --seed S [--requests N] [--timeout T] [--rate R] -- CMD...
 *
 * Serves a 16 MiB NAND chip (kept in memory from one connection to the
 * next) and runs CMD, with MTD=/dev/mtdN and MTDNUM=N in its environment,
 * on every MTD device the kernel registers.  About one request in R gets
 * a fault drawn from the seed:
 *   protocol: a read or ISBAD reply too short or too long (by a few
 *     bytes or 64 KiB), a body on a reply that has none or after an error, -EPROTO, unknown read flags,
 *     an ISBAD answer that is neither 0 nor 1: the kernel must end the
 *     connection at once;
 *   stuck: no answer, an error code FUSE refuses, a reply to a request
 *     that does not exist: the kernel must end it after T seconds;
 *   benign: an error a flash driver reports or one it does not (the
 *     kernel makes it -EIO), a slow answer, absurd bit flip counts, an
 *     uncacheable page, a bad block: the connection must go on.
 * Half the connections ask for writes sent behind; there, an error on a
 * write the kernel sent behind (in-band data, no OOB, less than the
 * largest request) breaks the server's promise: the kernel must end the
 * connection at once.  Such writes are few, so they draw faults 32
 * times as often, half of them this one.
 * After a protocol or stuck fault the server waits for the kernel to end
 * the connection and checks the kernel's message for it; then CMD must
 * finish, and the next connection starts, until N requests were served.
 * Meanwhile every kernel message is read: a KASAN, lockdep, hung task or
 * other report of the kernel's own is a failure.
 *
 * Prints a line per connection, then
 *   "hostiled: seed S: R requests, C connections, faults: protocol P,
 *    stuck K, benign B, behind W; failures F"
 * (W: errors on writes sent behind, counted in P too)
 * and exits 0 if F is 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proto.h"
#include "wire.h"

#define CHIP_SIZE (16u << 20)
#define BLOCK_SIZE (128u << 10)
#define PAGE_SIZE_ 2048u
#define OOB_SIZE 64u
#define OOB_FREE_OFFSET 2u
#define OOB_FREE_SIZE 38u
#define PAGES (CHIP_SIZE / PAGE_SIZE_)
#define BLOCKS (CHIP_SIZE / BLOCK_SIZE)
#define MAX_IO (256u << 10)
#define MAX_BAD_BLOCKS 8
/* how long the kernel and CMD get before the run counts as hung */
#define END_GRACE_S 60
#define CMD_GRACE_S 120

enum fault_class { CLASS_NONE, CLASS_PROTOCOL, CLASS_STUCK, CLASS_BENIGN };

enum fault {
	F_NONE, F_SHORT, F_LONG, F_ERRBODY, F_EPROTO, F_BADFLAGS, F_BADISBAD,
	F_DROP, F_BADERRNO, F_BADUNIQUE, F_BEHINDERR,
	F_ERRNO, F_SLOW, F_BITFLIPS, F_UNCACHEABLE, F_BADBLOCK,
};

static const struct {
	const char *name;
	enum fault_class class;
} faults[] = {
	[F_NONE] = { "none", CLASS_NONE },
	[F_SHORT] = { "short reply", CLASS_PROTOCOL },
	[F_LONG] = { "long reply", CLASS_PROTOCOL },
	[F_ERRBODY] = { "error with a body", CLASS_PROTOCOL },
	[F_EPROTO] = { "EPROTO", CLASS_PROTOCOL },
	[F_BADFLAGS] = { "unknown read flags", CLASS_PROTOCOL },
	[F_BADISBAD] = { "ISBAD neither 0 nor 1", CLASS_PROTOCOL },
	[F_DROP] = { "no answer", CLASS_STUCK },
	[F_BADERRNO] = { "error FUSE refuses", CLASS_STUCK },
	[F_BADUNIQUE] = { "reply to no request", CLASS_STUCK },
	[F_BEHINDERR] = { "error on a write sent behind", CLASS_PROTOCOL },
	[F_ERRNO] = { "errno", CLASS_BENIGN },
	[F_SLOW] = { "slow answer", CLASS_BENIGN },
	[F_BITFLIPS] = { "absurd bit flips", CLASS_BENIGN },
	[F_UNCACHEABLE] = { "uncacheable", CLASS_BENIGN },
	[F_BADBLOCK] = { "bad block", CLASS_BENIGN },
};

struct options {
	uint64_t seed;
	unsigned long requests;
	unsigned int timeout;
	unsigned int rate;
	char **cmd;
};

struct stats {
	unsigned long requests, connections, failures;
	unsigned long by_class[4];
	unsigned long behind_errors;
};

/* What one connection has seen */
struct conn {
	int fd, mtd;
	pid_t cmd;
	int cmd_status;
	unsigned long requests;
	bool behind;		/* writes sent behind */
	enum fault fault;	/* the protocol or stuck fault sent, if any */
	uint32_t fault_op;
	time_t fault_time;
	char name[32];
};

static uint8_t chip[CHIP_SIZE];
static uint8_t chip_oob[PAGES * OOB_SIZE];
static bool bad[BLOCKS];
static uint8_t req_buf[MAX_IO + 4096];
/* room for the longest answer plus an oversized tail */
#define OVERSIZE (64u << 10)
static uint8_t reply_buf[sizeof(struct muse_read_out) + MAX_IO + OVERSIZE];
static uint64_t rng;
static int kmsg = -1;
static struct stats st;

/* splitmix64: the whole run follows from the seed */
static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static unsigned int rnd_below(unsigned int n)
{
	return (unsigned int)(rnd() % n);
}

#define PICK(a) ((a)[rnd_below(sizeof(a) / sizeof((a)[0]))])

static enum fault pick_fault(uint32_t opcode)
{
	static const enum fault read_faults[] = {
		F_SHORT, F_LONG, F_BADFLAGS, F_ERRBODY, F_EPROTO, F_DROP,
		F_BADERRNO, F_BADUNIQUE, F_ERRNO, F_ERRNO, F_SLOW, F_BITFLIPS,
		F_BITFLIPS, F_UNCACHEABLE,
	};
	/* an ISBAD error would only fail the registration: none is sent */
	static const enum fault isbad_faults[] = {
		F_SHORT, F_LONG, F_BADISBAD, F_ERRBODY, F_DROP, F_SLOW,
		F_BADBLOCK,
	};
	static const enum fault other_faults[] = {
		F_LONG, F_ERRBODY, F_EPROTO, F_DROP, F_BADERRNO, F_BADUNIQUE,
		F_ERRNO, F_ERRNO, F_SLOW, F_SLOW,
	};

	if (opcode == MUSE_READ)
		return PICK(read_faults);
	if (opcode == MUSE_ISBAD)
		return PICK(isbad_faults);
	return PICK(other_faults);
}

static int pick_errno(void)
{
	static const int errs[] = {
		EIO, EROFS, ENOSPC, ENOMEM, EINVAL, EOPNOTSUPP, ENOENT, EAGAIN,
		EPERM, EUCLEAN, EBADMSG, ENODEV, ERANGE, ENOSYS, 511,
	};

	return -PICK(errs);
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* -- kernel messages -------------------------------------------------- */

static const char *const kernel_reports[] = {
	"BUG:", "WARNING:", "Oops", "KASAN", "UBSAN", "kernel BUG",
	"possible recursive locking", "possible circular locking",
	"inconsistent lock state", "blocked for more than", "soft lockup",
	"general protection", "Kernel panic", "ODEBUG", "rcu_sched detected",
	"self-detected stall",
};

static void check_kernel_line(const char *line)
{
	for (size_t i = 0; i < sizeof(kernel_reports) / sizeof(*kernel_reports); i++) {
		if (strstr(line, kernel_reports[i])) {
			printf("FAIL: kernel report: %s", line);
			st.failures++;
			return;
		}
	}
}

/* The kernel's last "ending the connection" message */
static char last_end[512];

/* Reads what the kernel logged since the last call */
static void drain_kmsg(void)
{
	char line[2048];
	ssize_t n;

	for (;;) {
		n = read(kmsg, line, sizeof(line) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten before we read them */
		if (n <= 0)
			return;
		line[n] = '\0';
		check_kernel_line(line);
		if (strstr(line, "ending the connection"))
			snprintf(last_end, sizeof(last_end), "%.500s", line);
	}
}

/* -- the chip ------------------------------------------------------------ */

static bool in_chip(uint64_t addr, uint64_t len)
{
	return addr <= CHIP_SIZE && len <= CHIP_SIZE - addr;
}

/* The OOB of a page as MUSE's modes lay it out: AUTO sees the free bytes */
static uint8_t *oob_area(uint64_t page, uint32_t mode, uint32_t *size)
{
	bool autooob = mode == MUSE_OOB_AUTO;

	*size = autooob ? OOB_FREE_SIZE : OOB_SIZE;
	return chip_oob + page * OOB_SIZE + (autooob ? OOB_FREE_OFFSET : 0);
}

/* Copies OOB between the chip and @buf, page by page; @program ANDs */
static void oob_io(const struct muse_io_in *io, uint8_t *buf, bool program)
{
	uint64_t page = io->addr / PAGE_SIZE_;
	uint32_t off = io->ooboffs, done = 0, size, n;
	uint8_t *area;

	while (done < io->ooblen && page < PAGES) {
		area = oob_area(page, io->mode, &size);
		n = off < size ? size - off : 0;
		if (n > io->ooblen - done)
			n = io->ooblen - done;
		for (uint32_t i = 0; i < n; i++) {
			if (program)
				area[off + i] &= buf[done + i];
			else
				buf[done + i] = area[off + i];
		}
		done += n;
		off = 0;
		page++;
	}
}

static void erase_block(uint64_t block)
{
	memset(chip + block * BLOCK_SIZE, 0xff, BLOCK_SIZE);
	memset(chip_oob + block * (BLOCK_SIZE / PAGE_SIZE_) * OOB_SIZE, 0xff,
	       (BLOCK_SIZE / PAGE_SIZE_) * OOB_SIZE);
}

static void reset_chip(void)
{
	memset(chip, 0xff, sizeof(chip));
	memset(chip_oob, 0xff, sizeof(chip_oob));
	memset(bad, 0, sizeof(bad));
}

static unsigned int bad_count(void)
{
	unsigned int n = 0;

	for (unsigned int b = 0; b < BLOCKS; b++)
		n += bad[b];
	return n;
}

/* -- replies ------------------------------------------------------------- */

static void send_reply(struct conn *c, uint64_t unique, int error,
		       const void *body, size_t len)
{
	struct muse_out_header h;
	struct iovec iov[2] = {
		{ &h, sizeof(h) }, { (void *)body, len },
	};

	muse_reply_header(&h, unique, error, len);
	/* a refused reply fails here; the kernel's reaction is what counts */
	if (writev(c->fd, iov, 2) < 0 && errno != EINVAL && errno != ENOENT &&
	    errno != ENODEV)
		printf("  reply: %s\n", strerror(errno));
}

/* The correct answer: body into reply_buf, returns its length or -errno */
static long answer(const struct muse_request *r)
{
	const struct muse_io_in *io = &r->in.io;
	struct muse_read_out out = { 0 };
	uint64_t block;

	switch (r->opcode) {
	case MUSE_READ:
		if (!in_chip(io->addr, io->len) ||
		    sizeof(out) + (uint64_t)io->len + io->ooblen > sizeof(reply_buf))
			return -EINVAL;
		memcpy(reply_buf, &out, sizeof(out));
		memcpy(reply_buf + sizeof(out), chip + io->addr, io->len);
		oob_io(io, reply_buf + sizeof(out) + io->len, false);
		return (long)(sizeof(out) + io->len + io->ooblen);
	case MUSE_WRITE:
		if (!in_chip(io->addr, io->len))
			return -EINVAL;
		for (uint32_t i = 0; i < io->len; i++)
			chip[io->addr + i] &= r->data[i];
		oob_io(io, (uint8_t *)r->oob, true);
		return 0;
	case MUSE_ERASE:
		if (!in_chip(r->in.erase.addr, BLOCK_SIZE))
			return -EINVAL;
		erase_block(r->in.erase.addr / BLOCK_SIZE);
		return 0;
	case MUSE_MARKBAD:
	case MUSE_ISBAD:
		block = r->in.block.addr / BLOCK_SIZE;
		if (block >= BLOCKS)
			return -EINVAL;
		if (r->opcode == MUSE_MARKBAD) {
			erase_block(block);
			bad[block] = true;
			return 0;
		}
		memset(reply_buf, 0, sizeof(struct muse_isbad_out));
		reply_buf[0] = bad[block];
		return sizeof(struct muse_isbad_out);
	case MUSE_SYNC:
		return 0;
	}
	return -ENOSYS;
}

/* Sends the answer to @r spoiled by @f (F_NONE: unspoiled) */
static void reply_with_fault(struct conn *c, const struct muse_request *r,
			     enum fault f)
{
	static const uint8_t junk[64];
	long len = answer(r);
	struct muse_read_out *out = (void *)reply_buf;

	if (len < 0) {
		send_reply(c, r->unique, (int)len, NULL, 0);
		return;
	}
	switch (f) {
	case F_SHORT:
		len -= 1 + rnd_below((unsigned int)len);
		break;
	case F_LONG:
		/* a few bytes too many, or a whole oversized tail */
		len += rnd_below(4) ? 1 + rnd_below(64) : OVERSIZE;
		break;
	case F_ERRBODY:
		send_reply(c, r->unique, -EIO, junk, 1 + rnd_below(sizeof(junk)));
		return;
	case F_EPROTO:
		send_reply(c, r->unique, -EPROTO, NULL, 0);
		return;
	case F_BADFLAGS:
		out->flags = 2u << rnd_below(31);
		break;
	case F_BADISBAD:
		reply_buf[rnd_below(2) * 4] = (uint8_t)(2 + rnd_below(200));
		break;
	case F_DROP:
		return;
	case F_BADERRNO:
		send_reply(c, r->unique, rnd_below(2) ? 5 : -512 - (int)rnd_below(1000),
			   NULL, 0);
		return;
	case F_BADUNIQUE:
		send_reply(c, r->unique + (1ull << 40), 0, reply_buf, (size_t)len);
		return;
	case F_ERRNO:
	case F_BEHINDERR:
		send_reply(c, r->unique, pick_errno(), NULL, 0);
		return;
	case F_SLOW:
		/* well within the timeout, however slow the machine */
		sleep_ms(rnd_below(400));
		break;
	case F_BITFLIPS:
		out->corrected = (uint32_t)rnd();
		out->max_bitflips = (uint32_t)rnd();
		out->failed = rnd_below(2);
		break;
	case F_UNCACHEABLE:
		out->flags = MUSE_READ_UNCACHEABLE;
		break;
	case F_BADBLOCK:
		bad[r->in.block.addr / BLOCK_SIZE] = true;
		reply_buf[0] = 1;
		break;
	case F_NONE:
		break;
	}
	send_reply(c, r->unique, 0, reply_buf, (size_t)len);
}

/* -- one connection ------------------------------------------------------ */

static size_t add_param(uint8_t *buf, size_t len, size_t cap, const char *fmt,
			...) __attribute__((format(printf, 4, 5)));

static size_t add_param(uint8_t *buf, size_t len, size_t cap, const char *fmt,
			...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf((char *)buf + len, cap - len, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= cap - len ? len : len + (size_t)n + 1;
}

/* Half the connections list the bad blocks, half let the kernel ask */
static size_t bad_block_param(uint8_t *buf, size_t len, size_t cap)
{
	char list[BLOCKS * 5] = "";
	size_t used = 0;

	for (unsigned int b = 0; b < BLOCKS; b++) {
		if (bad[b])
			used += (size_t)snprintf(list + used, sizeof(list) - used,
						 "%s%u", used ? "," : "", b);
	}
	return add_param(buf, len, cap, "badblocks=%s", list);
}

static int answer_init(struct conn *c, const struct options *o)
{
	uint8_t buf[sizeof(struct muse_out_header) + sizeof(struct muse_init_out) + 2048];
	struct muse_init_out out = {
		.major = MUSE_KERNEL_VERSION, .max_io = MAX_IO,
	};
	size_t hdr = sizeof(struct muse_out_header), cap = sizeof(buf);
	size_t len = hdr + sizeof(out);
	struct muse_request r;
	struct muse_error e;
	ssize_t n = read(c->fd, req_buf, sizeof(req_buf));

	if (n < 0 || muse_decode_request(req_buf, (size_t)n, &r, &e) ||
	    r.opcode != MUSE_INIT) {
		printf("FAIL: %s: no INIT request\n", c->name);
		st.failures++;
		return -1;
	}
	c->behind = r.in.init.minor >= 1 && rnd_below(2);
	if (c->behind)
		out.flags = MUSE_INIT_WRITE_BEHIND;
	memcpy(buf + hdr, &out, sizeof(out));
	len = add_param(buf, len, cap, "name=%s", c->name);
	len = add_param(buf, len, cap, "type=nand");
	len = add_param(buf, len, cap, "size=%u", CHIP_SIZE);
	len = add_param(buf, len, cap, "erasesize=%u", BLOCK_SIZE);
	len = add_param(buf, len, cap, "writesize=%u", PAGE_SIZE_);
	len = add_param(buf, len, cap, "oobsize=%u", OOB_SIZE);
	len = add_param(buf, len, cap, "oobfree=%u:%u", OOB_FREE_OFFSET, OOB_FREE_SIZE);
	len = add_param(buf, len, cap, "oobecc=40:24");
	len = add_param(buf, len, cap, "ecc_strength=4");
	len = add_param(buf, len, cap, "ecc_step=512");
	len = add_param(buf, len, cap, "timeout=%u", o->timeout);
	if (rnd_below(2))
		len = add_param(buf, len, cap, "readcache=16");
	if (rnd_below(2))
		len = bad_block_param(buf, len, cap);
	muse_reply_header((struct muse_out_header *)buf, r.unique, 0, len - hdr);
	if (write(c->fd, buf, len) != (ssize_t)len) {
		printf("FAIL: %s: init reply: %s\n", c->name, strerror(errno));
		st.failures++;
		return -1;
	}
	return 0;
}

static void start_cmd(struct conn *c, const struct options *o)
{
	char mtd[32], num[16];

	snprintf(mtd, sizeof(mtd), "/dev/mtd%d", c->mtd);
	snprintf(num, sizeof(num), "%d", c->mtd);
	fflush(stdout);
	c->cmd = fork();
	if (c->cmd == 0) {
		close(c->fd);
		setenv("MTD", mtd, 1);
		setenv("MTDNUM", num, 1);
		execvp(o->cmd[0], o->cmd);
		_exit(127);
	}
}

static void poll_registration(struct conn *c, const struct options *o)
{
	struct muse_mtd_list list;

	if (c->mtd >= 0 || ioctl(c->fd, MUSE_DEV_IOC_MTD_LIST, &list) < 0)
		return;
	c->mtd = list.index[0];
	start_cmd(c, o);
}

/* A write of max_io bytes may be a piece of a larger one, sent at once */
static bool sent_behind(const struct conn *c, const struct muse_request *r)
{
	return c->behind && r->opcode == MUSE_WRITE && r->in.io.len &&
	       !r->in.io.ooblen && r->in.io.len < MAX_IO;
}

static void serve_request(struct conn *c, const struct options *o, size_t n)
{
	struct muse_request r;
	struct muse_error e;
	enum fault f = F_NONE;
	bool behind;

	c->requests++;
	st.requests++;
	if (muse_decode_request(req_buf, n, &r, &e)) {
		printf("FAIL: %s: undecodable request: %s\n", c->name, e.msg);
		st.failures++;
		return;
	}
	behind = sent_behind(c, &r);
	/* one connection-ending fault per connection: its end is checked */
	if (rnd_below(behind ? (o->rate + 31) / 32 : o->rate) == 0) {
		f = pick_fault(r.opcode);
		if (behind && (f == F_ERRNO || rnd_below(2)))
			f = F_BEHINDERR;
		if (faults[f].class != CLASS_BENIGN && c->fault != F_NONE)
			f = F_NONE;
	}
	if (f != F_NONE)
		st.by_class[faults[f].class]++;
	st.behind_errors += f == F_BEHINDERR;
	if (f != F_NONE && faults[f].class != CLASS_BENIGN) {
		c->fault = f;
		c->fault_op = r.opcode;
		c->fault_time = time(NULL);
	}
	reply_with_fault(c, &r, f);
}

static bool cmd_running(struct conn *c)
{
	if (c->cmd > 0 && waitpid(c->cmd, &c->cmd_status, WNOHANG) == c->cmd)
		c->cmd = 0;
	return c->cmd > 0;
}

/*
 * Serves until the kernel ends the connection, or CMD finished and no
 * fault is pending.  Returns true if the kernel ended it.
 */
static bool serve(struct conn *c, const struct options *o)
{
	struct pollfd p[2] = {
		{ .fd = c->fd, .events = POLLIN }, { .fd = kmsg, .events = POLLIN },
	};
	ssize_t n;

	for (;;) {
		poll_registration(c, o);
		if (poll(p, 2, 50) < 0 && errno != EINTR)
			return false;
		if (p[1].revents)
			drain_kmsg();
		if (p[0].revents) {
			n = read(c->fd, req_buf, sizeof(req_buf));
			if (n < 0 && errno == ENODEV)
				return true;
			if (n > 0)
				serve_request(c, o, (size_t)n);
		}
		if (c->fault != F_NONE) {
			if (time(NULL) - c->fault_time > (time_t)o->timeout + END_GRACE_S)
				return false;
		} else if (c->mtd >= 0 && !cmd_running(c)) {
			return false;
		}
	}
}

/* The kernel's message for the end of connection @c, by its fault */
static void end_message(const struct conn *c, const struct options *o,
			char *want, size_t size)
{
	switch (c->fault) {
	case F_BADFLAGS:
		snprintf(want, size, "muse: %s: unknown flags 0x", c->name);
		break;
	case F_BADISBAD:
		snprintf(want, size, "muse: %s: ISBAD reply ", c->name);
		break;
	case F_BEHINDERR:
		/* after "muse: NAME: N bytes at ADDR" */
		snprintf(want, size, " written behind failed with -");
		break;
	case F_DROP:
	case F_BADERRNO:
	case F_BADUNIQUE:
		snprintf(want, size, "muse: %s: no answer for %u s: ending the connection",
			 c->name, o->timeout);
		break;
	default:
		snprintf(want, size, "muse: %s: malformed reply to %s: ending the connection",
			 c->name, muse_opcode_name(c->fault_op));
	}
}

static bool end_logged(const struct conn *c, const struct options *o)
{
	char want[160], who[64];

	end_message(c, o, want, sizeof(want));
	snprintf(who, sizeof(who), "muse: %s: ", c->name);
	for (int tries = 0; tries < 50; tries++) {
		drain_kmsg();
		if (strstr(last_end, who) && strstr(last_end, want))
			return true;
		sleep_ms(100);
	}
	printf("  expected in the kernel log: %s\n  last end logged: %s", want,
	       last_end);
	return false;
}

static void check_end(struct conn *c, const struct options *o, bool ended)
{
	const char *what = faults[c->fault].name;

	if (c->fault != F_NONE && !ended) {
		printf("FAIL: %s: the kernel kept the connection %d s after a %s\n",
		       c->name, END_GRACE_S, what);
		st.failures++;
	} else if (c->fault == F_NONE && ended) {
		printf("FAIL: %s: the kernel ended the connection after legal replies\n",
		       c->name);
		st.failures++;
	} else if (ended && !end_logged(c, o)) {
		printf("FAIL: %s: no kernel message for the end after a %s\n",
		       c->name, what);
		st.failures++;
	}
}

/* CMD must finish once the connection is gone: else the kernel hangs */
static int wait_cmd(struct conn *c)
{
	for (int i = 0; i < CMD_GRACE_S * 10 && cmd_running(c); i++)
		sleep_ms(100);
	if (!cmd_running(c))
		return 0;
	printf("FAIL: %s: the workload still runs %d s after the connection ended\n",
	       c->name, CMD_GRACE_S);
	st.failures++;
	kill(c->cmd, SIGKILL);
	return -1;
}

static int run_connection(int index, const struct options *o)
{
	struct conn c = { .mtd = -1, .fault = F_NONE };
	bool ended;
	int ret;

	snprintf(c.name, sizeof(c.name), "hostile%d", index);
	if (bad_count() > MAX_BAD_BLOCKS)
		reset_chip();
	c.fd = open("/dev/muse", O_RDWR);
	if (c.fd < 0) {
		printf("FAIL: /dev/muse: %s\n", strerror(errno));
		st.failures++;
		return -1;
	}
	st.connections++;
	if (answer_init(&c, o)) {
		close(c.fd);
		return -1;
	}
	ended = serve(&c, o);
	check_end(&c, o, ended);
	close(c.fd);
	ret = wait_cmd(&c);
	printf("%s: mtd%d, %lu requests, %s%s%s, workload exit %d\n", c.name,
	       c.mtd, c.requests, faults[c.fault].name,
	       c.fault ? " in " : "", c.fault ? muse_opcode_name(c.fault_op) : "",
	       WIFEXITED(c.cmd_status) ? WEXITSTATUS(c.cmd_status) : -1);
	return ret;
}

static void usage(void)
{
	fprintf(stderr, "usage: muse-hostiled --seed S [--requests N] [--timeout T] "
		"[--rate R] -- CMD...\n");
	exit(2);
}

static void parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "requests", required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ "rate", required_argument, NULL, 'r' },
		{ 0 },
	};
	int opt;

	*o = (struct options){ .requests = 10000, .timeout = 3, .rate = 150 };
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 's': o->seed = strtoull(optarg, NULL, 10); break;
		case 'n': o->requests = strtoul(optarg, NULL, 10); break;
		case 't': o->timeout = (unsigned int)strtoul(optarg, NULL, 10); break;
		case 'r': o->rate = (unsigned int)strtoul(optarg, NULL, 10); break;
		default: usage();
		}
	}
	if (optind >= argc || !o->rate || !o->timeout)
		usage();
	o->cmd = argv + optind;
}

int main(int argc, char **argv)
{
	struct options o;
	int index = 0;

	parse_options(argc, argv, &o);
	rng = o.seed;
	setvbuf(stdout, NULL, _IOLBF, 0);
	reset_chip();
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (kmsg < 0 || lseek(kmsg, 0, SEEK_END) < 0) {
		perror("/dev/kmsg");
		return 2;
	}
	while (st.requests < o.requests && st.failures == 0) {
		if (run_connection(index++, &o))
			break;
	}
	drain_kmsg();
	printf("hostiled: seed %" PRIu64 ": %lu requests, %lu connections, "
	       "faults: protocol %lu, stuck %lu, benign %lu, behind %lu; failures %lu\n",
	       o.seed, st.requests, st.connections, st.by_class[CLASS_PROTOCOL],
	       st.by_class[CLASS_STUCK], st.by_class[CLASS_BENIGN],
	       st.behind_errors, st.failures);
	return st.failures ? 1 : 0;
}

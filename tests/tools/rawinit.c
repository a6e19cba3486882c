/*
 * rawinit.c - answers MUSE_INIT with the key=value strings given on the
 * command line, unchecked, to test the kernel's own validation.
 *
 *   muse-rawinit [--max-io N] [--flags N] key=value...
 *
 * Prints "accepted mtdN" or "refused: <errno>" and exits 0 or 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "proto.h"
#include "wire.h"

static uint8_t req[1 << 21];

/*
 * Answers what a registration may ask: reads with erased pages, bad block
 * queries (no list given) with "good".
 */
static void serve_reads(int fd)
{
	static uint8_t reply[sizeof(struct muse_out_header) + (1 << 21)];
	struct muse_request r;
	struct muse_error e;
	ssize_t n = read(fd, req, sizeof(req));
	struct muse_out_header *h = (void *)reply;
	size_t len = sizeof(*h);

	if (n <= 0 || muse_decode_request(req, (size_t)n, &r, &e))
		return;
	if (r.opcode == MUSE_READ) {
		len += sizeof(struct muse_read_out) + r.in.io.len + r.in.io.ooblen;
		memset(reply + sizeof(*h), 0, sizeof(struct muse_read_out));
		memset(reply + sizeof(*h) + sizeof(struct muse_read_out), 0xff,
		       len - sizeof(*h) - sizeof(struct muse_read_out));
	} else if (r.opcode == MUSE_ISBAD) {
		len += sizeof(struct muse_isbad_out);
		memset(reply + sizeof(*h), 0, sizeof(struct muse_isbad_out));
	}
	muse_reply_header(h, r.unique, 0, len - sizeof(*h));
	if (write(fd, reply, len) < 0)
		perror("reply");
}

int main(int argc, char **argv)
{
	uint8_t buf[sizeof(struct muse_out_header) + sizeof(struct muse_init_out) + 4096];
	struct muse_init_out out = { .major = MUSE_KERNEL_VERSION, .max_io = 1 << 20 };
	struct muse_out_header *h = (void *)buf;
	struct muse_mtd_list list;
	struct muse_request r;
	struct muse_error e;
	size_t len = sizeof(*h) + sizeof(out);
	int fd, i = 1;
	ssize_t n;

	for (; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--max-io"))
			out.max_io = (uint32_t)strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--flags"))
			out.flags = (uint32_t)strtoul(argv[i + 1], NULL, 0);
		else
			break;
	}
	fd = open("/dev/muse", O_RDWR);
	if (fd < 0 || (n = read(fd, req, sizeof(req))) < 0 ||
	    muse_decode_request(req, (size_t)n, &r, &e)) {
		perror("/dev/muse");
		return 2;
	}
	memcpy(buf + sizeof(*h), &out, sizeof(out));
	for (; i < argc; i++) {
		size_t l = strlen(argv[i]) + 1;

		memcpy(buf + len, argv[i], l);
		len += l;
	}
	muse_reply_header(h, r.unique, 0, len - sizeof(*h));
	if (write(fd, buf, len) < 0) {
		perror("init reply");
		return 2;
	}
	for (int tries = 0; tries < 500; tries++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (!ioctl(fd, MUSE_DEV_IOC_MTD_LIST, &list)) {
			printf("accepted mtd%d\n", list.index[0]);
			return 0;
		}
		if (errno != EAGAIN)
			break;
		if (poll(&p, 1, 10) > 0)
			serve_reads(fd);
	}
	printf("refused: %s\n", strerror(errno));
	return 1;
}

/*
 * wire.h - the MUSE protocol as it travels over /dev/muse.
 *
 * Mirrors the definitions that kernel/patches add to
 * include/uapi/linux/fuse.h (the installed kernel headers do not have
 * them), plus the two FUSE headers that frame every message.  Layouts are
 * checked at compile time; the kernel patch is the authority, and
 * docs/protocol.md describes the semantics.
 */
#ifndef MUSE_WIRE_H
#define MUSE_WIRE_H

#include <stdint.h>
#include <sys/ioctl.h>

#define MUSE_KERNEL_VERSION 1
#define MUSE_KERNEL_MINOR_VERSION 2
#define MUSE_INIT_INFO_MAX 4096

enum muse_opcode {
	FUSE_INTERRUPT_OPCODE = 36,
	MUSE_INIT = 8192,
	MUSE_ERASE = 8193,
	MUSE_READ = 8194,
	MUSE_WRITE = 8195,
	MUSE_MARKBAD = 8196,
	MUSE_ISBAD = 8197,
	MUSE_SYNC = 8198,
};

/* struct fuse_in_header */
struct muse_in_header {
	uint32_t len;
	uint32_t opcode;
	uint64_t unique;
	uint64_t nodeid;
	uint32_t uid;
	uint32_t gid;
	uint32_t pid;
	uint16_t total_extlen;
	uint16_t padding;
};

/* struct fuse_out_header */
struct muse_out_header {
	uint32_t len;
	int32_t error;
	uint64_t unique;
};

struct muse_init_in {
	uint32_t major;
	uint32_t minor;
	uint32_t flags;
	uint32_t padding;
};

struct muse_init_out {
	uint32_t major;
	uint32_t minor;
	uint32_t max_io;
	uint32_t flags;		/* MUSE_INIT_* */
};

/*
 * Since 1.1: the server never fails a write, so the kernel may
 * acknowledge in-band writes before it sends them, as runs of pages.
 */
#define MUSE_INIT_WRITE_BEHIND (1u << 0)

/* OOB modes: the values of MTD_OPS_PLACE_OOB, MTD_OPS_AUTO_OOB, MTD_OPS_RAW */
enum muse_oob_mode {
	MUSE_OOB_PLACE = 0,
	MUSE_OOB_AUTO = 1,
	MUSE_OOB_RAW = 2,
};

struct muse_io_in {
	uint64_t addr;
	uint32_t len;
	uint32_t ooblen;
	uint32_t ooboffs;
	uint32_t mode;
};

/* The page may read differently next time: the kernel must not cache it */
#define MUSE_READ_UNCACHEABLE (1u << 0)

struct muse_read_out {
	uint32_t corrected;
	uint32_t failed;
	uint32_t max_bitflips;
	uint32_t flags;
};

struct muse_erase_in {
	uint64_t addr;
	uint64_t len;
};

struct muse_block_in {
	uint64_t addr;
};

struct muse_isbad_out {
	uint32_t bad;
	uint32_t padding;
};

#define MUSE_MTD_LIST_MAX 32

struct muse_mtd_list {
	uint32_t count;
	int32_t index[MUSE_MTD_LIST_MAX];
	uint32_t padding;
};

#define MUSE_DEV_IOC_MTD_LIST _IOR(229, 64, struct muse_mtd_list)

_Static_assert(sizeof(struct muse_in_header) == 40, "fuse_in_header");
_Static_assert(sizeof(struct muse_out_header) == 16, "fuse_out_header");
_Static_assert(sizeof(struct muse_init_in) == 16, "muse_init_in");
_Static_assert(sizeof(struct muse_init_out) == 16, "muse_init_out");
_Static_assert(sizeof(struct muse_io_in) == 24, "muse_io_in");
_Static_assert(sizeof(struct muse_read_out) == 16, "muse_read_out");
_Static_assert(sizeof(struct muse_erase_in) == 16, "muse_erase_in");
_Static_assert(sizeof(struct muse_block_in) == 8, "muse_block_in");
_Static_assert(sizeof(struct muse_isbad_out) == 8, "muse_isbad_out");
_Static_assert(sizeof(struct muse_mtd_list) == 136, "muse_mtd_list");

#endif

/*
 * fsmount.h - a flash filesystem on an MTD device: UBI attach and detach
 * (through UBI's control device), mount and unmount of UBIFS and JFFS2.
 */
#ifndef MUSE_FSMOUNT_H
#define MUSE_FSMOUNT_H

#include <stdbool.h>

#include "error.h"

struct fs_mount {
	const char *fs;		/* ubifs, jffs2 or none */
	const char *mtd;	/* /dev/mtdN */
	const char *dir;	/* mount point */
	const char *options;	/* mount data, or NULL */
	bool read_only;
	int ubi;		/* UBI device number once attached, else -1 */
	bool mounted;
};

/* Attaches @m->mtd to UBI; the device number goes to @m->ubi */
int fs_ubi_attach(struct fs_mount *m, struct muse_error *e);

/* Mounts volume 0 (UBIFS, after fs_ubi_attach) or the MTD (JFFS2) */
int fs_mount(struct fs_mount *m, struct muse_error *e);

/* Unmounts and detaches what is attached; 0 or the first failure */
int fs_unmount(struct fs_mount *m, struct muse_error *e);

#endif

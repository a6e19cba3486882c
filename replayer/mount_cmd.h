/*
 * mount_cmd.h - "muse mount": any state of a trace as files (FUSE).
 */
#ifndef MUSE_MOUNT_CMD_H
#define MUSE_MOUNT_CMD_H

int cmd_mount(int argc, char **argv);

#endif

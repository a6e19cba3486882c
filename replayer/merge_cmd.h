/*
 * merge_cmd.h - the "muse merge" command.
 */
#ifndef MUSE_MERGE_CMD_H
#define MUSE_MERGE_CMD_H

int cmd_merge(int argc, char **argv);

#endif

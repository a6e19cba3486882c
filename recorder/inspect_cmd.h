/*
 * inspect_cmd.h - the "muse inspect" command.
 */
#ifndef MUSE_INSPECT_CMD_H
#define MUSE_INSPECT_CMD_H

int cmd_inspect(int argc, char **argv);

#endif

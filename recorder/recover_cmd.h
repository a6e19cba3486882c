/*
 * recover_cmd.h - the "muse recover" command.
 */
#ifndef MUSE_RECOVER_CMD_H
#define MUSE_RECOVER_CMD_H

int cmd_recover(int argc, char **argv);

#endif

/*
 * mark_cmd.h - the "muse mark" command.
 */
#ifndef MUSE_MARK_CMD_H
#define MUSE_MARK_CMD_H

int cmd_mark(int argc, char **argv);

#endif

/*
 * serve_cmd.h - the "muse serve" command.
 */
#ifndef MUSE_SERVE_CMD_H
#define MUSE_SERVE_CMD_H

int cmd_serve(int argc, char **argv);

#endif
